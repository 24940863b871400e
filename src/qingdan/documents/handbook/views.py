"""部门管理手册 pages: the departments the user may read lists of, and each one's handbook as a
Word or PDF download (rendered on request; one department takes a second or two)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header

from qingdan.core.access import scope_q
from qingdan.core.choices import Action
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Department
from qingdan.oversight.models import ListVersion

from . import FORMATS, MIME_TYPES
from .services import render_department


class _DepartmentLists:
    """The gate's view of "a department's 履职清单": the ``lists`` rights, scoped by region and
    by the department itself (``id``). Rights limited to one's own rows (SELF) do not cover a
    whole department's handbook."""

    access_group = "lists"
    scope_region_field = "region_id"
    scope_department_field = "id"
    scope_owner_field = None


def visible_departments(user: object) -> object:
    """Departments whose lists ``user`` may read (``view`` on 履职清单)."""
    q: Q | None = scope_q(user, _DepartmentLists, Action.VIEW)  # type: ignore[arg-type]
    if q is None:
        return Department.objects.none()
    return Department.objects.filter(q)


def _department(request: HttpRequest, pk: int) -> Department:
    found = visible_departments(request.user).filter(pk=pk).select_related("region").first()
    if found is None:
        raise Http404("部门不存在或不在您的数据范围内。")
    return found


@staff_member_required
def index(request: HttpRequest) -> HttpResponse:
    departments = (
        visible_departments(request.user)
        .filter(status=OrgStatus.ACTIVE)
        .select_related("region")
        .order_by("region__path", "order", "id")[:500]
    )
    context = {
        **admin.site.each_context(request),
        "title": "部门管理手册",
        "departments": departments,
    }
    return TemplateResponse(request, "documents/handbook.html", context)


@staff_member_required
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The handbook of the working lists, or ``?version=N`` of a published version."""
    if fmt not in FORMATS:
        raise Http404("不支持的格式。")
    department = _department(request, pk)
    version = None
    number = request.GET.get("version", "")
    if number:
        if not number.isdigit() or len(number) > 9:
            raise Http404("版本号不正确。")
        version = ListVersion.objects.filter(department=department, number=int(number)).first()
        if version is None:
            raise Http404("该部门没有这个版本的清单。")
    data = render_department(department, fmt, version=version)
    suffix = f"（第{version.number}版）" if version else ""
    name = f"{department.name}部门管理手册{suffix}.{fmt}"
    return HttpResponse(
        data,
        content_type=MIME_TYPES[fmt],
        headers={
            "Content-Disposition": content_disposition_header(True, name),
            "X-Content-Type-Options": "nosniff",
        },
    )
