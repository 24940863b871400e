"""统计分析: the seeds' headline figures computed from plain rows (no Django).

Seed 001 reports the 清单 work in one sentence — "市县两级共梳理职责事项16704项，分解细化为29540项
具体工作任务，编制流程图24897张、工作规范24256项，…梳理科室间职责边界事项170项，指导部门对466个科室
依据工作量分配行政编制，设置岗位1588个；…减少办事环节1963个、精简办事手续1568项". This module adds
those figures up per department, per region, per level (市级/县级/乡镇级) and for the whole scope,
from rows a thin adapter (``statistics.data``) loads in a fixed number of queries.

Definitions (also in docs/statistics.md):

* 职责事项 / 工作任务 — duty items and tasks not revoked (草稿 and 有效): what has been 梳理;
* 工作规范 — those tasks whose 工作规范 text is not blank;
* 流程图 — current versions of processes, not revoked;
* 科室 / 岗位 — active units and positions in force on the day;
* 依据工作量分配行政编制的科室 — units that received a workload-based 行政编制 suggestion
  (``duties.coverage``: the department has a 行政编制 and its units have workload);
* 职责边界事项 — boundary items owned (主办) by the department, once that list exists (``None``
  until then, and hidden);
* 编制 vs 实有 — approved quota in force and people holding a primary post, by staffing type;
* 工作饱和度 — units (科室, not the 部门领导 group) per saturation band;
* 减少办事环节 / 精简办事手续 — net steps and materials removed over re-engineered processes;
* 推进情况 — departments per submission state in their region's current programme, and per phase
  the departments on time, late, overdue and not yet due.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from qingdan.processes.totals import ReengineeringTotals

# Region levels from the top; the labels match ``org.choices.RegionLevel``.
LEVELS: tuple[tuple[str, str], ...] = (
    ("province", "省级"),
    ("city", "市级"),
    ("county", "县级"),
    ("town", "乡镇级"),
)
LEVEL_LABELS = dict(LEVELS)
LEVEL_RANK = {key: i for i, (key, _) in enumerate(LEVELS)}
NOT_IN_PROGRAMME = ("none", "未参加工作方案")
STANDARD_ROUNDS = 2  # 二报二审 (``oversight.models.STANDARD_ROUNDS``)

# ---------------------------------------------------------------------------------------------
# Input rows


@dataclass(frozen=True, slots=True)
class RegionRow:
    """A 行政区划 of the scope."""

    id: int
    name: str
    code: str
    level: str
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    """A department in the scope, with its own counts (see the module docstring)."""

    id: int
    region_id: int
    name: str
    code: str = ""
    short_name: str = ""
    duty_items: int = 0
    tasks: int = 0
    work_specs: int = 0
    processes: int = 0
    units: int = 0
    positions: int = 0
    units_allocated: int = 0
    boundary_items: int = 0


@dataclass(frozen=True, slots=True)
class StaffingRow:
    """Approved (``None``: no quota on record) and filled posts of one staffing type."""

    department_id: int
    staffing_type: str
    approved: int | None
    filled: int


@dataclass(frozen=True, slots=True)
class BandRow:
    """One unit (科室) and the 工作饱和度 band it falls in."""

    department_id: int
    band: str


@dataclass(frozen=True, slots=True)
class ReengineeringRow:
    """One re-engineered process (流程再造): its before and after figures."""

    department_id: int
    steps_before: int
    steps_after: int
    materials_before: int
    materials_after: int
    days_before: Decimal = Decimal("0")
    days_after: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class PhaseCell:
    """One department against one phase deadline (a ``DeadlineState`` value)."""

    phase_key: str
    state: str
    days_late: int = 0


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A department's submission in its region's current programme."""

    department_id: int
    status: str
    cells: tuple[PhaseCell, ...] = ()
    round: int = 0  # times sent to the 编办 (二报二审: 1 and 2; 3+ is flagged)


@dataclass(frozen=True, slots=True)
class Phase:
    """A phase as shown across programmes (a city's and its counties' share the names)."""

    key: str
    name: str
    deadlines: tuple[dt.date, ...] = ()


Labels = tuple[tuple[str, str], ...]


