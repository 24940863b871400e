"""WordprocessingML of the handbook's body, written as text (fast for hundreds of task cards).

``BodyWriter`` turns the content tree into paragraphs and tables that only reference our own
styles (``Qd*``, see ``docx_styles``) and carry no relationships (no images, links or numbering
parts), so the same XML goes into our default document and into any region's template. Every
piece of text is escaped; characters XML cannot carry are dropped.

Ids that must be unique in a document — bookmarks for the table of contents, ``docPr`` of the
drawings, shape ids inside them — come from one counter per document, so several handbooks can
share one volume.
"""

from __future__ import annotations

from qingdan.processes.flowchart.drawingml import NS as DRAWING_NS
from qingdan.processes.flowchart.drawingml import drawing_xml
from qingdan.processes.flowchart.svg import escape_xml

from .content import Block, Card, Chapter, Figure, Handbook, Heading, Para, Table
from .gongwen import FIGURE_MAX_MM, TEXT_MM, mm_to_twips

W_NS = DRAWING_NS["w"]
NAMESPACES = {
    **DRAWING_NS,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
BODY_OPEN = "<w:body " + " ".join(f'xmlns:{k}="{v}"' for k, v in NAMESPACES.items()) + ">"
TEXT_WIDTH_TWIPS = mm_to_twips(TEXT_MM[0])
HEADING_STYLES = {1: "QdHeading1", 2: "QdHeading2", 3: "QdHeading3"}
ALIGN = {"left": "left", "center": "center", "right": "right"}
BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
TABLE_BORDERS = (
    "<w:tblBorders>"
    + "".join(
        BORDER.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)


def t(text: str) -> str:
    """A run's text element, escaped, spaces kept."""
    return f'<w:t xml:space="preserve">{escape_xml(text)}</w:t>'


def run(text: str, rpr: str = "") -> str:
    return f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{t(text)}</w:r>"


def paragraph(style: str, content: str, ppr_extra: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr_extra}</w:pPr>{content}</w:p>'


def text_paragraphs(style: str, text: str, ppr_extra: str = "", rpr: str = "") -> str:
    """One paragraph per line of ``text`` (multi-line fields such as 工作规范)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()] or [""]
    return "".join(paragraph(style, run(line, rpr) if line else "", ppr_extra) for line in lines)


class Ids:
    """The per-document counters: bookmarks, drawings (docPr) and shapes inside drawings."""

    def __init__(self) -> None:
        self.bookmark = 0
        self.docpr = 100_000  # docxtpl numbers the template's own drawings from 1001
        self.shape = 1_000_000

    def next_bookmark(self) -> tuple[int, str]:
        self.bookmark += 1
        return self.bookmark, f"_Toc{self.bookmark:09d}"


class BodyWriter:
    """Writes blocks to XML strings; ``toc`` is filled with (level, text, bookmark) as it goes.

    ``outline_shift`` moves headings down the outline (a volume puts each department above its
    chapters); ``toc_levels`` is how deep the table of contents goes.
    """

    def __init__(self, ids: Ids | None = None, *, outline_shift: int = 0, toc_levels: int = 2):
        self.ids = ids or Ids()
        self.outline_shift = outline_shift
        self.toc_levels = toc_levels
        self.toc: list[tuple[int, str, str]] = []
        self.parts: list[str] = []

    # -- headings ---------------------------------------------------------------------------------
    def heading(self, style: str, text: str, outline: int) -> None:
        """A heading paragraph; TOC levels get a bookmark for their PAGEREF."""
        level = outline + 1
        # The styles carry outline levels 0-2; a volume shifts them down one (paragraph override).
        ppr = f'<w:outlineLvl w:val="{outline}"/>' if self.outline_shift else ""
        if level <= self.toc_levels:
            bid, name = self.ids.next_bookmark()
            self.toc.append((level, text, name))
            body = (
                f'<w:bookmarkStart w:id="{bid}" w:name="{name}"/>{run(text)}'
                f'<w:bookmarkEnd w:id="{bid}"/>'
            )
        else:
            body = run(text)
        self.parts.append(paragraph(style, body, ppr))

    def part_title(self, text: str) -> None:
        """A department's title page in a volume: outline level 1, a new page."""
        self.heading("QdPart", text, 0)

    # -- the body ---------------------------------------------------------------------------------
    def handbook(self, hb: Handbook) -> None:
        for chapter in hb.chapters:
            self.chapter(chapter)

    def chapter(self, chapter: Chapter) -> None:
        self.heading("QdHeading1", chapter.heading, self.outline_shift)
        for block in chapter.blocks:
            self.block(block)

    def block(self, b: Block) -> None:
        if isinstance(b, Heading):
            style = HEADING_STYLES.get(b.level, "QdHeading3")
            self.heading(style, b.text, b.level - 1 + self.outline_shift)
        elif isinstance(b, Para):
            style = {"body": "QdBody", "note": "QdNote", "plain": "QdPlain"}[b.kind]
            self.parts.append(text_paragraphs(style, b.text))
        elif isinstance(b, Table):
            self.table(b)
        elif isinstance(b, Card):
            self.card(b)
        elif isinstance(b, Figure):
            self.figure(b)

    def table(self, tb: Table) -> None:
        if tb.caption:
            self.parts.append(paragraph("QdTableCaption", run(tb.caption)))
        total = sum(c.weight for c in tb.columns) or 1.0
        widths = [round(TEXT_WIDTH_TWIPS * c.weight / total) for c in tb.columns]
        out = [_table_open(widths)]
        head = "".join(
            _cell(w, paragraph("QdTableHead", run(c.title)))
            for w, c in zip(widths, tb.columns, strict=True)
        )
        out.append(f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{head}</w:tr>")
        aligns = [
            f'<w:jc w:val="{ALIGN[c.align]}"/>' if c.align != "left" else "" for c in tb.columns
        ]
        rows = list(tb.rows)
        for row in rows:
            cells = "".join(
                _cell(w, text_paragraphs("QdTableText", value, jc))
                for w, value, jc in zip(widths, row, aligns, strict=True)
            )
            out.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
        if tb.total:
            cells = "".join(
                _cell(w, text_paragraphs("QdTableText", value, jc, "<w:b/>"))
                for w, value, jc in zip(widths, tb.total, aligns, strict=True)
            )
            out.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
        out.append("</w:tbl>")
        self.parts.append("".join(out))
        self.parts.append(paragraph("QdSpacer", ""))

    def card(self, card: Card) -> None:
        label_w = round(TEXT_WIDTH_TWIPS * 0.2)
        widths = [label_w, TEXT_WIDTH_TWIPS - label_w]
        out = [_table_open(widths)]
        for label, value in card.rows:
            out.append(
                "<w:tr>"
                + _cell(widths[0], paragraph("QdTableHead", run(label)), shade=True)
                + _cell(widths[1], text_paragraphs("QdTableText", value))
                + "</w:tr>"
            )
        out.append("</w:tbl>")
        self.parts.append("".join(out))
        self.parts.append(paragraph("QdSpacer", ""))

    def figure(self, fig: Figure) -> None:
        if fig.layout is not None:
            self.ids.docpr += 1
            drawing = drawing_xml(
                fig.layout,
                max_width_mm=FIGURE_MAX_MM[0],
                max_height_mm=FIGURE_MAX_MM[1],
                title=False,
                docpr_id=self.ids.docpr,
                first_shape_id=self.ids.shape,
                declare_namespaces=False,
            )
            self.ids.shape += 4 * (len(fig.layout.nodes) + len(fig.layout.edges)) + 16
            self.parts.append(paragraph("QdFigure", f"<w:r>{drawing}</w:r>"))
        self.parts.append(paragraph("QdCaption", run(f"图{fig.number}　{fig.caption}")))
        for note in fig.notes:
            self.parts.append(text_paragraphs("QdNote", note))

    # -- the table of contents --------------------------------------------------------------------
    def toc_xml(self, entries: list[tuple[int, str, str]], title: str = "目　录") -> str:
        """The table of contents: one linked line per entry with a PAGEREF to its heading.

        Deliberately not wrapped in a ``TOC`` field: LibreOffice imports a TOC field as a static
        index and prints its cached (empty) page numbers, while bare PAGEREF fields are laid out
        and filled in by LibreOffice, and refreshed by Word on opening (``updateFields``)."""
        out = [paragraph("QdTocTitle", run(title))]
        if not entries:
            out.append(paragraph("QdToc1", run("（无目录项）")))
            return "".join(out)
        for level, text, bookmark in entries:
            page_ref = (
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve"> PAGEREF {bookmark} \\h </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                f"{run('')}"
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            )
            link = (
                f'<w:hyperlink w:anchor="{bookmark}" w:history="1">{run(text)}<w:r><w:tab/></w:r>'
                f"{page_ref}</w:hyperlink>"
            )
            out.append(paragraph(f"QdToc{min(level, 2)}", link))
        return "".join(out)


def _table_open(widths: list[int]) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        "<w:tbl><w:tblPr>"
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>{TABLE_BORDERS}'
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="28" w:type="dxa"/>'
        '<w:left w:w="85" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/>'
        '<w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    )


def _cell(width: int, content: str, *, shade: bool = False) -> str:
    fill = '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>' if shade else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{fill}<w:vAlign w:val="center"/>'
        f"</w:tcPr>{content}</w:tc>"
    )


def body_xml(parts: list[str]) -> str:
    """The parts wrapped in a ``<w:body>`` that declares every prefix they use."""
    return BODY_OPEN + "".join(parts) + "</w:body>"
