"""The parts of a region's compilation that need no database: file names, the per-department
rendering run in worker processes, the manifest and the zip.

Worker processes only typeset :class:`~qingdan.documents.handbook` content that the parent read
from the database, so they never open a connection (which also keeps them away from an in-memory
test database and from the parent's PostgreSQL socket).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
) -> str:
    """汇编说明.txt: what the archive holds, with each version's SHA-256 for checking, and
    what failed."""
    entries = list(entries)
    kinds = "、".join(f.upper() for f in formats)
    lines = [
        title,
        f"汇编日期：{chinese_date(as_of)}",
        f"收录部门：{len(entries)}个（各部门最新发布版本），每个部门{kinds}各一份；合订本附目录。",
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


def render_volume(handbooks: list[Any], fmt: str, title: str, region: str, on: dt.date) -> bytes:
    """The combined volume with its table of contents (run in a worker process)."""
    if fmt == "docx":
        from qingdan.documents.handbook.docx import render_volume_docx

        return render_volume_docx(handbooks, title, region=region, on=on)
    if fmt == "pdf":
        from qingdan.documents.handbook.pdf import render_volume_pdf

        return render_volume_pdf(
            handbooks, title, region=region, date_text=f"{on.year}年{on.month}月"
        )
    raise ValueError(f"不支持的格式：{fmt}")


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

    def close(self) -> None:
        self.zip.close()