@dataclass
class StatisticsInput:
    as_of: dt.date
    regions: list[RegionRow] = field(default_factory=list)
    departments: list[DepartmentRow] = field(default_factory=list)
    staffing: list[StaffingRow] = field(default_factory=list)
    bands: list[BandRow] = field(default_factory=list)
    reengineering: list[ReengineeringRow] = field(default_factory=list)
    review: list[ReviewRow] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    staffing_types: Labels = ()
    band_labels: Labels = ()
    status_labels: Labels = ()
    state_labels: Labels = ()
    boundaries_enabled: bool = False
    region_wide: bool = True  # the user sees whole regions (编办, 监督员), not only departments


# ---------------------------------------------------------------------------------------------
# Output


@dataclass
class StaffingBar:
    """编制 vs 实有 of one staffing type (approved 0 where no quota is on record)."""

    approved: int = 0
    filled: int = 0

    @property
    def vacant(self) -> int:
        return max(0, self.approved - self.filled)

    @property
    def over(self) -> int:
        return max(0, self.filled - self.approved)


# 流程再造 totals: the processes app's definition (net figures, so a pair that adds a step
# counts against the total).
Reengineering = ReengineeringTotals


COUNT_FIELDS = (
    "duty_items",
    "tasks",
    "work_specs",
    "processes",
    "units",
    "positions",
    "units_allocated",
    "boundary_items",
)


@dataclass
class Figures:
    """The headline figures of one department or of a group of them."""

    departments: int = 0
    duty_items: int = 0
    tasks: int = 0
    work_specs: int = 0
    processes: int = 0
    units: int = 0
    positions: int = 0
    units_allocated: int = 0
    boundary_items: int = 0
    staffing: dict[str, StaffingBar] = field(default_factory=dict)
    saturation: dict[str, int] = field(default_factory=dict)  # band → units
    reengineering: Reengineering = field(default_factory=Reengineering)
    review_status: dict[str, int] = field(default_factory=dict)  # status → departments
    review_phases: dict[str, dict[str, int]] = field(default_factory=dict)  # phase → state → n
    sent_departments: int = 0  # departments whose list has reached the 编办 at least once
    overdue_departments: int = 0  # departments with at least one phase still overdue
    extra_rounds: int = 0  # departments beyond 二报二审

    @property
    def staffing_total(self) -> StaffingBar:
        return StaffingBar(
            sum(b.approved for b in self.staffing.values()),
            sum(b.filled for b in self.staffing.values()),
        )

    def add(self, other: Figures) -> None:
        self.departments += other.departments
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, bar in other.staffing.items():
            mine = self.staffing.setdefault(key, StaffingBar())
            mine.approved += bar.approved
            mine.filled += bar.filled
        _add_counts(self.saturation, other.saturation)
        self.reengineering.add(other.reengineering)
        _add_counts(self.review_status, other.review_status)
        for phase, states in other.review_phases.items():
            _add_counts(self.review_phases.setdefault(phase, {}), states)
        self.sent_departments += other.sent_departments
        self.overdue_departments += other.overdue_departments
        self.extra_rounds += other.extra_rounds


def _add_counts(target: dict[str, int], source: dict[str, int]) -> None:
    for key, n in source.items():
        target[key] = target.get(key, 0) + n


@dataclass
class DepartmentFigures:
    id: int
    name: str
    short_name: str
    code: str
    region_id: int
    region_name: str
    level: str
    figures: Figures
    review_status: str = NOT_IN_PROGRAMME[0]
    cells: tuple[PhaseCell, ...] = ()

    @property
    def label(self) -> str:
        """The name on a chart axis: the short name when there is one."""
        return self.short_name or self.name

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


@dataclass
class GroupFigures:
    """A region (its own departments) or a level (市级/县级/乡镇级)."""

    key: str
    label: str
    figures: Figures
    id: int | None = None  # the region's id
    level: str = ""


@dataclass
class Statistics:
    as_of: dt.date
    total: Figures
    levels: list[GroupFigures]
    regions: list[GroupFigures]
    departments: list[DepartmentFigures]
    region_rows: list[RegionRow]
    phases: list[Phase]
    staffing_types: Labels
    band_labels: Labels
    status_labels: Labels
    state_labels: Labels
    boundaries_enabled: bool = False
    region_wide: bool = True

    def department(self, pk: int) -> DepartmentFigures | None:
        return next((d for d in self.departments if d.id == pk), None)

    def level(self, key: str) -> GroupFigures | None:
        return next((g for g in self.levels if g.key == key), None)

    @property
    def root(self) -> RegionRow | None:
        return root_region(self.region_rows)

    @property
    def level_keys(self) -> list[str]:
        return [g.key for g in self.levels]


