"""The Word and PDF files of a handbook: 公文 page setup, styles, page numbers, table of contents,
flowcharts as editable DrawingML shapes, and a PDF that carries its own Chinese font."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from unittest import skipUnless

from django.test import SimpleTestCase
from docx import Document
from docx.shared import Mm

from qingdan.documents.handbook import build, render_handbook, render_volume
from qingdan.documents.handbook.content import Figure
from qingdan.documents.handbook.sample import sample_input

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _handbook():
    return build(sample_input(tasks=6))


class WordHandbookTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.hb = _handbook()
        cls.data = render_handbook(cls.hb, "docx")
        cls.doc = Document(io.BytesIO(cls.data))
        cls.xml = zipfile.ZipFile(io.BytesIO(cls.data)).read("word/document.xml").decode()

    def test_pages_are_a4_with_gbt9704_margins(self) -> None:
        for section in self.doc.sections:
            self.assertAlmostEqual(section.page_width.mm, 210, delta=0.5)
            self.assertAlmostEqual(section.page_height.mm, 297, delta=0.5)
            self.assertAlmostEqual(section.top_margin.mm, 37, delta=0.5)
            self.assertAlmostEqual(section.left_margin.mm, 28, delta=0.5)
            # 156 mm × 225 mm text block
            text_w = section.page_width - section.left_margin - section.right_margin
            text_h = section.page_height - section.top_margin - section.bottom_margin
            self.assertAlmostEqual(text_w, Mm(156), delta=Mm(0.5))
            self.assertAlmostEqual(text_h, Mm(225), delta=Mm(0.5))

    def test_cover_toc_and_body_sections_with_gongwen_page_numbers(self) -> None:
        self.assertEqual(len(self.doc.sections), 3)
        body = self.doc.sections[-1]
        footers = [body.footer, body.even_page_footer]
        for footer in footers:
            xml = footer._element.xml
            self.assertIn("PAGE", xml)
            self.assertIn("— ", "".join(t.text or "" for t in footer._element.iter(f"{W}t")))
        # cover and contents carry no page number
        self.assertNotIn("PAGE", self.doc.sections[0].footer._element.xml)

    def test_styles_use_gongwen_fonts(self) -> None:
        styles = {s.style_id: s for s in self.doc.styles if s.style_id.startswith("Qd")}
        for name in ("QdTitle", "QdBody", "QdHeading1", "QdToc1"):
            self.assertIn(name, styles)
        fonts = self.doc.styles.element.xml
        self.assertIn("方正小标宋", fonts)
        self.assertIn("仿宋_GB2312", fonts)
        body_size = styles["QdBody"].font.size
        self.assertEqual(body_size.pt, 16)  # 三号

    def test_chapters_and_content_are_present(self) -> None:
        text = "\n".join(p.text for p in self.doc.paragraphs)
        for chapter in self.hb.chapters:
            self.assertIn(chapter.heading, text)
        self.assertIn("东川市教育局", text)
        self.assertIn("部门管理手册（履职清单）", text)
        self.assertEqual(len(self.doc.tables) >= self.hb.counts.tasks, True)

    def test_table_of_contents_links_every_chapter_to_its_page(self) -> None:
        refs = re.findall(r"PAGEREF (_Toc\d+)", self.xml)
        self.assertEqual(len(refs), len(self.hb.toc()))
        for ref in refs:
            self.assertIn(f'w:name="{ref}"', self.xml)

    def test_flowcharts_are_editable_drawings_with_a_shape_per_step(self) -> None:
        figures = [b for c in self.hb.chapters for b in c.blocks if isinstance(b, Figure)]
        self.assertEqual(len(figures), self.hb.counts.flowcharts)
        self.assertGreater(len(figures), 0)
        self.assertEqual(self.xml.count("<wpg:wgp>"), len(figures))
        self.assertNotIn("<pic:pic", self.xml)  # drawings, not pictures
        steps = sum(len(f.layout.nodes) for f in figures)
        self.assertEqual(len(re.findall(r'<wps:cNvPr id="\d+" name="环节：', self.xml)), steps)
        ids = re.findall(r'<wp:docPr id="(\d+)"', self.xml)
        self.assertEqual(len(ids), len(set(ids)))

    def test_text_is_escaped(self) -> None:
        from dataclasses import replace

        inp = sample_input(tasks=2)
        evil = replace(inp.tasks[0], name='<w:p>&"注入"</w:p>{{ 7*7 }}')
        hb = build(replace(inp, tasks=(evil, *inp.tasks[1:])))
        doc = Document(io.BytesIO(render_handbook(hb, "docx")))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        self.assertTrue(any('<w:p>&"注入"</w:p>{{ 7*7 }}' in c for c in cells))

    def test_volume_holds_several_departments(self) -> None:
        other = build(sample_input(tasks=2, name="东川市民政局", code="A02"))
        doc = Document(io.BytesIO(render_volume([self.hb, other], "docx", "东川市汇编")))
        text = "\n".join(p.text for p in doc.paragraphs)
        self.assertIn("东川市教育局", text)
        self.assertIn("东川市民政局", text)


@skipUnless(shutil.which("pdftotext") and shutil.which("pdffonts"), "需要 poppler-utils")
class PdfHandbookTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.hb = _handbook()
        cls.tmp = Path(tempfile.mkdtemp(prefix="qd-hb-pdf-"))
        cls.path = cls.tmp / "h.pdf"
        cls.path.write_bytes(render_handbook(cls.hb, "pdf"))

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def test_font_is_embedded(self) -> None:
        out = subprocess.run(
            ["pdffonts", str(self.path)], capture_output=True, text=True, check=True
        ).stdout
        rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
        cjk = [r for r in rows if "+" in r[0]]  # a subset: ABCDEF+WenQuanYi…
        self.assertTrue(cjk, out)
        for row in cjk:
            self.assertEqual(row[-5], "yes", out)  # the "emb" column
        # Anything not embedded is one of the standard 14 faces every reader has.
        for row in rows:
            if row not in cjk:
                self.assertTrue(row[0].startswith(("Helvetica", "Times", "Courier")), out)

    def test_chinese_text_extracts(self) -> None:
        text = subprocess.run(
            ["pdftotext", "-layout", str(self.path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        self.assertIn("东川市教育局", text)
        for chapter in self.hb.chapters:
            self.assertIn(chapter.title, text)
        self.assertRegex(text, r"—\s*1\s*—")
