"""清单汇编: every published department of a region in one zip, with one combined volume.

Who: the 编办 — the gate's ``publish`` action on 清单版本 (only 编办管理员 hold it), over the chosen
region's subtree; the same check is made again inside the job with the starting user, so a right
withdrawn meanwhile stops it. What: the latest published version (``ListVersion``) of every active
department of the region and the regions below it, in the volume's order (city first, then each
county, each by department order).

How (two cores): the parent reads each department's handbook input from the database
(``handbook_input``, by version; the largest departments first), and a process pool of
``workers`` builds each department's content (flowchart layouts included) and typesets its Word
and PDF files, once per department, writing them to a folder beside the zip; the parent copies
each file into the zip as it arrives. The PDF volume is not typeset again: the parent merges each
department's PDF into it as it arrives (``build.PdfVolume``, pikepdf), and once every department
is done puts a typeset cover and contents in front and writes it. A Word volume, typeset whole,
is made for small regions only (``DOCX_VOLUME_MAX_TASKS``). The children never touch the
database. One task per department on the django-tasks queue was the alternative; with one worker
process (the default deployment) it would not use the second core, and the final assembly would
need every department's content again anyway.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from qingdan.core.access import restrict
from qingdan.core.choices import Action
from qingdan.documents.statistics.figures import LEVEL_RANK
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Region
from qingdan.oversight.models import ListVersion

from . import build
from .build import FORMATS, Archive, Entry

Report = Callable[[int, int, str], None]  # (done, total, message)

# The Word volume is the one file still typeset whole, in one process: its time is the sum of the
# departments' Word times and its memory grows with it (the demo city's whole-volume typesetting
# took over 18 GB, docs/benchmarks.md). Above this many tasks it is not made (not an error; the
# departments' Word files are in the zip and 汇编说明.txt says so). The PDF volume has no limit.
DOCX_VOLUME_MAX_TASKS = 2_000


@dataclass
class CompilationResult:
    title: str
    departments: int  # departments with every file in the archive
    files: list[str]
    seconds: float
    size: int
    errors: list[str] = field(default_factory=list)  # in Chinese, one line per failure
    failed: int = 0  # departments missing from the archive or the volume


def compilation_title(region: Region) -> str:
    return f"{region.name}部门管理手册（履职清单）汇编"


def published_versions(user: Any, region: Region) -> list[ListVersion]:
    """The latest published version of each active department under ``region`` that ``user``
    may publish (``user=None``: the operator at the console), in the volume's order."""
    qs: QuerySet[ListVersion] = ListVersion.objects.filter(
        region__path__startswith=region.path, department__status=OrgStatus.ACTIVE
    )
    if user is not None:
        qs = restrict(qs, user, Action.PUBLISH)
    latest: dict[int, ListVersion] = {}
    for version in (
        qs.select_related("department", "region")
        .defer("snapshot")
        .order_by("department_id", "-number")
    ):
        latest.setdefault(version.department_id, version)
    return sorted(
        latest.values(),
        key=lambda v: (
            LEVEL_RANK.get(v.region.level, 9),
            v.region.path,
            v.department.order,
            v.department_id,
        ),
    )


def can_compile(user: Any) -> bool:
    """Whether the user may start a compilation at all (``publish`` on 清单版本 somewhere)."""
    from qingdan.core.access import can

    return can(user, Action.PUBLISH, ListVersion)


def _executor(workers: int) -> Executor | None:
    if workers <= 1:
        return None
    # A fresh interpreter per worker (forkserver): no copy of the parent's database sockets or
    # threads; the initializer sets Django up for renderers that read settings.
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=build.child_setup
    )


class _Inline:
    """The pool's interface, run in this process (``workers=1``)."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future


def load_input(version: ListVersion) -> Any:
    """What a published version's handbook is built from (``documents.handbook.data``): the
    database's part of the work, done by the parent. The workers build the content from it."""
    from qingdan.documents.handbook.data import handbook_input

    return handbook_input(version.department, version=version)


def load_handbook(version: ListVersion) -> Any:
    """The content of a published version's handbook (``documents.handbook``)."""
    return build.content(load_input(version))


