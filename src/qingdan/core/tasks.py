"""Background tasks of the core app."""

from __future__ import annotations

from django_tasks import task

from qingdan.core.changelog import verify_chain
from qingdan.core.jobs import running_job


@task()
def verify_log_job(job_id: int) -> None:
    """Verify the change-log chain in the background (it can hold millions of entries)."""
    with running_job(job_id) as (job, progress):
        progress.total(1, "正在校验变更日志哈希链…")
        result = verify_chain()
        job.result = {
            "ok": result.ok,
            "checked": result.checked,
            "first_bad_seq": result.first_bad_seq,
        }
        if result.ok:
            job.message = f"变更日志完整：共{result.checked}条，哈希链校验通过。"
        else:
            job.message = f"校验失败：{result.problem}"
            job.errors = [result.problem]
