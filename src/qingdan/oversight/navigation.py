"""The sidebar group "审核发布" (stage 审核/发布 of the loop of work), used by qingdan.navigation."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from qingdan.core.access import can
from qingdan.oversight.models import ListVersion, Programme, Submission


def review_group(model_item: Any) -> dict[str, Any]:
    """``model_item`` is ``qingdan.navigation._model_item`` (one admin changelist entry)."""
    return {
        "title": "审核发布",
        "separator": True,
        "items": [
            {
                "title": "工作方案与报送",
                "icon": "fact_check",
                "link": reverse("oversight:index"),
                "permission": lambda request: (
                    can(request.user, "view", Programme) or can(request.user, "view", Submission)
                ),
            },
            {
                "title": "清单版本",
                "icon": "inventory_2",
                "link": reverse("oversight:versions"),
                "permission": lambda request: can(request.user, "view", ListVersion),
            },
            model_item("工作方案设置", "edit_calendar", "oversight", "programme"),
            model_item("工作阶段", "date_range", "oversight", "programmephase"),
            model_item("报送审核记录", "timeline", "oversight", "submissionevent"),
            model_item("审核意见", "rate_review", "oversight", "reviewcomment"),
        ],
    }
