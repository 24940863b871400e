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
from dataclasses import dataclass
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


@dataclass
class CompilationResult:
    title: str
    departments: int
    files: list[str]
    seconds: float
    size: int


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
    scope has been published."""
    from qingdan.documents.handbook import handbook_content

    started = time.perf_counter()
    on = on or timezone.localdate()
    versions = published_versions(user, region)
    if not versions:
        raise LookupError("范围内没有已发布清单的部门。")
    title = compilation_title(region)
    total = 2 * len(versions) + len(FORMATS) + 1
    say: Report = report or (lambda done, total, message: None)
    entries: list[Entry] = []
    handbooks: list[Any] = []
    for i, version in enumerate(versions, start=1):
        say(i - 1, total, f"正在读取第{i}/{len(versions)}个部门：{version.department.name}")
        handbooks.append(handbook_content(version.department, version=version))
        entries.append(
            Entry(
                i,
                version.department.name,
                version.region.name,
                version.number,
                timezone.localdate(version.published_at),
                version.sha256,
            )
        )
    done = len(versions)
    archive = Archive(out, f"{title}（{build.chinese_date(on)}）")
    pool = _executor(workers)
    runner: Any = pool or _Inline()
    try:
        futures: dict[Future, tuple[str, Entry | None]] = {}
        # The volumes first: they are the longest jobs, so the pool ends evenly.
        for fmt in FORMATS:
            futures[runner.submit(build.render_volume, handbooks, fmt, title)] = (fmt, None)
        for entry, handbook in zip(entries, handbooks, strict=True):
            futures[runner.submit(build.render_department, handbook, FORMATS)] = ("", entry)
        for future in as_completed(futures):
            fmt, entry = futures[future]
            if entry is None:
                archive.add(f"00_{safe_title(title)}（合订本）.{fmt}", future.result())
                message = f"合订本（{fmt.upper()}）已完成"
            else:
                for kind, data in future.result().items():
                    archive.add(f"部门/{entry.stem}.{kind}", data)
                message = f"已排版：{entry.department}"
            done += 1
            say(done, total, message)
        archive.add(
            "汇编说明.txt", build.manifest(title, on, entries, FORMATS).encode(), deflate=True
        )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        archive.close()
    say(total, total, "汇编完成")
    return CompilationResult(
        title, len(entries), archive.names, time.perf_counter() - started, out.stat().st_size
    )


def safe_title(title: str) -> str:
    return build.safe_name(title, 80)
