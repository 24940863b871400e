"""The analysis itself: one linear pass over the rows; the staffing suggestion; the unit matrix."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction

from .report import (
    CoverageReport,
    DepartmentReport,
    Gaps,
    Load,
    Matrix,
    PositionReport,
    Ref,
    RegionReport,
    Suggestion,
    SuggestionRow,
    UnitReport,
)
from .rows import (
    ASSIST,
    LEAD,
    LEADERSHIP_GROUP,
    ROLE_LABELS,
    CoverageInput,
    DepartmentIn,
    DutyIn,
    PersonIn,
    PositionIn,
    Rules,
    TaskIn,
    TaskPositionIn,
    UnitIn,
)

# ---------------------------------------------------------------------------------------------
# Staffing suggestion


def largest_remainder(total: int, weights: list[Fraction | float]) -> list[int]:
    """Split ``total`` seats in proportion to ``weights`` (Hamilton's method); sums to ``total``.

    Ties in the remainder go to the larger weight, then to the earlier entry.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    exact = [Fraction(w) for w in weights]
    whole = sum(exact)
    if not exact or whole <= 0:
        raise ValueError("weights must have a positive sum")
    quotas = [total * w / whole for w in exact]
    seats = [math.floor(q) for q in quotas]
    left = total - sum(seats)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - seats[i]), -exact[i], i))
    for i in order[:left]:
        seats[i] += 1
    return seats


def suggest_staffing(
    quota: int | None, reserved: int, units: list[tuple[int | None, str, float, int | None, int]]
) -> Suggestion:
    """``units``: (unit id, name, workload hours, approved 行政编制 or None, admin people)."""
    rows = [
        SuggestionRow(
            uid,
            name,
            hours,
            approved if approved is not None else people,
            "核定" if approved is not None else "实有",
            None,
        )
        for uid, name, hours, approved, people in units
    ]
    if quota is None:
        return Suggestion(None, 0, rows, "该部门尚未核定行政编制，无法给出建议。")
    kept = min(reserved, quota)
    distributable = quota - kept
    total_hours = sum(max(0.0, r.hours) for r in rows)
    if not rows:
        return Suggestion(quota, kept, rows, "该部门没有内设机构。")
    if total_hours <= 0:
        return Suggestion(quota, kept, rows, "各内设机构尚无工作量数据，无法按工作量分配。")
    seats = largest_remainder(distributable, [Fraction(max(0.0, r.hours)) for r in rows])
    for row, n in zip(rows, seats, strict=True):
        row.suggested = n
    note = f"行政编制{quota}名，其中部门领导职数{kept}名预留，其余{distributable}名按工作量分配。"
    return Suggestion(quota, kept, rows, note)


# ---------------------------------------------------------------------------------------------
# The analysis


