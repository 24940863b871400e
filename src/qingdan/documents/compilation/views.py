"""清单汇编 page: the regions the 编办 may compile, a start button each (POST), recent jobs."""

from __future__ import annotations

from collections import Counter

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from qingdan.core.access import get_for_user, restrict
from qingdan.core.choices import Action
from qingdan.core.jobs import start_job
from qingdan.core.models import Job
from qingdan.org.choices import RegionLevel
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Region
from qingdan.oversight.models import ListVersion

from .service import can_compile, compilation_title, published_versions
from .tasks import compile_region_job

KIND = "compilation"


def _check(request: HttpRequest) -> None:
    if not can_compile(request.user):
        raise PermissionDenied("只有编办管理员可以汇编清单。")


@staff_member_required
def index(request: HttpRequest) -> HttpResponse:
    _check(request)
    user = request.user
    regions = list(
        restrict(Region.objects.all(), user, Action.VIEW)
        .filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY])
        .order_by("path")
    )
    pairs = set(
        restrict(ListVersion.objects.all(), user, Action.PUBLISH)
        .filter(department__status=OrgStatus.ACTIVE)
        .values_list("department_id", "region__path")
    )
    published = Counter(path for _, path in pairs)
    rows = [
        {
            "region": r,
            "title": compilation_title(r),
            "departments": sum(n for path, n in published.items() if path.startswith(r.path)),
        }
        for r in regions
    ]
    jobs = restrict(Job.objects.filter(kind=KIND), user, Action.VIEW).select_related("region")[:10]
    context = {
        **admin.site.each_context(request),
        "title": "清单汇编",
        "rows": rows,
        "jobs": jobs,
    }
    return TemplateResponse(request, "documents/compilation.html", context)


@require_POST
@staff_member_required
def start(request: HttpRequest) -> HttpResponse:
    """Start the region's compilation as a background job and go to its progress page."""
    _check(request)
    value = request.POST.get("region", "")
    if not value.isdigit() or len(value) > 18:
        raise Http404("参数不正确。")
    region = get_for_user(Region.objects.all(), request.user, pk=int(value))
    if not published_versions(request.user, region):
        messages.error(request, f"{region.name}范围内没有您可汇编的已发布清单。")
        return redirect("compilation:index")
    job = start_job(
        compile_region_job,
        kind=KIND,
        title=compilation_title(region),
        user=request.user,
        region_id=region.pk,
        params={"region": region.pk},
    )
    return redirect("core:job_detail", pk=job.pk)
