"""清单检索: duty items and tasks by Chinese words, in the user's data scope, highlighted."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from qingdan.core.access import can, restrict
from qingdan.core.choices import Action
from qingdan.duties.models import DutyItem
from qingdan.duties.search import search as run_search
from qingdan.org.models import Department


@staff_member_required
def search(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, Action.VIEW, DutyItem):
        raise PermissionDenied("您没有查看履职清单的权限。")
    query = request.GET.get("q", "")[:200]
    dept_value = request.GET.get("department", "")
    department_id = int(dept_value) if dept_value.isdigit() and len(dept_value) < 19 else None
    departments = (
        restrict(Department.objects.all(), user, Action.VIEW)
        .filter(status="active")
        .order_by("region__path", "path")
        .only("id", "name")
    )
    results = run_search(user, query, department_id=department_id) if query.strip() else None
    context = {
        **admin.site.each_context(request),
        "title": "清单检索",
        "query": query,
        "department_id": department_id,
        "departments": departments,
        "results": results,
    }
    return TemplateResponse(request, "duties/search.html", context)
