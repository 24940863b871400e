"""Input rows of the coverage analysis and its adjustable rules (plain dataclasses, no Django)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

LEAD, ASSIST, BACKUP = "lead", "assist", "backup"
ROLE_LABELS = {LEAD: "主", ASSIST: "协", BACKUP: "B"}
LEADERSHIP_GROUP = "部门领导"

# (upper bound in percent, exclusive, band key, label); the last band has no upper bound.
DEFAULT_BANDS: tuple[tuple[float, str, str], ...] = (
    (60.0, "low", "不饱和"),
    (85.0, "fair", "较饱和"),
    (110.0, "full", "饱和"),
    (math.inf, "over", "超负荷"),
)
NOBODY = ("nobody", "无人承担")
IDLE = ("none", "—")


@dataclass(frozen=True)
class Rules:
    """The adjustable parts of the analysis (see the module docstring)."""

    standard_hours: float = 1650.0
    lead_weight: float = 2.0
    assist_weight: float = 1.0
    bands: tuple[tuple[float, str, str], ...] = DEFAULT_BANDS

    def weight(self, role: str) -> float:
        return {LEAD: self.lead_weight, ASSIST: self.assist_weight}.get(role, 0.0)

    def band(self, saturation: float | None, hours: float) -> tuple[str, str]:
        if saturation is None:
            return NOBODY if hours > 0 else IDLE
        pct = saturation * 100
        for upper, key, label in self.bands:
            if pct < upper:
                return key, label
        return self.bands[-1][1], self.bands[-1][2]


# ---------------------------------------------------------------------------------------------
# Input rows


@dataclass(frozen=True, slots=True)
class RegionIn:
    id: int
    name: str
    code: str = ""


@dataclass(frozen=True, slots=True)
class DepartmentIn:
    id: int
    region_id: int
    name: str
    code: str = ""
    admin_quota: int | None = None  # 行政编制 in force; None: no quota on record
    leader_posts: int = 0  # 正职 + 副职 领导职数, kept back from the units' share


@dataclass(frozen=True, slots=True)
class UnitIn:
    id: int
    department_id: int
    name: str
    admin_quota: int | None = None


@dataclass(frozen=True, slots=True)
class PositionIn:
    id: int
    department_id: int
    unit_id: int | None
    name: str
    headcount: int = 1


@dataclass(frozen=True, slots=True)
class PersonIn:
    id: int
    department_id: int
    name: str
    administrative: bool = True  # on a 行政编制


@dataclass(frozen=True, slots=True)
class HoldingIn:
    """A person holding a position today; ``primary`` for the main post (not 兼职/代理)."""

    person_id: int
    position_id: int
    primary: bool = True


@dataclass(frozen=True, slots=True)
class DutyIn:
    id: int
    department_id: int
    code: str
    text: str
    from_mandate: bool = True


@dataclass(frozen=True, slots=True)
class TaskIn:
    id: int
    department_id: int
    duty_id: int
    lead_unit_id: int
    code: str
    name: str
    annual_hours: float


@dataclass(frozen=True, slots=True)
class TaskPositionIn:
    task_id: int
    position_id: int
    role: str


@dataclass
class CoverageInput:
    regions: list[RegionIn] = field(default_factory=list)
    departments: list[DepartmentIn] = field(default_factory=list)
    units: list[UnitIn] = field(default_factory=list)
    positions: list[PositionIn] = field(default_factory=list)
    people: list[PersonIn] = field(default_factory=list)
    holdings: list[HoldingIn] = field(default_factory=list)
    duties: list[DutyIn] = field(default_factory=list)
    tasks: list[TaskIn] = field(default_factory=list)
    task_positions: list[TaskPositionIn] = field(default_factory=list)
