"""The 清单汇编 background job (django-tasks, run by ``qingdan worker``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks import task

from qingdan.core.jobs import job_dir, running_job
from qingdan.core.models import Job
from qingdan.org.models import Region

from .build import chinese_date
from .service import can_compile, compile_region

WORKERS = 2  # the two cores of the reference machine (docs/benchmarks.md)


@task()
def compile_region_job(job_id: int) -> None:
    """Compile the job's region for the user who started it (the gate is applied again here)."""
    with running_job(job_id) as (job, progress):
        if not can_compile(job.user):
            raise ValidationError("您没有汇编清单的权限（需编办管理员的发布权限）。")
        region = Region.objects.get(pk=job.params["region"])
        target = job_dir(job) / "compilation.zip"

        def report(done: int, total: int, message: str) -> None:
            if done == 0:
                progress.total(total, message)
            progress.step(done, message, force=done >= total)

        try:
            result = compile_region(
                region, target, user=job.user, workers=job.params.get("workers", WORKERS),
                report=report,
            )  # fmt: skip
        except LookupError as exc:
            raise ValidationError(str(exc)) from exc
        if not result.departments:
            raise ValidationError(result.errors or ["没有任何部门排版成功。"])
        if result.errors:
            # ``running_job`` records errors only on failure; a partial compilation keeps its
            # archive and names what is missing.
            Job.objects.filter(pk=job.pk).update(errors=result.errors[:1000])
        job.output_file = str(target.relative_to(settings.MEDIA_ROOT))
        job.output_name = f"{result.title}（{chinese_date(timezone.localdate())}）.zip"
        job.result = {
            "departments": result.departments,
            "files": len(result.files),
            "bytes": result.size,
            "seconds": round(result.seconds, 1),
            "failed": result.failed,
            "errors": result.errors[:200],
        }
        job.message = (
            f"已汇编{result.departments}个部门的已发布清单，共{len(result.files)}个文件，"
            f"用时{result.seconds:.0f}秒。"
        )
        if result.errors:
            job.message += (
                f"有{len(result.errors)}处错误（见下方），{result.failed}个部门未完整收录。"
            )
