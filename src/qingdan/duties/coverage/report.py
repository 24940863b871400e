"""Output of the coverage analysis: loads, gaps, staffing suggestion, per level (no Django)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .rows import IDLE, PositionIn, Rules, TaskIn

# ---------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True, slots=True)
class Ref:
    """A row named in a gap list."""

    id: int
    code: str
    name: str


@dataclass
class Load:
    """Workload against available hours, and the resulting 工作饱和度."""

    hours: float = 0.0
    people: int = 0
    available: float = 0.0
    saturation: float | None = None
    band: str = IDLE[0]
    band_label: str = IDLE[1]

    @property
    def percent(self) -> int | None:
        return None if self.saturation is None else round(self.saturation * 100)

    def finish(self, rules: Rules) -> Load:
        self.available = self.people * rules.standard_hours
        self.saturation = self.hours / self.available if self.available else None
        self.band, self.band_label = rules.band(self.saturation, self.hours)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "hours": round(self.hours, 2),
            "people": self.people,
            "available_hours": round(self.available, 2),
            "saturation": None if self.saturation is None else round(self.saturation, 4),
            "band": self.band,
            "band_label": self.band_label,
        }


GAP_KINDS = (
    ("duties_without_tasks", "三定职责无任务"),
    ("tasks_without_lead", "任务无主办岗位"),
    ("positions_without_tasks", "岗位无任务"),
    ("positions_without_people", "岗位无人"),
    ("people_without_positions", "人员无岗位"),
)


@dataclass
class Gaps:
    """Counts of each gap kind (lists of rows are kept at the department level)."""

    duties_without_tasks: int = 0
    tasks_without_lead: int = 0
    positions_without_tasks: int = 0
    positions_without_people: int = 0
    people_without_positions: int = 0

    def add(self, other: Gaps) -> None:
        for name, _ in GAP_KINDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name, _ in GAP_KINDS)

    def items(self) -> list[tuple[str, str, int]]:
        return [(name, label, getattr(self, name)) for name, label in GAP_KINDS]

    def to_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name, _ in GAP_KINDS}


@dataclass
class PositionReport:
    id: int
    name: str
    unit_id: int | None
    headcount: int
    holders: int  # anyone holding it today (incl. 兼职/代理)
    load: Load
    lead_tasks: int = 0
    assist_tasks: int = 0
    backup_tasks: int = 0
    shares: list[tuple[int, float]] = field(default_factory=list)  # (task id, hours)

    @property
    def gaps(self) -> Gaps:
        return Gaps(
            positions_without_tasks=int(self.lead_tasks + self.assist_tasks == 0),
            positions_without_people=int(self.holders == 0),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "headcount": self.headcount,
            "holders": self.holders,
            "tasks": {
                "lead": self.lead_tasks,
                "assist": self.assist_tasks,
                "backup": self.backup_tasks,
            },
            "workload": self.load.to_dict(),
            "gaps": self.gaps.to_dict(),
        }


@dataclass
class SuggestionRow:
    unit_id: int | None
    name: str
    hours: float
    current: int | None
    current_source: str  # "核定" or "实有"
    suggested: int | None

    @property
    def difference(self) -> int | None:
        if self.suggested is None or self.current is None:
            return None
        return self.suggested - self.current

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "name": self.name,
            "hours": round(self.hours, 2),
            "current": self.current,
            "current_source": self.current_source,
            "suggested": self.suggested,
            "difference": self.difference,
        }


@dataclass
class Suggestion:
    """依据工作量分配行政编制 for one department."""

    quota: int | None
    reserved: int
    rows: list[SuggestionRow]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "administrative_quota": self.quota,
            "reserved_for_leaders": self.reserved,
            "rows": [r.to_dict() for r in self.rows],
            "note": self.note,
        }


@dataclass
class UnitReport:
    id: int | None  # None: the 部门领导 group (positions outside any unit)
    name: str
    load: Load
    gaps: Gaps
    positions: list[PositionReport] = field(default_factory=list)
    task_count: int = 0
    unplaced_hours: float = 0.0
    admin_quota: int | None = None
    admin_people: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "tasks": self.task_count,
            "unplaced_hours": round(self.unplaced_hours, 2),
            "workload": self.load.to_dict(),
            "gaps": self.gaps.to_dict(),
            "positions": [p.to_dict() for p in self.positions],
        }


@dataclass
class DepartmentReport:
    id: int
    region_id: int
    name: str
    code: str
    load: Load
    gaps: Gaps
    gap_rows: dict[str, list[Ref]]
    units: list[UnitReport]
    suggestion: Suggestion
    duty_count: int = 0
    task_count: int = 0

    def unit(self, unit_id: int | None) -> UnitReport | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "duties": self.duty_count,
            "tasks": self.task_count,
            "workload": self.load.to_dict(),
            "gaps": self.gaps.to_dict(),
            "gap_rows": {
                kind: [{"id": r.id, "code": r.code, "name": r.name} for r in rows]
                for kind, rows in self.gap_rows.items()
            },
            "units": [u.to_dict() for u in self.units],
            "staffing_suggestion": self.suggestion.to_dict(),
        }


@dataclass
class RegionReport:
    id: int
    name: str
    code: str
    load: Load
    gaps: Gaps
    departments: list[DepartmentReport]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "workload": self.load.to_dict(),
            "gaps": self.gaps.to_dict(),
            "departments": [d.to_dict() for d in self.departments],
        }


@dataclass
class CoverageReport:
    rules: Rules
    regions: list[RegionReport]
    load: Load
    gaps: Gaps

    def department(self, department_id: int) -> DepartmentReport | None:
        for region in self.regions:
            for dept in region.departments:
                if dept.id == department_id:
                    return dept
        return None

    @property
    def departments(self) -> list[DepartmentReport]:
        return [d for r in self.regions for d in r.departments]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": {
                "standard_annual_hours": self.rules.standard_hours,
                "lead_weight": self.rules.lead_weight,
                "assist_weight": self.rules.assist_weight,
                "bands": [
                    {"below_percent": None if math.isinf(u) else u, "band": k, "label": label}
                    for u, k, label in self.rules.bands
                ],
            },
            "workload": self.load.to_dict(),
            "gaps": self.gaps.to_dict(),
            "regions": [r.to_dict() for r in self.regions],
        }


# ---------------------------------------------------------------------------------------------
# Task × position matrix of one unit


@dataclass
class Matrix:
    """Rows: the unit's tasks; columns: its positions; cells: 主 / 协 / B or empty."""

    positions: list[PositionIn]
    rows: list[tuple[TaskIn, list[str]]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "positions": [{"id": p.id, "name": p.name} for p in self.positions],
            "rows": [
                {"task_id": t.id, "code": t.code, "name": t.name, "cells": cells}
                for t, cells in self.rows
            ],
        }
