"""The parts of a region's compilation that need no database: file names, the per-department
rendering run in worker processes, the manifest and the zip.

Worker processes only typeset :class:`~qingdan.documents.handbook` content that the parent read
from the database, so they never open a connection (which also keeps them away from an in-memory
test database and from the parent's PostgreSQL socket).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qingdan.documents.handbook import gongwen as g

FORMATS: tuple[str, ...] = ("docx", "pdf")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(text: str, limit: int = 60) -> str:
    """A file or folder name any operating system accepts (no separators or reserved marks)."""
    cleaned = _UNSAFE.sub("_", text).strip(" ._")
    return cleaned[:limit] or "未命名"


@dataclass(frozen=True)
class Entry:
    """One published department in the compilation: where its files go and what they hold."""

    index: int
    department: str
    region: str
    version: int
    published_on: dt.date
    sha256: str

    @property
    def stem(self) -> str:
        """``03_东川市教育局（第2版）``: numbered in the volume's order."""
        return f"{self.index:02d}_{safe_name(self.department)}（第{self.version}版）"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def manifest(
    title: str,
    as_of: dt.date,
    entries: Iterable[Entry],
    formats: Iterable[str],
    errors: Iterable[str] = (),
    volumes: Iterable[str] = (),
) -> str:
    """汇编说明.txt: what the archive holds (``volumes``: one line on each combined volume, made
    or not), with each version's SHA-256 for checking, and what failed."""
    entries = list(entries)
    kinds = "、".join(f.upper() for f in formats)
    lines = [
        title,
        f"汇编日期：{chinese_date(as_of)}",
        f"收录部门：{len(entries)}个（各部门最新发布版本），每个部门{kinds}各一份，"
        "见“部门”文件夹。",
        *volumes,
        "",
        "序号\t部门\t行政区划\t版本\t发布日期\t清单快照SHA-256",
    ]
    lines += [
        f"{e.index}\t{e.department}\t{e.region}\t第{e.version}版\t{chinese_date(e.published_on)}\t{e.sha256}"
        for e in entries
    ]
    errors = list(errors)
    if errors:
        lines += ["", f"未能收录或排版出错（{len(errors)}处）："]
        lines += [f"{i}. {text}" for i, text in enumerate(errors, start=1)]
    return "\n".join(lines) + "\n"


def child_setup() -> None:
    """Worker-process initializer: Django's settings and apps, for renderers that read them."""
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        import django
        from django.apps import apps

        if not apps.ready:
            django.setup()


def render_handbook(handbook: Any, fmt: str) -> bytes:
    """One department's handbook in one format."""
    if fmt == "docx":
        from qingdan.documents.handbook.docx import render_docx

        return render_docx(handbook)
    if fmt == "pdf":
        from qingdan.documents.handbook.pdf import render_pdf

        return render_pdf(handbook)
    raise ValueError(f"不支持的格式：{fmt}")


def render_department(handbook: Any, formats: tuple[str, ...]) -> dict[str, bytes]:
    """One department's handbook in every format (run in a worker process)."""
    return {fmt: render_handbook(handbook, fmt) for fmt in formats}


def render_volume_docx(handbooks: list[Any], title: str, region: str, on: dt.date) -> bytes:
    """The combined Word volume, typeset whole (run in a worker process; small regions only:
    see ``service.DOCX_VOLUME_MAX_TASKS``)."""
    from qingdan.documents.handbook.docx import render_volume_docx as render

    return render(handbooks, title, region=region, on=on)


