"""清单汇编: every published department of a region in one zip, with one combined volume.

Who: the 编办 — the gate's ``publish`` action on 清单版本 (only 编办管理员 hold it), over the chosen
region's subtree; the same check is made again inside the job with the starting user, so a right
withdrawn meanwhile stops it. What: the latest published version (``ListVersion``) of every active
department of the region and the regions below it, in the volume's order (city first, then each
county, each by department order).

How (two cores): the parent reads each department's handbook content from the database
(``handbook_content``, by version), then a process pool of ``workers`` typesets the departments'
Word and PDF files and the combined volumes, and the parent writes each result into the zip as
it arrives. The children never touch the database. One task per department on the django-tasks
queue was the alternative; with one worker process (the default deployment) it would not use the
second core, and the final assembly would need every department's content again anyway.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
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

# A volume is typeset whole in one process and its memory grows with it: the demo city's
# (29,556 tasks) took over 18 GB before being killed (docs/benchmarks.md). Above this many tasks
# the volume is left out and said so; the departments' files are still compiled.
VOLUME_MAX_TASKS = 8_000


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


def load_handbook(version: ListVersion) -> Any:
    """The content of a published version's handbook (``documents.handbook``)."""
    from qingdan.documents.handbook import handbook_content

    return handbook_content(version.department, version=version)


def _read(
    versions: list[ListVersion],
    say: Report,
    total: int,
    errors: list[str],
    then: Callable[[Entry, Any], None],
) -> tuple[list[Entry], list[Any]]:
    """Each version's handbook content (in the parent: the only part that reads the database),
    handed to ``then`` as soon as read so the pool typesets while the parent reads on."""
    entries: list[Entry] = []
    handbooks: list[Any] = []
    for i, version in enumerate(versions, start=1):
        name = version.department.name
        say(i - 1, total, f"正在读取第{i}/{len(versions)}个部门：{name}")
        try:
            handbook = load_handbook(version)
        except Exception as exc:  # one bad department must not lose the others
            errors.append(
                f"{name}（第{version.number}版）：读取清单内容失败：{build.failure_text(exc)}"
            )
            continue
        entry = Entry(
            len(entries) + 1,
            name,
            version.region.name,
            version.number,
            timezone.localdate(version.published_at),
            version.sha256,
        )
        handbooks.append(handbook)
        entries.append(entry)
        then(entry, handbook)
    return entries, handbooks


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
    Chinese); a volume that fails because of such a department is typeset again without it.
    """
    started = time.perf_counter()
    on = on or timezone.localdate()
    versions = published_versions(user, region)
    if not versions:
        raise LookupError("范围内没有已发布清单的部门。")
    title = compilation_title(region)
    total = len(versions) * (1 + len(FORMATS)) + len(FORMATS) + 1
    say: Report = report or (lambda done, total, message: None)
    errors: list[str] = []
    archive = Archive(out, f"{title}（{build.chinese_date(on)}）")
    volume_name = f"00_{safe_title(title)}（合订本）"
    failed: set[int] = set()  # indexes of entries with a file missing
    pool = _executor(workers)
    runner: Any = pool or _Inline()
    try:
        futures: dict[Future, tuple[str, Entry | None]] = {}

        def submit_department(entry: Entry, handbook: Any) -> None:
            for fmt in FORMATS:
                futures[runner.submit(build.render_handbook, handbook, fmt)] = (fmt, entry)

        entries, handbooks = _read(versions, say, total, errors, submit_department)
        done = len(versions)
        say(done, total, f"已读取{len(entries)}个部门的清单内容，正在排版")
        # The volumes need every department; each is typeset whole in one process.
        tasks = sum(hb.counts.tasks for hb in handbooks)
        if tasks > VOLUME_MAX_TASKS:
            errors.append(
                f"合订本未生成：共{tasks}项工作任务，超过单册排版上限{VOLUME_MAX_TASKS}项"
                "（整册排版所需内存过大），请按县（市、区）分别汇编；各部门的文件已收录。"
            )
            done += len(FORMATS)
        elif handbooks:
            for fmt in FORMATS:
                future = runner.submit(build.render_volume, handbooks, fmt, title, region.name, on)
                futures[future] = (fmt, None)
        retry: list[tuple[str, BaseException]] = []
        for future in as_completed(futures):
            fmt, entry = futures[future]
            error = future.exception()
            if entry is None and error is None:
                archive.add(f"{volume_name}.{fmt}", future.result())
                message = f"合订本（{fmt.upper()}）已完成"
            elif entry is None:
                retry.append((fmt, error))
                message = f"合订本（{fmt.upper()}）排版失败"
            elif error is None:
                archive.add(f"部门/{entry.stem}.{fmt}", future.result())
                message = f"已排版：{entry.department}（{fmt.upper()}）"
            else:
                failed.add(entry.index)
                errors.append(
                    f"{entry.department}（第{entry.version}版）：{fmt.upper()}排版失败："
                    f"{build.failure_text(error)}"
                )
                message = f"排版失败：{entry.department}（{fmt.upper()}）"
            done += 1
            say(done, total, message)
        for fmt, error in retry:
            # Without the departments that failed on their own; if none did, the volume
            # itself is at fault and is reported.
            books = [h for e, h in zip(entries, handbooks, strict=True) if e.index not in failed]
            if failed and books:
                try:
                    data = runner.submit(build.render_volume, books, fmt, title, region.name, on)
                    archive.add(f"{volume_name}.{fmt}", data.result())
                    continue
                except Exception as exc:
                    error = exc
            detail = build.failure_text(error)
            errors.append(f"合订本（{fmt.upper()}）排版失败：{detail}")
        kept = [e for e in entries if e.index not in failed]
        archive.add(
            "汇编说明.txt",
            build.manifest(title, on, kept, FORMATS, errors).encode(),
            deflate=True,
        )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        archive.close()
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
