"""Background task of the 履职清单 Excel import (后台导入), run by the task worker.

The upload page stores the workbook with the job (``core.jobs.start_job``); this task re-checks
the gate with the job's user — grants may have changed since the upload — runs the importer with a
progress bar, and on failure offers the user's own workbook back with every bad cell marked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks import task

from qingdan.core.jobs import Progress, job_dir, running_job
from qingdan.core.models import Job
from qingdan.duties.importers import (
    ImportOptions,
    ImportResult,
    OnExisting,
    annotated_workbook,
    import_list,
)
from qingdan.org.models import Department

JOB_KIND = "duties_import"


def job_params(
    *, filename: str, on_existing: str, skip_bad: bool, dry_run: bool, reason: str = ""
) -> dict[str, Any]:
    return {
        "filename": filename[:200],
        "on_existing": OnExisting(on_existing).value,
        "skip_bad": bool(skip_bad),
        "dry_run": bool(dry_run),
        "reason": reason[:500],
    }


class _Reporter:
    """Adapts the importer's ``(done, total, message)`` callback to the job's progress bar."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.total = -1

    def __call__(self, done: int, total: int, message: str) -> None:
        if total != self.total:
            self.total = total
            self.progress.total(total, message)
        self.progress.step(done, message, force=done >= total)


def _offer_annotated(job: Job, data: bytes, result: ImportResult) -> None:
    annotated = annotated_workbook(data, result)
    if annotated is None:
        return
    target = job_dir(job) / "errors.xlsx"
    target.write_bytes(annotated)
    stem = Path(job.params.get("filename") or "履职清单").stem
    job.output_file = str(target.relative_to(settings.MEDIA_ROOT))
    job.output_name = f"{stem}-错误标注.xlsx"
    Job.objects.filter(pk=job.pk).update(output_file=job.output_file, output_name=job.output_name)


@task()
def import_list_job(job_id: int) -> None:
    """导入履职清单: validate every row, write all or nothing (or skip the bad rows)."""
    with running_job(job_id) as (job, progress):
        department = Department.objects.get(pk=job.department_id)
        params = job.params
        options = ImportOptions(
            on_existing=params.get("on_existing", OnExisting.UPDATE),
            skip_bad=bool(params.get("skip_bad")),
            dry_run=bool(params.get("dry_run")),
            reason=params.get("reason") or f"Excel导入：{params.get('filename', '')}",
        )
        data = (Path(settings.MEDIA_ROOT) / job.input_file).read_bytes()
        try:
            result = import_list(
                data,
                department,
                acting_user=job.user,
                options=options,
                progress=_Reporter(progress),
            )
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        if result.errors:
            _offer_annotated(job, data, result)
        if result.errors and not (result.skipped_rows and (result.written or options.dry_run)):
            raise ValidationError([*result.messages(1000)])
        job.result = {
            "counts": dict(result.counts),
            "skipped_rows": result.skipped_rows[:1000],
            "written": result.written,
        }
        job.message = result.summary()
        if result.errors:
            Job.objects.filter(pk=job.pk).update(errors=result.messages(1000))
