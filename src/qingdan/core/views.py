from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.views.decorators.http import require_POST

from qingdan.core.access import can, get_for_user
from qingdan.core.choices import Action
from qingdan.core.jobs import start_job
from qingdan.core.models import ChangeLogEntry, Job


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


@require_POST
@staff_member_required
def start_verify_log(request: HttpRequest) -> HttpResponse:
    """Start a background verification of the change log (编办管理员 and the operator only)."""
    from qingdan.core.models import RoleGrant
    from qingdan.core.tasks import verify_log_job

    allowed = request.user.is_superuser or (
        can(request.user, Action.VIEW, ChangeLogEntry)
        and RoleGrant.objects.filter(user=request.user, role="bianban_admin").exists()
    )
    if not allowed:
        raise PermissionDenied("只有编办管理员可以校验变更日志。")
    job = start_job(verify_log_job, kind="verify_log", title="校验变更日志", user=request.user)
    return redirect("core:job_detail", pk=job.pk)


@staff_member_required
def bench_rows(request: HttpRequest) -> HttpResponse:
    """The benchmark's peer: the same number of rows as a real page, with no logic (bench/ only)."""
    from qingdan.org.models import Position

    if not settings.QINGDAN_BENCH_VIEWS:
        raise Http404
    try:
        n = max(0, min(20000, int(request.GET.get("rows", "100"))))
    except ValueError:
        n = 100
    rows = Position.objects.values_list("code", "name", "headcount")
    repeat = (n // max(1, rows.count())) + 1
    data = list(rows) * repeat
    body = "".join(
        f"<tr><td>{escape(code)}</td><td>{escape(name)}</td><td>{h}</td></tr>"
        for code, name, h in data[:n]
    )
    return HttpResponse(f"<!doctype html><table>{body}</table>")
