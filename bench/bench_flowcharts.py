"""Benchmark: qingdan's flowchart engine against Graphviz `dot` on the same synthetic processes.

    python bench/bench_flowcharts.py            # 25,000 synthetic processes
    python bench/bench_flowcharts.py --n 2000   # quicker
    QINGDAN_DATA_DIR=/tmp/pr-city python bench/bench_flowcharts.py --db
                                                # every current process of a generated demo
                                                # (`qingdan generate --scale city`), read from the
                                                # database through processes.graph

What is timed (graph generation or loading, and DOT conversion, are done beforehand, not timed):
  ours      layout() + render_svg() per process, on one core and on two (multiprocessing);
  dot/call  one `dot -Tsvg` subprocess per process, as a person would call it; timed on a sample
            (--sample, default 500) and extrapolated to N;
  dot/batch one `dot -Tsvg` process over all processes concatenated (and two such processes in
            parallel for two cores). Graphviz 2.42 (Debian 12) crashes on some multi-graph inputs
            with clusters and edge labels (or hangs: a watchdog kills it after 5 s without output);
            the batch then restarts after the last complete graph. Restarts count in its time; the
            ratio is also printed without the hang waits.
Quality (overlaps, edges through nodes, crossings, area) is measured on both drawings; area is
given in units of the label font size squared (12 px for us, 12 pt for Graphviz).
Needs the Debian package graphviz (apt-get install -y graphviz).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from xml.etree.ElementTree import ParseError

try:
    from qingdan.processes.flowchart import layout, render_svg, to_dot
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from qingdan.processes.flowchart import layout, render_svg, to_dot

from qingdan.processes.flowchart.quality import (
    drawing_from_graphviz_svg,
    measure,
    measure_layout,
)
from qingdan.processes.flowchart.synth import generate

FONT = 12.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ours(graphs: list) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and SVG bytes for laying out and rendering `graphs`."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    size = 0
    for g in graphs:
        size += len(render_svg(layout(g)))
    return time.perf_counter() - t0, time.process_time() - c0, size


# The graphs of the run, set before the pool forks so each worker sees them without pickling.
_GRAPHS: list = []


def _worker(args: tuple[int, int]) -> tuple[float, float, int]:
    start, stop = args
    graphs = _GRAPHS[start:stop]
    t0 = time.perf_counter()
    for g in graphs:
        render_svg(layout(g))
    return t0, time.perf_counter(), len(graphs)


def _ours_parallel(graphs: list, workers: int) -> float:
    """Wall time for `workers` processes each laying out its share (loading not timed)."""
    global _GRAPHS
    _GRAPHS = graphs
    n = len(graphs)
    step = -(-n // workers)
    chunks = [(k, min(n, k + step)) for k in range(0, n, step)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_worker, chunks)
    return max(r[1] for r in results) - min(r[0] for r in results)


def _db_graphs() -> tuple[list, str]:
    """Every current process of the database (QINGDAN_DATA_DIR / QINGDAN_DATABASE_URL) as the
    engine's graph, exactly as the app draws it (``processes.graph``), in table order."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
    import django

    django.setup()
    from qingdan.processes.graph import draft_to_graph, load_drafts
    from qingdan.processes.lanes import directories
    from qingdan.processes.models import Process

    processes = list(Process.objects.filter(is_current=True).order_by("department_id", "code"))
    dirs = directories({p.department_id for p in processes})
    graphs = []
    for k in range(0, len(processes), 2000):
        batch = processes[k : k + 2000]
        drafts = load_drafts(batch)
        graphs += [draft_to_graph(drafts[p.pk], dirs[p.department_id]) for p in batch]
    befores = Process.objects.filter(is_current=True, before__isnull=False).count()
    return graphs, f"{befores} of them re-engineered (with a before version, not drawn here)"


