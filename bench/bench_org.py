"""Issue 2 benchmarks: generating the city, and the org pages under 20 concurrent clients.

    .venv/bin/python bench/bench_org.py [--duration 15] [--connections 20]

1. ``qingdan generate --scale city`` in a fresh SQLite database: wall time and peak memory, beside
   the peer a Django developer would use to load the same rows: ``loaddata`` of a ``dumpdata``
   fixture of exactly what was generated.
2. The org tree page and the department list at city scale, served by ``qingdan serve`` (gunicorn),
   p50/p95 latency under 20 concurrent clients (wrk, from Debian), each beside a bare Django view
   on the same server returning the same number of rows (the ratio is the figure).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QINGDAN = str(Path(sys.executable).with_name("qingdan"))
PORT = 8765


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; return wall seconds, the child's peak RSS in MB, and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed: {' '.join(args)}\n{proc.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the maximum over all children so far: run the biggest first.
    return wall, max(peak, before) / 1024, proc.stdout


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGDAN_")}
    env.update(
        QINGDAN_DATA_DIR=str(data_dir),
        QINGDAN_SECRET_KEY="bench-" + "x" * 50,
        QINGDAN_ALLOW_HTTP="1",
        QINGDAN_BENCH_VIEWS="1",
        QINGDAN_LOG_LEVEL="ERROR",
    )
    return env


def bench_generate(work: Path) -> dict[str, float]:
    gen_dir, load_dir = work / "generate", work / "loaddata"
    env = env_for(gen_dir)
    run([QINGDAN, "manage", "migrate", "--verbosity", "0"], env)
    gen_wall, gen_peak, out = run([QINGDAN, "generate", "--scale", "city", "--seed", "2026"], env)
    fixture = work / "city.json"
    models = ["org", "core.changelogentry", "core.chainhead", "core.user"]
    with fixture.open("w") as f:
        subprocess.run(
            [QINGDAN, "manage", "dumpdata", *models, "--indent", "0"], env=env, stdout=f, check=True
        )
    load_env = env_for(load_dir)
    run([QINGDAN, "manage", "migrate", "--verbosity", "0"], load_env)
    load_wall, load_peak, _ = run(
        [QINGDAN, "manage", "loaddata", str(fixture), "--verbosity", "0"], load_env
    )
    return {
        "generate_s": gen_wall,
        "generate_peak_mb": gen_peak,
        "loaddata_s": load_wall,
        "loaddata_peak_mb": load_peak,
        "summary": out.strip().splitlines()[:8],
        "data_dir": str(gen_dir),
    }


def login(base: str, accounts_file: Path) -> str:
    username, password = re.search(r"^(bianban)\s+(\S+)", accounts_file.read_text(), re.M).groups()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        }
    ).encode()
    opener.open(
        urllib.request.Request(
            f"{base}/admin/login/", data=data, headers={"Referer": f"{base}/admin/login/"}
        )
    )
    cookies = {c.name: c.value for c in jar}
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"


def fetch(url: str, cookie: str) -> str:
    return (
        urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}))
        .read()
        .decode()
    )


def wrk(url: str, cookie: str, duration: int, connections: int) -> dict[str, float]:
    script = ROOT / "bench" / "wrk_percentiles.lua"
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def bench_pages(data_dir: Path, duration: int, connections: int) -> list[dict]:
    env = env_for(data_dir)
    run([QINGDAN, "demo", "--no-serve"], env)  # static files and the demo accounts
    base = f"http://127.0.0.1:{PORT}"
    server = subprocess.Popen(
        [QINGDAN, "serve", "--bind", f"127.0.0.1:{PORT}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/admin/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        cookie = login(base, data_dir / "demo-accounts.txt")
        tree_html = fetch(f"{base}/admin/org/department/tree/", cookie)
        tree_rows = sum(
            tree_html.count(c) for c in ('class="qd-dept"', 'class="qd-unit"', 'class="qd-person')
        )
        tree_rows += len(re.findall(r'<span class="qd-pos-name">', tree_html))
        list_html = fetch(f"{base}/admin/org/department/", cookie)
        list_rows = len(
            re.findall(r"<tr[^>]*>\s*<td class=\"action-checkbox", list_html)
        ) or list_html.count('class="action-select"')
        results = []
        for name, url, rows in (
            (
                "组织机构树 /admin/org/department/tree/",
                f"{base}/admin/org/department/tree/",
                tree_rows,
            ),
            ("部门列表 /admin/org/department/", f"{base}/admin/org/department/", list_rows),
        ):
            bare = f"{base}/bench/rows/?rows={rows}"
            fetch(url, cookie), fetch(bare, cookie)  # warm both
            page = wrk(url, cookie, duration, connections)
            peer = wrk(bare, cookie, duration, connections)
            results.append({"page": name, "rows": rows, "page_stats": page, "bare_stats": peer})
        return results
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian package wrk)")
    work = Path(tempfile.mkdtemp(prefix="qingdan-bench-org-"))
    try:
        gen = bench_generate(work)
        print("== generate --scale city (fresh SQLite) ==")
        for line in gen["summary"]:
            print("  " + line)
        print(f"  generate: {gen['generate_s']:.1f} s, peak {gen['generate_peak_mb']:.0f} MB")
        print(
            f"  peer loaddata of the same rows: {gen['loaddata_s']:.1f} s, peak {gen['loaddata_peak_mb']:.0f} MB"
        )
        print(f"  ratio generate/loaddata: {gen['generate_s'] / gen['loaddata_s']:.2f}x time")
        pages = bench_pages(Path(gen["data_dir"]), args.duration, args.connections)
        print(
            f"\n== pages at city scale, {args.connections} concurrent clients, {args.duration} s each (wrk) =="
        )
        print(
            f"{'page':<40}{'rows':>6}{'p50 ms':>9}{'p95 ms':>9}{'bare p50':>10}{'bare p95':>10}{'p50 ×':>8}{'p95 ×':>8}"
        )
        for r in pages:
            p, b = r["page_stats"], r["bare_stats"]
            print(
                f"{r['page']:<40}{r['rows']:>6}{p['p50_ms']:>9.1f}{p['p95_ms']:>9.1f}{b['p50_ms']:>10.1f}"
                f"{b['p95_ms']:>10.1f}{p['p50_ms'] / b['p50_ms']:>8.2f}{p['p95_ms'] / b['p95_ms']:>8.2f}"
            )
            if p["errors"] or b["errors"]:
                print(f"   errors: page {p['errors']}, bare {b['errors']}")
        (ROOT / "bench" / "out").mkdir(exist_ok=True)
        (ROOT / "bench" / "out" / "org.json").write_text(
            json.dumps({"generate": gen, "pages": pages}, ensure_ascii=False, indent=1)
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
