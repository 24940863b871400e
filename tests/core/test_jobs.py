"""Background jobs run through the real django-tasks database worker.

These are TransactionTestCases: the worker checks its database connection between tasks
(``close_old_connections``) and drops one left inside a transaction, which a TestCase's wrapping
transaction would be on PostgreSQL.
"""

from __future__ import annotations

from django.core.management import call_command
from django.test import TransactionTestCase

from qingdan.core.models import ChangeLogEntry, Job
from tests.builders import build_world


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-reload", verbosity=0)


class JobTests(TransactionTestCase):
    def setUp(self) -> None:
        self.w = build_world()

    def test_verify_log_job_runs_in_the_worker_and_reports(self) -> None:
        self.client.force_login(self.w.bianban)
        response = self.client.post("/changelog/verify/")
        job = Job.objects.get()
        self.assertRedirects(response, f"/jobs/{job.pk}/", fetch_redirect_response=False)
        self.assertEqual(job.status, "queued")
        self.assertTrue(job.task_id)
        run_worker()
        job.refresh_from_db()
        self.assertEqual(job.status, "succeeded")
        self.assertEqual(job.result["checked"], ChangeLogEntry.objects.count())
        self.assertEqual(job.percent, 100)
        status = self.client.get(f"/jobs/{job.pk}/status/").json()
        self.assertEqual(status["status"], "succeeded")
        self.assertIn("校验通过", status["message"])

    def test_failed_verification_is_reported_on_the_job(self) -> None:
        ChangeLogEntry.objects.filter(seq=3).delete()
        self.client.force_login(self.w.bianban)
        self.client.post("/changelog/verify/")
        run_worker()
        job = Job.objects.get()
        self.assertIn("第3条日志缺失", job.message)
        self.assertFalse(job.result["ok"])

    def test_jobs_are_private_to_their_owner_and_scope(self) -> None:
        self.client.force_login(self.w.bianban)
        self.client.post("/changelog/verify/")
        job = Job.objects.get()
        self.client.force_login(self.w.clerk_b)
        self.assertEqual(self.client.get(f"/jobs/{job.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/jobs/{job.pk}/status/").status_code, 404)
        self.assertEqual(self.client.get(f"/jobs/{job.pk}/download/").status_code, 404)

    def test_only_bianban_may_start_verification(self) -> None:
        self.client.force_login(self.w.clerk_a)
        self.assertEqual(self.client.post("/changelog/verify/").status_code, 403)
        self.assertEqual(self.client.get("/changelog/verify/").status_code, 405)
        self.assertFalse(Job.objects.exists())
