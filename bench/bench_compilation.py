"""Issue 5 benchmark: the demo city's 清单汇编 on two worker processes, beside its limit.

    .venv/bin/python bench/bench_compilation.py [--workers 2] [--data DIR] [--keep]

1. Generates the demo city (seed 2026: org, lists, 二报二审 stages, processes) in a temporary
   SQLite database — or reuses the database in ``--data`` when it already holds one.
2. Publishes every active department the demo left unpublished, the way the demo publishes
   (``oversight.versions.activate_drafts`` then ``create_version`` on its submission), so the
   compilation holds the whole city: every department of the city, its counties and towns.
3. Runs ``compilation.service.compile_region`` — the code the background job runs — on the
   city with ``--workers`` processes: wall time, zip size, files, peak memory.
4. The limit, in the same run: the same departments' content read from the database
   (``handbook_content``) and written as UTF-8 plain text into a zip (``Handbook.text``); the
   ratio is compilation / limit.
5. Where the time goes: one department typeset alone per format, and merged into a PDF volume.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 2026


def setup_django(data_dir: Path) -> None:
    os.environ["QINGDAN_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("QINGDAN_SECRET_KEY", "bench-" + "x" * 50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "qingdan.settings"
    os.environ.pop("QINGDAN_DATABASE_URL", None)
    import django

    django.setup()


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, children / 1024


def prepare(data: Path) -> dict[str, float | int]:
    from django.core.management import call_command

    from qingdan.demo.generator import generate
    from qingdan.org.models import Region

    call_command("migrate", verbosity=0)
    out: dict[str, float | int] = {}
    if not Region.objects.exists():
        start = time.perf_counter()
        generate("city", SEED)
        out["generate_s"] = time.perf_counter() - start
    return out


def publish_all() -> tuple[int, int]:
    """(published by the demo, published here)."""
    from qingdan.org.choices import Status
    from qingdan.org.models import Department
    from qingdan.oversight import versions
    from qingdan.oversight.models import ListVersion, Submission

    done = set(ListVersion.objects.values_list("department_id", flat=True))
    added = 0
    for dept in Department.objects.filter(status=Status.ACTIVE).order_by("pk"):
        if dept.pk in done:
            continue
        sub = Submission.objects.filter(department=dept).order_by("-pk").first()
        if sub is None:
            continue
        versions.activate_drafts(dept, acting_user=None, reason="基准测试：发布清单")
        versions.create_version(sub, acting_user=None)
        added += 1
    return len(done), added


def limit(region, out: Path) -> tuple[float, float, int]:
    """Read every version's content and write it as plain text: (read s, write s, bytes)."""
    from qingdan.documents.compilation import build, service

    start = time.perf_counter()
    books = [service.load_handbook(v) for v in service.published_versions(None, region)]
    read = time.perf_counter() - start
    start = time.perf_counter()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for i, hb in enumerate(books, start=1):
            z.writestr(f"{i:02d}_{build.safe_name(hb.cover.department)}.txt", hb.text())
        z.writestr("volume.txt", build.plain_text(books))
    return read, time.perf_counter() - start, out.stat().st_size


def breakdown(region) -> list[str]:
    """Typeset the largest department alone, each format, in this process."""
    import datetime as dt

    from qingdan.documents.compilation import build, service

    versions = service.published_versions(None, region)
    largest = max(versions, key=lambda v: v.task_count)
    hb = service.load_handbook(largest)
    lines = [f"largest department: {largest.department.name}, {largest.task_count} tasks"]
    for fmt in build.FORMATS:
        start = time.perf_counter()
        data = build.render_handbook(hb, fmt)
        lines.append(f"  {fmt}: {time.perf_counter() - start:.2f} s, {len(data) / 1e6:.2f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        part = Path(tmp) / "part.pdf"
        part.write_bytes(data)
        start = time.perf_counter()
        build.volume_pdf([("t", str(part))], str(Path(tmp) / "v.pdf"), "t", region.name,
                         dt.date.today())  # fmt: skip
        lines.append(
            f"  merged into a one-department pdf volume: {time.perf_counter() - start:.2f} s"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, help="reuse (or create) the database here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--no-breakdown", action="store_true")
    parser.add_argument(
        "--region",
        default="",
        help="compile this region (a county, say) instead of the city and extrapolate to the "
        "city by task count",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qd-bench-compilation-"))
    data = args.data or work / "data"
    data.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    setup_django(data)
    from qingdan.documents.compilation.service import compile_region, published_versions
    from qingdan.duties.models import Task
    from qingdan.org.models import Region
    from qingdan.processes.models import Process

    try:
        prep = prepare(data)
        by_demo, added = publish_all()
        city = Region.objects.get(level="city")
        region = Region.objects.get(name=args.region) if args.region else city
        print(f"seed {SEED}: {region.name}", *(f"{k}={v:.0f}" for k, v in prep.items()))
        print(f"published by the demo: {by_demo} departments; published here: {added}")
        print(f"tasks {Task.objects.count()}, processes {Process.objects.count()}")

        marks: dict[str, float] = {}
        start = time.perf_counter()

        def report(done: int, total: int, message: str) -> None:
            if message.startswith("已读取"):
                marks["read"] = time.perf_counter() - start
            if message.startswith(("合订本", "正在合并")):
                marks[message] = time.perf_counter() - start

        result = compile_region(
            region, work / "compilation.zip", workers=args.workers, report=report
        )
        wall = time.perf_counter() - start
        parent_mb, child_mb = peak_mb()
        read_s, write_s, text_bytes = limit(region, work / "plain.zip")
        floor = read_s + write_s
        print(f"\ncompilation ({args.workers} workers): {result.departments} departments, "
              f"{len(result.files)} files, {result.size / 1e6:.1f} MB, {wall:.1f} s")  # fmt: skip
        for key, value in marks.items():
            print(f"  {key}: at {value:.1f} s")
        if result.errors:
            print(f"  errors: {len(result.errors)}; first: {result.errors[0]}")
        print(f"  peak RSS: parent {parent_mb:.0f} MB, largest worker {child_mb:.0f} MB")
        print(f"limit (plain text): read {read_s:.1f} s + write {write_s:.1f} s = {floor:.1f} s, "
              f"{text_bytes / 1e6:.1f} MB")  # fmt: skip
        print(f"ratio compilation / limit: {wall / floor:.1f}x")
        if region != city:
            share = sum(v.task_count for v in published_versions(None, region)) / sum(
                v.task_count for v in published_versions(None, city)
            )
            wall /= share
            print(f"{region.name} holds {share:.1%} of the city's tasks: "
                  f"the city extrapolated {wall:.0f} s")  # fmt: skip
        print(f"goal (< 120 s): {'met' if wall < 120 else 'NOT met'}")
        if not args.no_breakdown:
            print("\n".join(["", *breakdown(region)]))
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
