"""The 履职清单 workbook (职责任务清单): its columns, declared once, and how rows map to cells.

Layout — the one practitioners keep in Excel: a title row (“东川市教育局履职清单”), a two-row
header, 序号 in column A, then **one row per 工作任务** with its 职责事项's columns repeated on
every task row. A duty item without any task yet is one row whose task columns are empty. Three
groups sit over the columns:

* 职责事项: 事项编码, 来源, 三定条款, 职责内容, 类别, 核心职能;
* 工作任务: 任务编码, 任务名称, 任务内容, 承办科室, 协办科室, 频次, 年次数, 单次工时, 办理时限,
  时限说明, 法律依据, 工作规范, 文本样板, 监管事项, 执法事项, 自由裁量, 廉政风险;
* 承办岗位: 主办岗位, 协办岗位, AB角.

Hidden at the right: 部门编码 and the system ids of the duty item and the task, so an exported file
updates exactly the rows it came from. Dropdowns list the department's own units and positions;
limits (lengths, ranges, decimal places) and choice lists are read from the models, so the sheet
cannot drift from what the back office accepts. See docs/excel.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models

from qingdan.documents.xlsx import ChoiceSet, Column, Kind, TableSpec
from qingdan.documents.xlsx.columns import choice_key
from qingdan.duties import choices as c
from qingdan.duties.models import DutyItem, Task, TaskPosition
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Department, Position, Unit

SHEET_NAME = "履职清单"
ITEM_GROUP, TASK_GROUP, POSITION_GROUP = "职责事项", "工作任务", "承办岗位"
LEADERSHIP_LABEL = "部门领导"


def _limit(model: type[models.Model], name: str) -> int | None:
    """The maximum length the model enforces (CharField max_length or a max_text validator)."""
    field = model._meta.get_field(name)
    lengths = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    return min(lengths) if lengths else getattr(field, "max_length", None)


def _bounds(model: type[models.Model], name: str) -> dict[str, Any]:
    """min/max/decimal places of a numeric field, as the model validates them."""
    field = model._meta.get_field(name)
    out: dict[str, Any] = {}
    for v in field.validators:
        if isinstance(v, MinValueValidator):
            out["min_value"] = v.limit_value
        elif isinstance(v, MaxValueValidator):
            out["max_value"] = v.limit_value
    if isinstance(field, models.DecimalField):
        out["decimal_places"] = field.decimal_places
    if isinstance(field, models.PositiveIntegerField):
        out.setdefault("min_value", 0)
    return out


def _choices(choices: Iterable[tuple[Any, Any]]) -> tuple[tuple[Any, str], ...]:
    return tuple((value, str(label)) for value, label in choices)


def _text(key: str, model: type[models.Model], name: str, header: str, **kw: Any) -> Column:
    return Column(key, header, Kind.TEXT, max_length=_limit(model, name), **kw)


LIST_SPEC = TableSpec(
    sheet_name=SHEET_NAME,
    title="履职清单（职责任务清单）",
    columns=(
        _text(
            "item_code",
            DutyItem,
            "code",
            "事项编码",
            group=ITEM_GROUP,
            help="本部门内唯一；新增事项可留空，导入时自动编号（ZZ001…）。同一事项的各行编码相同。",
            example="ZZ001",
        ),
        Column(
            "source",
            "来源",
            Kind.CHOICE,
            group=ITEM_GROUP,
            choices=_choices(c.DutySource.choices),
            help="留空视为“三定条目”。",
        ),
        _text(
            "clause",
            DutyItem,
            "clause",
            "三定条款",
            group=ITEM_GROUP,
            example="主要职责（三）",
        ),
        _text(
            "item_text",
            DutyItem,
            "text",
            "职责内容",
            group=ITEM_GROUP,
            required=True,
            help="同一职责事项的每一行都要填写，且内容一致。",
        ),
        Column(
            "category",
            "类别",
            Kind.CHOICE,
            group=ITEM_GROUP,
            choices=_choices(c.DutyCategory.choices),
            help="留空视为“其他”。",
        ),
        Column("is_core", "核心职能", Kind.BOOL, group=ITEM_GROUP, help="留空视为“否”。"),
        _text(
            "task_code",
            Task,
            "code",
            "任务编码",
            group=TASK_GROUP,
            unique=True,
            help="本部门内唯一；新增任务可留空，按事项编码自动编号（ZZ001-01…）。",
            example="ZZ001-01",
        ),
        _text(
            "task_name",
            Task,
            "name",
            "任务名称",
            group=TASK_GROUP,
            help="职责事项暂无工作任务时，本行工作任务和承办岗位各列全部留空。",
        ),
        _text("description", Task, "description", "任务内容", group=TASK_GROUP),
        Column("lead_unit", "承办科室", Kind.CHOICE, group=TASK_GROUP, help="本部门内设机构。"),
        Column(
            "coop_units",
            "协办科室",
            Kind.CHOICE,
            group=TASK_GROUP,
            multiple=True,
            help="可填多个，用“、”分隔。",
        ),
        Column(
            "frequency",
            "频次",
            Kind.CHOICE,
            group=TASK_GROUP,
            choices=_choices(c.Frequency.choices),
        ),
        Column(
            "occurrences",
            "年次数",
            Kind.DECIMAL,
            group=TASK_GROUP,
            help="除“按件（不定期）”外按频次自动计算（每日250、每周50、每月12…），填写的数值将被替换。",
            **_bounds(Task, "occurrences"),
        ),
        Column(
            "unit_hours",
            "单次工时（小时）",
            Kind.DECIMAL,
            group=TASK_GROUP,
            **_bounds(Task, "unit_hours"),
        ),
        Column(
            "time_limit_days",
            "办理时限（工作日）",
            Kind.INT,
            group=TASK_GROUP,
            **_bounds(Task, "time_limit_days"),
        ),
        _text("time_limit_note", Task, "time_limit_note", "时限说明", group=TASK_GROUP),
        _text("legal_basis", Task, "legal_basis", "法律依据", group=TASK_GROUP),
        _text(
            "work_spec",
            Task,
            "work_spec",
            "工作规范",
            group=TASK_GROUP,
            help="监管、执法事项及自由裁量程度高或廉政风险高的任务须填写。",
        ),
        _text("output_templates", Task, "output_templates", "文本样板", group=TASK_GROUP),
        Column("is_supervision", "监管事项", Kind.BOOL, group=TASK_GROUP),
        Column("is_enforcement", "执法事项", Kind.BOOL, group=TASK_GROUP),
        Column(
            "discretion",
            "自由裁量",
            Kind.CHOICE,
            group=TASK_GROUP,
            choices=_choices(c.Level.choices),
        ),
        Column(
            "risk_level",
            "廉政风险",
            Kind.CHOICE,
            group=TASK_GROUP,
            choices=_choices(c.Level.choices),
        ),
        Column(
            "lead_position",
            "主办岗位",
            Kind.CHOICE,
            group=POSITION_GROUP,
            help="本部门岗位；同名岗位请选带科室的名称，也可填岗位编码。",
        ),
        Column(
            "assist_positions",
            "协办岗位",
            Kind.CHOICE,
            group=POSITION_GROUP,
            multiple=True,
            help="可填多个，用“、”分隔。",
        ),
        Column(
            "backup_positions",
            "AB角",
            Kind.CHOICE,
            group=POSITION_GROUP,
            multiple=True,
            help="备岗（B角），可填多个，用“、”分隔。",
        ),
        Column("department_code", "部门编码", hidden=True, max_length=32),
        Column("item_id", "事项系统编号", Kind.INT, hidden=True, min_value=1),
        Column("task_id", "任务系统编号", Kind.INT, hidden=True, min_value=1),
    ),
    instructions=(
        "每一行是一项工作任务；职责事项的各列在其每项任务的行上重复填写。尚未分解出工作任务的职责事项"
        "单独占一行，工作任务和承办岗位各列留空。",
        "事项编码、任务编码在本部门内唯一，新增时可留空由系统编号。导出的文件可直接修改后重新导入："
        "按隐藏的系统编号（没有时按编码）更新原有事项，未改动的行保持不变。",
        "承办科室、协办科室、岗位须为本部门在用的内设机构和岗位，按名称或编码填写；"
        "同名岗位请使用“岗位名称（科室）”形式。",
        "导入前系统逐行校验，全部无误才写入；有错误时返回标注了错误的工作簿，也可选择“跳过有错误的行”。",
    ),
)

# Which column shows the error of a model field (services and full_clean report by field name).
ITEM_FIELD_COLUMNS = {
    "code": "item_code",
    "source": "source",
    "clause": "clause",
    "text": "item_text",
    "category": "category",
    "is_core": "is_core",
    "department": "department_code",
    "mandate": "item_code",
    "units": "lead_unit",
    "status": "item_code",
    "__all__": "item_code",
}
TASK_FIELD_COLUMNS = {
    "code": "task_code",
    "name": "task_name",
    "description": "description",
    "lead_unit": "lead_unit",
    "cooperating_units": "coop_units",
    "frequency": "frequency",
    "occurrences": "occurrences",
    "unit_hours": "unit_hours",
    "time_limit_days": "time_limit_days",
    "time_limit_note": "time_limit_note",
    "legal_basis": "legal_basis",
    "work_spec": "work_spec",
    "output_templates": "output_templates",
    "is_supervision": "is_supervision",
    "is_enforcement": "is_enforcement",
    "discretion": "discretion",
    "risk_level": "risk_level",
    "duty_item": "item_code",
    "status": "task_code",
    "__all__": "task_code",
}
ROLE_COLUMNS = {
    c.TaskRole.LEAD: "lead_position",
    c.TaskRole.ASSIST: "assist_positions",
    c.TaskRole.BACKUP: "backup_positions",
}
ITEM_KEYS = ("item_code", "source", "clause", "item_text", "category", "is_core")
TASK_KEYS = tuple(col.key for col in LIST_SPEC.columns if col.group in (TASK_GROUP, POSITION_GROUP))
# Task fields taken from the sheet as they are (the rest need resolving: units, positions).
TASK_PLAIN_FIELDS = (
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
)
TASK_FIELD_KEYS = {"name": "task_name"}


class AliasChoiceSet(ChoiceSet):
    """A choice list whose dropdown shows the canonical labels but which also accepts aliases
    (codes, “岗位名称（科室）”, names of units that were abolished) when reading a file."""

    __slots__ = ()

    def alias(self, label: str, value: Any) -> None:
        label = label.strip()
        if label:
            self._exact.setdefault(label, value)
            self._by_key.setdefault(choice_key(label), value)


@dataclass
class Dictionaries:
    """A department's units and positions as the workbook names them (下拉列表的字典)."""

    units: dict[int, Unit]
    positions: dict[int, Position]
    unit_labels: dict[int, str]
    position_labels: dict[int, str]

    def writing_choices(self) -> dict[str, ChoiceSet]:
        """Dropdowns: the units and positions in use; exports also label abolished ones."""
        active_units = [(pk, self.unit_labels[pk]) for pk, u in self.units.items() if _active(u)]
        other_units = [(pk, self.unit_labels[pk]) for pk, u in self.units.items() if not _active(u)]
        active_pos = [
            (pk, self.position_labels[pk]) for pk, p in self.positions.items() if _active(p)
        ]
        other_pos = [
            (pk, self.position_labels[pk]) for pk, p in self.positions.items() if not _active(p)
        ]
        units = _WriteChoices(active_units, other_units)
        positions = _WriteChoices(active_pos, other_pos)
        return {
            "lead_unit": units,
            "coop_units": units,
            "lead_position": positions,
            "assist_positions": positions,
            "backup_positions": positions,
        }

    def reading_choices(self) -> dict[str, ChoiceSet]:
        """What a cell may say: names and codes, abolished ones too (the services then say
        “已撤销” only when such a row is really changed)."""
        units = AliasChoiceSet(
            (pk, self.unit_labels[pk]) for pk, u in self.units.items() if _active(u)
        )
        ordered_units = sorted(self.units.values(), key=lambda u: not _active(u))
        for unit in ordered_units:
            units.alias(unit.name, unit.pk)
            units.alias(unit.code, unit.pk)
        positions = AliasChoiceSet(
            (pk, self.position_labels[pk]) for pk, p in self.positions.items() if _active(p)
        )
        ordered_positions = sorted(self.positions.values(), key=lambda p: not _active(p))
        for position in ordered_positions:
            positions.alias(self.position_labels[position.pk], position.pk)
            positions.alias(qualified_position_name(position, self.units), position.pk)
            positions.alias(position.code, position.pk)
        return {
            "lead_unit": units,
            "coop_units": units,
            "lead_position": positions,
            "assist_positions": positions,
            "backup_positions": positions,
        }