def analyse(data: CoverageInput, rules: Rules | None = None) -> CoverageReport:
    """The whole report in one pass over the rows (linear in their number)."""
    rules = rules or Rules()
    positions = {p.id: p for p in data.positions}
    units = {u.id: u for u in data.units}

    # Who holds what today.
    holders: dict[int, int] = defaultdict(int)
    fte: dict[int, int] = defaultdict(int)  # people counted at their primary position
    placed_people: set[int] = set()
    for h in data.holdings:
        if h.position_id not in positions:
            continue
        holders[h.position_id] += 1
        placed_people.add(h.person_id)
        if h.primary:
            fte[h.position_id] += 1
    admin_people_by_unit: dict[int | None, int] = defaultdict(int)
    people_by_id = {p.id: p for p in data.people}
    for h in data.holdings:
        pos = positions.get(h.position_id)
        person = people_by_id.get(h.person_id)
        if h.primary and pos is not None and person is not None and person.administrative:
            admin_people_by_unit[pos.unit_id] += 1

    # Task ↔ position shares.
    assigned: dict[int, list[TaskPositionIn]] = defaultdict(list)
    for tp in data.task_positions:
        if tp.position_id in positions:
            assigned[tp.task_id].append(tp)
    pos_reports = {
        p.id: PositionReport(p.id, p.name, p.unit_id, p.headcount, holders[p.id], Load())
        for p in data.positions
    }
    unplaced: dict[int, float] = defaultdict(float)
    tasks_with_lead: set[int] = set()
    dept_hours: dict[int, float] = defaultdict(float)
    unit_task_count: dict[int, int] = defaultdict(int)
    weights = {LEAD: rules.lead_weight, ASSIST: rules.assist_weight}
    for t in data.tasks:
        dept_hours[t.department_id] += t.annual_hours
        unit_task_count[t.lead_unit_id] += 1
        tps = assigned.get(t.id)
        total = sum(weights.get(tp.role, 0.0) for tp in tps) if tps else 0.0
        for tp in tps or ():
            report = pos_reports[tp.position_id]
            if tp.role == LEAD:
                report.lead_tasks += 1
                tasks_with_lead.add(t.id)
            elif tp.role == ASSIST:
                report.assist_tasks += 1
            else:
                report.backup_tasks += 1
            weight = weights.get(tp.role, 0.0)
            if total > 0 and weight > 0:
                share = t.annual_hours * weight / total
                report.load.hours += share
                report.shares.append((t.id, share))
        if total <= 0:
            unplaced[t.lead_unit_id] += t.annual_hours
    for report in pos_reports.values():
        report.load.people = fte[report.id]
        report.load.finish(rules)

    # Duties with tasks.
    duty_has_task = {t.duty_id for t in data.tasks}

    # Group by department.
    dept_positions: dict[int, list[PositionIn]] = defaultdict(list)
    for p in data.positions:
        dept_positions[p.department_id].append(p)
    dept_units: dict[int, list[UnitIn]] = defaultdict(list)
    for u in data.units:
        dept_units[u.department_id].append(u)
    dept_duties: dict[int, list[DutyIn]] = defaultdict(list)
    for d in data.duties:
        dept_duties[d.department_id].append(d)
    dept_tasks: dict[int, list[TaskIn]] = defaultdict(list)
    for t in data.tasks:
        dept_tasks[t.department_id].append(t)
    dept_people: dict[int, list[PersonIn]] = defaultdict(list)
    for person in data.people:
        dept_people[person.department_id].append(person)

    dept_reports: dict[int, list[DepartmentReport]] = defaultdict(list)
    for dept in data.departments:
        report = _department(
            dept,
            dept_units[dept.id],
            dept_positions[dept.id],
            dept_duties[dept.id],
            dept_tasks[dept.id],
            dept_people[dept.id],
            pos_reports=pos_reports,
            units=units,
            unplaced=unplaced,
            unit_task_count=unit_task_count,
            tasks_with_lead=tasks_with_lead,
            duty_has_task=duty_has_task,
            placed_people=placed_people,
            admin_people_by_unit=admin_people_by_unit,
            hours=dept_hours[dept.id],
            rules=rules,
        )
        dept_reports[dept.region_id].append(report)

    region_reports = []
    total_load, total_gaps = Load(), Gaps()
    for region in data.regions:
        depts = dept_reports.get(region.id, [])
        load, gaps = _sum_loads(d.load for d in depts), Gaps()
        for d in depts:
            gaps.add(d.gaps)
        load.finish(rules)
        region_reports.append(RegionReport(region.id, region.name, region.code, load, gaps, depts))
        total_load.hours += load.hours
        total_load.people += load.people
        total_gaps.add(gaps)
    return CoverageReport(rules, region_reports, total_load.finish(rules), total_gaps)


def _sum_loads(loads: Iterable[Load]) -> Load:
    total = Load()
    for load in loads:
        total.hours += load.hours
        total.people += load.people
    return total


