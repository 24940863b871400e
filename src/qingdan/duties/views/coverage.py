"""覆盖与工作量 pages: drill-down region → department → unit → position, and the unit matrix."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from qingdan.core.access import can, get_for_user, restrict
from qingdan.core.choices import Action
from qingdan.duties import coverage_data
from qingdan.duties.coverage import GAP_KINDS
from qingdan.duties.models import Task
from qingdan.org.models import Department, Position, Region, Unit


def _id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404("参数不正确。")
    return int(value)


def _render(request: HttpRequest, title: str, **context: Any) -> HttpResponse:
    rules = coverage_data.rules()
    context = {
        **admin.site.each_context(request),
        "title": title,
        "gap_kinds": GAP_KINDS,
        "rules": rules,
        **context,
    }
    return TemplateResponse(request, "duties/coverage.html", context)


@staff_member_required
def coverage(request: HttpRequest) -> HttpResponse:
    """One page, four levels: ``?region=`` (or nothing), ``?department=``, ``?unit=``,
    ``?position=``; every level reads only rows inside the user's data scope."""
    user = request.user
    if not can(user, Action.VIEW, Task):
        raise PermissionDenied("您没有查看履职清单的权限。")
    position_id, unit_id = _id(request, "position"), _id(request, "unit")
    department_id, region_id = _id(request, "department"), _id(request, "region")

    if position_id is not None:
        position = get_for_user(Position.objects.select_related("department"), user, pk=position_id)
        return _position_level(request, position)
    if unit_id is not None:
        unit = get_for_user(Unit.objects.select_related("department"), user, pk=unit_id)
        report = coverage_data.coverage_report(user, department_id=unit.department_id)
        dept = report.department(unit.department_id)
        unit_report = dept.unit(unit.pk) if dept else None
        if unit_report is None:
            raise Http404("该内设机构已撤销或不在分析范围内。")
        return _render(
            request,
            f"覆盖与工作量 · {unit.name}",
            level="unit",
            department=dept,
            department_obj=unit.department,
            unit=unit_report,
        )
    if department_id is not None:
        department = get_for_user(
            Department.objects.select_related("region"), user, pk=department_id
        )
        report = coverage_data.coverage_report(user, department_id=department.pk)
        dept = report.department(department.pk)
        if dept is None:
            raise Http404("该部门已撤销或不在分析范围内。")
        return _render(
            request,
            f"覆盖与工作量 · {department.name}",
            level="department",
            department=dept,
            department_obj=department,
        )
    region = None
    if region_id is not None:
        region = get_for_user(Region.objects.all(), user, pk=region_id)
    report = coverage_data.coverage_report(user, region_id=region_id)
    return _render(request, "覆盖与工作量", level="region", report=report, region=region)


def _position_level(request: HttpRequest, position: Position) -> HttpResponse:
    user = request.user
    report = coverage_data.coverage_report(user, department_id=position.department_id)
    dept = report.department(position.department_id)
    found = None
    unit_report = None
    for unit in dept.units if dept else []:
        for p in unit.positions:
            if p.id == position.pk:
                found, unit_report = p, unit
    if found is None or dept is None:
        raise Http404("该岗位已撤销或不在分析范围内。")
    hours = dict(found.shares)
    tasks = list(
        restrict(Task.objects.all(), user, Action.VIEW)
        .filter(assignments__position_id=position.pk)
        .select_related("duty_item", "lead_unit")
        .order_by("duty_item__order", "order", "id")
        .values("id", "code", "name", "annual_hours", "assignments__role", "lead_unit__name")
    )
    for t in tasks:
        t["share"] = hours.get(t["id"], 0.0)
    return _render(
        request,
        f"覆盖与工作量 · {position.name}",
        level="position",
        department=dept,
        department_obj=position.department,
        unit=unit_report,
        position=found,
        tasks=tasks,
    )


@staff_member_required
def unit_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    """任务—岗位矩阵: rows the unit's tasks, columns its positions, cells 主/协/B."""
    user = request.user
    if not can(user, Action.VIEW, Task):
        raise PermissionDenied("您没有查看履职清单的权限。")
    unit = get_for_user(Unit.objects.select_related("department"), user, pk=pk)
    matrix = coverage_data.unit_matrix(user, unit)
    context = {
        **admin.site.each_context(request),
        "title": f"任务—岗位矩阵 · {unit.name}",
        "unit": unit,
        "matrix": matrix,
    }
    return TemplateResponse(request, "duties/matrix.html", context)