class _WriteChoices(ChoiceSet):
    """Dropdown of the rows in use; labels of abolished rows only for writing stored values."""

    __slots__ = ()

    def __init__(self, shown: list[tuple[int, str]], extra: list[tuple[int, str]]) -> None:
        super().__init__(shown)
        for value, label in extra:
            self._label_of.setdefault(value, label)


def _active(row: Unit | Position) -> bool:
    return row.status == OrgStatus.ACTIVE


def qualified_position_name(position: Position, units: Mapping[int, Unit]) -> str:
    """“综合岗（办公室）”: the position's name with its unit (or 部门领导)."""
    unit = units.get(position.unit_id) if position.unit_id else None
    return f"{position.name}（{unit.name if unit else LEADERSHIP_LABEL}）"


def dictionaries(departments: Iterable[Department | int]) -> Dictionaries:
    """Units and positions of ``departments`` (two queries) with their workbook labels.

    A position is labelled by its name when that name is unique among the department's positions
    in use, else by “名称（科室）”, else by “名称（科室·编码）”.
    """
    ids = [d if isinstance(d, int) else d.pk for d in departments]
    units = {u.pk: u for u in Unit.objects.filter(department_id__in=ids).order_by("order", "id")}
    positions = {
        p.pk: p
        for p in Position.objects.filter(department_id__in=ids).order_by(
            "department_id", "unit__order", "unit_id", "order", "id"
        )
    }
    unit_labels = {pk: u.name for pk, u in units.items()}
    names: Counter[tuple[int, str]] = Counter(
        (p.department_id, p.name) for p in positions.values() if _active(p)
    )
    qualified: Counter[tuple[int, str]] = Counter(
        (p.department_id, qualified_position_name(p, units))
        for p in positions.values()
        if _active(p)
    )
    position_labels: dict[int, str] = {}
    for pk, p in positions.items():
        label = p.name
        if names[(p.department_id, p.name)] > 1 or not _active(p):
            label = qualified_position_name(p, units)
            if qualified[(p.department_id, label)] > 1 or not _active(p):
                unit = units.get(p.unit_id) if p.unit_id else None
                label = f"{p.name}（{unit.name if unit else LEADERSHIP_LABEL}·{p.code}）"
        position_labels[pk] = label
    return Dictionaries(units, positions, unit_labels, position_labels)


