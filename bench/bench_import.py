"""Issue 3 benchmark: importing a city's 履职清单 from Excel.

    .venv/bin/python bench/bench_import.py [--peer-departments 4] [--keep]

1. Generates the demo city (seed 2026: org, 三定 regulations and lists) in a temporary SQLite
   database and exports every department's list with qingdan's exporter as a filled template
   (no system ids): 43 workbooks, ~29,500 tasks over ~16,700 duty items — one per department,
   since a 履职清单 is compiled and imported per department.
2. A second database with the same org and no lists receives the workbooks, three ways, each in
   its own process (wall time, peak RSS):

   * qingdan: ``duties.importers.import_list`` per department — the code the background job and
     ``qingdan import`` run: safe reading, every rule of the back office, one transaction per
     department, one change-log entry per row written;
   * the limit: bare python-calamine reading the same cells + ``executemany`` of the same rows
     (duty items, tasks, task positions, cooperating units) with sqlite3, no validation, no log;
   * the limit + a bare log: the same, plus the least the per-row hash-chained change log that
     DESIGN.md requires can cost (``BareLog``) — what any importer of ours pays before checking;
   * the peer: django-import-export 4 ``ModelResource``s (duty items, tasks, task positions, with
     ``clean_model_instances``) — a subset of departments, extrapolated by task count.

django-import-export is installed in the venv for this script only; it is not a dependency.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- preparation ----------------------------------------------------------------------------------


def prepare_full(work: Path) -> dict[str, Any]:
    """Generate the city with its lists and export each department's workbook."""
    setup_django(work / "full")
    from django.core.management import call_command

    from qingdan.core.models import User
    from qingdan.demo.duties import generate_duties
    from qingdan.demo.org import generate_org
    from qingdan.duties import exporters

    call_command("migrate", verbosity=0)
    org = generate_org("city", SEED)
    duties = generate_duties(org, "city", SEED)
    operator = User.objects.create(username="bench", is_superuser=True, is_staff=True)
    books = work / "books"
    books.mkdir()
    start = time.perf_counter()
    for dept in org.departments:
        data = exporters.export_department(dept, operator, with_ids=False)
        (books / f"{dept.code}.xlsx").write_bytes(data)
    export_s = time.perf_counter() - start
    tasks_per_dept: dict[str, int] = {}
    for task in duties.tasks:
        code = next(d.code for d in org.departments if d.pk == task.department_id)
        tasks_per_dept[code] = tasks_per_dept.get(code, 0) + 1
    return {
        "items": len(duties.items),
        "tasks": len(duties.tasks),
        "task_positions": len(duties.task_positions),
        "departments": len(org.departments),
        "export_s": export_s,
        "workbook_mb": sum(p.stat().st_size for p in books.glob("*.xlsx")) / 1e6,
        "tasks_per_dept": tasks_per_dept,
    }


def prepare_base(work: Path) -> dict[str, Any]:
    """The same org without lists; the label → id maps the bare limit needs."""
    setup_django(work / "base")
    from django.core.management import call_command

    from qingdan.core.models import User
    from qingdan.demo.org import generate_org
    from qingdan.duties import choices as c
    from qingdan.duties.spreadsheet import dictionaries

    call_command("migrate", verbosity=0)
    org = generate_org("city", SEED)
    User.objects.create(username="bench", is_superuser=True, is_staff=True)
    maps: dict[str, Any] = {"departments": {}}
    for dept in org.departments:
        d = dictionaries([dept])
        maps["departments"][dept.code] = {
            "id": dept.pk,
            "region_id": dept.region_id,
            "units": {label: pk for pk, label in d.unit_labels.items()},
            "positions": {label: pk for pk, label in d.position_labels.items()},
        }
    for name, choices in (
        ("source", c.DutySource.choices),
        ("category", c.DutyCategory.choices),
        ("frequency", c.Frequency.choices),
        ("level", c.Level.choices),
        ("role", c.TaskRole.choices),
    ):
        maps[name] = {str(label): value for value, label in choices}
    (work / "maps.json").write_text(json.dumps(maps, ensure_ascii=False))
    return {"departments": len(org.departments)}


def fresh_copy(work: Path, name: str) -> Path:
    target = work / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(work / "base", target)
    return target


