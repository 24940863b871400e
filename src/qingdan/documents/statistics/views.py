"""统计分析 pages: the figures of the user's scope with charts, drill-down and Excel export.

``/statistics/`` — everything the user may see; ``?region=`` a region's subtree, ``?level=``
(city/county/town) one level of it, ``?department=`` one department. Every level reads through
the gate: a clerk sees their department only, a 监督员 and the 编办 their region; a region or
department outside the scope is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header

from qingdan.core.access import can, get_for_user
from qingdan.core.choices import Action
from qingdan.duties.models import Task
from qingdan.org.models import Department, Region
from qingdan.oversight.models import ListVersion

from .data import cached_statistics
from .export import export_statistics
from .figures import LEVEL_LABELS, DepartmentFigures, Statistics, subset
from .report import statistics_context
from .sentence import chinese_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404("参数不正确。")
    return int(value)


@dataclass
class Selection:
    """What the request asks for, checked against the user's scope."""

    region: Region | None
    level: str | None
    department: Department | None
    scope: Statistics  # the region (or whole scope) the drill-down starts from
    shown: Statistics  # what the page shows
    department_figures: DepartmentFigures | None

    @property
    def title(self) -> str:
        if self.department is not None:
            return f"统计分析 · {self.department.name}"
        parts = [p for p in (self.region.name if self.region else "", self.level_label) if p]
        return "统计分析" + (" · " + " · ".join(parts) if parts else "")

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level or "", "")

    @property
    def scope_name(self) -> str:
        """The words heading the export's title (the region, level or department)."""
        if self.department is not None:
            return self.department.name
        root = self.shown.root
        name = self.region.name if self.region else (root.name if root else "")
        return name + (self.level_label if self.level else "")


def select(request: HttpRequest) -> Selection:
    """Read and check ``region``, ``level`` and ``department`` (404 outside the scope)."""
    user = request.user
    if not can(user, Action.VIEW, Task):
        raise PermissionDenied("您没有查看履职清单统计的权限。")
    region_id, department_id = _id(request, "region"), _id(request, "department")
    level = request.GET.get("level") or None
    if level is not None and level not in LEVEL_LABELS:
        raise Http404("参数不正确。")
    region = get_for_user(Region.objects.all(), user, pk=region_id) if region_id else None
    department = (
        get_for_user(Department.objects.all(), user, pk=department_id) if department_id else None
    )
    scope = cached_statistics(user, region_id=region_id)
    shown, figures = scope, None
    if department is not None:
        figures = scope.department(department.pk)
        if figures is None:
            raise Http404("该部门已撤销或不在统计范围内。")
        shown = subset(scope, lambda d: d.id == department.pk)
    elif level is not None:
        shown = subset(scope, lambda d: d.level == level)
    return Selection(region, level, department, scope, shown, figures)


@staff_member_required
def statistics(request: HttpRequest) -> HttpResponse:
    sel = select(request)
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        **statistics_context(sel.shown, department=sel.department_figures),
        "title": sel.title,
        "selection": sel,
        "level_tabs": [(g.key, g.label) for g in sel.scope.levels],
        "query": request.GET.urlencode(),
        "can_compile": can(request.user, Action.PUBLISH, ListVersion),
    }
    return TemplateResponse(request, "documents/statistics.html", context)


@staff_member_required
def export(request: HttpRequest) -> HttpResponse:
    """The page's table as an Excel workbook (same scope and drill-down as the page)."""
    sel = select(request)
    data = export_statistics(
        sel.shown,
        title=sel.scope_name,
        department_name=sel.department.name if sel.department else "",
    )
    name = f"{sel.scope_name}履职清单统计表（{chinese_date(sel.shown.as_of)}）.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
