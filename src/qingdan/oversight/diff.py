"""Compare two published snapshots of a department's 履职清单 (no Django imports).

Rows are matched by their stable code (task-positions by task code and position code), so a
renamed duty item shows as *changed*, not as removed and added. Changed rows list every field that
differs, with old and new values. The snapshot layout is built by ``oversight.versions``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[str, Any]


def canonical_json(data: Any) -> bytes:
    """The one byte form a snapshot is hashed in: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def snapshot_hash(data: Any) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _duty_key(row: Row) -> str:
    return str(row["code"])


def _task_key(row: Row) -> str:
    return str(row["code"])


def _assignment_key(row: Row) -> str:
    return f"{row['task']}/{row['position_code']}"


@dataclass(frozen=True)
class Section:
    """One list in the snapshot: its key, the label of its rows, and its fields' labels."""

    name: str
    title: str
    key: Callable[[Row], str]
    label: Callable[[Row], str]
    fields: Mapping[str, str]


SECTIONS: tuple[Section, ...] = (
    Section(
        "duty_items",
        "职责事项",
        _duty_key,
        lambda r: f"{r['code']} {str(r.get('text', ''))[:40]}",
        {
            "code": "事项编码",
            "clause": "条款",
            "source": "来源",
            "text": "职责内容",
            "category": "类别",
            "is_core": "核心职能",
            "units": "承担科室",
            "valid_from": "生效日期",
            "valid_to": "失效日期",
            "order": "排序",
        },
    ),
    Section(
        "tasks",
        "工作任务",
        _task_key,
        lambda r: f"{r['code']} {r.get('name', '')}",
        {
            "code": "任务编码",
            "duty_item": "职责事项",
            "name": "工作任务",
            "description": "任务内容",
            "lead_unit": "承办科室编码",
            "lead_unit_name": "承办科室",
            "cooperating_units": "协办科室",
            "frequency": "频次",
            "occurrences": "年发生次数",
            "unit_hours": "单次工时",
            "annual_hours": "年工时",
            "time_limit_days": "办理时限（工作日）",
            "time_limit_note": "时限说明",
            "legal_basis": "法律依据",
            "work_spec": "工作规范",
            "output_templates": "规范化文本样板",
            "is_supervision": "监管事项",
            "is_enforcement": "执法事项",
            "discretion": "自由裁量程度",
            "risk_level": "廉政风险等级",
            "has_process": "有办理流程",
            "valid_from": "生效日期",
            "valid_to": "失效日期",
            "order": "排序",
        },
    ),
    Section(
        "task_positions",
        "任务岗位",
        _assignment_key,
        lambda r: (
            f"{r['task']} · {r.get('position_name', '')}（{r.get('unit_name', '') or '部门领导'}）"
        ),
        {
            "task": "工作任务",
            "position_code": "岗位编码",
            "position_name": "岗位名称",
            "unit_code": "科室编码",
            "unit_name": "科室",
            "role": "角色",
        },
    ),
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RowChange:
    key: str
    label: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class SectionDiff:
    name: str
    title: str
    added: tuple[Row, ...] = ()
    removed: tuple[Row, ...] = ()
    changed: tuple[RowChange, ...] = ()
    added_labels: tuple[str, ...] = ()
    removed_labels: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)


@dataclass(frozen=True)
class VersionDiff:
    sections: tuple[SectionDiff, ...] = field(default_factory=tuple)

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def is_empty(self) -> bool:
        return self.count == 0

    def section(self, name: str) -> SectionDiff:
        return next(s for s in self.sections if s.name == name)


def _index(rows: Sequence[Row], key: Callable[[Row], str]) -> dict[str, Row]:
    return {key(r): r for r in rows}


def diff_rows(section: Section, old_rows: Sequence[Row], new_rows: Sequence[Row]) -> SectionDiff:
    old, new = _index(old_rows, section.key), _index(new_rows, section.key)
    position = {name: i for i, name in enumerate(section.fields)}  # fields in reading order
    added = tuple(new[k] for k in sorted(new.keys() - old.keys()))
    removed = tuple(old[k] for k in sorted(old.keys() - new.keys()))
    changed: list[RowChange] = []
    for k in sorted(old.keys() & new.keys()):
        a, b = old[k], new[k]
        names = sorted(set(a) | set(b), key=lambda n: (position.get(n, len(position)), n))
        changes = tuple(
            FieldChange(n, section.fields.get(n, n), a.get(n), b.get(n))
            for n in names
            if a.get(n) != b.get(n)
        )
        if changes:
            changed.append(RowChange(k, section.label(b), changes))
    return SectionDiff(
        section.name,
        section.title,
        added,
        removed,
        tuple(changed),
        tuple(section.label(r) for r in added),
        tuple(section.label(r) for r in removed),
    )


def diff_snapshots(old: Mapping[str, Any], new: Mapping[str, Any]) -> VersionDiff:
    """Added, removed and changed rows of every section, from ``old`` to ``new``."""
    return VersionDiff(
        tuple(diff_rows(s, old.get(s.name, ()) or (), new.get(s.name, ()) or ()) for s in SECTIONS)
    )
