"""Approved versus filled establishment (编制 vs 实有), computed in a fixed number of queries.

A department's approved quota is the latest :class:`StaffingQuota` effective on the day; filled is
the number of people holding a primary assignment there that day, by staffing type. Leadership
posts (领导职数) are counted from primary and acting holders of leadership positions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q

from qingdan.org.choices import AssignmentKind, LeaderLevel, StaffingType
from qingdan.org.models import Assignment, StaffingQuota

TYPES = (StaffingType.ADMINISTRATIVE, StaffingType.INSTITUTION, StaffingType.LOGISTICS)
QUOTA_FIELD = {
    StaffingType.ADMINISTRATIVE: "administrative",
    StaffingType.INSTITUTION: "institution",
    StaffingType.LOGISTICS: "logistics",
}
LEADER_FIELD = {
    LeaderLevel.DEPT_PRINCIPAL: "leader_principal",
    LeaderLevel.DEPT_DEPUTY: "leader_deputy",
    LeaderLevel.UNIT_PRINCIPAL: "leader_unit",
    LeaderLevel.UNIT_DEPUTY: "leader_unit",
}


@dataclass
class Bar:
    """One staffing bar: approved, filled, and what follows from them."""

    approved: int | None = None  # None: no quota on record
    filled: int = 0

    @property
    def vacant(self) -> int:
        return max(0, (self.approved or 0) - self.filled) if self.approved is not None else 0

    @property
    def over(self) -> int:
        return max(0, self.filled - self.approved) if self.approved is not None else 0

    @property
    def filled_pct(self) -> int:
        if not self.approved:
            return 100 if self.filled else 0
        return min(100, round(100 * min(self.filled, self.approved) / self.approved))

    @property
    def over_pct(self) -> int:
        if not self.approved:
            return 0
        return min(100, round(100 * self.over / self.approved))


@dataclass
class Staffing:
    """Bars by staffing type plus leadership posts for one department or unit."""

    bars: dict[str, Bar] = field(default_factory=lambda: {t: Bar() for t in TYPES})
    leaders: dict[str, Bar] = field(default_factory=dict)
    quota: StaffingQuota | None = None

    @property
    def total(self) -> Bar:
        approved = [b.approved for b in self.bars.values() if b.approved is not None]
        return Bar(
            approved=sum(approved) if approved else None,
            filled=sum(b.filled for b in self.bars.values()),
        )

    @property
    def labelled_bars(self) -> list[tuple[str, Bar]]:
        """The bars worth showing: types with an approved quota or people in post."""
        return [
            (t.label, b)
            for t, b in ((StaffingType(k), v) for k, v in self.bars.items())
            if b.approved or b.filled
        ]

    @property
    def is_over(self) -> bool:
        return any(b.over for b in self.bars.values()) or any(b.over for b in self.leaders.values())


def _latest_quotas(
    quotas: Iterable[StaffingQuota],
) -> tuple[dict[int, StaffingQuota], dict[int, StaffingQuota]]:
    by_dept: dict[int, StaffingQuota] = {}
    by_unit: dict[int, StaffingQuota] = {}
    for q in quotas:  # ordered by effective_from ascending: later rows win
        if q.unit_id is None:
            by_dept[q.department_id] = q
        else:
            by_unit[q.unit_id] = q
    return by_dept, by_unit


@dataclass
class StaffingReport:
    departments: dict[int, Staffing]
    units: dict[int, Staffing]


def staffing_report(department_ids: Iterable[int] | None, on: dt.date) -> StaffingReport:
    """Staffing of the given departments (None: all) and their units on ``on``: three queries."""
    quota_qs = StaffingQuota.objects.effective_on(on).order_by("effective_from", "id")
    held = Assignment.objects.active_on(on).filter(
        Q(kind=AssignmentKind.PRIMARY) | Q(is_acting=True)
    )
    if department_ids is not None:
        ids = list(department_ids)
        quota_qs = quota_qs.filter(department_id__in=ids)
        held = held.filter(department_id__in=ids)
    by_dept, by_unit = _latest_quotas(quota_qs)

    departments: dict[int, Staffing] = defaultdict(Staffing)
    units: dict[int, Staffing] = defaultdict(Staffing)
    for dept_id, q in by_dept.items():
        s = departments[dept_id]
        s.quota = q
        for t in TYPES:
            s.bars[t].approved = getattr(q, QUOTA_FIELD[t])
        s.leaders = {
            LeaderLevel.DEPT_PRINCIPAL: Bar(approved=q.leader_principal),
            LeaderLevel.DEPT_DEPUTY: Bar(approved=q.leader_deputy),
            "unit": Bar(approved=q.leader_unit),
        }
    for unit_id, q in by_unit.items():
        s = units[unit_id]
        s.quota = q
        for t in TYPES:
            s.bars[t].approved = getattr(q, QUOTA_FIELD[t])

    counts = (
        held.filter(kind=AssignmentKind.PRIMARY)
        .values("department_id", "position__unit_id", "person__staffing_type")
        .annotate(n=Count("id"))
    )
    for row in counts:
        t = row["person__staffing_type"]
        departments[row["department_id"]].bars[t].filled += row["n"]
        if row["position__unit_id"]:
            units[row["position__unit_id"]].bars[t].filled += row["n"]

    leader_counts = (
        held.exclude(position__leader_level="")
        .values("department_id", "position__leader_level")
        .annotate(n=Count("id"))
    )
    for row in leader_counts:
        level = row["position__leader_level"]
        key = "unit" if level in (LeaderLevel.UNIT_PRINCIPAL, LeaderLevel.UNIT_DEPUTY) else level
        leaders = departments[row["department_id"]].leaders
        leaders.setdefault(key, Bar()).filled += row["n"]
    return StaffingReport(dict(departments), dict(units))
