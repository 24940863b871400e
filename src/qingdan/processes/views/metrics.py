"""流程再造成效: steps, materials and days before vs after, by region and department, drilling
down to the re-engineered processes of one department."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from qingdan.core.access import can, get_for_user
from qingdan.core.choices import Action
from qingdan.org.models import Department, Region
from qingdan.processes.metrics import reengineering_report
from qingdan.processes.models import Process
from qingdan.processes.views.common import context


def _id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404("参数不正确。")
    return int(value)


@staff_member_required
def metrics(request: HttpRequest) -> HttpResponse:
    """``?region=`` (with the regions below) or ``?department=``; inside the user's scope."""
    if not can(request.user, Action.VIEW, Process):
        raise PermissionDenied("您没有查看流程的权限。")
    region_id, department_id = _id(request, "region"), _id(request, "department")
    department = region = None
    if department_id is not None:
        department = get_for_user(Department.objects.all(), request.user, pk=department_id)
    elif region_id is not None:
        region = get_for_user(Region.objects.all(), request.user, pk=region_id)
    report = reengineering_report(request.user, region_id=region_id, department_id=department_id)
    title = "流程再造成效" + (f" · {(department or region).name}" if department or region else "")
    return TemplateResponse(
        request,
        "processes/metrics.html",
        context(
            request,
            title,
            report=report,
            department=department,
            region=region,
            department_figures=report.department(department.pk) if department else None,
        ),
    )