# -- qingdan --------------------------------------------------------------------------------------


def run_ours(work: Path) -> dict[str, Any]:
    setup_django(fresh_copy(work, "ours"))
    from qingdan.core.changelog import verify_chain
    from qingdan.core.models import ChangeLogEntry, User
    from qingdan.duties.importers import import_list
    from qingdan.duties.models import DutyItem, Task, TaskPosition
    from qingdan.org.models import Department

    operator = User.objects.get(username="bench")
    departments = {d.code: d for d in Department.objects.all()}
    books = sorted((work / "books").glob("*.xlsx"))
    log_before = ChangeLogEntry.objects.count()
    start = time.perf_counter()
    for book in books:
        result = import_list(book.read_bytes(), departments[book.stem], acting_user=operator)
        if not result.ok:
            raise SystemExit(f"{book.name}: {result.messages(5)}")
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "items": DutyItem.objects.count(),
        "tasks": Task.objects.count(),
        "task_positions": TaskPosition.objects.count(),
        "log_entries": ChangeLogEntry.objects.count() - log_before,
        "chain_ok": verify_chain().ok,
    }


# -- the limit ------------------------------------------------------------------------------------

ITEM_COLS = [
    "created_at",
    "updated_at",
    "status",
    "order",
    "code",
    "source",
    "clause",
    "text",
    "category",
    "is_core",
    "department_id",
    "region_id",
    "search_text",
    "id",
]
TASK_COLS = [
    "created_at",
    "updated_at",
    "status",
    "order",
    "code",
    "name",
    "description",
    "frequency",
    "occurrences",
    "unit_hours",
    "time_limit_days",
    "time_limit_note",
    "legal_basis",
    "work_spec",
    "output_templates",
    "is_supervision",
    "is_enforcement",
    "discretion",
    "risk_level",
    "has_process",
    "department_id",
    "duty_item_id",
    "lead_unit_id",
    "region_id",
    "search_text",
    "id",
]
TP_COLS = [
    "created_at",
    "updated_at",
    "role",
    "department_id",
    "position_id",
    "region_id",
    "task_id",
]


