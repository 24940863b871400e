"""The 履职清单 Excel page and its background import job, through the real task worker.

TransactionTestCases, as in tests/core/test_jobs.py: the worker drops a database connection it
finds inside a transaction, which a TestCase's wrapping transaction would be on PostgreSQL.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from urllib.parse import quote

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TransactionTestCase, override_settings

from qingdan.core.models import Job, RoleGrant
from qingdan.duties import exporters
from qingdan.duties.models import DutyItem, Task
from qingdan.duties.spreadsheet import LIST_SPEC
from tests.core.test_jobs import run_worker
from tests.duties.excel_helpers import FIRST_DATA_ROW, NEW_ROW, build_excel_world, fill

R = FIRST_DATA_ROW


class ExcelJobTests(TransactionTestCase):
    def setUp(self) -> None:
        # Job files live under MEDIA_ROOT/jobs/<id>/: parallel test processes have their own
        # databases (and the same ids), so each test gets its own directory.
        media = tempfile.mkdtemp(prefix="qingdan-excel-jobs-")
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        self.ew = build_excel_world()
        self.dept = self.ew.w.dept_a
        self.template = exporters.template(self.dept)
        self.client.force_login(self.ew.w.clerk_a)

    def upload(self, data: bytes, client: Client | None = None, **fields: object):
        payload = {
            "upload": SimpleUploadedFile("清单.xlsx", data),
            "on_existing": "update",
            **fields,
        }
        return (client or self.client).post(f"/duties/excel/{self.dept.pk}/upload/", payload)

    def test_page_offers_template_export_and_upload(self) -> None:
        page = self.client.get(f"/duties/excel/?department={self.dept.pk}")
        self.assertContains(page, "下载空白模板")
        self.assertContains(page, f"/duties/excel/{self.dept.pk}/upload/")
        self.assertContains(page, "csrfmiddlewaretoken")
        template = self.client.get(f"/duties/excel/{self.dept.pk}/template/")
        self.assertEqual(template.status_code, 200)
        self.assertIn("attachment", template["Content-Disposition"])
        export = self.client.get(f"/duties/excel/{self.dept.pk}/export/?fmt=csv")
        self.assertIn("事项编码", export.content.decode("utf-8-sig"))

    def test_upload_is_imported_by_the_worker_with_progress(self) -> None:
        response = self.upload(fill(self.template, [NEW_ROW]))
        job = Job.objects.get()
        self.assertRedirects(response, f"/jobs/{job.pk}/", fetch_redirect_response=False)
        self.assertEqual((job.status, job.kind), ("queued", "duties_import"))
        self.assertFalse(Task.objects.filter(name=NEW_ROW["task_name"]).exists())
        run_worker()
        job.refresh_from_db()
        self.assertEqual(job.status, "succeeded", job.errors)
        self.assertEqual(job.percent, 100)
        self.assertIn("工作任务新增1项", job.message)
        self.assertEqual(job.result["counts"]["tasks_created"], 1)
        task = Task.objects.get(name=NEW_ROW["task_name"])
        self.assertEqual(task.created_by, self.ew.w.clerk_a)
        status = self.client.get(f"/jobs/{job.pk}/status/").json()
        self.assertEqual(status["status"], "succeeded")

    def test_bad_workbook_fails_lists_errors_and_offers_the_annotated_workbook(self) -> None:
        data = fill(
            self.template,
            [
                {**NEW_ROW, "lead_unit": "不存在科"},
                {**NEW_ROW, "task_name": "二", "unit_hours": "=1+1"},
            ],
        )
        self.upload(data)
        run_worker()
        job = Job.objects.get()
        self.assertEqual(job.status, "failed")
        self.assertEqual(job.message, "未通过校验，未写入任何数据。")
        self.assertEqual(len(job.errors), 2, job.errors)
        self.assertIn(f"第{R}行 {LIST_SPEC.letter('lead_unit')}列（承办科室）", job.errors[0])
        self.assertIn("单元格含公式", job.errors[1])
        self.assertFalse(DutyItem.objects.filter(text=NEW_ROW["item_text"]).exists())
        download = self.client.get(f"/jobs/{job.pk}/download/")
        self.assertEqual(download.status_code, 200)
        self.assertIn(quote("清单-错误标注.xlsx"), download["Content-Disposition"])
        book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
        self.assertEqual(book.sheetnames[0], "错误清单")

    def test_encrypted_file_fails_in_the_job_with_a_clear_message(self) -> None:
        self.upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
        run_worker()
        job = Job.objects.get()
        self.assertEqual(job.status, "failed")
        self.assertIn("文件已加密或为旧版 .xls 格式", job.errors[0])
        self.assertFalse(job.output_file)

    def test_skip_bad_rows_in_the_job(self) -> None:
        data = fill(
            self.template, [{**NEW_ROW, "lead_unit": "不存在科"}, {**NEW_ROW, "task_name": "好"}]
        )
        self.upload(data, skip_bad="on")
        run_worker()
        job = Job.objects.get()
        self.assertEqual(job.status, "succeeded")
        self.assertIn("跳过有错误的行1行", job.message)
        self.assertEqual(len(job.errors), 1)
        self.assertTrue(job.output_file)
        self.assertTrue(Task.objects.filter(name="好").exists())

    def test_the_job_rechecks_the_gate_with_its_user(self) -> None:
        self.upload(fill(self.template, [NEW_ROW]))
        RoleGrant.objects.filter(user=self.ew.w.clerk_a).delete()  # the clerk was moved away
        run_worker()
        job = Job.objects.get()
        self.assertEqual(job.status, "failed")
        self.assertIn("没有向“东川市教育局”导入履职清单的权限", job.errors[0])
        self.assertFalse(Task.objects.filter(name=NEW_ROW["task_name"]).exists())

    def test_clerk_of_another_department_cannot_upload_or_see_it(self) -> None:
        self.client.force_login(self.ew.w.clerk_b)
        self.assertEqual(self.upload(fill(self.template, [NEW_ROW])).status_code, 404)
        self.assertEqual(
            self.client.get(f"/duties/excel/{self.dept.pk}/template/").status_code, 404
        )
        self.client.force_login(self.ew.w.supervisor)  # sees the lists, may not change them
        self.assertEqual(self.upload(fill(self.template, [NEW_ROW])).status_code, 403)
        self.assertFalse(Job.objects.exists())

    @override_settings(QINGDAN_MAX_UPLOAD_BYTES=4096)
    def test_upload_over_the_limit_is_refused(self) -> None:
        response = self.upload(self.template)
        self.assertIn(response.status_code, (400, 413))
        self.assertContains(response, "上限为4 KB", status_code=response.status_code)
        self.assertFalse(Job.objects.exists())

    def test_upload_needs_the_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.ew.w.clerk_a)
        self.assertEqual(self.upload(self.template, client=client).status_code, 403)
        self.assertFalse(Job.objects.exists())
