"""The Word (.docx) rendering of a handbook or of a volume of several, in 公文 layout.

Every rendering goes through a template (``template.render_template``): a region's own, or the
default one built here in code — cover, a table-of-contents section and a body section with
公文 page numbers — so the default path and a region's path are the same code. The body (TOC and
chapters) is written as XML text by ``docx_xml.BodyWriter`` and spliced into the saved document.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from docx import Document
from lxml import etree

from . import gongwen as g
from .content import Handbook, cn_date
from .docx_styles import ensure_styles
from .docx_xml import BodyWriter, Ids, body_xml, paragraph, run
from .sandbox import Budget, Counted
from .template import finish_document, render_template

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _sect_pr(*, odd_page: bool, footers: str = "", restart: bool = False) -> str:
    """Section properties of an A4 公文 page (margins of GB/T 9704-2012)."""
    kind = '<w:type w:val="oddPage"/>' if odd_page else ""
    numbering = '<w:pgNumType w:start="1"/>' if restart else ""
    footer_mm = g.MARGIN_BOTTOM_MM - g.PAGE_NUMBER_GAP_MM - g.PAGE_NUMBER_PT * 1.3 / 72 * 25.4
    return (
        f"<w:sectPr>{footers}{kind}"
        f'<w:pgSz w:w="{g.mm_to_twips(g.PAGE_MM[0])}" w:h="{g.mm_to_twips(g.PAGE_MM[1])}"/>'
        f'<w:pgMar w:top="{g.mm_to_twips(g.MARGIN_TOP_MM)}" '
        f'w:right="{g.mm_to_twips(g.MARGIN_RIGHT_MM)}" '
        f'w:bottom="{g.mm_to_twips(g.MARGIN_BOTTOM_MM)}" w:left="{g.mm_to_twips(g.MARGIN_LEFT_MM)}" '
        f'w:header="851" w:footer="{g.mm_to_twips(footer_mm)}" w:gutter="0"/>'
        f'{numbering}<w:cols w:space="425"/><w:docGrid w:linePitch="579"/></w:sectPr>'
    )


def _page_number(align: str) -> str:
    """ "— N —" in 4号宋体, one character in from the edge of the text block (GB/T 9704 §7.5)."""
    inset = round(g.PAGE_NUMBER_PT * 20)
    ind = f'<w:ind w:left="{inset}"/>' if align == "left" else f'<w:ind w:right="{inset}"/>'
    return (
        f'<w:ftr xmlns:w="{W_NS}"><w:p><w:pPr><w:pStyle w:val="QdFooter"/>{ind}'
        f'<w:jc w:val="{align}"/></w:pPr>{run("— ")}'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'{run("1")}<w:r><w:fldChar w:fldCharType="end"/></w:r>{run(" —")}</w:p></w:ftr>'
    )


@lru_cache(maxsize=1)
def default_template() -> bytes:
    """The built-in template: the cover, 目录 and 正文 sections, 公文 page numbers on the body
    (odd pages right, even pages left), nothing on the cover and the table of contents."""
    doc = Document()
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]
    ensure_styles(doc.styles.element)
    doc.settings.odd_and_even_pages_header_footer = True
    gap = '<w:spacing w:before="{}"/>'
    cover = [
        paragraph("QdCoverMeta", "", gap.format(2400)),
        paragraph("QdTitle", run("{{ department }}")),
        paragraph("QdTitle", run("{{ title }}")),
        paragraph("QdCoverMeta", run("{{ version }}")),
        paragraph("QdCoverFoot", "", gap.format(5200)),
        paragraph("QdCoverFoot", run("{{ issuer }}")),
        paragraph("QdCoverFoot", run("{{ date }}")),
    ]
    parts = [
        *cover,
        f"<w:p><w:pPr>{_sect_pr(odd_page=False)}</w:pPr></w:p>",
        paragraph("QdPlain", run("{{p toc}}")),
        f"<w:p><w:pPr>{_sect_pr(odd_page=True)}</w:pPr></w:p>",
        paragraph("QdPlain", run("{{p chapters}}")),
    ]
    new_body = etree.fromstring(body_xml(parts))
    body = doc.element.body
    for child in list(body):
        body.remove(child)
    for child in list(new_body):
        body.append(child)
    body.append(
        etree.fromstring(
            f'<w:wrap xmlns:w="{W_NS}">{_sect_pr(odd_page=True, restart=True)}</w:wrap>'
        )[0]
    )
    last = doc.sections[-1]
    last.footer.is_linked_to_previous = False
    last.even_page_footer.is_linked_to_previous = False
    _fill_footer(last.footer, "right")
    _fill_footer(last.even_page_footer, "left")
    doc.core_properties.title = "{{ department }}{{ title }}"
    doc.core_properties.author = "{{ issuer }}"
    doc.core_properties.comments = "qingdan 生成"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _fill_footer(footer: Any, align: str) -> None:
    element = footer._element
    for child in list(element):
        element.remove(child)
    for child in etree.fromstring(_page_number(align)):
        element.append(child)


def _bodies(toc: str, chapters: list[str]) -> dict[str, Any]:
    """What each body tag stands for, as XML text (spliced into the saved document unparsed)."""
    return {
        "toc": lambda: toc,
        "chapters": lambda: "".join(chapters),
        "body": lambda: toc + "".join(chapters),
    }


def context(hb: Handbook, budget: Budget) -> dict[str, Any]:
    """The variables a template may print (documented in docs/handbook.md)."""
    c = hb.cover
    return {
        "department": c.department,
        "department_short": c.short_name or c.department,
        "department_code": hb.department_code,
        "region": c.region,
        "title": c.title,
        "date": c.date_text,
        "version": c.version_text,
        "issuer": c.issuer,
        "counts": hb.counts.as_dict(),
        "units": Counted([u.__dict__ for u in hb.units], budget),
    }


def render_docx(hb: Handbook, template: bytes | None = None) -> bytes:
    """One department's handbook as .docx (the region's ``template`` or the built-in one)."""
    writer = BodyWriter(Ids())
    writer.handbook(hb)
    chapters = list(writer.parts)
    toc = writer.toc_xml(writer.toc)
    budget = Budget()
    return render_template(
        template or default_template(),
        context(hb, budget),
        _bodies(toc, chapters),
        budget=budget,
    )


def render_volume_docx(
    handbooks: Sequence[Handbook],
    title: str,
    *,
    region: str = "",
    issuer: str = "",
    on: dt.date | None = None,
    template: bytes | None = None,
) -> bytes:
    """Several departments in one volume (汇编): one cover and TOC (departments and chapters),
    then each department from a new page, page numbers running through."""
    on = on or dt.date.today()
    writer = BodyWriter(Ids(), outline_shift=1)
    for hb in handbooks:
        writer.part_title(hb.cover.department)
        writer.parts.append(paragraph("QdCoverMeta", run(hb.cover.version_text)))
        writer.handbook(hb)
    chapters = list(writer.parts)
    toc = writer.toc_xml(writer.toc)
    budget = Budget()
    totals: dict[str, int] = {}
    for hb in handbooks:
        for key, value in hb.counts.as_dict().items():
            totals[key] = totals.get(key, 0) + value
    ctx = {
        "department": region,
        "department_short": region,
        "department_code": "",
        "region": region,
        "title": title,
        "date": cn_date(on.year, on.month),
        "version": f"（共{len(handbooks)}个部门）",
        "issuer": issuer or region,
        "counts": totals,
        "units": Counted([], budget),
    }
    return render_template(
        template or default_template(),
        ctx,
        _bodies(toc, chapters),
        budget=budget,
    )


__all__ = ["default_template", "finish_document", "render_docx", "render_volume_docx"]
