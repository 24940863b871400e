"""The parts of a region's compilation that need no database: file names, the per-department
rendering run in worker processes, the manifest and the zip.

Worker processes only typeset :class:`~qingdan.documents.handbook` content that the parent read
from the database, so they never open a connection (which also keeps them away from an in-memory
test database and from the parent's PostgreSQL socket).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
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


def content(source: Any) -> Any:
    """A handbook's content: ``source`` itself, or built from a ``HandbookInput`` (the flowchart
    layouts included, which is why the workers do it, not the parent that reads the database)."""
    from qingdan.documents.handbook.content import Handbook, build

    return source if isinstance(source, Handbook) else build(source)


def render_department(handbook: Any, formats: tuple[str, ...]) -> dict[str, bytes]:
    """One department's handbook in every format (run in a worker process)."""
    handbook = content(handbook)
    return {fmt: render_handbook(handbook, fmt) for fmt in formats}


@dataclass(frozen=True)
class Typeset:
    """What a worker made of one department: per format the file written, or why not (in
    Chinese, for the job's error list)."""

    files: dict[str, str]
    errors: dict[str, str]


def typeset_department(source: Any, formats: tuple[str, ...], folder: str, index: int) -> Typeset:
    """One department built from its input (``HandbookInput``, read by the parent) and typeset
    in every format, each file written to ``folder`` (run in a worker process: the content is
    built once for all formats, and only file names travel back). A format that fails does
    not stop the others; content that cannot be built fails them all."""
    # No cyclic garbage collection meanwhile, one afterwards: the content and the documents
    # being typeset are 10⁶ objects, scanned again and again as they grow for next to nothing
    # (they hold few cycles), which took 5–10 % of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _typeset(source, formats, folder, index)
    finally:
        if collecting:
            gc.enable()
            gc.collect()


def _typeset(source: Any, formats: tuple[str, ...], folder: str, index: int) -> Typeset:
    files: dict[str, str] = {}
    errors: dict[str, str] = {}
    try:
        handbook = content(source)
    except Exception as exc:
        return Typeset({}, dict.fromkeys(formats, failure_text(exc)))
    for fmt in formats:
        path = os.path.join(folder, f"{index:04d}.{fmt}")
        try:
            data = render_handbook(handbook, fmt)
            with open(path, "wb") as fh:
                fh.write(data)
        except Exception as exc:
            errors[fmt] = failure_text(exc)
        else:
            files[fmt] = path
    return Typeset(files, errors)


def render_volume_docx(handbooks: list[Any], title: str, region: str, on: dt.date) -> bytes:
    """The combined Word volume, typeset whole (run in a worker process; small regions only:
    see ``service.DOCX_VOLUME_MAX_TASKS``); ``handbooks`` are contents or their inputs."""
    from qingdan.documents.handbook.docx import render_volume_docx as render

    return render([content(h) for h in handbooks], title, region=region, on=on)


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


