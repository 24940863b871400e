"""Background jobs: a :class:`Job` row the UI follows, run by the django-tasks worker.

A feature defines a task (``@task() def import_workbook(job_id: int)``), starts it with
:func:`start_job`, and inside the task wraps its work in :func:`running_job`, which marks the job
running, reports progress, and records success or failure. The worker process (``qingdan worker``,
django-tasks-db's ``db_worker``) picks the task up from the database; nothing runs inline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qingdan.core.choices import JobStatus
from qingdan.core.context import request_context
from qingdan.core.models import Job


def job_dir(job: Job) -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs" / str(job.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_job(
    task: Any,
    *,
    kind: str,
    title: str,
    user: Any,
    region_id: int | None = None,
    department_id: int | None = None,
    params: dict[str, Any] | None = None,
    input_bytes: bytes | None = None,
    input_suffix: str = ".bin",
) -> Job:
    """Create the job row (and its input file) and enqueue ``task(job.pk)`` once committed."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=title[:200],
            user=user,
            region_id=region_id,
            department_id=department_id,
            params=params or {},
        )
        if input_bytes is not None:
            target = job_dir(job) / f"input{input_suffix}"
            target.write_bytes(input_bytes)
            job.input_file = str(target.relative_to(settings.MEDIA_ROOT))
            job.save(update_fields=["input_file"])

        def enqueue() -> None:
            result = task.enqueue(job.pk)
            Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

        transaction.on_commit(enqueue)
    return job


class Progress:
    """Progress reporting that writes at most a few times a second."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last = 0.0

    def total(self, n: int, message: str = "") -> None:
        self.job.progress_total = n
        self.job.message = message[:500] or self.job.message
        self.job.save(update_fields=["progress_total", "message"])

    def step(self, done: int, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.3:
            return
        self._last = now
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=done, message=(message or self.job.message)[:500]
        )


@contextmanager
def running_job(job_id: int) -> Iterator[tuple[Job, Progress]]:
    """Run a job's body: status, timing and failure capture (errors shown to the user in Chinese).

    A ``ValidationError`` is the user's problem (bad input) and its messages are kept; anything
    else is recorded as an internal error and re-raised so the worker logs it.
    """
    job = Job.objects.select_related("user").get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.status = JobStatus.RUNNING
    progress = Progress(job)
    try:
        with request_context(f"job-{job.pk:016d}"):
            yield job, progress
    except ValidationError as exc:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            errors=exc.messages[:1000],
            message="未通过校验，未写入任何数据。",
        )
        return
    except Exception:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message="任务执行出错，未写入任何数据，请联系管理员。",
        )
        raise
    job.refresh_from_db(fields=["progress_total"])
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        progress_done=job.progress_total,
        result=job.result,
        output_file=job.output_file,
        output_name=job.output_name,
        message=job.message or "已完成",
    )
