"""Import of a department's 履职清单 workbook: every row checked by the back office's rules,
every problem reported at once, and nothing written unless all rows are good.

Pipeline (:func:`import_list`):

1. the gate: the user must be allowed to add list rows in the department;
2. the spreadsheet engine reads the sheet (size, zip-bomb, encryption, sheet and header, merged
   cells, hidden rows, formulas, stray spaces, cell types and dropdown values — see
   ``documents.xlsx``), resolving units and positions by name or code *within the department*;
3. inside one transaction holding the department's row lock: the department's duty items, tasks
   and position assignments are loaded once (a fixed number of queries, whatever the row count);
   rows are matched to existing rows by the hidden system id, else by code; each changed or new
   row goes through the same ``validate_*`` services and the model's field rules as a back-office
   form (``core.validation.clean_fields_many``: ``full_clean``'s rules and messages, a column
   at a time; the position-assignment rules once per position for new tasks);
   uniqueness of codes is checked against the loaded rows instead of one query per row, with the
   models' own constraint messages;
4. if any row is bad the result lists every error by sheet, row and column and nothing is
   written — unless the user chose to skip bad rows; otherwise the new and changed rows are
   written in bulk, each with its change-log entry (``record_many``).

Existing rows: ``update`` (default) applies the file's values, ``skip`` leaves them as stored,
``stop`` refuses any change to them (the file may only add). Rows the file leaves unchanged are
never touched, so re-importing an export is a no-op.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import translation

from qingdan.core import bulk
from qingdan.core.access import restrict
from qingdan.core.changelog import snapshot
from qingdan.core.choices import Action
from qingdan.core.validation import clean_fields_many
from qingdan.documents.xlsx import (
    CellError,
    ReadLimits,
    Row,
    annotate,
    find_duplicates,
    format_errors,
    read_workbook,
)
from qingdan.documents.xlsx.columns import STRIP_CHARS
from qingdan.documents.xlsx.report import sort_key
from qingdan.duties import choices as c
from qingdan.duties import services
from qingdan.duties.import_write import ItemPlan, TaskPlan, write_plans
from qingdan.duties.models import DutyItem, Task, TaskPosition
from qingdan.duties.scope import department_allows
from qingdan.duties.spreadsheet import (
    ITEM_FIELD_COLUMNS,
    LIST_SPEC,
    ROLE_COLUMNS,
    TASK_FIELD_COLUMNS,
    TASK_FIELD_KEYS,
    TASK_KEYS,
    TASK_PLAIN_FIELDS,
    Dictionaries,
    dictionaries,
)
from qingdan.org.models import Department, Position, Unit

Progress = Callable[[int, int, str], None]


class OnExisting(models.TextChoices):
    """What to do with rows of the file that match rows already in the list (已有事项)."""

    UPDATE = "update", "更新已有事项"
    SKIP = "skip", "跳过已有事项（保持原样）"
    STOP = "stop", "已有事项有改动则报错（只新增）"


@dataclass(frozen=True)
class ImportOptions:
    on_existing: str = OnExisting.UPDATE
    skip_bad: bool = False
    dry_run: bool = False
    reason: str = ""


@dataclass
class ImportResult:
    """What an import found and did; ``errors`` are in sheet/row/column order."""

    department: Department
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    fatal: bool = False
    annotatable: bool = False
    written: bool = False
    skipped_rows: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self, limit: int | None = 1000) -> list[str]:
        return format_errors(self.errors, limit)

    def summary(self) -> str:
        n = self.counts
        parts = [
            f"职责事项新增{n['items_created']}项、更新{n['items_updated']}项",
            f"工作任务新增{n['tasks_created']}项、更新{n['tasks_updated']}项",
            f"岗位分配新增{n['positions_created']}条、调整{n['positions_updated']}条、"
            f"删除{n['positions_deleted']}条",
        ]
        kept = n["items_unchanged"] + n["tasks_unchanged"]
        if kept:
            parts.append(f"未改动{kept}项")
        skipped = n["items_skipped"] + n["tasks_skipped"]
        if skipped:
            parts.append(f"按“跳过已有事项”保留原样{skipped}项")
        if self.skipped_rows:
            parts.append(f"跳过有错误的行{len(self.skipped_rows)}行")
        text = "；".join(parts) + "。"
        if not self.written:
            text = ("试导入（未写入）：" if self.ok or self.skipped_rows else "未写入：") + text
        return text


def annotated_workbook(data: bytes, result: ImportResult) -> bytes | None:
    """The user's workbook with the bad cells marked and a 错误清单 sheet (None if unreadable)."""
    if not result.annotatable or not result.errors:
        return None
    try:
        return annotate(data, result.errors)
    except ValueError:
        return None