def _read(
    versions: list[ListVersion],
    say: Report,
    total: int,
    errors: list[str],
    then: Callable[[Entry, Any], None],
) -> tuple[list[Entry], list[Any] | None, int]:
    """Each version's handbook input (in the parent: the only part that reads the database),
    handed to ``then`` as soon as read so the pool builds and typesets while the parent reads on.
    The largest departments are read first, so the pool starts on the longest work and its
    workers finish together; each entry keeps its place in the volume's order (its number).

    Returns the entries in the volume's order, their inputs for the Word volume (``None`` once
    their tasks exceed ``DOCX_VOLUME_MAX_TASKS``: nothing is held for a large region) and the
    number of tasks."""
    entries: list[Entry] = []
    held: dict[int, Any] | None = {}
    tasks = 0
    order = sorted(range(len(versions)), key=lambda i: -(versions[i].task_count or 0))
    for n, i in enumerate(order, start=1):
        version = versions[i]
        name = version.department.name
        say(n - 1, total, f"正在读取第{n}/{len(versions)}个部门：{name}")
        try:
            handbook = load_input(version)
        except Exception as exc:  # one bad department must not lose the others
            errors.append(
                f"{name}（第{version.number}版）：读取清单内容失败：{build.failure_text(exc)}"
            )
            continue
        entry = Entry(
            i + 1,
            name,
            version.region.name,
            version.number,
            timezone.localdate(version.published_at),
            version.sha256,
        )
        tasks += len(handbook.tasks)
        if held is not None:
            held[entry.index] = handbook
            if tasks > DOCX_VOLUME_MAX_TASKS:
                held = None
        entries.append(entry)
        then(entry, handbook)
    entries.sort(key=lambda e: e.index)
    handbooks = None if held is None else [held[e.index] for e in entries]
    return entries, handbooks, tasks


