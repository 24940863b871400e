"""Loads the rows for the coverage analysis (``duties.coverage``) through the gate.

Always the same number of queries, whatever the number of departments (asserted in the tests and
printed by ``bench/bench_coverage.py``): regions, departments, quotas, units, positions, people,
assignments, duty items, tasks, task positions — each restricted to what the user may see.
``user=None`` is the operator at the console (``qingdan coverage``): no restriction.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.models import FloatField, Q, QuerySet
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from qingdan.core.access import restrict
from qingdan.core.choices import Action
from qingdan.duties import coverage as cov
from qingdan.duties.choices import DutySource, ListStatus
from qingdan.duties.models import DutyItem, Task, TaskPosition
from qingdan.org.choices import AssignmentKind, PersonStatus, StaffingType
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Assignment, Department, Person, Position, Region, StaffingQuota, Unit


def rules() -> cov.Rules:
    """Rules from settings: ``QINGDAN_STANDARD_ANNUAL_HOURS`` (read from the environment at
    start-up) and, optionally, ``QINGDAN_SATURATION_BANDS`` / ``QINGDAN_TASK_ROLE_WEIGHTS``."""
    hours = settings.QINGDAN_STANDARD_ANNUAL_HOURS
    bands = getattr(settings, "QINGDAN_SATURATION_BANDS", None) or cov.DEFAULT_BANDS
    weights = getattr(settings, "QINGDAN_TASK_ROLE_WEIGHTS", None) or {}
    return cov.Rules(
        standard_hours=float(hours),
        lead_weight=float(weights.get("lead", 2)),
        assist_weight=float(weights.get("assist", 1)),
        bands=tuple(bands),
    )


def _gate(qs: QuerySet, user: Any) -> QuerySet:
    return qs if user is None else restrict(qs, user, Action.VIEW)


def scope_departments(
    user: Any,
    *,
    region_id: int | None = None,
    department_id: int | None = None,
    on: dt.date | None = None,
) -> tuple[QuerySet, QuerySet]:
    """(regions, departments) querysets, unevaluated, for the requested part of the tree."""
    on = on or timezone.localdate()
    regions = _gate(Region.objects.all(), user)
    depts = _gate(Department.objects.all(), user).valid_on(on).filter(status=OrgStatus.ACTIVE)
    if region_id is not None:
        root = Region.objects.filter(pk=region_id).values_list("path", flat=True).first()
        if root is None:
            return regions.none(), depts.none()
        regions = regions.filter(path__startswith=root)
        depts = depts.filter(region__path__startswith=root)
    if department_id is not None:
        depts = depts.filter(pk=department_id)
    return regions, depts


def load_input(
    user: Any,
    *,
    region_id: int | None = None,
    department_id: int | None = None,
    on: dt.date | None = None,
) -> cov.CoverageInput:
    """The rows of the requested departments, in ten queries."""
    on = on or timezone.localdate()
    regions_qs, depts_qs = scope_departments(
        user, region_id=region_id, department_id=department_id, on=on
    )
    dept_rows = list(
        depts_qs.order_by("region_id", "path", "id").values_list("id", "region_id", "name", "code")
    )
    dept_ids = [row[0] for row in dept_rows]
    in_depts = Q(department_id__in=dept_ids)
    region_ids = {row[1] for row in dept_rows}
    regions = [
        cov.RegionIn(rid, name, code)
        for rid, name, code in regions_qs.filter(id__in=region_ids)
        .order_by("path")
        .values_list("id", "name", "code")
    ]

    dept_quota: dict[int, tuple[int, int]] = {}
    unit_quota: dict[int, int] = {}
    quotas = (
        _gate(StaffingQuota.objects.effective_on(on), user)
        .filter(in_depts)
        .order_by("effective_from", "id")
        .values_list(
            "department_id", "unit_id", "administrative", "leader_principal", "leader_deputy"
        )
    )
    for dept_id, unit_id, admin, principal, deputy in quotas:  # later rows win
        if unit_id is None:
            dept_quota[dept_id] = (admin, principal + deputy)
        else:
            unit_quota[unit_id] = admin

    departments = [
        cov.DepartmentIn(
            did,
            rid,
            name,
            code,
            admin_quota=dept_quota[did][0] if did in dept_quota else None,
            leader_posts=dept_quota[did][1] if did in dept_quota else 0,
        )
        for did, rid, name, code in dept_rows
    ]
    units = [
        cov.UnitIn(uid, did, name, unit_quota.get(uid))
        for uid, did, name in _gate(Unit.objects.valid_on(on), user)
        .filter(in_depts, status=OrgStatus.ACTIVE)
        .order_by("department_id", "order", "id")
        .values_list("id", "department_id", "name")
    ]
    positions = [
        cov.PositionIn(pid, did, uid, name, headcount)
        for pid, did, uid, name, headcount in _gate(Position.objects.valid_on(on), user)
        .filter(in_depts, status=OrgStatus.ACTIVE)
        .order_by("department_id", "unit_id", "order", "id")
        .values_list("id", "department_id", "unit_id", "name", "headcount")
    ]
    people = [
        cov.PersonIn(pid, did, name, staffing == StaffingType.ADMINISTRATIVE)
        for pid, did, name, staffing in _gate(Person.objects.all(), user)
        .filter(in_depts, status=PersonStatus.ACTIVE)
        .order_by("department_id", "id")
        .values_list("id", "department_id", "name", "staffing_type")
    ]
    holdings = [
        cov.HoldingIn(person_id, position_id, kind == AssignmentKind.PRIMARY and not acting)
        for person_id, position_id, kind, acting in _gate(Assignment.objects.active_on(on), user)
        .filter(in_depts)
        .order_by()
        .values_list("person_id", "position_id", "kind", "is_acting")
    ]
    duties = [
        cov.DutyIn(did, dept, code, text, source == DutySource.MANDATE)
        for did, dept, code, text, source in _gate(DutyItem.objects.all(), user)
        .filter(in_depts)
        .exclude(status=ListStatus.REVOKED)
        .order_by("department_id", "order", "id")
        .annotate(short_text=Substr("text", 1, 80))
        .values_list("id", "department_id", "code", "short_text", "source")
    ]
    tasks = [
        cov.TaskIn(tid, dept, duty, lead, code, name, hours or 0.0)
        for tid, dept, duty, lead, code, name, hours in _gate(Task.objects.all(), user)
        .filter(in_depts)
        .exclude(status=ListStatus.REVOKED)
        .order_by("id")
        .annotate(hours=Cast("annual_hours", FloatField()))
        .values_list("id", "department_id", "duty_item_id", "lead_unit_id", "code", "name", "hours")
    ]
    # Assignments of revoked tasks are dropped by the analysis (their task is not loaded).
    task_positions = [
        cov.TaskPositionIn(task_id, position_id, role)
        for task_id, position_id, role in _gate(TaskPosition.objects.all(), user)
        .filter(in_depts)
        .order_by()
        .values_list("task_id", "position_id", "role")
    ]
    return cov.CoverageInput(
        regions, departments, units, positions, people, holdings, duties, tasks, task_positions
    )


def coverage_report(
    user: Any,
    *,
    region_id: int | None = None,
    department_id: int | None = None,
    on: dt.date | None = None,
) -> cov.CoverageReport:
    with _collector_paused():
        data = load_input(user, region_id=region_id, department_id=department_id, on=on)
        return cov.analyse(data, rules())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while ~100,000 small acyclic rows are built.

    The rows hold no reference cycles, so nothing is lost; at a city's scale the collector's
    repeated passes over the growing heap otherwise cost about a third of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def unit_matrix(user: Any, unit: Unit) -> cov.Matrix:
    """The task × position matrix of one unit (the caller has checked the unit is visible)."""
    positions = [
        cov.PositionIn(pid, did, uid, name, headcount)
        for pid, did, uid, name, headcount in _gate(Position.objects.all(), user)
        .filter(unit_id=unit.pk, status=OrgStatus.ACTIVE)
        .order_by("order", "id")
        .values_list("id", "department_id", "unit_id", "name", "headcount")
    ]
    position_ids = [p.id for p in positions]
    task_positions = [
        cov.TaskPositionIn(task_id, position_id, role)
        for task_id, position_id, role in _gate(TaskPosition.objects.all(), user)
        .filter(position_id__in=position_ids)
        .exclude(task__status=ListStatus.REVOKED)
        .values_list("task_id", "position_id", "role")
    ]
    task_ids = {tp.task_id for tp in task_positions}
    tasks = [
        cov.TaskIn(tid, dept, duty, lead, code, name, float(hours or 0))
        for tid, dept, duty, lead, code, name, hours in _gate(Task.objects.all(), user)
        .filter(Q(lead_unit_id=unit.pk) | Q(id__in=task_ids))
        .exclude(status=ListStatus.REVOKED)
        .order_by("duty_item__order", "duty_item_id", "order", "id")
        .values_list(
            "id", "department_id", "duty_item_id", "lead_unit_id", "code", "name", "annual_hours"
        )
    ]
    return cov.unit_matrix(unit.pk, positions, tasks, task_positions)