class PdfVolume:
    """The PDF volume merged from the departments' PDFs already typeset: a cover and contents,
    then each department's pages as they are (its own page numbers), and one bookmark per
    department holding its own chapters.

    Departments are added as their files are ready, in any order (``add``; ``position`` gives
    the order), so the merging is done while the rest are still being typeset; ``save`` then
    puts the cover and contents in front and writes the file. With pikepdf (qpdf): each
    department's pages are copied under a page-tree node of their own (appending them one by
    one through ``Pdf.pages`` costs time in proportion to the pages already there) and its
    outline under a bookmark of its own; the departments' files stay open until the volume is
    written, which copies their streams straight from them, neither decoded nor compressed
    again. Memory: the volume's objects, not its streams.
    """

    def __init__(self) -> None:
        import pikepdf

        self._stack = contextlib.ExitStack()
        self.pdf = self._stack.enter_context(pikepdf.new())
        # position → (name, page-tree node, first page, bookmark, bookmarks visible below it)
        self._parts: dict[int, tuple[str, Any, Any, Any, int]] = {}

    def __enter__(self) -> PdfVolume:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()

    def __len__(self) -> int:
        return len(self._parts)

    def _open(self, path: str | io.BytesIO) -> Any:
        import pikepdf

        return self._stack.enter_context(pikepdf.open(path))

    def _copy_pages(self, src: Any) -> Any:
        """``src``'s pages copied under a new node of the volume's page tree."""
        from pikepdf import Array, Dictionary, Name

        pdf = self.pdf
        node = pdf.make_indirect(Dictionary(Type=Name.Pages, Parent=pdf.Root.Pages))
        copied = Array()
        _push_inherited(src)
        for page in src.pages:
            copy = pdf.copy_foreign(page.obj)
            copy.Parent = node
            copied.append(copy)
        node.Kids = copied
        node.Count = len(copied)
        return node

    def add(self, position: int, name: str, path: str) -> None:
        """Copy the department's PDF at ``path`` into the volume, at ``position``."""
        from pikepdf import Dictionary, Name

        src = self._open(path)
        node = self._copy_pages(src)
        if not len(node.Kids):
            raise ValueError(f"{name}的PDF文件没有页面")
        own = src.Root.get(Name.Outlines)
        if own is not None and Name.First in own and own.is_indirect:
            # Copied after the pages, so its destinations lead to the copies; its items'
            # /Parent is this copy, which becomes the department's bookmark.
            item = self.pdf.copy_foreign(own)
            below = abs(int(own.get(Name.Count, 0)))
            if Name.Type in item:
                del item[Name.Type]
        else:
            item, below = self.pdf.make_indirect(Dictionary()), 0
        self._parts[position] = (name, node, node.Kids[0], item, below)

    def save(self, out: str, title: str, region: str, on: dt.date) -> int:
        """Write the volume to ``out`` with its cover and contents; returns its pages."""
        import pikepdf
        from pikepdf import Array, Dictionary, Name

        pdf = self.pdf
        parts = [self._parts[k] for k in sorted(self._parts)]
        names = [name for name, *_ in parts]
        first_pages: list[int] = []  # 1-based, in the volume
        page = 1 + toc_page_count(len(parts)) + 1
        for _name, node, *_ in parts:
            first_pages.append(page)
            page += int(node.Count)
        front = self._copy_pages(
            self._open(io.BytesIO(front_matter(title, region, on, names, first_pages)))
        )
        root = pdf.Root.Pages
        root.Kids = Array([front, *(node for _name, node, *_ in parts)])
        root.Count = page - 1
        # The contents lines link to the departments.
        for (on_page, y), (_name, _node, first, *_) in zip(
            _toc_lines(len(parts)), parts, strict=True
        ):
            contents = front.Kids[1 + on_page]
            link = pdf.make_indirect(
                Dictionary(
                    Type=Name.Annot,
                    Subtype=Name.Link,
                    Rect=Array([_LEFT, y - 6, _LEFT + _TEXT_W, y + g.BODY_PT]),
                    Border=Array([0, 0, 0]),
                    Dest=Array([first, Name.Fit]),
                )
            )
            if Name.Annots not in contents:
                contents.Annots = Array()
            contents.Annots.append(link)
        # One open bookmark per department at its first page, holding its own outline.
        outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines))
        visible = 0
        previous = None
        for name, _node, first, item, below in parts:
            item.Title = name
            item.Dest = Array([first, Name.Fit])
            item.Parent = outlines
            if below:
                item.Count = below
            elif Name.Count in item:
                del item[Name.Count]
            for key in (Name.Prev, Name.Next):
                if key in item:
                    del item[key]
            if previous is None:
                outlines.First = item
            else:
                previous.Next = item
                item.Prev = previous
            previous = item
            visible += 1 + below
        if previous is not None:
            outlines.Last = previous
            outlines.Count = visible
        pdf.Root.Outlines = outlines
        pdf.Root.PageMode = Name.UseOutlines
        pdf.docinfo = pdf.make_indirect(
            Dictionary(Title=title, Author="qingdan", Creator="qingdan 清单汇编")
        )
        # Streams are written as they are: recompressing them took ten times as long as the
        # whole merge.
        pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, compress_streams=False)
        return page - 1


def volume_pdf(parts: list[tuple[str, str]], out: str, title: str, region: str, on: dt.date) -> int:
    """The PDF volume of ``parts`` (department name, PDF file), in that order, written to
    ``out``; returns its pages (see :class:`PdfVolume`)."""
    with PdfVolume() as volume:
        for position, (name, path) in enumerate(parts):
            volume.add(position, name, path)
        return volume.save(out, title, region, on)


_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def _push_inherited(src: Any) -> None:
    """Give each page of ``src`` the attributes it inherits from its page-tree nodes, which it
    would leave behind when copied under a node of its own (reportlab sets none there)."""

    def inherits(node: Any) -> bool:
        return any(key in node for key in _INHERITED) or any(
            inherits(kid) for kid in node.get("/Kids", ()) if kid.get("/Type") == "/Pages"
        )

    if not inherits(src.Root.Pages):
        return
    for page in src.pages:
        for key in _INHERITED:
            node = page.obj.get("/Parent")
            while key not in page.obj and node is not None:
                if key in node:
                    page.obj[key] = node[key]
                node = node.get("/Parent")


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
