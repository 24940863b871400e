"""Checked by looking: LibreOffice opens the Word handbook and prints it, poppler rasterises
both PDFs, and the pages exist, carry ink and the department's name in Chinese. One small
department, one conversion (about ten seconds)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from unittest import skipUnless

from django.test import TestCase
from PIL import Image

from qingdan.documents.handbook import handbook_content, render_handbook
from qingdan.documents.handbook.content import Figure
from tests.documents.handbook_world import build_handbook_world

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")


def ink(png: Path) -> float:
    """Share of pixels that are not white."""
    img = Image.open(png).convert("L")
    hist = img.histogram()
    return 1 - sum(hist[240:]) / (img.width * img.height)


def pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def pages(pdf: Path, out: Path) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(pdf), str(out / pdf.stem)], check=True, timeout=120
    )
    return sorted(out.glob(f"{pdf.stem}*.png"))


@skipUnless(SOFFICE, "LibreOffice（libreoffice-writer-nogui）未安装，无法检查 Word 文件的排版")
@skipUnless(POPPLER, "poppler-utils 未安装")
class LookingAtTheHandbookTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.hw = build_handbook_world()

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="qd-hb-look-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def assertPagesInked(self, pngs: list[Path]) -> None:
        """Every page carries ink, except blank versos left for duplex printing (even pages)."""
        blank = [k for k, png in enumerate(pngs, start=1) if ink(png) < 0.002]
        self.assertTrue(all(k % 2 == 0 for k in blank), blank)
        self.assertLessEqual(len(blank), 2)

    def test_libreoffice_prints_the_word_handbook(self) -> None:
        hb = handbook_content(self.hw.w.dept_a)
        docx = self.tmp / "handbook.docx"
        docx.write_bytes(render_handbook(hb, "docx"))
        profile = (self.tmp / "lo-profile").as_uri()
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(self.tmp),
                str(docx),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
        pdf = self.tmp / "handbook.pdf"
        self.assertTrue(pdf.exists(), "LibreOffice 未能转换 Word 文件")
        text = pdftotext(pdf)
        self.assertIn("东川市教育局", text)
        self.assertIn("部门管理手册（履职清单）", text)
        self.assertIn("一、部门概况（三定规定摘要）", text)
        # The table of contents got its page numbers from LibreOffice's layout.
        self.assertRegex(text, r"内设机构、岗位和编制\s*\.{5,}\s*\d+")
        # The flowchart's boxes are drawings with text LibreOffice lays out.
        figure = next(b for c in hb.chapters for b in c.blocks if isinstance(b, Figure))
        first_step = next(n for n in figure.layout.nodes if n.shape == "process")
        self.assertIn(re.sub(r"\s", "", first_step.lines[0].text), re.sub(r"\s", "", text))
        # 公文 page numbers: — 1 — on the first body page.
        self.assertRegex(text, r"—\s*1\s*—")
        pngs = pages(pdf, self.tmp)
        self.assertGreaterEqual(len(pngs), 4)  # cover, contents, body
        self.assertPagesInked(pngs)

    def test_our_pdf_pages_carry_chinese_text(self) -> None:
        hb = handbook_content(self.hw.w.dept_a)
        pdf = self.tmp / "ours.pdf"
        pdf.write_bytes(render_handbook(hb, "pdf"))
        self.assertIn("东川市教育局", pdftotext(pdf))
        pngs = pages(pdf, self.tmp)
        self.assertGreaterEqual(len(pngs), 4)
        self.assertPagesInked(pngs)
