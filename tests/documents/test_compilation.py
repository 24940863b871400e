"""清单汇编 over the small demo region: who may compile, and the job run by the real worker."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import tempfile
import zipfile
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.test import TestCase, TransactionTestCase
from docx import Document
from pypdf import PdfReader

from qingdan.core.models import Job, User
from qingdan.demo.accounts import ensure_demo_accounts
from qingdan.demo.generator import generate
from qingdan.documents.compilation import service
from qingdan.org.models import Department, Region
from qingdan.oversight import versions
from qingdan.oversight.models import ListVersion, Submission

VOLUME = "00_东川市部门管理手册（履职清单）汇编（合订本）"


def demo_with_published(n_city: int = 2, n_county: int = 1) -> list[Department]:
    """The small demo with a few departments published (the small demo publishes none)."""
    generate("small", 7)
    ensure_demo_accounts()
    chosen = [
        *Department.objects.filter(region__level="city").order_by("order", "pk")[:n_city],
        *Department.objects.filter(region__level="county").order_by("order", "pk")[:n_county],
    ]
    for dept in chosen:
        versions.activate_drafts(dept, acting_user=None, reason="测试：发布清单")
        sub = Submission.objects.filter(department=dept).first()
        versions.create_version(sub, acting_user=None)
    return chosen


class KillsTheWorker:
    """A department's input that ends the worker process unpickling it, as the kernel's
    out-of-memory killer would."""

    tasks = ()

    def __reduce__(self) -> tuple:
        return (os._exit, (1,))


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-reload", verbosity=0)


class CompilationAccessTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.published = demo_with_published()
        cls.city = Region.objects.get(level="city")
        cls.county = Region.objects.filter(level="county").order_by("code").first()
        cls.users = {u.username: u for u in User.objects.all()}

    def login(self, username: str) -> None:
        self.client.force_login(self.users[username])

    def test_bianban_sees_the_regions_with_their_published_departments(self) -> None:
        self.login("bianban")
        response = self.client.get("/compilation/")
        self.assertEqual(response.status_code, 200)
        rows = {r["region"].name: r["departments"] for r in response.context["rows"]}
        self.assertEqual(rows[self.city.name], 3)  # the city and the county below it
        self.assertEqual(rows[self.county.name], 1)
        self.assertContains(response, "东川市部门管理手册（履职清单）汇编")
        self.assertContains(response, "开始汇编")

    def test_bianban_starts_a_job_and_goes_to_its_progress_page(self) -> None:
        self.login("bianban")
        response = self.client.post("/compilation/start/", {"region": self.city.pk})
        job = Job.objects.get(kind="compilation")
        self.assertRedirects(response, f"/jobs/{job.pk}/", fetch_redirect_response=False)
        self.assertEqual(job.params["region"], self.city.pk)
        self.assertEqual(job.user, self.users["bianban"])

    def test_other_roles_are_refused(self) -> None:
        for username in ("supervisor", "dept_admin", "clerk", "leader"):
            self.login(username)
            self.assertEqual(self.client.get("/compilation/").status_code, 403, username)
            response = self.client.post("/compilation/start/", {"region": self.city.pk})
            self.assertEqual(response.status_code, 403, username)
        self.assertFalse(Job.objects.exists())

    def test_county_bianban_compiles_the_county_only(self) -> None:
        self.login("county_bianban")
        rows = self.client.get("/compilation/").context["rows"]
        self.assertEqual(
            [(r["region"].name, r["departments"]) for r in rows], [(self.county.name, 1)]
        )
        response = self.client.post("/compilation/start/", {"region": self.city.pk})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Job.objects.exists())

    def test_bad_requests(self) -> None:
        self.login("bianban")
        self.assertEqual(self.client.get("/compilation/start/").status_code, 405)
        self.assertEqual(self.client.post("/compilation/start/", {"region": "x"}).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get("/compilation/").status_code, 302)

    def test_region_without_published_lists_is_refused_in_chinese(self) -> None:
        ListVersion.objects.filter(region=self.county).delete()
        self.login("county_bianban")
        response = self.client.post("/compilation/start/", {"region": self.county.pk}, follow=True)
        self.assertContains(response, "范围内没有您可汇编的已发布清单")
        self.assertFalse(Job.objects.exists())

    def test_a_large_region_gets_the_pdf_volume_and_no_word_volume(self) -> None:
        out = Path(self.enterContext(tempfile.TemporaryDirectory())) / "c.zip"
        with mock.patch.object(service, "DOCX_VOLUME_MAX_TASKS", 1):
            result = service.compile_region(self.county, out, workers=1)
        self.assertEqual((result.departments, result.errors), (1, []))
        archive = zipfile.ZipFile(out)
        names = [n.split("/", 1)[1] for n in archive.namelist()]
        volume = "00_东川市河西区部门管理手册（履职清单）汇编（合订本）"
        self.assertEqual([n for n in names if "合订本" in n], [f"{volume}.pdf"])
        self.assertEqual(len([n for n in names if n.startswith("部门/")]), 2)
        folder = archive.namelist()[0].split("/")[0]
        manifest = archive.read(f"{folder}/汇编说明.txt").decode()
        self.assertIn("合订本（Word）未提供", manifest)
        self.assertIn("超过1项", manifest)
        self.assertIn("目录所列页码为合订本的页码", manifest)
        self.assertEqual(sorted(Path(out.parent).iterdir()), [out])  # no parts left behind

    def test_largest_departments_are_read_first_and_keep_their_place(self) -> None:
        """The pool starts on the longest work; file numbers still follow the volume's order,
        and a department that cannot be read leaves its number unused."""
        versions = service.published_versions(None, self.city)
        self.assertEqual(len(versions), 3)
        for version, tasks in zip(versions, (100, 200, 300), strict=True):
            version.task_count = tasks
        read: list[int] = []
        handed: list[int] = []
        real = service.load_input

        def load(version: ListVersion):
            read.append(version.pk)
            if version.pk == versions[1].pk:
                raise ValueError("清单快照已损坏")
            return real(version)

        errors: list[str] = []
        with mock.patch.object(service, "load_input", load):
            entries, inputs, tasks = service._read(
                versions, lambda *a: None, 0, errors, lambda e, inp: handed.append(e.index)
            )
        self.assertEqual(read, [versions[2].pk, versions[1].pk, versions[0].pk])
        self.assertEqual(handed, [3, 1])
        self.assertEqual([e.index for e in entries], [1, 3])
        self.assertEqual(
            [e.department for e in entries],
            [versions[0].department.name, versions[2].department.name],
        )
        self.assertEqual([i.department.name for i in inputs], [e.department for e in entries])
        self.assertEqual(tasks, sum(len(i.tasks) for i in inputs))
        self.assertEqual(len(errors), 1)
        self.assertIn("读取清单内容失败：清单快照已损坏", errors[0])

    def test_a_killed_worker_loses_only_the_departments_it_held(self) -> None:
        """A worker killed mid-way breaks the pool: what it held, and anything submitted after,
        is named as lost; what was done is kept; the compilation itself does not fail."""
        versions = service.published_versions(None, self.city)
        doomed = max(versions, key=lambda v: v.task_count).department  # read first
        real = service.load_input

        def load(version: ListVersion):
            return KillsTheWorker() if version.department_id == doomed.pk else real(version)

        out = Path(self.enterContext(tempfile.TemporaryDirectory())) / "c.zip"
        with mock.patch.object(service, "load_input", load):
            result = service.compile_region(self.city, out, workers=2)
        self.assertIn(
            f"{doomed.name}（第1版）：PDF排版失败：排版进程异常退出（可能内存不足），请联系管理员",
            result.errors,
        )
        names = zipfile.ZipFile(out).namelist()
        for version in versions:
            name = version.department.name
            compiled = any(n.endswith(f"_{name}（第1版）.pdf") for n in names)
            named = any(e.startswith(f"{name}（第1版）：") for e in result.errors)
            self.assertTrue(compiled != named, name)
        self.assertEqual(result.departments + result.failed, len(versions))
        self.assertTrue(any(n.endswith("汇编说明.txt") for n in names))

    def test_a_pool_broken_before_submitting_names_the_departments_left(self) -> None:
        class BreaksAfterOne:
            submitted = 0

            def submit(self, fn, *args):
                self.submitted += 1
                if self.submitted > 1:
                    raise BrokenProcessPool("a worker was killed")
                return service._Inline().submit(fn, *args)

            def shutdown(self, **kw) -> None:
                pass

        out = Path(self.enterContext(tempfile.TemporaryDirectory())) / "c.zip"
        with mock.patch.object(service, "_executor", lambda workers: BreaksAfterOne()):
            result = service.compile_region(self.city, out, workers=2)
        self.assertEqual((result.departments, result.failed), (1, 2))
        lost = [e for e in result.errors if "排版进程异常退出" in e]
        self.assertEqual(len(lost), 2 * 2 + 1, result.errors)  # two formats each, the Word volume


class CompilationJobTests(TransactionTestCase):
    """The job through the real django-tasks worker (TransactionTestCase: see core/test_jobs)."""

    def setUp(self) -> None:
        self.published = demo_with_published()
        self.city = Region.objects.get(level="city")
        self.bianban = User.objects.get(username="bianban")
        self.client.force_login(self.bianban)

    def compile(self) -> Job:
        response = self.client.post("/compilation/start/", {"region": self.city.pk})
        self.assertEqual(response.status_code, 302)
        run_worker()
        return Job.objects.get(kind="compilation")

    def download(self, job: Job) -> zipfile.ZipFile:
        response = self.client.get(f"/jobs/{job.pk}/download/")
        self.assertEqual(response.status_code, 200)
        return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    def check_pdf_volume(
        self, archive: zipfile.ZipFile, folder: str, departments: list[Department]
    ) -> None:
        """The PDF volume: cover, one contents page, then the departments' own PDFs as they
        are in the zip, one bookmark each, the contents giving each one's first page."""
        volume = PdfReader(io.BytesIO(archive.read(f"{folder}/{VOLUME}.pdf")))
        own = {
            n: len(PdfReader(io.BytesIO(archive.read(n))).pages)
            for n in archive.namelist()
            if "/部门/" in n and n.endswith(".pdf")
        }
        self.assertEqual(len(own), len(departments))
        self.assertEqual(len(volume.pages), 1 + 1 + sum(own.values()))
        contents = volume.pages[1].extract_text()
        firsts = [
            volume.get_destination_page_number(item) + 1
            for item in volume.outline
            if not isinstance(item, list)
        ]
        titles = [item.title for item in volume.outline if not isinstance(item, list)]
        self.assertEqual(titles, [d.name for d in departments])
        self.assertEqual(firsts[0], 3)
        positions = [contents.index(d.name) for d in departments]
        self.assertEqual(positions, sorted(positions))
        for department, first in zip(departments, firsts, strict=True):
            self.assertIn(department.name, volume.pages[first - 1].extract_text())
            self.assertRegex(contents, rf"{re.escape(department.name)}\s*\.*\s*{first}\b")

    def test_worker_compiles_every_published_department_into_one_zip(self) -> None:
        job = self.compile()
        self.assertEqual(job.status, "succeeded", job.message)
        self.assertEqual(job.percent, 100)
        self.assertEqual(job.errors, [])
        self.assertEqual(job.result["departments"], 3)
        self.assertIn("已汇编3个部门", job.message)
        self.assertTrue(job.output_name.startswith("东川市部门管理手册（履职清单）汇编"))

        archive = self.download(job)
        names = [n.split("/", 1)[1] for n in archive.namelist()]
        expected = [
            f"部门/{i:02d}_{d.name}（第1版）.{fmt}"
            for i, d in enumerate(self.published, start=1)
            for fmt in ("docx", "pdf")
        ]
        self.assertEqual(sorted(n for n in names if n.startswith("部门/")), sorted(expected))
        self.assertIn(f"{VOLUME}.docx", names)
        self.assertIn(f"{VOLUME}.pdf", names)
        self.assertIn("汇编说明.txt", names)
        folder = archive.namelist()[0].split("/")[0]

        volume = Document(io.BytesIO(archive.read(f"{folder}/{VOLUME}.docx")))
        contents = [p.text.strip() for p in volume.paragraphs if p.style.name == "目录1"]
        self.assertEqual(contents, [d.name for d in self.published])
        self.check_pdf_volume(archive, folder, self.published)
        manifest = archive.read(f"{folder}/汇编说明.txt").decode()
        for version in ListVersion.objects.all():
            self.assertIn(version.sha256, manifest)

        # Progress was reported through the job's status, which others cannot read.
        status = self.client.get(f"/jobs/{job.pk}/status/").json()
        self.assertEqual((status["percent"], status["has_output"]), (100, True))
        self.client.force_login(User.objects.get(username="county_bianban"))
        self.assertEqual(self.client.get(f"/jobs/{job.pk}/download/").status_code, 404)
        self.client.force_login(User.objects.get(username="clerk"))
        self.assertEqual(self.client.get(f"/jobs/{job.pk}/download/").status_code, 404)

    def test_a_department_that_fails_to_typeset_is_named_and_the_rest_compiled(self) -> None:
        broken = self.published[1]
        real = service.load_input

        def load(version: ListVersion):
            inp = real(version)
            if version.department_id == broken.pk:
                return dataclasses.replace(inp, tasks=(None,))  # fails in the worker process
            return inp

        with mock.patch.object(service, "load_input", load):
            job = self.compile()
        self.assertEqual(job.status, "succeeded", job.message)
        self.assertEqual(job.result["departments"], 2)
        self.assertEqual(job.result["failed"], 1)
        self.assertIn("1个部门未完整收录", job.message)
        self.assertEqual(len(job.errors), 2, job.errors)  # its Word and its PDF
        for error in job.errors:
            self.assertTrue(error.startswith(f"{broken.name}（第1版）："), error)
            self.assertIn("排版失败：程序错误", error)

        archive = self.download(job)
        names = archive.namelist()
        self.assertFalse([n for n in names if broken.name in n])
        folder = names[0].split("/")[0]
        volume = Document(io.BytesIO(archive.read(f"{folder}/{VOLUME}.docx")))
        contents = [p.text.strip() for p in volume.paragraphs if p.style.name == "目录1"]
        self.assertEqual(contents, [d.name for d in self.published if d != broken])
        self.check_pdf_volume(archive, folder, [d for d in self.published if d != broken])
        manifest = archive.read(f"{folder}/汇编说明.txt").decode()
        self.assertIn("未能收录或排版出错（2处）", manifest)

    def test_nothing_compiled_fails_the_job_with_the_reasons(self) -> None:
        def load(version: ListVersion):
            raise ValueError(f"{version.department.name}的清单快照已损坏")

        with mock.patch.object(service, "load_input", load):
            job = self.compile()
        self.assertEqual(job.status, "failed")
        self.assertEqual(len(job.errors), 3)
        self.assertIn("读取清单内容失败", job.errors[0])
        self.assertIn("的清单快照已损坏", job.errors[0])