# The PDF volume's front matter, in the handbook's 公文 page layout (GB/T 9704-2012).
_MM = 72 / 25.4
_PAGE_W, _PAGE_H = g.PAGE_MM[0] * _MM, g.PAGE_MM[1] * _MM
_LEFT, _BOTTOM = g.MARGIN_LEFT_MM * _MM, g.MARGIN_BOTTOM_MM * _MM
_TEXT_W, _TEXT_H = g.TEXT_MM[0] * _MM, g.TEXT_MM[1] * _MM
_LINES = int(_TEXT_H // g.LINE_PT)  # 22 lines a page
_TOC_TITLE_LINES = 2


def toc_page_count(departments: int) -> int:
    """Pages of the volume's contents: one line a department, the first page's title two."""
    first = _LINES - _TOC_TITLE_LINES
    rest = max(0, departments - first)
    return 1 + -(-rest // _LINES)


def _toc_lines(departments: int) -> list[tuple[int, float]]:
    """(contents page index from 0, baseline) of each department's line."""
    out: list[tuple[int, float]] = []
    page, line = 0, _TOC_TITLE_LINES
    for _ in range(departments):
        if line >= _LINES:
            page, line = page + 1, 0
        out.append((page, _BOTTOM + _TEXT_H - (line + 1) * g.LINE_PT + 0.3 * g.LINE_PT))
        line += 1
    return out


def front_matter(
    title: str, region: str, on: dt.date, names: list[str], first_pages: list[int]
) -> bytes:
    """The volume's cover and contents (department → its first page in the volume), typeset
    with reportlab in the handbook PDF's embedded face; no page numbers on either."""
    from reportlab.pdfgen.canvas import Canvas

    from qingdan.documents.handbook.pdf import register_font

    font = register_font()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(_PAGE_W, _PAGE_H), pageCompression=1)
    c.setTitle(f"{region}{title}" if not title.startswith(region) else title)
    c.setAuthor("qingdan")
    c.setCreator("qingdan 清单汇编")

    def bold(x: float, y: float, text: str, size: float) -> None:
        c.setFont(font, size)
        c.drawCentredString(x, y, text)
        c.drawCentredString(x + 0.35, y, text)  # the face has no bold: thickened

    middle = _LEFT + _TEXT_W / 2
    top = _BOTTOM + _TEXT_H
    heading = title if title.startswith(region) else f"{region}{title}"
    bold(middle, top - 5 * g.LINE_PT, heading, g.TITLE_PT)
    c.setFont(font, g.BODY_PT)
    c.drawCentredString(middle, top - 7 * g.LINE_PT, f"（共{len(names)}个部门）")
    c.drawCentredString(middle, _BOTTOM + 3 * g.LINE_PT, region)
    c.drawCentredString(middle, _BOTTOM + 2 * g.LINE_PT, f"{on.year}年{on.month}月")
    c.showPage()

    lines = _toc_lines(len(names))
    for page in range(toc_page_count(len(names))):
        if page == 0:
            bold(middle, top - g.TITLE_PT, "目　录", g.TITLE_PT)
        for (on_page, y), name, first in zip(lines, names, first_pages, strict=True):
            if on_page != page:
                continue
            number = str(first)
            size = g.BODY_PT
            room = _TEXT_W - 3 * g.BODY_PT
            while c.stringWidth(name, font, size) > room - 8 and size > 8:
                size -= 1
            c.setFont(font, size)
            c.drawString(_LEFT, y, name)
            end = _LEFT + c.stringWidth(name, font, size) + 4
            c.setFont(font, g.BODY_PT)
            c.drawRightString(_LEFT + _TEXT_W, y, number)
            dots_to = _LEFT + _TEXT_W - c.stringWidth(number, font, g.BODY_PT) - 4
            if dots_to > end:
                c.setFont(font, 10)
                c.drawString(end, y, "." * int((dots_to - end) / c.stringWidth(".", font, 10)))
        c.showPage()
    c.save()
    return buffer.getvalue()


def volume_pdf(parts: list[tuple[str, str]], out: str, title: str, region: str, on: dt.date) -> int:
    """The PDF volume merged from the departments' PDFs already typeset (``parts``: department
    name, PDF file): cover, contents, then each department with its own page numbers, and one
    bookmark per department holding its own chapters. Written to ``out``; returns its pages.

    Run in a worker process. The departments are read from their files one after the other
    (each file's reader is let go once its pages are copied); the merged pages are held until
    written, which is the size of the volume, not of its typesetting.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link

    counts = []
    for _name, path in parts:
        with open(path, "rb") as fh:
            counts.append(len(PdfReader(fh).pages))
    toc = toc_page_count(len(parts))
    first_pages: list[int] = []
    page = 1 + toc + 1
    for count in counts:
        first_pages.append(page)
        page += count
    names = [name for name, _path in parts]
    writer = PdfWriter()
    writer.append(io.BytesIO(front_matter(title, region, on, names, first_pages)))
    for name, path in parts:
        writer.append(path, outline_item=name)
    for (on_page, y), first in zip(_toc_lines(len(parts)), first_pages, strict=True):
        rect = (_LEFT, y - 6, _LEFT + _TEXT_W, y + g.BODY_PT)
        writer.add_annotation(1 + on_page, Link(rect=rect, target_page_index=first - 1))
    writer.add_metadata({"/Title": title, "/Author": "qingdan", "/Creator": "qingdan 清单汇编"})
    writer.page_mode = "/UseOutlines"
    with open(out, "wb") as fh:
        writer.write(fh)
    total = len(writer.pages)
    writer.close()
    return total


def plain_text(handbooks: Iterable[Any]) -> bytes:
    """The same content as UTF-8 plain text: the benchmark's floor for the compilation."""
    return "\n\f\n".join(hb.text() for hb in handbooks).encode()


def failure_text(exc: BaseException) -> str:
    """Why a rendering failed, for the job's error list: a ``ValueError``'s message is written
    for the user (in Chinese); anything else is a program error, named as such."""
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, BrokenProcessPool):
        return "排版进程异常退出（可能内存不足），请联系管理员"
    detail = str(exc).strip()
    if isinstance(exc, ValueError) and detail:
        return detail[:300]
    return f"程序错误（{type(exc).__name__}：{detail[:200]}），请联系管理员"


class Archive:
    """The zip being written: one folder named after the compilation; docx and pdf are stored
    as they are (both are compressed already), the manifest deflated."""

    def __init__(self, path: str | os.PathLike[str], folder: str) -> None:
        self.folder = safe_name(folder, 80)
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True)
        self.names: list[str] = []

    def add(self, name: str, data: bytes, *, deflate: bool = False) -> None:
        arcname = f"{self.folder}/{name}"
        self.zip.writestr(
            arcname, data, compress_type=zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        )
        self.names.append(arcname)

    def add_file(self, name: str, path: str | os.PathLike[str]) -> None:
        """A file already on disk, copied into the zip in chunks (stored)."""
        arcname = f"{self.folder}/{name}"
        self.zip.write(path, arcname, compress_type=zipfile.ZIP_STORED)
        self.names.append(arcname)

    def close(self) -> None:
        self.zip.close()
