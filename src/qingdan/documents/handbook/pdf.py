"""The PDF rendering of a handbook or a volume, with reportlab, in the same 公文 page layout.

The Chinese text renders on any machine because the PDF embeds (a subset of) a CJK TrueType font
from an installed Debian package: WenQuanYi Micro Hei (``fonts-wqy-microhei``, installed by
``./dev setup``), read from its .ttc with ``subfontIndex``. Noto CJK (fonts-noto-cjk) cannot be
used here: its outlines are CFF, which reportlab does not embed. The face has no bold, so headings
and the title are thickened by filling and stroking the glyphs.

Page numbers follow GB/T 9704-2012 ("— 1 —", odd right, even left, none on the cover and the
contents). The table of contents is laid out before the body but its page numbers are only known
after it: each number is a PDF form (XObject) referenced on the contents page and defined when
the document is saved, so the document is typeset in one pass. The contents and the headings are
linked, and the PDF carries an outline (bookmarks) of chapters and sections.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import HexColor, black
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

from . import gongwen as g
from .content import Card, Chapter, Figure, Handbook, Heading, Para
from .content import Table as TableBlock
from .pdf_flowchart import FlowchartFlowable
from .pdf_grid import PAD_LEFT, PAD_RIGHT, Cell, Grid, Lines, Measure, TextStyle

FONT_NAME = "QdCJK"
# (path, subfont index): TrueType-outlined CJK faces from Debian packages, preferred first.
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # fonts-arphic-uming
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
)
FONT_MISSING = (
    "未找到可嵌入PDF的中文字体：请安装 fonts-wqy-microhei（./dev setup 会安装），"
    "或设置 QINGDAN_PDF_FONT 为一个 TrueType 中文字体文件。"
)
LEFT, BOTTOM = g.MARGIN_LEFT_MM * mm, g.MARGIN_BOTTOM_MM * mm
TEXT_W, TEXT_H = g.TEXT_MM[0] * mm, g.TEXT_MM[1] * mm
LEADING = g.LINE_PT
FIGURE_W, FIGURE_H = g.FIGURE_MAX_MM[0] * mm, g.FIGURE_MAX_MM[1] * mm
CARD_WIDTHS = (TEXT_W * 0.2, TEXT_W * 0.8)
LABEL_FILL = HexColor("#f2f2f2")


class FontMissing(RuntimeError):
    """No embeddable CJK font on this machine; the message says what to install."""


@lru_cache(maxsize=4)
def register_font(path: str | None = None) -> str:
    """Register the CJK face with reportlab once; ``path`` (``file.ttc`` or ``file.ttc#1``)
    overrides the search (``QINGDAN_PDF_FONT``)."""
    candidates: list[tuple[str, int]] = []
    chosen = path or os.environ.get("QINGDAN_PDF_FONT", "")
    if chosen:
        file, _, index = chosen.partition("#")
        candidates.append((file, int(index) if index.isdigit() else 0))
    candidates.extend(FONT_CANDIDATES)
    for file, index in candidates:
        if os.path.isfile(file):
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, file, subfontIndex=index))
            except Exception:  # noqa: S112 - a broken or CFF font: try the next
                continue
            return FONT_NAME
    raise FontMissing(FONT_MISSING)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text(text: str) -> str:
    """Escaped paragraph markup; line breaks kept."""
    lines = [_esc(line.strip()) for line in text.splitlines() if line.strip()]
    return "<br/>".join(lines)


@dataclass
class Styles:
    body: ParagraphStyle
    plain: ParagraphStyle
    note: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    part: ParagraphStyle
    title: ParagraphStyle
    cover_meta: ParagraphStyle
    caption: ParagraphStyle


def _styles(font: str) -> Styles:
    def style(name: str, size: float, leading: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=leading, wordWrap="CJK", **kw
        )

    indent = 2 * g.BODY_PT
    return Styles(
        body=style("body", g.BODY_PT, LEADING, firstLineIndent=indent, alignment=TA_JUSTIFY),
        plain=style("plain", g.BODY_PT, LEADING),
        note=style("note", g.NOTE_PT, g.NOTE_PT * 1.4, spaceAfter=2),
        h1=style("h1", g.BODY_PT, LEADING, firstLineIndent=indent),
        h2=style("h2", g.BODY_PT, LEADING, firstLineIndent=indent),
        h3=style("h3", g.BODY_PT, LEADING, firstLineIndent=indent),
        part=style("part", g.TITLE_PT, g.TITLE_PT * 1.5, alignment=TA_CENTER, spaceAfter=24),
        title=style("title", g.TITLE_PT, g.TITLE_PT * 1.6, alignment=TA_CENTER),
        cover_meta=style("cover_meta", g.BODY_PT, LEADING, alignment=TA_CENTER),
        caption=style("caption", g.CAPTION_PT, g.CAPTION_PT * 1.5, alignment=TA_CENTER),
    )


class BoldParagraph(Paragraph):
    """A paragraph drawn twice, a hair apart: the embedded face has no bold weight."""

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        super().drawOn(canvas, x, y, _sW)
        super().drawOn(canvas, x + 0.35, y, _sW)


class HeadingParagraph(Lines):
    """A heading that the doc template records (page, bookmark, outline) when it is placed."""

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        key: str,
        level: int,
        bold: bool,
        measure: Measure,
    ) -> None:
        super().__init__(text, style, measure, bold=bold)
        self.plain_text = text
        self.key = key
        self.level = level  # 1-based TOC/outline level; 0: not in the outline
        self.keepWithNext = True

    def _part(self, lines: tuple[str, ...], *, first: bool) -> Lines:
        """Split over a page break, the piece with the first line stays the bookmark's target."""
        if not first:
            return super()._part(lines, first=False)
        st = self.style
        part = HeadingParagraph(self.plain_text, st, self.key, self.level, self.bold, self.measure)
        part.lines, part._preset = lines, True
        return part


class TocPage(Flowable):
    """One page of the table of contents: entries, dot leaders, and a late-bound page number."""

    def __init__(self, entries: list[tuple[int, str, str]], first: int, title: bool) -> None:
        super().__init__()
        self.entries = entries
        self.first = first  # index of the first entry (names its number form)
        self.title = title
        self.width, self.height = TEXT_W, TEXT_H

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return TEXT_W, TEXT_H - 1

    def draw(self) -> None:
        c = self.canv
        top = self.height - 1
        if self.title:
            c.setFont(FONT_NAME, g.TITLE_PT)
            c.drawCentredString(TEXT_W / 2, top - g.TITLE_PT, "目　录")
            c.drawCentredString(TEXT_W / 2 + 0.35, top - g.TITLE_PT, "目　录")
            top -= TOC_TITLE_LINES * LEADING
        c.setFont(FONT_NAME, g.BODY_PT)
        for k, (level, text, key) in enumerate(self.entries):
            baseline = top - (k + 1) * LEADING + 0.3 * LEADING
            x = 0 if level == 1 else 2 * g.BODY_PT
            c.drawString(x, baseline, text)
            end = x + c.stringWidth(text, FONT_NAME, g.BODY_PT) + 4
            dots_to = TEXT_W - 3 * g.BODY_PT
            if dots_to > end:
                count = int((dots_to - end) / 4)
                c.setFont(FONT_NAME, 10)
                c.drawString(end, baseline, "." * count)
                c.setFont(FONT_NAME, g.BODY_PT)
            c.saveState()
            c.translate(TEXT_W, baseline)
            c.doForm(f"qdtoc{self.first + k}")
            c.restoreState()
            c.linkRect("", key, (x, baseline - 4, TEXT_W, baseline + g.BODY_PT), relative=1)


TOC_TITLE_LINES = 2
LINES_PER_PAGE = int(TEXT_H // LEADING)


def toc_pages(entries: list[tuple[int, str, str]]) -> list[list[tuple[int, str, str]]]:
    """The entries split into pages: 22 lines a page, the first two taken by the title."""
    pages: list[list[tuple[int, str, str]]] = []
    rest = list(entries)
    capacity = LINES_PER_PAGE - TOC_TITLE_LINES
    while rest or not pages:
        pages.append(rest[:capacity])
        rest = rest[capacity:]
        capacity = LINES_PER_PAGE
    return pages


class _Doc(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, title: str) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=LEFT,
            rightMargin=A4[0] - LEFT - TEXT_W,
            topMargin=A4[1] - BOTTOM - TEXT_H,
            bottomMargin=BOTTOM,
            title=title,
            author="qingdan",
            creator="qingdan 部门管理手册",
        )
        frame = Frame(LEFT, BOTTOM, TEXT_W, TEXT_H, 0, 0, 0, 0, id="text")
        self.body_start: int | None = None
        self.heading_pages: dict[str, int] = {}
        self.addPageTemplates(
            [
                PageTemplate("plain", [frame]),
                PageTemplate("body", [frame], onPage=self._number),
            ]
        )

    def _number(self, canvas: Any, doc: Any) -> None:
        page = canvas.getPageNumber()
        if self.body_start is None:
            self.body_start = page
        n = page - self.body_start + 1
        canvas.saveState()
        canvas.setFont(FONT_NAME, g.PAGE_NUMBER_PT)
        canvas.setFillColor(black)
        y = BOTTOM - g.PAGE_NUMBER_GAP_MM * mm - g.PAGE_NUMBER_PT * 0.8
        text = g.page_number_text(n)
        if n % 2:
            canvas.drawRightString(LEFT + TEXT_W - g.PAGE_NUMBER_PT, y, text)
        else:
            canvas.drawString(LEFT + g.PAGE_NUMBER_PT, y, text)
        canvas.restoreState()

    def afterFlowable(self, flowable: Any) -> None:
        if isinstance(flowable, HeadingParagraph) and flowable.key:
            page = self.canv.getPageNumber()
            start = self.body_start or page
            self.heading_pages[flowable.key] = page - start + 1
            self.canv.bookmarkPage(flowable.key)
            if flowable.level:
                self.canv.addOutlineEntry(
                    flowable.plain_text, flowable.key, level=flowable.level - 1, closed=True
                )


class _Story:
    """Turns the content tree into flowables, numbering TOC keys as it goes."""

    def __init__(self, styles: Styles, toc_levels: int, shift: int) -> None:
        self.s = styles
        self.toc_levels = toc_levels
        self.shift = shift
        self.flow: list[Any] = []
        self.toc: list[tuple[int, str, str]] = []
        self.measure = Measure(FONT_NAME)
        self.cell_text = TextStyle(FONT_NAME, g.TABLE_PT, g.TABLE_PT * 1.3)

    def heading(self, text: str, style: ParagraphStyle, level: int, *, bold: bool) -> None:
        """Headings down to ``toc_levels`` get a key (contents entry, link target, outline)."""
        key = ""
        if level <= self.toc_levels:
            key = f"qdh{len(self.toc)}"
            self.toc.append((level, text, key))
        self.flow.append(
            HeadingParagraph(text, style, key, level if key else 0, bold, self.measure)
        )

    def chapter(self, chapter: Chapter, first: bool) -> None:
        if not first:
            self.flow.append(PageBreak())
        self.heading(chapter.heading, self.s.h1, 1 + self.shift, bold=True)
        styles = {1: self.s.h1, 2: self.s.h2, 3: self.s.h3}
        for b in chapter.blocks:
            if isinstance(b, Heading):
                self.heading(
                    b.text, styles.get(b.level, self.s.h3), b.level + self.shift, bold=b.level != 2
                )
            elif isinstance(b, Para):
                style = {"body": self.s.body, "note": self.s.note, "plain": self.s.plain}[b.kind]
                for line in b.text.splitlines() or [""]:
                    if line.strip():
                        self.flow.append(Paragraph(_esc(line.strip()), style))
            elif isinstance(b, TableBlock):
                self.table(b)
            elif isinstance(b, Card):
                self.card(b)
            elif isinstance(b, Figure):
                self.figure(b)

    def _cell(self, text: str, width: float, align: str = "left", **kw: Any) -> Cell:
        return Cell(self.measure.lines(text, width - PAD_LEFT - PAD_RIGHT, g.TABLE_PT), align, **kw)

    def table(self, tb: TableBlock) -> None:
        total = sum(c.weight for c in tb.columns) or 1.0
        widths = [TEXT_W * c.weight / total for c in tb.columns]
        cell = self._cell
        rows = [
            [
                cell(c.title, w, "center", fill=LABEL_FILL)
                for c, w in zip(tb.columns, widths, strict=True)
            ]
        ]
        rows += [
            [cell(v, w, c.align) for v, w, c in zip(row, widths, tb.columns, strict=True)]
            for row in tb.rows
        ]
        if tb.total:
            rows.append(
                [
                    cell(v, w, c.align, bold=True)
                    for v, w, c in zip(tb.total, widths, tb.columns, strict=True)
                ]
            )
        grid = Grid(widths, rows, self.cell_text, self.measure, header=1, max_height=TEXT_H)
        if tb.caption:
            self.flow.append(
                KeepTogether(
                    [Lines(tb.caption, self.s.caption, self.measure, bold=True), Spacer(1, 2)]
                )
            )
        self.flow.append(grid)
        self.flow.append(Spacer(1, 6))

    def card(self, card: Card) -> None:
        widths = CARD_WIDTHS
        cell = self._cell
        rows = [
            [cell(label, widths[0], "center", fill=LABEL_FILL), cell(value, widths[1])]
            for label, value in card.rows
        ]
        self.flow.append(Grid(widths, rows, self.cell_text, self.measure, max_height=TEXT_H))
        self.flow.append(Spacer(1, 8))

    def figure(self, fig: Figure) -> None:
        parts: list[Any] = []
        if fig.layout is not None:
            parts.append(FlowchartFlowable(fig.layout, FIGURE_W, FIGURE_H, FONT_NAME, self.measure))
        parts.append(Spacer(1, 4))
        caption = f"图{fig.number}　{fig.caption}"
        parts.append(Lines(caption, self.s.caption, self.measure, bold=True))
        parts.extend(Lines(note, self.s.note, self.measure) for note in fig.notes)
        parts.append(Spacer(1, 10))
        self.flow.append(KeepTogether(parts))


def _cover(s: Styles, lines: Sequence[str], meta: Sequence[str], foot: Sequence[str]) -> list[Any]:
    flow: list[Any] = [Spacer(1, 40 * mm)]
    flow += [BoldParagraph(_esc(line), s.title) for line in lines]
    flow += [Spacer(1, 8 * mm)]
    flow += [Paragraph(_esc(line), s.cover_meta) for line in meta]
    flow += [Spacer(1, 70 * mm)]
    flow += [Paragraph(_esc(line), s.cover_meta) for line in foot]
    return flow


def _render(
    title: str,
    cover: list[Any],
    story: _Story,
    body: list[Any],
) -> bytes:
    """Cover, a blank verso, the contents, then the body from an odd page (duplex printing)."""
    buffer = io.BytesIO()
    doc = _Doc(buffer, title)
    pages = toc_pages(story.toc)
    flow: list[Any] = [NextPageTemplate("plain"), *cover, PageBreak(), Spacer(1, 1), PageBreak()]
    first = 0
    for k, entries in enumerate(pages):
        flow.append(TocPage(entries, first, k == 0))
        flow.append(PageBreak())
        first += len(entries)
    if (2 + len(pages)) % 2 == 1:  # the contents ended on an odd page: leave its verso blank
        flow += [Spacer(1, 1), PageBreak()]
    flow.append(NextPageTemplate("body"))
    flow.extend(body)

    class _Canvas(Canvas):
        def save(self) -> None:
            self.setFont(FONT_NAME, g.BODY_PT)
            for i, (_level, _text, key) in enumerate(story.toc):
                self.beginForm(f"qdtoc{i}", lowerx=-60, lowery=-10, upperx=2, uppery=30)
                self.setFont(FONT_NAME, g.BODY_PT)
                self.drawRightString(0, 0, str(doc.heading_pages.get(key, "")))
                self.endForm()
            super().save()

    # Binary streams, without reportlab's default ASCII85 layer over them: a fifth smaller and
    # quicker to write and to merge; every PDF reader takes them.
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        doc.build(flow, canvasmaker=_Canvas)
    finally:
        rl_config.useA85 = a85
    return buffer.getvalue()


def render_pdf(hb: Handbook, *, font: str | None = None) -> bytes:
    """One department's handbook as PDF."""
    register_font(font)
    s = _styles(FONT_NAME)
    story = _Story(s, toc_levels=2, shift=0)
    for k, chapter in enumerate(hb.chapters):
        story.chapter(chapter, first=k == 0)
    c = hb.cover
    cover = _cover(s, [c.department, c.title], [c.version_text], [c.issuer, c.date_text])
    return _render(f"{c.department}{c.title}", cover, story, story.flow)


def render_volume_pdf(
    handbooks: Sequence[Handbook],
    title: str,
    *,
    region: str = "",
    issuer: str = "",
    date_text: str = "",
    font: str | None = None,
) -> bytes:
    """Several departments in one PDF volume: departments and chapters in the contents."""
    register_font(font)
    s = _styles(FONT_NAME)
    story = _Story(s, toc_levels=2, shift=1)
    for i, hb in enumerate(handbooks):
        if i:
            story.flow.append(PageBreak())
        story.heading(hb.cover.department, s.part, 1, bold=True)
        story.flow.append(Paragraph(_esc(hb.cover.version_text), s.cover_meta))
        story.flow.append(PageBreak())
        for k, chapter in enumerate(hb.chapters):
            story.chapter(chapter, first=k == 0)
    cover = _cover(
        s, [region, title], [f"（共{len(handbooks)}个部门）"], [issuer or region, date_text]
    )
    return _render(title, cover, story, story.flow)


__all__ = ["FontMissing", "register_font", "render_pdf", "render_volume_pdf"]
