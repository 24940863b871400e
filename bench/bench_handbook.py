"""Benchmark: one department's 部门管理手册 with ~700 tasks and their flowcharts, Word and PDF.

    .venv/bin/python bench/bench_handbook.py              # 700 tasks, a flowchart every other task
    .venv/bin/python bench/bench_handbook.py --tasks 300  # quicker

The input is ``handbook.sample.sample_input(tasks=N)`` (deterministic: units, positions, duty
items, N task cards, N/2 processes from the engine's templates and synthetic generator, risk
points). Timed, best of ``--repeat`` runs, one core:

  content    build(): grouping, tables, task cards and the layout of every flowchart;
  docx       render_docx(): WordprocessingML with DrawingML flowcharts, through the template;
  pdf        render_pdf(): reportlab, CJK font subset embedded, flowcharts drawn as vectors;
  text       the limit measured in the same run: the same content written as plain text
             (``Handbook.text()`` encoded and written to a file) — what any format costs at least.

Goal: content + one format under 5 s per department.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    from qingdan.documents.handbook import build, render_docx, render_pdf
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from qingdan.documents.handbook import build, render_docx, render_pdf
from qingdan.documents.handbook.sample import sample_input


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=700)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    inp = sample_input(tasks=args.tasks)
    render_pdf(build(sample_input(tasks=2)))  # font registration and imports, not timed
    t_content, hb = best(lambda: build(inp), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def text() -> int:
            return (out / "h.txt").write_bytes(hb.text().encode())

        t_text, text_size = best(text, args.repeat)
        t_docx, docx = best(lambda: render_docx(hb), args.repeat)
        t_pdf, pdf = best(lambda: render_pdf(hb), args.repeat)
    c = hb.counts
    print(
        f"{hb.cover.department}: {c.tasks} tasks, {c.flowcharts} flowcharts, {c.risks} risk points,"
        f" {c.units} units, {c.positions} positions (best of {args.repeat})"
    )
    rows = [
        ("content (build + flowchart layout)", t_content, None),
        ("plain text (limit)", t_text, text_size),
        ("docx", t_docx, len(docx)),
        ("pdf", t_pdf, len(pdf)),
        ("content + docx", t_content + t_docx, None),
        ("content + pdf", t_content + t_pdf, None),
    ]
    print(f"{'':38} {'seconds':>8} {'size':>10} {'× text':>8}")
    for name, seconds, size in rows:
        size_text = f"{size / 1024:,.0f} KB" if size else ""
        ratio = f"{seconds / t_text:,.0f}×" if "text" not in name else ""
        print(f"{name:38} {seconds:8.3f} {size_text:>10} {ratio:>8}")
    worst = max(t_content + t_docx, t_content + t_pdf)
    print(
        f"goal < 5 s per department and format: {'met' if worst < 5 else 'NOT met'} ({worst:.2f} s)"
    )


if __name__ == "__main__":
    main()