def compile_region(
    region: Region,
    out: Path,
    *,
    user: Any = None,
    workers: int = 2,
    report: Report | None = None,
    on: dt.date | None = None,
) -> CompilationResult:
    """Write the region's compilation to ``out`` (a zip); raise ``LookupError`` when nothing in
    scope has been published.

    A department that fails to read or to typeset is left out and named in ``errors`` (in
    Chinese), and left out of the volumes (a Word volume that fails because of such a department
    is typeset again without it).
    """
    started = time.perf_counter()
    on = on or timezone.localdate()
    versions = published_versions(user, region)
    if not versions:
        raise LookupError("范围内没有已发布清单的部门。")
    title = compilation_title(region)
    total = len(versions) * (1 + len(FORMATS)) + 2 + 1  # + the two volumes + the manifest
    say: Report = report or (lambda done, total, message: None)
    errors: list[str] = []
    archive = Archive(out, f"{title}（{build.chinese_date(on)}）")
    volume_name = f"00_{safe_title(title)}（合订本）"
    failed: set[int] = set()  # indexes of entries with a file missing
    volume = build.PdfVolume()  # the departments' PDFs, merged as they come
    volume_error: BaseException | None = None
    volumes: list[str] = []  # 汇编说明.txt's lines on the volumes
    parts = tempfile.TemporaryDirectory(prefix=".parts-", dir=out.parent)
    pool = _executor(workers)
    runner: Any = pool or _Inline()
    try:
        futures: dict[Future, Entry | None] = {}  # None: the Word volume

        def submit(fn: Callable[..., Any], *args: Any) -> Future:
            try:
                return runner.submit(fn, *args)
            except Exception as exc:  # the pool broke (a worker was killed): said per department
                lost: Future = Future()
                lost.set_exception(exc)
                return lost

        def submit_department(entry: Entry, handbook: Any) -> None:
            future = submit(build.typeset_department, handbook, FORMATS, parts.name, entry.index)
            futures[future] = entry

        entries, handbooks, tasks = _read(versions, say, total, errors, submit_department)
        done = len(versions)
        say(done, total, f"已读取{len(entries)}个部门的清单内容，正在排版")
        if handbooks:
            future = submit(build.render_volume_docx, handbooks, title, region.name, on)
            futures[future] = None
        else:
            done += 1
            if entries:
                volumes.append(
                    f"合订本（Word）未提供：共{tasks}项工作任务，超过{DOCX_VOLUME_MAX_TASKS}项的"
                    "汇编不再整册排版Word合订本，请使用“部门”文件夹中各部门的Word文件。"
                )
        docx_error: BaseException | None = None
        for future in as_completed(futures):
            entry = futures.pop(future)  # let the result go once handled
            error = future.exception()
            if entry is None:
                if error is None:
                    archive.add(f"{volume_name}.docx", future.result())
                    message = "合订本（DOCX）已完成"
                else:
                    docx_error = error
                    message = "合订本（DOCX）排版失败"
                done += 1
                say(done, total, message)
                continue
            if error is None:
                made: build.Typeset = future.result()
            else:  # the worker itself was lost (killed, out of memory)
                made = build.Typeset({}, dict.fromkeys(FORMATS, build.failure_text(error)))
            for fmt in FORMATS:
                path = made.files.get(fmt)
                if path is None:
                    failed.add(entry.index)
                    reason = made.errors.get(fmt, "未生成文件")
                    errors.append(
                        f"{entry.department}（第{entry.version}版）：{fmt.upper()}排版失败：{reason}"
                    )
                    continue
                archive.add_file(f"部门/{entry.stem}.{fmt}", path)
                if fmt != "pdf":
                    Path(path).unlink()  # the PDF stays: the volume reads it when written
            if entry.index not in failed and volume_error is None:
                try:  # merged into the volume now, while the others are being typeset
                    volume.add(entry.index, entry.department, made.files["pdf"])
                except Exception as exc:
                    volume_error = exc
            done += len(FORMATS)
            if made.errors or error is not None:
                say(done, total, f"排版失败：{entry.department}")
            else:
                say(done, total, f"已排版：{entry.department}")
        kept = [e for e in entries if e.index not in failed]
        if handbooks:
            if docx_error is None:
                volumes.append("合订本（Word）：各部门整册排版，附目录。")
            else:
                # Without the departments that failed on their own; if none did, the volume
                # itself is at fault and is reported.
                books = [h for e, h in zip(entries, handbooks, strict=True) if e in kept]
                if failed and books:
                    try:
                        data = runner.submit(
                            build.render_volume_docx, books, title, region.name, on
                        ).result()
                        archive.add(f"{volume_name}.docx", data)
                        volumes.append("合订本（Word）：各部门整册排版，附目录。")
                        docx_error = None
                    except Exception as exc:
                        docx_error = exc
                if docx_error is not None:
                    errors.append(f"合订本（DOCX）排版失败：{build.failure_text(docx_error)}")
            handbooks = None
        message = "合订本（PDF）未生成"
        if kept and volume_error is None:
            say(done, total, f"正在合并合订本（PDF）：{len(kept)}个部门")
            target = Path(parts.name) / "volume.pdf"
            try:
                pages = volume.save(str(target), title, region.name, on)
                volume.close()
                archive.add_file(f"{volume_name}.pdf", target)
                volumes.append(
                    f"合订本（PDF）：封面、目录，其后依次为各部门的PDF文件（原样合并，共{pages}页），"
                    "书签按部门列出；目录所列页码为合订本的页码（即PDF阅读器显示的页码），"
                    "各部门正文仍保留本部门的页码（— N —）。"
                )
                message = "合订本（PDF）已完成"
            except Exception as exc:
                volume_error = exc
        if kept and volume_error is not None:
            errors.append(f"合订本（PDF）合并失败：{build.failure_text(volume_error)}")
        done += 1
        say(done, total, message)
        archive.add(
            "汇编说明.txt",
            build.manifest(title, on, kept, FORMATS, errors, volumes).encode(),
            deflate=True,
        )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        volume.close()
        archive.close()
        parts.cleanup()
    say(total, total, "汇编完成" if not errors else f"汇编完成，{len(errors)}处错误")
    return CompilationResult(
        title,
        len(kept),
        archive.names,
        time.perf_counter() - started,
        out.stat().st_size,
        errors,
        len(versions) - len(kept),
    )


def safe_title(title: str) -> str:
    return build.safe_name(title, 80)
