"""The handbook's Word styles (``Qd*``) and font fallbacks, added to any document that lacks them.

The body only references these style ids, never Word's built-in ones (Chinese Word calls
"Heading 1" ``1``, English Word ``Heading1``), so it looks the same in our default document and in
any region's template. A template that defines a style with one of these ids wins: that is how a
region restyles the body without code (documented in docs/handbook.md).
"""

from __future__ import annotations

from lxml import etree

from . import gongwen as g
from .docx_xml import TEXT_WIDTH_TWIPS, W_NS

LINE_EXACT = round(g.LINE_PT * 20)  # 579 twips
CONDENSE = -round(g.CHAR_CONDENSE_PT * 20)  # -5 (twentieths of a point)
TWO_CHARS = round(2 * g.BODY_PT * 20)  # a 2-character first-line indent at 16 pt: 640 twips


def _style(
    style_id: str,
    name: str,
    *,
    east: str = g.FONT_BODY,
    size: float = g.BODY_PT,
    bold: bool = False,
    jc: str = "both",
    first_line: bool = False,
    left: int = 0,
    line: str = "exact",
    before: int = 0,
    after: int = 0,
    outline: int | None = None,
    keep_next: bool = False,
    page_break: bool = False,
    tabs: str = "",
    condense: bool = False,
) -> str:
    ppr = []
    if keep_next:
        ppr.append("<w:keepNext/><w:keepLines/>")
    if page_break:
        ppr.append("<w:pageBreakBefore/>")
    if tabs:
        ppr.append(f"<w:tabs>{tabs}</w:tabs>")
    ppr.append('<w:snapToGrid w:val="0"/>')
    spacing = (
        f'w:line="{LINE_EXACT}" w:lineRule="exact"'
        if line == "exact"
        else 'w:line="240" w:lineRule="auto"'
    )
    ppr.append(f'<w:spacing w:before="{before}" w:after="{after}" {spacing}/>')
    indent = (
        f' w:firstLineChars="200" w:firstLine="{TWO_CHARS}"' if first_line else ' w:firstLine="0"'
    )
    ppr.append(f'<w:ind w:left="{left}" w:right="0"{indent}/>')
    ppr.append(f'<w:jc w:val="{jc}"/>')
    if outline is not None:
        ppr.append(f'<w:outlineLvl w:val="{outline}"/>')
    half = round(size * 2)
    rpr = (
        f'<w:rFonts w:ascii="{g.FONT_LATIN}" w:hAnsi="{g.FONT_LATIN}" w:eastAsia="{east}" '
        f'w:cs="{g.FONT_LATIN}"/>'
        + ("<w:b/><w:bCs/>" if bold else "")
        + '<w:color w:val="000000"/>'
        + (f'<w:spacing w:val="{CONDENSE}"/>' if condense else "")
        + '<w:kern w:val="0"/>'
        + f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'
        + '<w:lang w:val="en-US" w:eastAsia="zh-CN"/>'
    )
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:qFormat/>'
        f"<w:pPr>{''.join(ppr)}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


_TOC_TAB = f'<w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH_TWIPS}"/>'

