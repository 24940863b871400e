"""The renderers' fast paths: the .docx body spliced into the saved document as text, and the
PDF's tables, cards and paragraphs broken into lines by our own measure (reportlab's rule)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path
from unittest import skipUnless

from django.test import SimpleTestCase
from docx import Document
from lxml import etree
from reportlab.lib.textsplit import wordSplit

from qingdan.documents.handbook import build
from qingdan.documents.handbook.content import Card
from qingdan.documents.handbook.docx import default_template, render_docx
from qingdan.documents.handbook.pdf import FONT_NAME, register_font, render_pdf
from qingdan.documents.handbook.pdf_grid import Measure
from qingdan.documents.handbook.sample import sample_input

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _with_document_xml(template: bytes, change) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == "word/document.xml" else data)
    return out.getvalue()


def _only_w_and_r(xml: bytes) -> bytes:
    """The root element declaring nothing but the w and r prefixes (a hand-made template)."""
    return re.sub(
        rb"<w:document[^>]*>",
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
        xml,
        count=1,
    )


class SplicedBodyTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.hb = build(sample_input(tasks=6))

    def _check(self, data: bytes) -> etree._Element:
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
        self.assertNotIn(b"QD-", xml)  # no marker left
        root = etree.fromstring(xml)
        Document(io.BytesIO(data))  # python-docx opens it
        self.assertEqual(len(root.findall(f".//{W}drawing")), self.hb.counts.flowcharts)
        self.assertTrue(root.findall(f".//{A}graphic"))
        texts = "".join(t.text or "" for t in root.iter(f"{W}t"))
        self.assertIn(self.hb.chapters[0].heading, texts)
        return root

    def test_default_template(self) -> None:
        self._check(render_docx(self.hb))

    def test_template_without_our_namespaces(self) -> None:
        template = _with_document_xml(default_template(), _only_w_and_r)
        self._check(render_docx(self.hb, template))

    def test_template_binding_our_prefix_elsewhere(self) -> None:
        def rebind(xml: bytes) -> bytes:
            return _only_w_and_r(xml).replace(
                b"<w:document ", b'<w:document xmlns:a="urn:example:other" ', 1
            )

        template = _with_document_xml(default_template(), rebind)
        root = self._check(render_docx(self.hb, template))
        self.assertEqual(root.nsmap.get("a"), "urn:example:other")


class MeasureTests(SimpleTestCase):
    def test_breaks_lines_as_reportlab_does(self) -> None:
        font = register_font()
        measure = Measure(font)
        samples = [
            "依据《中华人民共和国行政许可法》有关规定审核批准，并于五个工作日内告知申请人。",
            "ZZ001-249 娱乐场所经营许可（含 Internet 上网服务营业场所）",
            "审查把关不严，违规办理。" * 6,
            "A very long Latin sentence without any CJK characters in it at all, to wrap.",
            "短",
        ]
        for text in samples:
            for width in (60.0, 97.5, 180.0, 400.0):
                expected = [line for _space, line in wordSplit(text, width, FONT_NAME, 12.0)]
                self.assertEqual(list(measure.lines(text, width, 12.0)), expected, (text, width))

    def test_first_line_width_and_line_breaks(self) -> None:
        measure = Measure(register_font())
        lines = measure.lines("第一行\n\n  第二  行  ", 200.0, 12.0)
        self.assertEqual(lines, ("第一行", "第二 行"))
        indented = measure.lines("字" * 20, 120.0, 12.0, first=96.0)
        self.assertEqual([len(line) for line in indented], [8, 10, 2])


@skipUnless(shutil.which("pdftotext"), "需要 poppler-utils")
class PdfFastPathTests(SimpleTestCase):
    def test_a_card_row_taller_than_a_page_is_split(self) -> None:
        hb = build(sample_input(tasks=3))
        chapters, done = [], False
        for chapter in hb.chapters:
            blocks = []
            for block in chapter.blocks:
                if isinstance(block, Card) and not done:
                    rows = list(block.rows)
                    rows[1] = (rows[1][0], "长文本测试，" * 900 + "结尾标记")
                    block, done = Card(tuple(rows)), True
                blocks.append(block)
            chapters.append(replace(chapter, blocks=tuple(blocks)))
        self.assertTrue(done)
        pdf = render_pdf(replace(hb, chapters=tuple(chapters)))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "h.pdf"
            path.write_bytes(pdf)
            text = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
        self.assertIn("结尾标记", text)
        self.assertIn(hb.cover.department, text)