def import_list(
    data: bytes,
    department: Department,
    *,
    acting_user: Any,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a filled 履职清单 workbook into ``department`` (see the module docstring).

    ``acting_user=None`` is the operator at the server's console (``qingdan import`` without
    ``--user``): no data-scope restriction, logged as “system”.
    """
    options = options or ImportOptions()
    if acting_user is not None and not department_allows(acting_user, Action.ADD, department):
        raise PermissionDenied(f"您没有向“{department.name}”导入履职清单的权限。")
    with translation.override(settings.LANGUAGE_CODE), bulk.collector_paused():
        return _Importer(data, department, acting_user, options, progress).run()


_COUNTED = {
    "create": "created",
    "update": "updated",
    "unchanged": "unchanged",
    "skip": "skipped",
    "dropped": "dropped",
}
ITEM_EXCLUDE = ["department", "region", "mandate", "created_by", "updated_by"]
TASK_EXCLUDE = ["duty_item", "department", "region", "created_by", "updated_by"]


def _constraint_message(model: type[models.Model], name: str) -> str:
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.violation_error_message)
    raise LookupError(name)  # pragma: no cover - a renamed constraint is a programming error


_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Defaults of the task columns a row leaves empty (the model's own defaults).
_TASK_DEFAULTS = {
    name: (
        bool(Task._meta.get_field(name).get_default())
        if isinstance(Task._meta.get_field(name), models.BooleanField)
        else Task._meta.get_field(name).get_default()
    )
    for name in TASK_PLAIN_FIELDS
}


def _norm(value: Any) -> Any:
    """Compare text as the reader returns it (trimmed, CRLF → LF, half-width digits)."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip(STRIP_CHARS).translate(_DIGITS)
    return value