# ---------------------------------------------------------------------------------------------
# Rows for export: stored values keyed by column key (the writer turns ids into labels).


def item_values(item: DutyItem, department_code: str) -> dict[str, Any]:
    return {
        "item_code": item.code,
        "source": item.source,
        "clause": item.clause,
        "item_text": item.text,
        "category": item.category,
        "is_core": item.is_core,
        "department_code": department_code,
        "item_id": item.pk,
    }


def task_values(
    task: Task, cooperating: Iterable[int], positions: Iterable[tuple[int, str]]
) -> dict[str, Any]:
    by_role: dict[str, list[int]] = defaultdict(list)
    for position_id, role in positions:
        by_role[role].append(position_id)
    lead = by_role.get(c.TaskRole.LEAD) or [None]
    return {
        "task_code": task.code,
        "task_name": task.name,
        "description": task.description,
        "lead_unit": task.lead_unit_id,
        "coop_units": tuple(cooperating),
        "frequency": task.frequency,
        "occurrences": _plain_decimal(task.occurrences),
        "unit_hours": _plain_decimal(task.unit_hours),
        "time_limit_days": task.time_limit_days,
        "time_limit_note": task.time_limit_note,
        "legal_basis": task.legal_basis,
        "work_spec": task.work_spec,
        "output_templates": task.output_templates,
        "is_supervision": task.is_supervision,
        "is_enforcement": task.is_enforcement,
        "discretion": task.discretion,
        "risk_level": task.risk_level,
        "lead_position": lead[0],
        "assist_positions": tuple(by_role.get(c.TaskRole.ASSIST, ())),
        "backup_positions": tuple(by_role.get(c.TaskRole.BACKUP, ())),
        "task_id": task.pk,
    }


