"""The 工作台 (admin index): the figures of the user's scope at a glance.

A pure context builder (``dashboard_context``) and the unfold callback that adds it to the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from qingdan.core.access import can, restrict
from qingdan.core.choices import Action
from qingdan.core.models import ChangeLogEntry


def dashboard_context(user: Any, on: dt.date) -> dict[str, Any]:
    from qingdan.org.models import Department, Position, Unit
    from qingdan.org.staffing import staffing_report

    if not can(user, Action.VIEW, Department):
        return {"cards": [], "over_quota": [], "recent": []}
    depts = list(
        restrict(Department.objects.all(), user, Action.VIEW).valid_on(on).values_list("id", "name")
    )
    ids = [d for d, _ in depts]
    report = staffing_report(ids, on)
    approved = filled = vacant = over = 0
    over_quota = []
    names = dict(depts)
    for dept_id, staffing in report.departments.items():
        total = staffing.total
        approved += total.approved or 0
        filled += total.filled
        vacant += sum(b.vacant for b in staffing.bars.values())
        dept_over = sum(b.over for b in staffing.bars.values())
        over += dept_over
        if dept_over and dept_id in names:
            over_quota.append({"id": dept_id, "name": names[dept_id], "over": dept_over})
    cards = [
        {"title": "部门", "value": len(ids), "icon": "apartment"},
        {
            "title": "内设机构",
            "value": Unit.objects.filter(department_id__in=ids).valid_on(on).count(),
            "icon": "workspaces",
        },
        {
            "title": "岗位",
            "value": Position.objects.filter(department_id__in=ids).valid_on(on).count(),
            "icon": "work",
        },
        {"title": "核定编制", "value": approved, "icon": "badge"},
        {"title": "实有人员", "value": filled, "icon": "group"},
        {"title": "空缺", "value": vacant, "icon": "event_seat", "tone": "warn"},
        {"title": "超编", "value": over, "icon": "warning", "tone": "bad" if over else ""},
    ]
    recent = list(
        restrict(ChangeLogEntry.objects.all(), user, Action.VIEW)
        .order_by("-seq")
        .only("seq", "timestamp", "username", "kind", "model", "object_repr", "reason")[:10]
    )
    return {
        "cards": cards,
        "over_quota": sorted(over_quota, key=lambda d: -d["over"]),
        "recent": recent,
    }


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    from qingdan.documents.statistics.data import dashboard_statistics

    context["dashboard"] = dashboard_context(request.user, timezone.localdate())
    context["statistics"] = dashboard_statistics(request.user)  # 统计分析: headline and 综述
    return context
