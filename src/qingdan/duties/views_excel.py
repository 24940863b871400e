"""履职清单 Excel pages: download the template, export the list, upload a filled workbook.

The import itself runs as a background job (``duties.tasks.import_list_job``); the upload only
checks size and permission, stores the file with the job and sends the user to the job's page,
which shows the progress bar, the errors and the annotated workbook to download.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from qingdan.core.access import restrict
from qingdan.core.choices import Action
from qingdan.core.jobs import start_job
from qingdan.core.models import Job
from qingdan.documents.xlsx.package import size_text
from qingdan.duties import exporters
from qingdan.duties.importers import OnExisting
from qingdan.duties.models import DutyItem, Task
from qingdan.duties.scope import department_allows, departments_for
from qingdan.duties.tasks import JOB_KIND, import_list_job, job_params
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Department

# Room for the multipart envelope and the other form fields around the file.
_ENVELOPE = 64 * 1024


class ImportForm(forms.Form):
    """Upload of a filled 履职清单 workbook, with the choices the import offers."""

    upload = forms.FileField(
        label="履职清单工作簿",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    on_existing = forms.ChoiceField(
        label="已有事项",
        choices=OnExisting.choices,
        initial=OnExisting.UPDATE,
        widget=forms.RadioSelect,
        help_text="按隐藏的系统编号（没有时按编码）识别已有的职责事项和工作任务。",
    )
    skip_bad = forms.BooleanField(
        label="跳过有错误的行，导入其余行", required=False, help_text="默认有任何错误都不写入。"
    )
    dry_run = forms.BooleanField(label="试导入（只校验，不写入）", required=False)
    reason = forms.CharField(label="变更原因", required=False, max_length=500)

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        limit = settings.QINGDAN_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件过大（{size_text(upload.size)}），上限为{size_text(limit)}，请拆分后分批导入。"
            )
        if not upload.size:
            raise forms.ValidationError("文件为空。")
        return upload


def _visible_departments(request: HttpRequest) -> Any:
    return (
        departments_for(request.user, Action.VIEW)
        .filter(status=OrgStatus.ACTIVE)
        .select_related("region")
        .order_by("region__path", "path", "id")
    )


def _department(request: HttpRequest, pk: int) -> Department:
    """The department if the user may see its lists (404 otherwise: outsiders learn nothing)."""
    department = departments_for(request.user, Action.VIEW).filter(pk=pk).first()
    if department is None:
        raise Http404("部门不存在或不在您的数据范围内。")
    return department


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _page(
    request: HttpRequest,
    department: Department | None,
    form: ImportForm | None = None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    can_import = department is not None and department_allows(request.user, Action.ADD, department)
    jobs = []
    if department is not None:
        jobs = list(
            restrict(Job.objects.all(), request.user, Action.VIEW)
            .filter(kind=JOB_KIND, department=department)
            .order_by("-created_at")[:10]
        )
    context = {
        **admin.site.each_context(request),
        "title": "履职清单Excel导入导出",
        "departments": _visible_departments(request),
        "department": department,
        "form": form or (ImportForm() if can_import else None),
        "can_import": can_import,
        "jobs": jobs,
        "error": error,
        "max_upload": size_text(settings.QINGDAN_MAX_UPLOAD_BYTES),
    }
    return TemplateResponse(request, "duties/excel.html", context, status=status)


@staff_member_required
@require_GET
def excel(request: HttpRequest) -> HttpResponse:
    """The page: choose a department, then download, export or upload."""
    departments = _visible_departments(request)
    if not departments.exists():
        raise PermissionDenied("您没有查看履职清单的权限。")
    chosen = request.GET.get("department", "")
    department = None
    if chosen.isdigit() and len(chosen) < 12:
        department = _department(request, int(chosen))
    elif departments.count() == 1:
        department = departments.first()
    return _page(request, department)


@staff_member_required
@require_GET
def template(request: HttpRequest, pk: int) -> HttpResponse:
    """The blank template with the department's own units and positions in the dropdowns."""
    department = _department(request, pk)
    return _attachment(
        exporters.template(department),
        f"{department.name}履职清单模板.xlsx",
        exporters.XLSX_TYPE,
    )


@staff_member_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The department's list (what the user may see), in the template layout."""
    department = _department(request, pk)
    fmt = "csv" if request.GET.get("fmt") == "csv" else "xlsx"
    data = exporters.export_department(
        department, request.user, fmt=fmt, include_revoked=request.GET.get("revoked") == "1"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content_type = exporters.CSV_TYPE if fmt == "csv" else exporters.XLSX_TYPE
    return _attachment(data, f"{department.name}履职清单-{stamp}.{fmt}", content_type)


@staff_member_required
@require_GET
def export_admin_list(request: HttpRequest, model: str, fmt: str) -> HttpResponse:
    """What a 职责事项 or 工作任务 list in the back office shows (its filters, search and the
    department tree, through the list's own gated queryset), in the template layout.

    The query string is the admin list's own, e.g. ``/duties/excel/list/task.xlsx?dept=3&status=draft``.
    """
    models = {"dutyitem": DutyItem, "task": Task}
    if model not in models or fmt not in ("xlsx", "csv"):
        raise Http404
    model_admin = admin.site._registry.get(models[model])
    if model_admin is None or not model_admin.has_view_permission(request):
        raise PermissionDenied
    queryset = model_admin.get_changelist_instance(request).get_queryset(request)
    if model == "task":
        rows, ids = exporters.rows_for_tasks(queryset, request.user)
    else:
        tasks = restrict(Task.objects.exclude(status="revoked"), request.user, Action.VIEW)
        rows, ids = exporters.rows_for_items(queryset, tasks)
    data = exporters.workbook(rows, ids, title="履职清单", fmt=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content_type = exporters.CSV_TYPE if fmt == "csv" else exporters.XLSX_TYPE
    return _attachment(data, f"{models[model]._meta.verbose_name}-{stamp}.{fmt}", content_type)


@staff_member_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Store the upload with a new import job and follow it on the job page."""
    department = _department(request, pk)
    if not department_allows(request.user, Action.ADD, department):
        raise PermissionDenied(f"您没有向“{department.name}”导入履职清单的权限。")
    limit = settings.QINGDAN_MAX_UPLOAD_BYTES
    too_big = f"文件过大，上限为{size_text(limit)}，请拆分后分批导入。"
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + _ENVELOPE:
        return _page(request, department, error=too_big, status=413)
    try:
        form = ImportForm(request.POST, request.FILES)
        valid = form.is_valid()
    except RequestDataTooBig:
        return _page(request, department, error=too_big, status=413)
    if not valid:
        return _page(request, department, form, status=400)
    data = form.cleaned_data
    upload_file = data["upload"]
    filename = PurePath(upload_file.name or "履职清单.xlsx").name
    job = start_job(
        import_list_job,
        kind=JOB_KIND,
        title=f"导入履职清单：{department.name}（{filename}）",
        user=request.user,
        region_id=department.region_id,
        department_id=department.pk,
        params=job_params(
            filename=filename,
            on_existing=data["on_existing"],
            skip_bad=data["skip_bad"],
            dry_run=data["dry_run"],
            reason=data["reason"],
        ),
        input_bytes=upload_file.read(),
        input_suffix=".xlsx",
    )
    return redirect("core:job_detail", pk=job.pk)