STYLES: dict[str, str] = {
    "QdTitle": _style(
        "QdTitle",
        "手册标题",
        east=g.FONT_TITLE,
        size=g.TITLE_PT,
        jc="center",
        line="auto",
        after=240,
    ),
    "QdCoverMeta": _style("QdCoverMeta", "封面说明", east=g.FONT_HEADING2, jc="center"),
    "QdCoverFoot": _style("QdCoverFoot", "封面落款", jc="center"),
    "QdPart": _style(
        "QdPart",
        "汇编部门标题",
        east=g.FONT_TITLE,
        size=g.TITLE_PT,
        jc="center",
        line="auto",
        before=480,
        after=480,
        outline=0,
        keep_next=True,
        page_break=True,
    ),
    "QdBody": _style("QdBody", "手册正文", first_line=True, condense=True),
    "QdPlain": _style("QdPlain", "手册正文（无缩进）", condense=True),
    "QdHeading1": _style(
        "QdHeading1",
        "手册一级标题",
        east=g.FONT_HEADING1,
        first_line=True,
        outline=0,
        keep_next=True,
        page_break=True,
    ),
    "QdHeading2": _style(
        "QdHeading2",
        "手册二级标题",
        east=g.FONT_HEADING2,
        first_line=True,
        outline=1,
        keep_next=True,
    ),
    "QdHeading3": _style(
        "QdHeading3", "手册三级标题", bold=True, first_line=True, outline=2, keep_next=True
    ),
    "QdTocTitle": _style(
        "QdTocTitle",
        "目录标题",
        east=g.FONT_TITLE,
        size=g.TITLE_PT,
        jc="center",
        line="auto",
        after=240,
    ),
    "QdToc1": _style("QdToc1", "目录1", jc="left", tabs=_TOC_TAB),
    "QdToc2": _style("QdToc2", "目录2", jc="left", left=TWO_CHARS, tabs=_TOC_TAB),
    "QdTableCaption": _style(
        "QdTableCaption",
        "表格标题",
        east=g.FONT_HEADING1,
        size=g.CAPTION_PT,
        jc="center",
        line="auto",
        before=120,
        after=60,
        keep_next=True,
    ),
    "QdTableHead": _style(
        "QdTableHead", "表格表头", east=g.FONT_HEADING1, size=g.TABLE_PT, jc="center", line="auto"
    ),
    "QdTableText": _style("QdTableText", "表格文字", size=g.TABLE_PT, jc="left", line="auto"),
    "QdSpacer": _style("QdSpacer", "表后空行", size=6.0, jc="left", line="auto"),
    "QdFigure": _style("QdFigure", "流程图", jc="center", line="auto", before=120, keep_next=True),
    "QdCaption": _style(
        "QdCaption",
        "图题",
        east=g.FONT_HEADING1,
        size=g.CAPTION_PT,
        jc="center",
        line="auto",
        after=60,
        keep_next=True,
    ),
    "QdNote": _style("QdNote", "图注", size=g.NOTE_PT, jc="left", line="auto", after=60),
    "QdFooter": _style(
        "QdFooter",
        "公文页码",
        east=g.FONT_PAGE_NUMBER,
        size=g.PAGE_NUMBER_PT,
        jc="right",
        line="auto",
    ),
}


def ensure_styles(styles_element: etree._Element) -> None:
    """Append our styles to a ``<w:styles>`` element unless the template defines the id already."""
    present = {s.get(f"{{{W_NS}}}styleId") for s in styles_element.iterfind(f"{{{W_NS}}}style")}
    missing = [xml for sid, xml in STYLES.items() if sid not in present]
    if not missing:
        return
    wrapper = etree.fromstring(f'<w:styles xmlns:w="{W_NS}">{"".join(missing)}</w:styles>')
    for style in wrapper:
        styles_element.append(style)


def ensure_fonts(font_table: bytes) -> bytes:
    """fontTable.xml with an entry (alternate name, GB2312 charset) for each of our faces."""
    root = etree.fromstring(font_table, parser=etree.XMLParser(resolve_entities=False))
    present = {f.get(f"{{{W_NS}}}name") for f in root.iterfind(f"{{{W_NS}}}font")}
    for name, alt in g.FONT_FALLBACKS.items():
        if name in present:
            continue
        font = etree.SubElement(root, f"{{{W_NS}}}font", {f"{{{W_NS}}}name": name})
        etree.SubElement(font, f"{{{W_NS}}}altName", {f"{{{W_NS}}}val": alt})
        etree.SubElement(font, f"{{{W_NS}}}charset", {f"{{{W_NS}}}val": "86"})
        family = "swiss" if name in (g.FONT_HEADING1,) else "modern"
        etree.SubElement(font, f"{{{W_NS}}}family", {f"{{{W_NS}}}val": family})
        etree.SubElement(font, f"{{{W_NS}}}pitch", {f"{{{W_NS}}}val": "fixed"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