def _department(
    dept: DepartmentIn,
    units_in: list[UnitIn],
    positions_in: list[PositionIn],
    duties: list[DutyIn],
    tasks: list[TaskIn],
    people: list[PersonIn],
    *,
    pos_reports: dict[int, PositionReport],
    units: dict[int, UnitIn],
    unplaced: dict[int, float],
    unit_task_count: dict[int, int],
    tasks_with_lead: set[int],
    duty_has_task: set[int],
    placed_people: set[int],
    admin_people_by_unit: dict[int | None, int],
    hours: float,
    rules: Rules,
) -> DepartmentReport:
    own_unit_ids = {u.id for u in units_in}
    groups: dict[int | None, list[PositionReport]] = defaultdict(list)
    for p in positions_in:
        key = p.unit_id if p.unit_id in own_unit_ids else None
        groups[key].append(pos_reports[p.id])

    gap_rows: dict[str, list[Ref]] = {
        "duties_without_tasks": [
            Ref(d.id, d.code, d.text)
            for d in duties
            if d.from_mandate and d.id not in duty_has_task
        ],
        "tasks_without_lead": [
            Ref(t.id, t.code, t.name) for t in tasks if t.id not in tasks_with_lead
        ],
        "positions_without_tasks": [
            Ref(p.id, "", p.name)
            for p in positions_in
            if pos_reports[p.id].gaps.positions_without_tasks
        ],
        "positions_without_people": [
            Ref(p.id, "", p.name)
            for p in positions_in
            if pos_reports[p.id].gaps.positions_without_people
        ],
        "people_without_positions": [
            Ref(person.id, "", person.name) for person in people if person.id not in placed_people
        ],
    }
    leaderless_by_unit: dict[int, int] = defaultdict(int)
    for t in tasks:
        if t.id not in tasks_with_lead:
            leaderless_by_unit[t.lead_unit_id] += 1

    unit_reports: list[UnitReport] = []
    leaders = groups.get(None)
    if leaders:
        unit_reports.append(_unit(None, LEADERSHIP_GROUP, leaders, 0.0, 0, 0, None, 0, rules))
    for u in units_in:
        unit_reports.append(
            _unit(
                u.id,
                u.name,
                groups.get(u.id, []),
                unplaced.get(u.id, 0.0),
                unit_task_count.get(u.id, 0),
                leaderless_by_unit.get(u.id, 0),
                u.admin_quota,
                admin_people_by_unit.get(u.id, 0),
                rules,
            )
        )
    gaps = Gaps(**{kind: len(rows) for kind, rows in gap_rows.items()})
    load = Load(hours=hours, people=sum(u.load.people for u in unit_reports)).finish(rules)
    suggestion = suggest_staffing(
        dept.admin_quota,
        dept.leader_posts,
        [
            (u.id, u.name, u.load.hours, u.admin_quota, u.admin_people)
            for u in unit_reports
            if u.id is not None
        ],
    )
    return DepartmentReport(
        dept.id,
        dept.region_id,
        dept.name,
        dept.code,
        load,
        gaps,
        gap_rows,
        unit_reports,
        suggestion,
        duty_count=len(duties),
        task_count=len(tasks),
    )


def _unit(
    unit_id: int | None,
    name: str,
    positions: list[PositionReport],
    unplaced_hours: float,
    task_count: int,
    leaderless: int,
    admin_quota: int | None,
    admin_people: int,
    rules: Rules,
) -> UnitReport:
    gaps = Gaps(tasks_without_lead=leaderless)
    for p in positions:
        gaps.add(p.gaps)
    load = Load(
        hours=sum(p.load.hours for p in positions) + unplaced_hours,
        people=sum(p.load.people for p in positions),
    ).finish(rules)
    return UnitReport(
        unit_id,
        name,
        load,
        gaps,
        positions,
        task_count=task_count,
        unplaced_hours=unplaced_hours,
        admin_quota=admin_quota,
        admin_people=admin_people,
    )


def unit_matrix(
    unit_id: int,
    positions: list[PositionIn],
    tasks: list[TaskIn],
    task_positions: list[TaskPositionIn],
) -> Matrix:
    """Tasks led by the unit, plus tasks any of its positions works on, against its positions."""
    columns = [p for p in positions if p.unit_id == unit_id]
    index = {p.id: i for i, p in enumerate(columns)}
    roles: dict[int, list[str]] = {}
    for tp in task_positions:
        if tp.position_id in index:
            cells = roles.setdefault(tp.task_id, [""] * len(columns))
            cells[index[tp.position_id]] = ROLE_LABELS.get(tp.role, "")
    rows = [
        (t, roles.get(t.id, [""] * len(columns)))
        for t in tasks
        if t.lead_unit_id == unit_id or t.id in roles
    ]
    return Matrix(columns, rows)