def _dot_per_call(dots: list[str]) -> float:
    t0 = time.perf_counter()
    for d in dots:
        subprocess.run(["dot", "-Tsvg"], input=d, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0


STALL_SECONDS = 5.0  # no graph takes dot a second; one that takes five has hung


def _run_dot_stream(inputs: list[bytes], keep: list[str], keep_max: int) -> tuple[int, bool, float]:
    """Feed graphs to one `dot -Tsvg` process as a stream.

    Returns (graphs drawn, exited cleanly, seconds lost waiting for a hung dot). Writing happens
    in a thread while the output is read, so no input is ever copied whole. Graphviz 2.42 can
    also hang instead of crashing; a watchdog kills it after STALL_SECONDS without output.
    """
    proc = subprocess.Popen(
        ["dot", "-Tsvg"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    state = {"last": time.perf_counter(), "lost": 0.0}
    stop = threading.Event()

    def feed() -> None:
        try:
            for chunk in inputs:
                proc.stdin.write(chunk)
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # dot died: the caller restarts after the last complete graph

    def watchdog() -> None:
        while not stop.wait(0.2):
            idle = time.perf_counter() - state["last"]
            if idle > STALL_SECONDS:
                state["lost"] = idle
                proc.kill()
                return

    writer = threading.Thread(target=feed)
    guard = threading.Thread(target=watchdog)
    writer.start()
    guard.start()
    done = 0
    pending = b""
    end = b"</svg>"
    while True:
        block = proc.stdout.read1(1 << 16)
        if not block:
            break
        state["last"] = time.perf_counter()
        pending += block
        while (cut := pending.find(end)) >= 0:
            doc, pending = pending[: cut + len(end)], pending[cut + len(end) :]
            if len(keep) < keep_max:
                keep.append(doc.decode("utf-8", "replace").lstrip())
            done += 1
    code = proc.wait()
    stop.set()
    writer.join()
    guard.join()
    return done, code == 0, float(state["lost"])


def _dot_batch(dots: list[bytes], keep_max: int = 0) -> tuple[float, list[str], int, float]:
    """One dot process over all graphs, restarted after a crash or hang.

    Returns (seconds, SVGs kept, restarts, seconds lost to hangs).
    """
    t0 = time.perf_counter()
    out: list[str] = []
    restarts = 0
    lost = 0.0
    i = 0
    while i < len(dots):
        done, clean, stalled = _run_dot_stream(dots[i:], out, keep_max)
        lost += stalled
        i += done
        if clean:
            break
        restarts += 1
        if done == 0:  # the first graph itself fails: draw it alone and go on
            try:
                subprocess.run(
                    ["dot", "-Tsvg"], input=dots[i], capture_output=True, timeout=STALL_SECONDS
                )
            except subprocess.TimeoutExpired:
                lost += STALL_SECONDS
            if len(out) < keep_max:
                out.append("")
            i += 1
    return time.perf_counter() - t0, out, restarts, lost


def _dot_batch_parallel(dots: list[bytes], workers: int) -> tuple[float, int, float]:
    step = -(-len(dots) // workers)
    results: list[tuple[float, list[str], int, float]] = [(0.0, [], 0, 0.0)] * workers
    threads = []

    def run(k: int) -> None:
        results[k] = _dot_batch(dots[k * step : (k + 1) * step])

    t0 = time.perf_counter()
    for k in range(workers):
        th = threading.Thread(target=run, args=(k,))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    return time.perf_counter() - t0, sum(r[2] for r in results), max(r[3] for r in results)


def _summary(name: str, qualities: list) -> str:
    with_overlap = sum(1 for q in qualities if q.node_overlaps)
    with_through = sum(1 for q in qualities if q.edges_through_nodes)
    overlaps = sum(q.node_overlaps for q in qualities)
    through = sum(q.edges_through_nodes for q in qualities)
    crossings = [q.edge_crossings for q in qualities]
    areas = [q.area / (FONT * FONT) for q in qualities]
    return (
        f"  {name:<9} charts={len(qualities):>6}  node overlaps={overlaps:>5} (in {with_overlap} charts)"
        f"  edges through nodes={through:>5} (in {with_through} charts)\n"
        f"  {'':<9} crossings: total={sum(crossings)}, mean={statistics.mean(crossings):.2f}, "
        f"charts with none={sum(1 for c in crossings if c == 0)}"
        f"  area: mean={statistics.mean(areas):.0f} em², median={statistics.median(areas):.0f} em²"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=25_000, help="number of processes (default 25000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample", type=int, default=500, help="graphs timed with one dot call each")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quality-sample", type=int, default=0, help="0 = measure quality on all")
    ap.add_argument(
        "--db",
        action="store_true",
        help="draw every current process of the demo database instead of synthetic ones "
        "(--n and --seed are then ignored)",
    )
    args = ap.parse_args()
    if shutil.which("dot") is None:
        sys.exit("Graphviz dot not found: apt-get update && apt-get install -y graphviz")
    version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    t0 = time.perf_counter()
    if args.db:
        graphs, note = _db_graphs()
        source = f"demo processes from the database ({note})"
    else:
        graphs = generate(args.seed, args.n)
        source = f"synthetic processes (seed {args.seed})"
    gen_s = time.perf_counter() - t0
    n = len(graphs)
    if not n:
        sys.exit("No processes: generate the demo first (qingdan generate --scale city).")
    dots = [to_dot(g) for g in graphs]
    nodes = [len(g.nodes) for g in graphs]
    lanes = [len(g.lanes) for g in graphs]
    print(
        f"{n} {source}: {statistics.mean(nodes):.1f} nodes on average "
        f"({min(nodes)}-{max(nodes)}), {statistics.mean(lanes):.1f} lanes ({min(lanes)}-"
        f"{max(lanes)}), loaded in {gen_s:.1f} s (not timed below)"
    )
    print(
        f"Graphviz: {version}; Python {sys.version.split()[0]}; CPU cores used: 1 and {args.workers}"
    )

    load0 = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    ours_1, ours_cpu, svg_bytes = _ours(graphs)
    ours_2 = _ours_parallel(graphs, args.workers)
    sample = dots[: min(args.sample, n)]
    c0 = _children_cpu()
    call_s = _dot_per_call(sample)
    call_cpu = (_children_cpu() - c0) / len(sample)
    call_each = call_s / len(sample)
    q_n = n if args.quality_sample <= 0 else min(n, args.quality_sample)
    encoded = [d.encode("utf-8") for d in dots]
    c0 = _children_cpu()
    batch_s, gv_svgs, restarts, lost = _dot_batch(encoded, keep_max=q_n)
    batch_cpu = _children_cpu() - c0
    batch2_s, restarts2, lost2 = _dot_batch_parallel(encoded, args.workers)

    def rate(seconds: float, count: int = n) -> float:
        return count / seconds

    print("\nThroughput (layout + SVG, charts per second)")
    rows = [
        (
            "qingdan, 1 core",
            rate(ours_1),
            f"{1000 * ours_1 / n:.3f} ms/chart, {svg_bytes / n / 1024:.1f} KiB SVG",
        ),
        (f"qingdan, {args.workers} cores", rate(ours_2), f"{1000 * ours_2 / n:.3f} ms/chart wall"),
        (
            "dot per call",
            1 / call_each,
            f"{1000 * call_each:.2f} ms/chart, sampled on {len(sample)}, extrapolated to {n}: {call_each * n:.0f} s",
        ),
        (
            "dot batch, 1 proc",
            rate(batch_s),
            f"{1000 * batch_s / n:.3f} ms/chart, {restarts} restarts after crashes/hangs, "
            f"{lost:.0f} s of it waiting on hung dot",
        ),
        (
            f"dot batch, {args.workers} procs",
            rate(batch2_s),
            f"{1000 * batch2_s / n:.3f} ms/chart wall, {restarts2} restarts, "
            f"up to {lost2:.0f} s waiting on hung dot",
        ),
    ]
    for name, r, note in rows:
        print(f"  {name:<20} {r:>10.1f}/s   {note}")
    print("\nRatios (qingdan ÷ Graphviz, charts per second)")
    print(f"  1 core vs dot per call : {rate(ours_1) * call_each:.1f}x   (goal >= 20x)")
    print(f"  1 core vs dot batch    : {rate(ours_1) / rate(batch_s):.1f}x   (goal >= 2x)")
    print(
        f"  1 core vs dot batch without its hang waits: "
        f"{rate(ours_1) / rate(max(1e-9, batch_s - lost)):.1f}x"
    )
    print(f"  {args.workers} cores vs dot per call: {rate(ours_2) * call_each:.1f}x")
    print(
        f"  {args.workers} cores vs {args.workers} dot batches: {rate(ours_2) / rate(batch2_s):.1f}x"
    )
    print("By CPU time (user+sys of our process vs of the dot processes; less sensitive to load)")
    print(
        f"  qingdan {1000 * ours_cpu / n:.3f} ms/chart; dot per call {1000 * call_cpu:.2f} ms/chart "
        f"-> {call_cpu * n / ours_cpu:.1f}x; dot batch {1000 * batch_cpu / n:.3f} ms/chart "
        f"-> {batch_cpu / ours_cpu:.1f}x"
    )
    load1 = Path("/proc/loadavg").read_text().split()[:3] if load0 else []
    if load0:
        print(f"  machine load average before/after: {' '.join(load0)} / {' '.join(load1)}")

    t0 = time.perf_counter()
    ours_q = [measure_layout(layout(g)) for g in graphs[:q_n]]
    gv_q = []
    corrupt = 0
    for s in gv_svgs[:q_n]:
        try:
            gv_q.append(measure(drawing_from_graphviz_svg(s)))
        except ParseError:
            corrupt += 1  # dot 2.42 sometimes writes garbage just before it crashes

    print(
        f"\nLayout quality on {q_n} charts (measured in {time.perf_counter() - t0:.0f} s; "
        "edges through nodes use the real outline: boxes, diamonds, ellipses)"
    )
    print(_summary("qingdan", ours_q))
    print(_summary("graphviz", gv_q))
    if corrupt:
        print(f"  graphviz: {corrupt} of its SVG outputs were not well-formed XML (left out above)")
    strict = sum(
        measure_layout(layout(g), crossings=False, boxes=True).edges_through_nodes for g in graphs
    )
    print(f"  qingdan, all {n} charts, edges through node bounding boxes: {strict}")


if __name__ == "__main__":
    main()
