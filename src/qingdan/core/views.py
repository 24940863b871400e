from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from qingdan.core.access import get_for_user
from qingdan.core.models import Job


@staff_member_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from django.contrib import admin

    job = get_for_user(Job.objects.all(), request.user, pk=pk)
    context = {**admin.site.each_context(request), "title": job.title, "job": job}
    return TemplateResponse(request, "core/job_detail.html", context)


@staff_member_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_for_user(Job.objects.all(), request.user, pk=pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_display": job.get_status_display(),
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
            "message": job.message,
            "errors": job.errors[:200],
            "error_count": len(job.errors),
            "has_output": bool(job.output_file),
        }
    )


@staff_member_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_for_user(Job.objects.all(), request.user, pk=pk)
    if not job.output_file:
        raise Http404("该任务没有可下载的文件。")
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / job.output_file).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404("文件不存在。")
    return FileResponse(
        target.open("rb"), as_attachment=True, filename=job.output_name or target.name
    )
