"""Issue 3 benchmark: whole-region 覆盖与工作量 analysis at a city's scale (seed 001's figures).

    .venv/bin/python bench/bench_coverage.py [--departments 40] [--runs 5]

Builds, by bulk inserts (no services, no change log: this is a fixture, not the product), a city
of ~40 departments, ~470 units, ~1,600 positions with people, ~16,700 duty items, ~29,500 tasks and
their task positions in a fresh SQLite database under /tmp — and in a fresh PostgreSQL database
too when ``QINGDAN_DATABASE_URL`` is set (same server and credentials, database
``qingdan_bench_coverage``). It then times ``coverage_report`` for a 编办管理员 over the whole
region (the page's and the CLI's path: gate, ten row queries, pure analysis), best of ``--runs``,
and counts its queries, first with the first 10 departments built and then with all 40, side by
side beside the limit (1 s; the query count must not grow). A two-character search (防汛) over
all duty items and tasks is timed as well.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

LIMIT_S = 1.0
ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "qingdan_bench_coverage"

# Per department, so that 40 departments give the seed's figures.
UNITS_PER_DEPT = (10, 13)  # ~460
POSITIONS_PER_UNIT = (2, 4)  # ~1,600 with the leaders
DUTIES_PER_DEPT = 418  # 16,720
TASKS_PER_DUTY = 1.77  # ~29,600

PHRASES = [
    "贯彻执行国家和省有关法律法规和方针政策",
    "拟订本地区相关规划、计划并组织实施",
    "负责防汛抗旱和应急管理有关工作",
    "负责信访工作和矛盾纠纷排查化解",
    "承担行政许可事项的受理、审查和决定",
    "组织开展监督检查和行政执法",
    "负责统计数据的收集、整理和分析",
    "承担机关财务、资产和政府采购管理",
    "负责安全生产和消防安全的监督管理",
    "指导和协调基层业务工作",
    "负责政务公开和政府信息公开工作",
    "组织开展培训和宣传教育",
]
# How often tasks recur, weighted like a real list (few daily tasks, many monthly/yearly ones).
FREQUENCIES = {
    "daily": 3,
    "weekly": 10,
    "monthly": 25,
    "quarterly": 20,
    "half_yearly": 12,
    "yearly": 20,
    "per_case": 10,
}


# ---------------------------------------------------------------------------------------------
# Child process: one backend


def setup_django(db_url: str | None, data_dir: str) -> None:
    os.environ["QINGDAN_DATA_DIR"] = data_dir
    os.environ.setdefault("QINGDAN_SECRET_KEY", "bench-" + "x" * 50)
    os.environ["QINGDAN_LOG_LEVEL"] = "ERROR"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qingdan.settings"
    if db_url:
        os.environ["QINGDAN_DATABASE_URL"] = db_url
    else:
        os.environ.pop("QINGDAN_DATABASE_URL", None)
    import django

    django.setup()


def build_departments(city: Any, start: int, count: int, rng: random.Random) -> dict[str, int]:
    from qingdan.duties import choices as dc
    from qingdan.duties.models import DutyItem, Task, TaskPosition
    from qingdan.duties.search import fill_search_text
    from qingdan.org.models import Assignment, Department, Person, Position, StaffingQuota, Unit

    depts = Department.objects.bulk_create(
        [
            Department(
                region=city,
                code=f"D{i:03d}",
                name=f"东川市第{i}局",
                kind="government",
                rank="zhengchu",
                order=i,
            )
            for i in range(start, start + count)
        ]
    )
    for d in depts:
        d.path = f"/{d.pk}/"
    Department.objects.bulk_update(depts, ["path"])
    units: list[Unit] = []
    for d in depts:
        for j in range(rng.randint(*UNITS_PER_DEPT)):
            units.append(
                Unit(department=d, region=city, code=f"U{j:02d}", name=f"第{j + 1}科", order=j)
            )
    units = Unit.objects.bulk_create(units, batch_size=1000)
    units_by_dept: dict[int, list[Unit]] = {}
    for u in units:
        units_by_dept.setdefault(u.department_id, []).append(u)

    positions: list[Position] = []
    for d in depts:
        for k, level in enumerate(("dept_principal", "dept_deputy", "dept_deputy")):
            positions.append(
                Position(
                    department=d,
                    region=city,
                    unit=None,
                    code=f"L{k}",
                    name="局长" if k == 0 else "副局长",
                    category="leadership",
                    leader_level=level,
                )
            )
        for u in units_by_dept[d.pk]:
            for k in range(rng.randint(*POSITIONS_PER_UNIT)):
                positions.append(
                    Position(
                        department=d,
                        region=city,
                        unit=u,
                        code=f"{u.code}G{k}",
                        name=f"{u.name}业务岗{k + 1}",
                        category="business",
                        headcount=rng.choice((1, 1, 1, 2)),
                    )
                )
    positions = Position.objects.bulk_create(positions, batch_size=1000)
    positions_by_unit: dict[tuple[int, int | None], list[Position]] = {}
    for p in positions:
        positions_by_unit.setdefault((p.department_id, p.unit_id), []).append(p)

    people: list[Person] = []
    holdings: list[tuple[int, Position]] = []
    for p in positions:
        for n in range(p.headcount):
            if rng.random() < 0.93:
                people.append(
                    Person(
                        department_id=p.department_id,
                        region=city,
                        code=f"P{p.pk}-{n}",
                        name=f"人员{p.pk}{n}",
                        gender=rng.choice("MF"),
                        birth_year=rng.randint(1965, 1998),
                        staffing_type="administrative",
                    )
                )
                holdings.append((len(people) - 1, p))
    people = Person.objects.bulk_create(people, batch_size=2000)
    import datetime as dt

    start_date = dt.date(2020, 1, 1)
    Assignment.objects.bulk_create(
        [
            Assignment(
                person=people[i],
                position=p,
                department_id=p.department_id,
                region=city,
                start_date=start_date,
            )
            for i, p in holdings
        ],
        batch_size=2000,
    )
    per_dept_people: dict[int, int] = {}
    for person in people:
        per_dept_people[person.department_id] = per_dept_people.get(person.department_id, 0) + 1
    StaffingQuota.objects.bulk_create(
        [
            StaffingQuota(
                department=d,
                region=city,
                administrative=int(per_dept_people.get(d.pk, 0) * 1.1) + 1,
                leader_principal=1,
                leader_deputy=2,
                leader_unit=len(units_by_dept[d.pk]) * 2,
                doc_number="东编〔2019〕1号",
                doc_date=dt.date(2019, 2, 20),
                effective_from=dt.date(2019, 3, 1),
            )
            for d in depts
        ]
    )

    duties: list[DutyItem] = []
    for d in depts:
        for n in range(DUTIES_PER_DEPT):
            text = "，".join(rng.sample(PHRASES, 2)) + "。"
            duties.append(
                DutyItem(
                    department=d,
                    region=city,
                    code=f"ZZ{n + 1:03d}",
                    source="mandate",
                    clause=f"主要职责（{n + 1}）",
                    text=text,
                    order=n,
                )
            )
    fill_search_text(duties)
    duties = DutyItem.objects.bulk_create(duties, batch_size=2000)

    tasks: list[Task] = []
    for item in duties:
        dept_units = units_by_dept[item.department_id]
        roll = rng.random()
        count_tasks = 0 if roll < 0.01 else 1 + (1 if roll < TASKS_PER_DUTY - 1 + 0.01 else 0)
        for n in range(count_tasks):
            frequency = rng.choices(list(FREQUENCIES), weights=list(FREQUENCIES.values()))[0]
            occurrences = (
                Decimal(rng.randint(5, 120))
                if frequency == "per_case"
                else Decimal(dc.OCCURRENCES_PER_YEAR[dc.Frequency(frequency)])
            )
            tasks.append(
                Task(
                    duty_item=item,
                    department_id=item.department_id,
                    region=city,
                    code=f"{item.code}-{n + 1:02d}",
                    name=rng.choice(PHRASES)[:20] + f"（{n + 1}）",
                    description=item.text,
                    lead_unit=rng.choice(dept_units),
                    frequency=frequency,
                    occurrences=occurrences,
                    unit_hours=Decimal(rng.choice(("0.5", "1", "2", "4", "8", "12"))),
                )
            )
    fill_search_text(tasks)
    tasks = Task.objects.bulk_create(tasks, batch_size=2000)

    links: list[TaskPosition] = []
    for t in tasks:
        own = positions_by_unit.get((t.department_id, t.lead_unit_id), [])
        if not own:
            continue
        chosen = rng.sample(own, min(len(own), 3))
        roles = ["lead" if rng.random() < 0.92 else "assist"]
        if len(chosen) > 1 and rng.random() < 0.5:
            roles.append("assist")
        if len(chosen) > 2 and rng.random() < 0.3:
            roles.append("backup")
        for pos, role in zip(chosen, roles, strict=False):
            links.append(
                TaskPosition(
                    task=t, position=pos, role=role, department_id=t.department_id, region=city
                )
            )
    TaskPosition.objects.bulk_create(links, batch_size=5000)
    return {
        "departments": len(depts),
        "units": len(units),
        "positions": len(positions),
        "people": len(people),
        "duty_items": len(duties),
        "tasks": len(tasks),
        "task_positions": len(links),
    }


def analyze_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(user_pk: int, runs: int) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from qingdan.core.models import User
    from qingdan.duties import coverage, coverage_data
    from qingdan.duties.models import DutyItem, Task
    from qingdan.duties.search import apply_search

    best = best_load = best_pure = float("inf")
    queries = 0
    for _ in range(runs):
        user = User.objects.get(pk=user_pk)  # fresh: the grants query is part of the cost
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            report = coverage_data.coverage_report(user)  # the page's and the CLI's path
            best = min(best, time.perf_counter() - start)
        queries = len(ctx.captured_queries)
        # The two halves, separately (same collector pause as coverage_report).
        user = User.objects.get(pk=user_pk)
        with coverage_data._collector_paused():
            start = time.perf_counter()
            data = coverage_data.load_input(user)
            loaded = time.perf_counter()
            coverage.analyse(data, coverage_data.rules())
            end = time.perf_counter()
        best_load = min(best_load, loaded - start)
        best_pure = min(best_pure, end - loaded)
    best_search = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        found = (
            apply_search(DutyItem.objects.all(), "防汛").count(),
            apply_search(Task.objects.all(), "防汛").count(),
        )
        best_search = min(best_search, time.perf_counter() - start)
    return {
        "seconds": best,
        "load_seconds": best_load,
        "analysis_seconds": best_pure,
        "queries": queries,
        "departments": len(report.departments),
        "hours": report.load.hours,
        "saturation": report.load.saturation,
        "gaps": report.gaps.to_dict(),
        "search_seconds": best_search,
        "search_hits": found,
    }


def child(args: argparse.Namespace) -> None:
    setup_django(args.db_url, args.data_dir)
    from django.core.management import call_command

    from qingdan.core.choices import Role, Scope
    from qingdan.core.models import RoleGrant, User
    from qingdan.org.models import Region

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    province = Region.objects.create(code="860000", name="江海省", level="province")
    province.path = f"/{province.pk}/"
    province.save(update_fields=["path"])
    city = Region.objects.create(code="860100", name="东川市", level="city", parent=province)
    city.path = f"{province.path}{city.pk}/"
    city.save(update_fields=["path"])
    user = User.objects.create(username="bianban", is_staff=True, home_region=city)
    RoleGrant.objects.create(user=user, role=Role.BIANBAN_ADMIN, scope=Scope.ALL, region=city)

    first = min(10, args.departments)
    result: dict[str, Any] = {"backend": args.backend}
    start = time.perf_counter()
    sizes = build_departments(city, 1, first, rng)
    analyze_tables()
    result["build_10_s"] = time.perf_counter() - start
    result["at_10"] = {**measure(user.pk, args.runs), "sizes": sizes}
    start = time.perf_counter()
    more = build_departments(city, first + 1, args.departments - first, rng)
    analyze_tables()
    result["build_rest_s"] = time.perf_counter() - start
    total = {k: sizes[k] + more[k] for k in sizes}
    result["at_all"] = {**measure(user.pk, args.runs), "sizes": total}
    print("RESULT " + json.dumps(result))


# ---------------------------------------------------------------------------------------------
# Parent process: run each backend, print side by side


def pg_fresh_url(url: str) -> str:
    """The same server and credentials, database ``qingdan_bench_coverage`` (dropped and made)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def run_backend(backend: str, db_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix=f"qingdan-bench-coverage-{backend}-")
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--backend",
        backend,
        "--data-dir",
        data_dir,
        "--departments",
        str(args.departments),
        "--runs",
        str(args.runs),
    ]
    if db_url:
        cmd += ["--db-url", db_url]
    env = {k: v for k, v in os.environ.items() if k != "QINGDAN_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        sys.exit(f"{backend} run failed:\n{proc.stderr[-4000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["data_dir"] = data_dir
    return result


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"机器: {platform.machine()} {platform.processor() or ''} · Python {platform.python_version()}"
    )
    print(
        f"命令: .venv/bin/python bench/bench_coverage.py --departments {args.departments} --runs {args.runs}"
    )
    for r in results:
        s10, s40 = r["at_10"], r["at_all"]
        sizes = s40["sizes"]
        print(f"\n== {r['backend']} ==")
        print(
            "数据: {departments}个部门, {units}个科室, {positions}个岗位, {people}名人员, "
            "{duty_items}项职责事项, {tasks}项任务, {task_positions}条任务岗位".format(**sizes)
        )
        print(f"批量构建: 前10个部门 {r['build_10_s']:.1f} s, 其余 {r['build_rest_s']:.1f} s")
        print(f"{'':34}{s10['departments']:>8}个部门{s40['departments']:>10}个部门{'限值':>10}")
        print(
            f"{'全区覆盖分析（查询+计算）':30}{s10['seconds']:>11.3f} s{s40['seconds']:>13.3f} s{LIMIT_S:>11.2f} s"
        )
        print(
            f"{'  其中 读取行（查询）':30}{s10['load_seconds']:>11.3f} s{s40['load_seconds']:>13.3f} s"
        )
        print(
            f"{'  其中 纯计算':32}{s10['analysis_seconds']:>11.3f} s{s40['analysis_seconds']:>13.3f} s"
        )
        print(f"{'查询次数':34}{s10['queries']:>8}{s40['queries']:>16}   （不随部门数增长）")
        print(
            f"{'“防汛”检索（事项+任务）':30}{s10['search_seconds']:>11.3f} s{s40['search_seconds']:>13.3f} s"
        )
        ratio = s40["seconds"] / LIMIT_S
        verdict = (
            "达标" if s40["seconds"] < LIMIT_S and s10["queries"] == s40["queries"] else "未达标"
        )
        print(
            f"40个部门用时为限值的 {ratio:.0%}，查询次数 {s10['queries']} → {s40['queries']}：{verdict}"
        )
        sat = s40["saturation"]
        print(
            f"全区年工作量 {s40['hours']:,.0f} 小时，工作饱和度 {sat:.0%}；缺口 "
            + "，".join(f"{k}={v}" for k, v in s40["gaps"].items())
        )
        if not args.keep:
            import shutil

            shutil.rmtree(r["data_dir"], ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database directory")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="sqlite", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = [run_backend("SQLite", None, args)]
    pg = os.environ.get("QINGDAN_DATABASE_URL", "")
    if pg.startswith(("postgres://", "postgresql://")):
        results.append(run_backend("PostgreSQL", pg_fresh_url(pg), args))
    report(results, args)


if __name__ == "__main__":
    main()