def _plain_decimal(value: Decimal | None) -> Decimal | None:
    """50.0 → 50 so the cell shows what a person would type (the value is unchanged)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def sheet_rows(
    items: Iterable[DutyItem],
    tasks_by_item: Mapping[int, list[Task]],
    cooperating: Mapping[int, list[int]],
    positions: Mapping[int, list[tuple[int, str]]],
    department_codes: Mapping[int, str],
) -> Iterator[dict[str, Any]]:
    """One row per task, the duty item's columns repeated; an item without tasks is one row."""
    for item in items:
        base = item_values(item, department_codes.get(item.department_id, ""))
        tasks = tasks_by_item.get(item.pk) or []
        if not tasks:
            yield base
            continue
        for task in tasks:
            yield {
                **base,
                **task_values(task, cooperating.get(task.pk, ()), positions.get(task.pk, ())),
            }


def load_related(
    tasks: models.QuerySet[Task],
) -> tuple[dict[int, list[int]], dict[int, list[tuple[int, str]]]]:
    """Cooperating units and position assignments of ``tasks`` (two queries, any count)."""
    cooperating: dict[int, list[int]] = defaultdict(list)
    positions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    ids = tasks.order_by().values("id")
    through = Task.cooperating_units.through
    for task_id, unit_id in (
        through.objects.filter(task_id__in=ids)
        .order_by("task_id", "unit_id")
        .values_list("task_id", "unit_id")
        .iterator(chunk_size=5000)
    ):
        cooperating[task_id].append(unit_id)
    for task_id, position_id, role in (
        TaskPosition.objects.filter(task_id__in=ids)
        .order_by("task_id", "id")
        .values_list("task_id", "position_id", "role")
        .iterator(chunk_size=5000)
    ):
        positions[task_id].append((position_id, role))
    return cooperating, positions