class _Importer:
    def __init__(
        self,
        data: bytes,
        department: Department,
        user: Any,
        options: ImportOptions,
        progress: Progress | None,
    ) -> None:
        self.data = data
        self.department = department
        self.user = user
        self.uid = getattr(user, "pk", None)
        self.options = options
        self.progress = progress or (lambda done, total, message: None)
        self.result = ImportResult(department)
        self.errors = self.result.errors
        self.bad_rows: set[int] = set()
        self.sheet = LIST_SPEC.sheet_name
        self._tp_verdicts: dict[tuple[Any, ...], tuple[Any, Any, list[str]]] = {}
        self._field_checks: list[TaskPlan] = []  # tasks whose service rules passed

    # -- errors -------------------------------------------------------------------------------

    def error(self, row: Row, key: str, message: str) -> None:
        self.bad_rows.add(row.number)
        if key in row.invalid:
            return  # the cell itself was already reported as unreadable
        self.errors.append(LIST_SPEC.error(row.number, key, message, row.get(key)))

    def row_error(self, row: Row, message: str) -> None:
        self.bad_rows.add(row.number)
        self.errors.append(CellError(sheet=self.sheet, row=row.number, message=message))

    def report(
        self, exc: ValidationError, row: Row, columns: dict[str, str], model: type[models.Model]
    ) -> None:
        """Put a service's or model's ValidationError on the cells it concerns."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.error(row, columns["__all__"], message)
            return
        for name, messages in exc.message_dict.items():
            key = columns.get(name)
            for message in messages:
                if key is not None:
                    self.error(row, key, message)
                else:
                    try:
                        label = str(model._meta.get_field(name).verbose_name)
                    except FieldDoesNotExist:
                        label = name
                    self.row_error(row, f"{label}：{message}")

    # -- pipeline -----------------------------------------------------------------------------

    def run(self) -> ImportResult:
        result = self.result
        self.dicts: Dictionaries = dictionaries([self.department])
        limits = ReadLimits(max_file_bytes=settings.QINGDAN_MAX_UPLOAD_BYTES)
        self.progress(0, 1, "正在读取工作簿…")
        read = read_workbook(
            self.data, LIST_SPEC, choices=self.dicts.reading_choices(), limits=limits
        )
        result.warnings = read.warnings
        result.annotatable = read.annotatable
        self.errors.extend(read.errors)
        if read.fatal:
            result.fatal = True
            return result
        rows = read.rows
        for error in read.errors:
            if error.row:
                self.bad_rows.add(error.row)
        self.total = 2 * len(rows) or 1
        try:
            with transaction.atomic():
                # One import at a time per department: the codes and rows loaded below stay true
                # until this transaction writes.
                Department.objects.select_for_update().filter(pk=self.department.pk).first()
                self._load()
                self._check_rows(rows)
                items = self._plan_items(rows)
                tasks = self._plan_tasks(rows, items)
                self._check_codes(items, tasks)
                self.errors.sort(key=sort_key)
                if self.errors and not self.options.skip_bad:
                    return result
                if self.errors:
                    result.skipped_rows = sorted(self.bad_rows)
                    items, tasks = self._drop_bad(items, tasks)
                self._count(items, tasks)
                if self.options.dry_run:
                    return result
                self._write(items, tasks)
                result.written = True
        except IntegrityError:
            # Codes swapped between two existing rows, or a writer outside this lock.
            result.written = False
            result.counts.clear()
            self.errors.append(
                CellError(
                    sheet=self.sheet,
                    message="写入时与本部门已有数据冲突（如两行互换编码，或其他用户同时修改），"
                    "未写入任何数据，请检查后重新导入。",
                )
            )
        return result

    # -- loading ------------------------------------------------------------------------------

    def _load(self) -> None:
        dept = self.department
        self.items_by_id = {i.pk: i for i in DutyItem.objects.filter(department=dept)}
        self.items_by_code = {i.code: i for i in self.items_by_id.values()}
        self.tasks_by_id = {t.pk: t for t in Task.objects.filter(department=dept)}
        self.tasks_by_code = {t.code: t for t in self.tasks_by_id.values()}
        through = Task.cooperating_units.through
        self.coop_by_task: dict[int, list[int]] = defaultdict(list)
        for task_id, unit_id in through.objects.filter(task__department=dept).values_list(
            "task_id", "unit_id"
        ):
            self.coop_by_task[task_id].append(unit_id)
        self.tps_by_task: dict[int, list[TaskPosition]] = defaultdict(list)
        for tp in TaskPosition.objects.filter(department=dept):
            self.tps_by_task[tp.task_id].append(tp)
        user = self.user
        items = DutyItem.objects.filter(department=dept)
        tasks = Task.objects.filter(department=dept)
        if user is not None:
            items = restrict(items, user, Action.CHANGE)
            tasks = restrict(tasks, user, Action.CHANGE)
        self.changeable_items = set(items.values_list("id", flat=True))
        self.changeable_tasks = set(tasks.values_list("id", flat=True))
        self.next_order = {
            DutyItem: max((i.order for i in self.items_by_id.values()), default=0),
            Task: max((t.order for t in self.tasks_by_id.values()), default=0),
        }

    def _foreign(self, model: type[DutyItem | Task], ids: set[int]) -> dict[int, str]:
        """Names of the departments owning ids that are not this department's rows."""
        names: dict[int, str] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for pk, name in model.objects.filter(pk__in=chunk).values_list(
                "id", "department__name"
            ):
                names[pk] = name
        return names

    # -- rows ---------------------------------------------------------------------------------

    def _check_rows(self, rows: list[Row]) -> None:
        """Row-level checks: the department column, task rows needing a name, duplicate ids."""
        code = self.department.code
        self.file_task_codes = {r["task_code"] for r in rows if r.get("task_code")}
        for row in rows:
            other = row.get("department_code")
            if other and other != code:
                self.error(
                    row,
                    "department_code",
                    f"本行来自其他部门（部门编码“{other}”）的清单，不能导入到“{self.department.name}”",
                )
            if row.get("task_name") is None and any(
                row.get(k) not in (None, ()) for k in TASK_KEYS if k != "task_name"
            ):
                self.error(row, "task_name", "填写了工作任务或承办岗位的其他列时，任务名称不能为空")
        for error in find_duplicates(rows, "task_id", LIST_SPEC):
            self.bad_rows.add(error.row)
            self.errors.append(error)
        foreign_items = {
            r["item_id"] for r in rows if r.get("item_id") and r["item_id"] not in self.items_by_id
        }
        foreign_tasks = {
            r["task_id"] for r in rows if r.get("task_id") and r["task_id"] not in self.tasks_by_id
        }
        self.foreign_item_names = self._foreign(DutyItem, foreign_items)
        self.foreign_task_names = self._foreign(Task, foreign_tasks)

    def _missing_id(self, row: Row, key: str, names: dict[int, str], what: str) -> None:
        owner = names.get(row[key])
        if owner:
            message = f"该{what}属于“{owner}”，不能导入到“{self.department.name}”"
        else:
            message = f"系统中没有编号为{row[key]}的{what}（可能已被删除），新增请清空本列"
        self.error(row, key, message)

    # -- duty items ---------------------------------------------------------------------------

    def _plan_items(self, rows: list[Row]) -> dict[int, ItemPlan]:
        """Group rows by duty item; returns row number → the item's plan."""
        by_key: dict[tuple[str, Any], ItemPlan] = {}
        of_row: dict[int, ItemPlan] = {}
        for index, row in enumerate(rows):
            existing = None
            if row.get("item_id"):
                existing = self.items_by_id.get(row["item_id"])
                if existing is None:
                    self._missing_id(row, "item_id", self.foreign_item_names, "职责事项")
            if existing is None and row.get("item_code"):
                existing = self.items_by_code.get(row["item_code"])
            if existing is not None:
                key: tuple[str, Any] = ("id", existing.pk)
            elif row.get("item_code"):
                key = ("code", row["item_code"])
            else:
                key = ("text", _norm(row.get("item_text")))
            plan = by_key.get(key)
            if plan is None:
                plan = by_key[key] = self._new_item_plan(row, existing)
            else:
                self._check_same_item(plan, row)
                plan.rows.append(row)
            of_row[row.number] = plan
            if index % 500 == 0:
                self.progress(index // 2, self.total, "正在校验职责事项…")
        self.item_plans = list(by_key.values())
        passed: list[ItemPlan] = []
        for plan in self.item_plans:
            if self._validate_item(plan):
                passed.append(plan)
        # The model's field rules, a column at a time over the rows the services passed.
        for index, exc in clean_fields_many([p.obj for p in passed], ITEM_EXCLUDE).items():
            plan = passed[index]
            self.report(exc, plan.rows[0], ITEM_FIELD_COLUMNS, DutyItem)
            plan.bad = True
        return of_row

    def _item_values(self, row: Row) -> dict[str, Any]:
        return {
            "source": row.get("source") or c.DutySource.MANDATE,
            "clause": row.get("clause") or "",
            "text": row.get("item_text") or "",
            "category": row.get("category") or c.DutyCategory.OTHER,
            "is_core": bool(row.get("is_core")),
        }

    def _check_same_item(self, plan: ItemPlan, row: Row) -> None:
        first = plan.rows[0]
        for key in ("item_code", "source", "clause", "item_text", "category", "is_core"):
            mine, theirs = row.get(key), first.get(key)
            if key == "item_code" and (mine is None or theirs is None):
                continue
            if key == "is_core":
                mine, theirs = bool(mine), bool(theirs)
            if _norm(mine) != _norm(theirs) and key not in first.invalid:
                header = LIST_SPEC.column(key).header
                self.error(
                    row,
                    key,
                    f"同一职责事项在第{first.number}行的“{header}”为“{theirs or ''}”，"
                    "各行应填写一致",
                )

    def _new_item_plan(self, row: Row, existing: DutyItem | None) -> ItemPlan:
        values = self._item_values(row)
        if existing is None:
            self.next_order[DutyItem] += 1
            obj = bulk.new(
                DutyItem,
                {
                    "department_id": self.department.pk,
                    "region_id": self.department.region_id,
                    "code": row.get("item_code") or "",
                    "status": c.ListStatus.DRAFT,
                    "order": self.next_order[DutyItem],
                    "created_by_id": self.uid,
                    "updated_by_id": self.uid,
                    **values,
                },
            )
            bulk.relate(obj, "department", self.department)
            return ItemPlan([row], obj, None)
        plan = ItemPlan([row], existing, existing, action="unchanged")
        code = row.get("item_code") or existing.code
        changed = {
            name: value
            for name, value in {"code": code, **values}.items()
            if _norm(getattr(existing, name)) != _norm(value)
        }
        if not changed:
            return plan
        policy = self.options.on_existing
        if policy == OnExisting.SKIP:
            plan.action = "skip"
            return plan
        if policy == OnExisting.STOP:
            self.error(
                row,
                "item_code",
                f"职责事项“{existing.code}”已存在，本行对其有改动（导入方式为只新增）",
            )
            plan.bad = True
            return plan
        if existing.pk not in self.changeable_items:
            self.error(row, "item_code", f"您无权修改职责事项“{existing.code}”")
            plan.bad = True
            return plan
        obj = DutyItem(
            **{f.attname: getattr(existing, f.attname) for f in DutyItem._meta.concrete_fields}
        )
        bulk.relate(obj, "department", self.department)
        obj._state.adding = False
        for name, value in changed.items():
            setattr(obj, name, value)
        obj.updated_by_id = self.uid
        plan.obj, plan.before, plan.action = obj, snapshot(existing), "update"
        return plan

    def _validate_item(self, plan: ItemPlan) -> bool:
        """The service's rules; True when they pass and the model's field rules are left."""
        if plan.action not in ("create", "update"):
            return False
        row = plan.rows[0]
        if plan.action == "create" and not plan.obj.code:
            plan.obj.code = self._allocate(DutyItem, "ZZ", 3)
        try:
            # The back office's rules: department and region from the parent, status, units …
            services.validate_duty_item(plan.obj)
        except ValidationError as exc:
            self.report(exc, row, ITEM_FIELD_COLUMNS, DutyItem)
            plan.bad = True
            return False
        return True

    # -- codes --------------------------------------------------------------------------------

    def _allocate(self, model: type[DutyItem | Task], prefix: str, width: int) -> str:
        """The next free code ``prefix`` + number, as ``services.next_code`` numbers them, over the
        codes already loaded and those taken by this file (no query per new row)."""
        if not hasattr(self, "_taken"):
            self._taken: dict[type, set[str]] = {
                DutyItem: set(self.items_by_code)
                | {r.obj.code for r in self.item_plans if r.obj.code},
                Task: set(self.tasks_by_code) | self.file_task_codes,
            }
            self._counters: dict[tuple[type, str], int] = {}
        taken = self._taken[model]
        key = (model, prefix)
        if key not in self._counters:
            numbers = [
                int(code[len(prefix) :])
                for code in taken
                if code.startswith(prefix) and code[len(prefix) :].isdigit()
            ]
            self._counters[key] = max(numbers, default=0)
        while True:
            self._counters[key] += 1
            code = f"{prefix}{self._counters[key]:0{width}d}"
            if code not in taken:
                taken.add(code)
                return code

    def _check_codes(self, of_row: dict[int, ItemPlan], tasks: list[TaskPlan]) -> None:
        """Codes unique in the department after the import (the models' constraint messages)."""
        final: dict[str, int] = {}
        moved = {p.existing.pk for p in self.item_plans if p.existing and p.action == "update"}
        for item in self.items_by_id.values():
            if item.pk not in moved:
                final[item.code] = item.pk
        message = _constraint_message(DutyItem, "dutyitem_code_unique")
        for plan in self.item_plans:
            if plan.action not in ("create", "update"):
                continue
            owner = final.get(plan.obj.code)
            if owner is not None and owner != (plan.existing.pk if plan.existing else None):
                self.error(plan.rows[0], "item_code", message)
                plan.bad = True
            final[plan.obj.code] = plan.existing.pk if plan.existing else -id(plan)
        final_tasks: dict[str, int] = {}
        moved_tasks = {t.existing.pk for t in tasks if t.existing and t.action == "update"}
        for task in self.tasks_by_id.values():
            if task.pk not in moved_tasks:
                final_tasks[task.code] = task.pk
        message = _constraint_message(Task, "task_code_unique")
        for plan in tasks:
            if plan.action not in ("create", "update"):
                continue
            me = plan.existing.pk if plan.existing else -id(plan)
            owner = final_tasks.get(plan.obj.code)
            # Two rows of the file with one code were reported by the reader already.
            if owner is not None and owner != me and owner > 0:
                self.error(plan.row, "task_code", message)
            final_tasks[plan.obj.code] = me

    # -- tasks --------------------------------------------------------------------------------

    def _plan_tasks(self, rows: list[Row], items: dict[int, ItemPlan]) -> list[TaskPlan]:
        plans: list[TaskPlan] = []
        first_row_of: dict[int, int] = {}
        units, positions = self.dicts.units, self.dicts.positions
        for index, row in enumerate(rows):
            if index % 500 == 0:
                self.progress(len(rows) // 2 + index // 2, self.total, "正在校验工作任务…")
            if row.get("task_name") is None and row.get("task_id") is None:
                continue
            item = items[row.number]
            existing = None
            if row.get("task_id"):
                existing = self.tasks_by_id.get(row["task_id"])
                if existing is None:
                    self._missing_id(row, "task_id", self.foreign_task_names, "工作任务")
            if existing is None and row.get("task_code"):
                existing = self.tasks_by_code.get(row["task_code"])
            if existing is not None:
                if existing.pk in first_row_of:
                    self.error(
                        row,
                        "task_code",
                        f"与第{first_row_of[existing.pk]}行是同一项工作任务（{existing.code}），"
                        "请合并为一行",
                    )
                    continue
                first_row_of[existing.pk] = row.number
            coop = [units[pk] for pk in row.get("coop_units") or ()]
            wanted: list[tuple[Position, str]] = []
            for role, key in ROLE_COLUMNS.items():
                value = row.get(key)
                ids = (value,) if isinstance(value, int) else (value or ())
                wanted.extend((positions[pk], role) for pk in ids)
            plan = self._task_plan(row, item, existing, coop, wanted)
            if plan is not None:
                plans.append(plan)
        # The model's field rules, a column at a time over the rows the services passed (the
        # 承办科室 resolved from the department's dictionary needs no second look).
        for with_lead in (True, False):
            batch = [p for p in self._field_checks if bool(p.obj.lead_unit_id) is with_lead]
            exclude = [*TASK_EXCLUDE, "lead_unit"] if with_lead else TASK_EXCLUDE
            for index, exc in clean_fields_many([p.obj for p in batch], exclude).items():
                self.report(exc, batch[index].row, TASK_FIELD_COLUMNS, Task)
        return plans

    def _task_values(self, row: Row) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in TASK_PLAIN_FIELDS:
            value = row.get(TASK_FIELD_KEYS.get(name, name))
            values[name] = _TASK_DEFAULTS[name] if value is None else value
        values["lead_unit_id"] = row.get("lead_unit")
        return values

    def _task_plan(
        self,
        row: Row,
        item: ItemPlan,
        existing: Task | None,
        coop: list[Unit],
        wanted: list[tuple[Position, str]],
    ) -> TaskPlan | None:
        values = self._task_values(row)
        seen: dict[int, str] = {}
        duplicate = _constraint_message(TaskPosition, "taskposition_unique")
        for position, role in wanted:
            if position.pk in seen:
                self.error(row, ROLE_COLUMNS[role], f"岗位“{position.name}”：{duplicate}")
            seen[position.pk] = role
        lead_unit = self.dicts.units.get(values["lead_unit_id"]) if values["lead_unit_id"] else None
        if existing is None:
            self.next_order[Task] += 1
            obj = bulk.new(
                Task,
                {
                    "department_id": self.department.pk,
                    "region_id": self.department.region_id,
                    "code": row.get("task_code") or "",
                    "status": c.ListStatus.DRAFT,
                    "order": self.next_order[Task],
                    "created_by_id": self.uid,
                    "updated_by_id": self.uid,
                    **values,
                },
            )
            bulk.relate(obj, "duty_item", item.obj)
            if lead_unit is not None:
                bulk.relate(obj, "lead_unit", lead_unit)
            plan = TaskPlan(row, item, obj, None, coop, wanted)
            if not obj.code:
                prefix = f"{item.obj.code}-" if item.obj.code else ""
                obj.code = (
                    self._allocate(Task, prefix, 2)
                    if prefix and len(prefix) <= 28
                    else self._allocate(Task, "RW", 5)
                )
            self._validate_task(plan)
            return plan
        plan = TaskPlan(row, item, existing, existing, coop, wanted, action="unchanged")
        obj = Task(
            **{
                f.attname: getattr(existing, f.attname)
                for f in Task._meta.concrete_fields
                if not f.generated
            }
        )
        obj._state.adding = False
        for name, value in values.items():
            setattr(obj, name, value)
        if row.get("task_code"):
            obj.code = row["task_code"]
        bulk.relate(obj, "duty_item", item.obj)
        if lead_unit is not None:
            bulk.relate(obj, "lead_unit", lead_unit)
        services.derive_occurrences(obj)
        stored_coop = sorted(self.coop_by_task.get(existing.pk, ()))
        stored_tps = {tp.position_id: tp for tp in self.tps_by_task.get(existing.pk, ())}
        wanted_roles = {p.pk: role for p, role in wanted}
        fields_changed = [
            f.attname
            for f in Task._meta.concrete_fields
            if not f.generated
            and f.attname not in ("updated_at", "updated_by_id", "search_text")
            and _norm(getattr(obj, f.attname)) != _norm(getattr(existing, f.attname))
        ]
        coop_changed = sorted({u.pk for u in coop}) != stored_coop
        tps_changed = wanted_roles != {pk: tp.role for pk, tp in stored_tps.items()}
        if not (fields_changed or coop_changed or tps_changed):
            return plan
        policy = self.options.on_existing
        if policy == OnExisting.SKIP:
            plan.action = "skip"
            return plan
        if policy == OnExisting.STOP:
            self.error(
                row,
                "task_code",
                f"工作任务“{existing.code}”已存在，本行对其有改动（导入方式为只新增）",
            )
            return plan
        if existing.pk not in self.changeable_tasks:
            self.error(row, "task_code", f"您无权修改工作任务“{existing.code}”")
            return plan
        obj.updated_by_id = self.uid
        plan.obj, plan.action = obj, "update"
        plan.before = snapshot(existing)
        plan.before_coop = stored_coop
        plan.coop_changed = coop_changed
        for position_id, tp in stored_tps.items():
            if position_id not in wanted_roles:
                plan.tp_delete.append(tp)
            elif wanted_roles[position_id] != tp.role:
                before = snapshot(tp)
                tp.role = wanted_roles[position_id]
                tp.updated_by_id = self.uid
                plan.tp_update.append((tp, before))
        plan.tp_create = [
            self._new_tp(obj, position, role)
            for position, role in wanted
            if position.pk not in stored_tps
        ]
        self._validate_task(plan, new_tps=False)
        return plan

    def _new_tp(self, task: Task, position: Position, role: str) -> TaskPosition:
        tp = bulk.new(
            TaskPosition,
            {
                "role": role,
                "created_by_id": self.uid,
                "updated_by_id": self.uid,
            },
        )
        bulk.relate(tp, "position", position)
        bulk.relate(tp, "task", task)
        return tp

    def _validate_task(self, plan: TaskPlan, *, new_tps: bool = True) -> None:
        row, obj = plan.row, plan.obj
        try:
            services.validate_task(obj, cooperating_units=plan.coop)
            self._field_checks.append(plan)
        except ValidationError as exc:
            self.report(exc, row, TASK_FIELD_COLUMNS, Task)
        if new_tps:
            plan.tp_create = [self._new_tp(obj, p, role) for p, role in plan.positions]
        # A position assignment's own fields are the position (resolved within the department by
        # the dropdown) and the role (the column it was typed in): the service's rules are what
        # is left to check — one 主办 and no position twice were checked on the row.
        for tp in [*plan.tp_create, *(tp for tp, _ in plan.tp_update)]:
            for message in self._tp_messages(tp, obj):
                self.error(row, ROLE_COLUMNS.get(tp.role, "lead_position"), message)

    def _tp_messages(self, tp: TaskPosition, task: Task) -> list[str]:
        """``validate_task_position``'s messages for ``tp`` (the scope columns it sets, set).

        For a new task the rules read only the position and the task's department and region,
        so their verdict is worked out once per position and reused: an import assigns ~47,000
        positions among a department's few dozen."""
        key = None
        if task.pk is None:
            key = (tp.position_id, task.department_id, task.region_id)
            known = self._tp_verdicts.get(key)
            if known is not None:
                tp.department_id, tp.region_id, messages = known
                return messages
        try:
            services.validate_task_position(tp, check_siblings=False)
            messages = []
        except ValidationError as exc:
            messages = exc.messages
        if key is not None:
            self._tp_verdicts[key] = (tp.department_id, tp.region_id, messages)
        return messages

    # -- skipping and counting ----------------------------------------------------------------

    def _drop_bad(
        self, of_row: dict[int, ItemPlan], tasks: list[TaskPlan]
    ) -> tuple[dict[int, ItemPlan], list[TaskPlan]]:
        bad = self.bad_rows
        kept_tasks = [t for t in tasks if t.row.number not in bad]
        for plan in self.item_plans:
            if plan.bad or all(r.number in bad for r in plan.rows):
                plan.action = "dropped"
        kept_tasks = [t for t in kept_tasks if t.item.action != "dropped"]
        return of_row, kept_tasks

    def _count(self, of_row: dict[int, ItemPlan], tasks: list[TaskPlan]) -> None:
        n = self.result.counts
        for plan in self.item_plans:
            n[f"items_{_COUNTED[plan.action]}"] += 1
        for plan in tasks:
            n[f"tasks_{_COUNTED[plan.action]}"] += 1
            if plan.action in ("create", "update"):
                n["positions_created"] += len(plan.tp_create)
                n["positions_updated"] += len(plan.tp_update)
                n["positions_deleted"] += len(plan.tp_delete)
        self.task_plans = tasks

    # -- writing ------------------------------------------------------------------------------

    def _write(self, of_row: dict[int, ItemPlan], tasks: list[TaskPlan]) -> None:
        write_plans(
            self.department,
            self.user,
            self.item_plans,
            tasks,
            reason=self.options.reason or "Excel导入履职清单",
            progress=lambda done, message: self.progress(done, self.total, message),
            total=self.total,
        )
