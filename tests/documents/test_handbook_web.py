"""The handbook from the console, as a download (gated), and with a region's own Word template
uploaded in the back office — hostile templates refused with nothing saved."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from docx import Document

from qingdan.documents.handbook.services import region_template, render_department
from qingdan.documents.models import HandbookTemplate
from tests.documents.handbook_world import build_handbook_world


def word_template(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """``data`` with one part replaced (or added)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != name:
                z.writestr(info, src.read(info))
        z.writestr(name, content)
    return out.getvalue()


GOOD = word_template("{{ region }}专用封面：{{ department }}", "{{p body}}")


def text_of(docx: bytes) -> str:
    doc = Document(io.BytesIO(docx))
    return "\n".join(p.text for p in doc.paragraphs)


class HandbookCliTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.hw = build_handbook_world()

    def test_writes_a_word_file(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "h.docx"
            stdout = io.StringIO()
            call_command(
                "handbook",
                "--department",
                "A01",
                "--format",
                "docx",
                "--out",
                str(out),
                stdout=stdout,
            )
            self.assertIn("东川市教育局", text_of(out.read_bytes()))
            self.assertIn("已生成", stdout.getvalue())

    def test_writes_a_pdf(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "h.pdf"
            call_command(
                "handbook",
                "--department",
                "A01",
                "--region",
                "860100",
                "--format",
                "pdf",
                "--out",
                str(out),
                stdout=io.StringIO(),
            )
            self.assertTrue(out.read_bytes().startswith(b"%PDF"))

    def test_unknown_department_is_a_chinese_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "部门编码“ZZ99”不存在"):
            call_command("handbook", "--department", "ZZ99", "--out", "never-written.docx")

    def test_unknown_region_and_missing_version_are_errors(self) -> None:
        with self.assertRaisesMessage(CommandError, "行政区划代码“999999”不存在"):
            call_command(
                "handbook",
                "--department",
                "A01",
                "--region",
                "999999",
                "--out",
                "never-written.docx",
            )
        with self.assertRaisesMessage(CommandError, "没有已发布的版本清单"):
            call_command(
                "handbook", "--department", "A01", "--published", "--out", "never-written.docx"
            )

    def test_hostile_template_file_is_refused(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad.docx"
            bad.write_bytes(word_template("{{ ''.__class__.__mro__ }}", "{{p body}}"))
            with self.assertRaisesMessage(CommandError, "模板不能使用"):
                call_command(
                    "handbook",
                    "--department",
                    "A01",
                    "--out",
                    str(Path(tmp) / "h.docx"),
                    "--template",
                    str(bad),
                )
            self.assertFalse((Path(tmp) / "h.docx").exists())


class HandbookDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.hw = build_handbook_world()

    def url(self, fmt: str = "docx") -> str:
        return reverse("handbook:download", args=[self.hw.w.dept_a.pk, fmt])

    def test_own_department_clerk_downloads_word_and_pdf(self) -> None:
        self.client.force_login(self.hw.w.clerk_a)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn("东川市教育局", text_of(response.content))
        pdf = self.client.get(self.url("pdf"))
        self.assertEqual(pdf["Content-Type"], "application/pdf")

    def test_other_department_clerk_gets_404(self) -> None:
        self.client.force_login(self.hw.w.clerk_b)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_bianban_of_another_region_gets_404(self) -> None:
        self.client.force_login(self.hw.w.county_bianban)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)

    def test_unknown_format_and_version_are_404(self) -> None:
        self.client.force_login(self.hw.w.bianban)
        self.assertEqual(self.client.get(self.url("exe")).status_code, 404)
        self.assertEqual(self.client.get(self.url() + "?version=7").status_code, 404)

    def test_index_lists_only_visible_departments(self) -> None:
        self.client.force_login(self.hw.w.clerk_a)
        page = self.client.get(reverse("handbook:index")).content.decode()
        self.assertIn("东川市教育局", page)
        self.assertNotIn("东川市市场监督管理局", page)


class RegionTemplateTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.hw = build_handbook_world()

    def upload(self, data: bytes, user=None) -> object:
        self.client.force_login(user or self.hw.w.bianban)
        return self.client.post(
            reverse("admin:documents_handbooktemplate_add"),
            {
                "region": self.hw.w.dept_a.region_id,
                "name": "东川市手册模板",
                "upload": SimpleUploadedFile("模板.docx", data),
                "change_reason": "",
            },
        )

    def test_uploaded_template_is_used_for_the_regions_departments(self) -> None:
        response = self.upload(GOOD)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        stored = HandbookTemplate.objects.get()
        self.assertEqual(stored.size, len(GOOD))
        text = text_of(render_department(self.hw.w.dept_a, "docx"))
        self.assertIn("东川市专用封面：东川市教育局", text)
        self.assertIn("一、部门概况（三定规定摘要）", text)
        # A county below the city without its own template uses the city's.
        self.assertEqual(region_template(self.hw.w.dept_c.region), GOOD)

    def test_clerk_cannot_upload(self) -> None:
        response = self.upload(GOOD, self.hw.w.clerk_a)
        self.assertIn(response.status_code, (302, 403))
        self.assertFalse(HandbookTemplate.objects.exists())

    def assertRefused(self, data: bytes, message: str) -> None:
        response = self.upload(data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        self.assertFalse(HandbookTemplate.objects.exists())

    def test_sandbox_escape_is_refused(self) -> None:
        self.assertRefused(
            word_template("{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{p body}}"), "模板"
        )

    def test_huge_loop_is_refused(self) -> None:
        self.assertRefused(
            word_template(
                "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
                "{{p body}}",
            ),
            "模板",
        )

    def test_xxe_is_refused(self) -> None:
        xml = (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
        )
        self.assertRefused(with_member(GOOD, "word/document.xml", xml), "DOCTYPE")

    def test_zip_bomb_is_refused(self) -> None:
        self.assertRefused(with_member(GOOD, "word/bomb.xml", b"\0" * (60 * 1024 * 1024)), "压缩")

    def test_oversized_file_is_refused(self) -> None:
        self.assertRefused(GOOD + b"\0" * (5 * 1024 * 1024), "超过上限")

    def test_template_without_body_tag_is_refused(self) -> None:
        self.assertRefused(word_template("只有封面 {{ department }}"), "没有放置正文")

    def test_not_a_word_file_is_refused(self) -> None:
        self.assertRefused(b"%PDF-1.4 hello", "PDF")
