"""部门管理手册（履职清单）: one department's handbook in Word (公文 layout) and PDF.

``handbook_content(department, version=None)`` reads the department from the database (fixed
number of queries) and builds the content tree; ``render_handbook(hb, "docx"|"pdf")`` typesets
it; ``render_volume`` puts several departments into one volume (the compilation's 合订本).
The pure parts (``content``, ``docx``, ``pdf``, ``sample``) need no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .content import Handbook, build
from .docx import render_docx, render_volume_docx
from .pdf import FontMissing, register_font, render_pdf, render_volume_pdf

FORMATS = ("docx", "pdf")
MIME_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def handbook_content(department: Any, version: Any = None, **kw: Any) -> Handbook:
    """The content of ``department``'s handbook (see ``data.handbook_input`` for what is read)."""
    from .data import handbook_content as load

    return load(department, version, **kw)


def render_handbook(hb: Handbook, fmt: str, *, template: bytes | None = None) -> bytes:
    """One department's handbook as ``docx`` (in the region's ``template`` when given) or ``pdf``."""
    if fmt == "docx":
        return render_docx(hb, template)
    if fmt == "pdf":
        return render_pdf(hb)
    raise ValueError(f"不支持的格式：{fmt}")


def render_volume(
    handbooks: Sequence[Handbook], fmt: str, title: str, *, template: bytes | None = None
) -> bytes:
    """Several departments typeset as one volume with one table of contents.

    The region compilation uses this for its Word volume of small regions only; its PDF volume
    is merged from the departments' own PDFs instead (``compilation.build.volume_pdf``).
    """
    if fmt == "docx":
        return render_volume_docx(handbooks, title, template=template)
    if fmt == "pdf":
        return render_volume_pdf(handbooks, title)
    raise ValueError(f"不支持的格式：{fmt}")


__all__ = [
    "FORMATS",
    "MIME_TYPES",
    "FontMissing",
    "Handbook",
    "build",
    "handbook_content",
    "register_font",
    "render_docx",
    "render_handbook",
    "render_pdf",
    "render_volume",
    "render_volume_docx",
    "render_volume_pdf",
]