def _insert_sql(table: str, columns: list[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'


LOG_COLS = [
    "seq",
    "timestamp",
    "user_id_snapshot",
    "username",
    "kind",
    "model",
    "object_id",
    "object_repr",
    "region_id_snapshot",
    "department_id_snapshot",
    "before",
    "after",
    "request_id",
    "reason",
    "prev_hash",
    "entry_hash",
]


class BareLog:
    """The least a per-row, hash-chained change log costs: each row's columns as a JSON object
    (sorted keys), one SHA-256 over the entry chained to the previous one, one row per entry
    through ``executemany`` — no model instances, no checks. What ``record_many`` must do at
    minimum for every row an import writes."""

    def __init__(self, now: str) -> None:
        import hashlib

        self.sha = hashlib.sha256
        self.dumps = json.JSONEncoder(
            sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode
        self.now = now
        self.seq = 0
        self.prev = "0" * 64
        self.rows: list[tuple[Any, ...]] = []

    def add(self, model: str, columns: list[str], row: tuple[Any, ...], pk: Any) -> None:
        self.seq += 1
        after = self.dumps(dict(zip(columns, row, strict=True)))
        text = f'{{"after":{after},"model":"{model}","oid":"{pk}","prev":"{self.prev}","seq":{self.seq},"ts":"{self.now}"}}'
        digest = self.sha(text.encode()).hexdigest()
        self.rows.append(
            (self.seq, self.now, None, "bench", "create", model, str(pk), "", None, None,
             None, after, "", "", self.prev, digest)
        )  # fmt: skip
        self.prev = digest

    def flush(self, db: sqlite3.Connection) -> None:
        db.executemany(_insert_sql("core_changelogentry", LOG_COLS), self.rows)
        self.rows = []


def run_limit(work: Path, *, log: bool = False) -> dict[str, Any]:
    """python-calamine + executemany: the floor any importer of these rows stands on; with
    ``log``, the same plus the least a per-row hash-chained change log costs (:class:`BareLog`)."""
    import python_calamine

    run_dir = fresh_copy(work, "limit-log" if log else "limit")
    start = time.perf_counter()
    maps = json.loads((work / "maps.json").read_text())
    db = sqlite3.connect(run_dir / "qingdan.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    # Column positions as the template lays them out (序号 in A).
    header = [
        "item_code",
        "source",
        "clause",
        "item_text",
        "category",
        "is_core",
        "task_code",
        "task_name",
        "description",
        "lead_unit",
        "coop_units",
        "frequency",
        "occurrences",
        "unit_hours",
        "time_limit_days",
        "time_limit_note",
        "legal_basis",
        "work_spec",
        "output_templates",
        "is_supervision",
        "is_enforcement",
        "discretion",
        "risk_level",
        "lead_position",
        "assist_positions",
        "backup_positions",
    ]
    at = {key: i + 1 for i, key in enumerate(header)}
    split = re.compile("[、,，]")
    next_id = {"item": 1, "task": 1}
    counts = {"items": 0, "tasks": 0, "task_positions": 0}
    bare_log = BareLog(now) if log else None
    if bare_log is not None:
        last = db.execute(
            "SELECT seq, entry_hash FROM core_changelogentry ORDER BY seq DESC LIMIT 1"
        )
        bare_log.seq, bare_log.prev = last.fetchone() or (0, "0" * 64)
    for book in sorted((work / "books").glob("*.xlsx")):
        dept = maps["departments"][book.stem]
        units, positions = dept["units"], dept["positions"]
        sheet = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("履职清单")
        rows = sheet.to_python()[3:]
        items: dict[str, int] = {}
        item_rows, task_rows, tp_rows, coop_rows = [], [], [], []
        for row in rows:
            code = row[at["item_code"]]
            if code not in items:
                items[code] = next_id["item"]
                next_id["item"] += 1
                item_rows.append(
                    (
                        now,
                        now,
                        "draft",
                        len(items),
                        code,
                        maps["source"].get(row[at["source"]], "mandate"),
                        row[at["clause"]],
                        row[at["item_text"]],
                        maps["category"].get(row[at["category"]], "other"),
                        row[at["is_core"]] == "是",
                        dept["id"],
                        dept["region_id"],
                        "",
                        items[code],
                    )
                )
            if not row[at["task_name"]]:
                continue
            task_id = next_id["task"]
            next_id["task"] += 1
            task_rows.append(
                (
                    now,
                    now,
                    "draft",
                    task_id,
                    row[at["task_code"]],
                    row[at["task_name"]],
                    row[at["description"]],
                    maps["frequency"][row[at["frequency"]]],
                    str(row[at["occurrences"]]),
                    str(row[at["unit_hours"]]),
                    row[at["time_limit_days"]] or None,
                    row[at["time_limit_note"]],
                    row[at["legal_basis"]],
                    row[at["work_spec"]],
                    row[at["output_templates"]],
                    row[at["is_supervision"]] == "是",
                    row[at["is_enforcement"]] == "是",
                    maps["level"].get(row[at["discretion"]], ""),
                    maps["level"].get(row[at["risk_level"]], ""),
                    False,
                    dept["id"],
                    items[code],
                    units[row[at["lead_unit"]]],
                    dept["region_id"],
                    "",
                    task_id,
                )
            )
            for name in split.split(row[at["coop_units"]]) if row[at["coop_units"]] else ():
                coop_rows.append((task_id, units[name]))
            for key, role in (
                ("lead_position", "lead"),
                ("assist_positions", "assist"),
                ("backup_positions", "backup"),
            ):
                for label in split.split(row[at[key]]) if row[at[key]] else ():
                    tp_rows.append(
                        (now, now, role, dept["id"], positions[label], dept["region_id"], task_id)
                    )
        with db:
            db.executemany(_insert_sql("duties_dutyitem", ITEM_COLS), item_rows)
            db.executemany(_insert_sql("duties_task", TASK_COLS), task_rows)
            db.executemany(_insert_sql("duties_taskposition", TP_COLS), tp_rows)
            db.executemany(
                _insert_sql("duties_task_cooperating_units", ["task_id", "unit_id"]), coop_rows
            )
            if bare_log is not None:
                for row in item_rows:
                    bare_log.add("duties.dutyitem", ITEM_COLS, row, row[-1])
                for row in task_rows:
                    bare_log.add("duties.task", TASK_COLS, row, row[-1])
                first_tp = db.execute("SELECT COALESCE(MAX(id), 0) FROM duties_taskposition")
                last = first_tp.fetchone()[0]
                for offset, row in enumerate(tp_rows):
                    bare_log.add(
                        "duties.taskposition", TP_COLS, row, last - len(tp_rows) + 1 + offset
                    )
                bare_log.flush(db)
        counts["items"] += len(item_rows)
        counts["tasks"] += len(task_rows)
        counts["task_positions"] += len(tp_rows)
    seconds = time.perf_counter() - start
    db.close()
    return {"seconds": seconds, "peak_mb": peak_mb(), **counts}


# -- the peer: django-import-export ---------------------------------------------------------------


def peer_resources(dept: Any) -> tuple[Any, Any, Any]:
    """ModelResources a Django developer would write for this sheet, scoped to ``dept``."""
    from import_export import fields, resources, widgets

    from qingdan.duties import choices as c
    from qingdan.duties.models import DutyItem, Task, TaskPosition
    from qingdan.org.models import Position, Unit

    class Label(widgets.Widget):
        def __init__(self, choices: Any) -> None:
            super().__init__()
            self.values = {str(label): value for value, label in choices}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return self.values.get(str(value).strip(), "") if value not in (None, "") else ""

    class YesNo(widgets.Widget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
            return str(value).strip() == "是"

    class InDept(widgets.ForeignKeyWidget):
        def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
            return self.model.objects.filter(department=dept)

    class UnitsInDept(widgets.ManyToManyWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            if not value:
                return Unit.objects.none()
            names = [n.strip() for n in re.split("[、,，]", str(value)) if n.strip()]
            return Unit.objects.filter(department=dept, name__in=names)

    class PositionInDept(widgets.ForeignKeyWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            qs = Position.objects.filter(department=dept)
            exact = qs.filter(name=value)
            if len(exact) == 1:
                return exact[0]
            match = re.fullmatch(r"(.+)（(.+?)）", str(value))
            if match:
                name, unit = match.group(1), match.group(2).split("·")[0]
                qs = qs.filter(name=name)
                qs = (
                    qs.filter(unit__isnull=True)
                    if unit == "部门领导"
                    else qs.filter(unit__name=unit)
                )
                return qs.get()
            return qs.get(name=value)

    def text(attribute: str, header: str) -> Any:
        return fields.Field(attribute=attribute, column_name=header, widget=widgets.CharWidget())

    class InDepartment(resources.ModelResource):
        def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
            instance.department = dept
            instance.region_id = dept.region_id

    class ItemResource(InDepartment):
        code = text("code", "事项编码")
        source = fields.Field("source", "来源", widget=Label(c.DutySource.choices))
        clause = text("clause", "三定条款")
        text_ = text("text", "*职责内容")  # the template marks required headers
        category = fields.Field("category", "类别", widget=Label(c.DutyCategory.choices))
        is_core = fields.Field("is_core", "核心职能", widget=YesNo())

        class Meta:
            model = DutyItem
            fields = ("code", "source", "clause", "text_", "category", "is_core")
            import_id_fields = ("code",)
            skip_unchanged = True
            clean_model_instances = True

        def get_queryset(self) -> Any:
            return DutyItem.objects.filter(department=dept)

    class TaskResource(InDepartment):
        duty_item = fields.Field("duty_item", "事项编码", widget=InDept(DutyItem, "code"))
        code = text("code", "任务编码")
        name = text("name", "任务名称")
        description = text("description", "任务内容")
        lead_unit = fields.Field("lead_unit", "承办科室", widget=InDept(Unit, "name"))
        cooperating_units = fields.Field("cooperating_units", "协办科室", widget=UnitsInDept(Unit))
        frequency = fields.Field("frequency", "频次", widget=Label(c.Frequency.choices))
        occurrences = fields.Field("occurrences", "年次数", widget=widgets.DecimalWidget())
        unit_hours = fields.Field("unit_hours", "单次工时（小时）", widget=widgets.DecimalWidget())
        time_limit_days = fields.Field(
            "time_limit_days", "办理时限（工作日）", widget=widgets.IntegerWidget()
        )
        time_limit_note = text("time_limit_note", "时限说明")
        legal_basis = text("legal_basis", "法律依据")
        work_spec = text("work_spec", "工作规范")
        output_templates = text("output_templates", "文本样板")
        is_supervision = fields.Field("is_supervision", "监管事项", widget=YesNo())
        is_enforcement = fields.Field("is_enforcement", "执法事项", widget=YesNo())
        discretion = fields.Field("discretion", "自由裁量", widget=Label(c.Level.choices))
        risk_level = fields.Field("risk_level", "廉政风险", widget=Label(c.Level.choices))

        class Meta:
            model = Task
            fields = [
                "duty_item",
                "code",
                "name",
                "description",
                "lead_unit",
                "cooperating_units",
                "frequency",
                "occurrences",
                "unit_hours",
                "time_limit_days",
                "time_limit_note",
                "legal_basis",
                "work_spec",
                "output_templates",
                "is_supervision",
                "is_enforcement",
                "discretion",
                "risk_level",
            ]
            import_id_fields = ("code",)
            skip_unchanged = True
            clean_model_instances = True

        def get_queryset(self) -> Any:
            return Task.objects.filter(department=dept)

        def skip_row(self, instance: Any, original: Any, row: Any, *args: Any, **kw: Any) -> bool:
            return not row.get("任务名称") or super().skip_row(instance, original, row, *args, **kw)

    class TaskPositionResource(InDepartment):
        task = fields.Field("task", "任务编码", widget=InDept(Task, "code"))
        position = fields.Field("position", "岗位", widget=PositionInDept(Position))
        role = fields.Field("role", "角色", widget=Label(c.TaskRole.choices))

        class Meta:
            model = TaskPosition
            fields = ("task", "position", "role")
            import_id_fields = ("task", "position")
            skip_unchanged = True
            clean_model_instances = True

    return ItemResource(), TaskResource(), TaskPositionResource()


def run_peer(work: Path, codes: list[str]) -> dict[str, Any]:
    setup_django(fresh_copy(work, "peer"))
    import tablib
    from django.db import transaction

    from qingdan.duties.models import DutyItem, Task, TaskPosition
    from qingdan.org.models import Department

    departments = {d.code: d for d in Department.objects.all()}
    start = time.perf_counter()
    for code in codes:
        with (work / "books" / f"{code}.xlsx").open("rb") as f:
            data = tablib.Dataset().load(f, format="xlsx", skip_lines=2)
        items, tasks, task_positions = peer_resources(departments[code])
        expanded = tablib.Dataset(headers=["任务编码", "岗位", "角色"])
        for row in data.dict:
            for header, role in (
                ("主办岗位", "主办"),
                ("协办岗位", "协办"),
                ("AB角", "AB角（备岗）"),
            ):
                for label in re.split("[、,，]", row.get(header) or ""):
                    if label.strip():
                        expanded.append([row["任务编码"], label.strip(), role])
        with transaction.atomic():
            for resource_, dataset in ((items, data), (tasks, data), (task_positions, expanded)):
                result = resource_.import_data(dataset, raise_errors=True, use_transactions=False)
                if result.has_validation_errors():
                    raise SystemExit(f"peer {code}: {result.invalid_rows[:3]}")
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "items": DutyItem.objects.count(),
        "tasks": Task.objects.count(),
        "task_positions": TaskPosition.objects.count(),
    }


# -- orchestration --------------------------------------------------------------------------------


def child(mode: str, work: Path, extra: list[str]) -> dict[str, Any]:
    """Run one measurement in a fresh process (its own peak memory), return its JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGDAN_")}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--work", str(work), *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=work,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


PEER = "django-import-export>=4,<5"


def ensure_peer() -> None:
    """Install the peer into this venv if it is missing (never a project dependency)."""
    try:
        import import_export  # noqa: F401
    except ImportError:
        print(f"== installing {PEER} into {sys.prefix} for this benchmark only", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", PEER, "tablib[xlsx]"], check=True
        )


def pick_peer_departments(tasks_per_dept: dict[str, int], n: int) -> list[str]:
    """``n`` departments spread over the size range (smallest, largest and between)."""
    ordered = sorted(tasks_per_dept, key=lambda code: (tasks_per_dept[code], code))
    if n >= len(ordered):
        return ordered
    step = (len(ordered) - 1) / max(1, n - 1)
    return sorted({ordered[round(i * step)] for i in range(n)})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--peer-departments", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--codes", default="", help=argparse.SUPPRESS)
    parser.add_argument("--reuse", help="a directory kept by --keep: skip the generation")
    args = parser.parse_args()
    if args.child:
        work = Path(args.work)
        runs = {
            "full": lambda: prepare_full(work),
            "base": lambda: prepare_base(work),
            "ours": lambda: run_ours(work),
            "limit": lambda: run_limit(work),
            "limit-log": lambda: run_limit(work, log=True),
            "peer": lambda: run_peer(work, args.codes.split(",")),
        }
        print(json.dumps(runs[args.child]()))
        return

    work = Path(args.reuse or tempfile.mkdtemp(prefix="qingdan-bench-import-"))
    try:
        if args.reuse:
            full = json.loads((work / "full.json").read_text())
        else:
            full = child("full", work, [])
            child("base", work, [])
            (work / "full.json").write_text(json.dumps(full))
        print(
            f"== 履职清单 workbooks: {full['departments']} departments, {full['items']} duty items, "
            f"{full['tasks']} tasks, {full['task_positions']} task positions; "
            f"{full['workbook_mb']:.1f} MB of .xlsx written by the exporter in {full['export_s']:.1f} s",
            flush=True,
        )
        ensure_peer()
        limit = child("limit", work, [])
        print(f"limit: {limit['seconds']:.1f} s, {limit['peak_mb']:.0f} MB", flush=True)
        limit_log = child("limit-log", work, [])
        print(
            f"limit + bare change log: {limit_log['seconds']:.1f} s, {limit_log['peak_mb']:.0f} MB",
            flush=True,
        )
        ours = child("ours", work, [])
        print(f"qingdan: {ours['seconds']:.1f} s, {ours['peak_mb']:.0f} MB", flush=True)
        if (ours["items"], ours["tasks"]) != (limit["items"], limit["tasks"]):
            raise SystemExit(f"row counts differ: ours {ours}, limit {limit}")
        codes = pick_peer_departments(full["tasks_per_dept"], args.peer_departments)
        peer = child("peer", work, ["--codes", ",".join(codes)])
        share = sum(full["tasks_per_dept"][c] for c in codes) / full["tasks"]
        peer_all = peer["seconds"] / share
        print(f"{'':<44}{'wall s':>9}{'peak MB':>9}")
        print(
            f"{'limit: calamine + executemany (no checks)':<44}{limit['seconds']:>9.1f}{limit['peak_mb']:>9.0f}"
        )
        print(
            f"{'limit + bare hash-chained log, a row each':<44}{limit_log['seconds']:>9.1f}"
            f"{limit_log['peak_mb']:>9.0f}"
        )
        print(
            f"{'qingdan import (checks + change log)':<44}{ours['seconds']:>9.1f}{ours['peak_mb']:>9.0f}"
        )
        print(
            f"{'peer: django-import-export (extrapolated)':<44}{peer_all:>9.1f}{peer['peak_mb']:>9.0f}"
            f"   measured {peer['seconds']:.1f} s on {len(codes)} departments "
            f"({peer['tasks']} tasks, {share:.1%} of the rows), × {1 / share:.1f}"
        )
        print(
            f"rows written by qingdan: {ours['items']} duty items, {ours['tasks']} tasks, "
            f"{ours['task_positions']} task positions, {ours['log_entries']} change-log entries "
            f"(chain verified: {ours['chain_ok']})"
        )
        print(f"ratio qingdan / limit: {ours['seconds'] / limit['seconds']:.1f}x  (goal ≤ 3x)")
        print(
            f"ratio limit+log / limit: {limit_log['seconds'] / limit['seconds']:.1f}x  "
            "(what the change log alone costs; qingdan / (limit+log): "
            f"{ours['seconds'] / limit_log['seconds']:.1f}x)"
        )
        print(f"ratio peer / qingdan : {peer_all / ours['seconds']:.1f}x  (goal ≥ 10x)")
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        (out / "import.json").write_text(
            json.dumps(
                {
                    "workbooks": full,
                    "limit": limit,
                    "limit_log": limit_log,
                    "qingdan": ours,
                    "peer": peer,
                    "peer_codes": codes,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    finally:
        if args.keep or args.reuse:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