# ---------------------------------------------------------------------------------------------
# Computation


def root_region(regions: Iterable[RegionRow]) -> RegionRow | None:
    """The one region of the set whose parent is outside it (``None`` when there are several)."""
    rows = list(regions)
    ids = {r.id for r in rows}
    roots = [r for r in rows if r.parent_id not in ids]
    return roots[0] if len(roots) == 1 else None


def compute(data: StatisticsInput) -> Statistics:
    """Every figure, per department, region, level and in total; linear in the number of rows."""
    regions = {r.id: r for r in data.regions}
    staffing: dict[int, dict[str, StaffingBar]] = defaultdict(dict)
    for s in data.staffing:
        bar = staffing[s.department_id].setdefault(s.staffing_type, StaffingBar())
        bar.approved += s.approved or 0
        bar.filled += s.filled
    bands: dict[int, dict[str, int]] = defaultdict(dict)
    for b in data.bands:
        _add_counts(bands[b.department_id], {b.band: 1})
    reengineering: dict[int, Reengineering] = defaultdict(Reengineering)
    for p in data.reengineering:
        reengineering[p.department_id].add_pair(p)
    review = {r.department_id: r for r in data.review}

    departments: list[DepartmentFigures] = []
    for d in data.departments:
        region = regions.get(d.region_id)
        figures = Figures(
            departments=1,
            **{name: getattr(d, name) for name in COUNT_FIELDS},
            staffing={
                key: staffing[d.id].get(key, StaffingBar()) for key, _ in data.staffing_types
            },
            saturation=dict(bands.get(d.id, {})),
            reengineering=reengineering.get(d.id, Reengineering()),
        )
        row = review.get(d.id)
        status = row.status if row else NOT_IN_PROGRAMME[0]
        figures.review_status = {status: 1}
        if row is not None:
            figures.review_phases = {c.phase_key: {c.state: 1} for c in row.cells}
            figures.overdue_departments = int(any(c.state == "overdue" for c in row.cells))
            figures.sent_departments = int(row.round >= 1)
            figures.extra_rounds = int(row.round > STANDARD_ROUNDS)
        departments.append(
            DepartmentFigures(
                d.id,
                d.name,
                d.short_name,
                d.code,
                d.region_id,
                region.name if region else "",
                region.level if region else "",
                figures,
                status,
                row.cells if row else (),
            )
        )
    rank = {r.id: (LEVEL_RANK.get(r.level, 9), r.code) for r in data.regions}
    departments.sort(key=lambda d: rank.get(d.region_id, (9, "")))
    return _assemble(
        Statistics(
            as_of=data.as_of,
            total=Figures(),
            levels=[],
            regions=[],
            departments=departments,
            region_rows=list(data.regions),
            phases=list(data.phases),
            staffing_types=data.staffing_types,
            band_labels=data.band_labels,
            status_labels=(*data.status_labels, NOT_IN_PROGRAMME),
            state_labels=data.state_labels,
            boundaries_enabled=data.boundaries_enabled,
            region_wide=data.region_wide,
        )
    )


def subset(stats: Statistics, keep: Callable[[DepartmentFigures], bool]) -> Statistics:
    """The same statistics for some of its departments (a level, one department): the groups
    and the total are added up again from the departments kept."""
    # The regions stay: the sentence still speaks from the scope's root (县级 of a city is
    # "各区县", not the one county that happens to have departments).
    return _assemble(replace(stats, departments=[d for d in stats.departments if keep(d)]))


def _assemble(stats: Statistics) -> Statistics:
    """Fill the total, the levels and the regions from ``stats.departments``."""
    total = Figures()
    by_level: dict[str, Figures] = {}
    by_region: dict[int, Figures] = {}
    for d in stats.departments:
        total.add(d.figures)
        by_level.setdefault(d.level, Figures()).add(d.figures)
        by_region.setdefault(d.region_id, Figures()).add(d.figures)
    stats.total = total
    stats.levels = [
        GroupFigures(key, label, by_level[key], level=key)
        for key, label in LEVELS
        if key in by_level
    ]
    stats.regions = [
        GroupFigures(r.code, r.name, by_region[r.id], id=r.id, level=r.level)
        for r in sorted(stats.region_rows, key=lambda r: (LEVEL_RANK.get(r.level, 9), r.code))
        if r.id in by_region
    ]
    return stats
