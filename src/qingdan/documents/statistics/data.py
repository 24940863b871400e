"""Loads the statistics' rows for the user's scope, through the gate, in a fixed number of queries.

The same queries whatever the number of departments (asserted in tests/documents/test_statistics*):
the coverage rows (``duties.coverage_data``: ten queries, which also give duty items, tasks, units,
positions, saturation bands and the workload-based allocation), the departments' regions, tasks
with a 工作规范, staffing (``org.staffing``: three), re-engineering (``processes.metrics``: four,
five for a region) and review progress (four: programmes, phases, submissions, first times).
``user=None`` is the operator at the console: no restriction.

:func:`cached_statistics` keeps the result until the next write anywhere: every write appends to
the change log, so its chain head is a version of the whole database (as for the org tree).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import Length, Trim
from django.utils import timezone

from qingdan.core.access import ROLE_PERMISSIONS, grants_for, restrict
from qingdan.core.choices import Action, Scope
from qingdan.duties import coverage_data
from qingdan.duties.choices import ListStatus
from qingdan.duties.coverage import IDLE, NOBODY, CoverageReport
from qingdan.duties.models import Task
from qingdan.org.choices import StaffingType
from qingdan.org.models import Department
from qingdan.org.staffing import staffing_report
from qingdan.oversight import deadlines, progress
from qingdan.oversight.choices import DeadlineState, SubmissionStatus
from qingdan.oversight.models import Programme, ProgrammePhase, Submission
from qingdan.processes.metrics import reengineering_report

from . import figures as fg

CACHE_SECONDS = 3600


def _gate(qs: QuerySet, user: Any) -> QuerySet:
    return qs if user is None else restrict(qs, user, Action.VIEW)


def load_statistics(
    user: Any,
    *,
    region_id: int | None = None,
    level: str | None = None,
    department_id: int | None = None,
    on: dt.date | None = None,
) -> fg.Statistics:
    """The figures of every department the user may see (optionally one region's subtree, one
    level of it, or one department), as of ``on`` (today)."""
    on = on or timezone.localdate()
    report = coverage_data.coverage_report(
        user, region_id=region_id, department_id=department_id, on=on
    )
    info = {
        row["id"]: row
        for row in Department.objects.filter(pk__in=[d.id for d in report.departments]).values(
            "id",
            "short_name",
            "region_id",
            "region__name",
            "region__code",
            "region__level",
            "region__parent_id",
        )
    }
    kept = [
        d
        for d in report.departments
        if d.id in info and (level is None or info[d.id]["region__level"] == level)
    ]
    ids = [d.id for d in kept]
    regions = {
        row["region_id"]: fg.RegionRow(
            row["region_id"],
            row["region__name"],
            row["region__code"],
            row["region__level"],
            row["region__parent_id"],
        )
        for row in (info[i] for i in ids)
    }
    specs = _work_specs(user, ids)
    processes, pairs = _reengineering(user, ids, region_id, department_id)
    boundaries = _boundary_items(user, ids)
    departments, bands = _from_coverage(report, kept, info, specs, processes, boundaries)
    review, phases = _review(user, ids, set(regions), on)
    data = fg.StatisticsInput(
        as_of=on,
        regions=list(regions.values()),
        departments=departments,
        staffing=_staffing(ids, on),
        bands=bands,
        reengineering=pairs,
        review=review,
        phases=phases,
        staffing_types=tuple((str(k), str(v)) for k, v in StaffingType.choices),
        band_labels=band_labels(report),
        status_labels=tuple((str(k), str(v)) for k, v in SubmissionStatus.choices),
        state_labels=tuple(
            (str(k), str(v)) for k, v in DeadlineState.choices if k != DeadlineState.NOT_APPLICABLE
        ),
        boundaries_enabled=boundaries is not None,
        region_wide=region_wide(user),
    )
    return fg.compute(data)


def region_wide(user: Any) -> bool:
    """Whether the user reads the lists of whole regions (a 全部-scope grant: 编办, 监督员)."""
    if user is None or user.is_superuser:
        return True
    return any(
        (g.scope == Scope.ALL or g.department_id is None)
        and g.scope != Scope.CUSTOM
        and Action.VIEW in ROLE_PERMISSIONS.get(g.role, {}).get("lists", ())
        for g in grants_for(user)
    )


def band_labels(report: CoverageReport) -> fg.Labels:
    """The saturation bands in order, then 无人承担 and 无工作量."""
    return (
        *((key, label) for _, key, label in report.rules.bands),
        NOBODY,
        (IDLE[0], "无工作量"),
    )


def _from_coverage(
    report: CoverageReport,
    kept: list[Any],
    info: dict[int, dict[str, Any]],
    specs: dict[int, int],
    processes: dict[int, int],
    boundaries: dict[int, int] | None,
) -> tuple[list[fg.DepartmentRow], list[fg.BandRow]]:
    departments: list[fg.DepartmentRow] = []
    bands: list[fg.BandRow] = []
    for d in kept:
        units = [u for u in d.units if u.id is not None]  # not the 部门领导 group
        bands.extend(fg.BandRow(d.id, u.load.band) for u in units)
        departments.append(
            fg.DepartmentRow(
                d.id,
                info[d.id]["region_id"],
                d.name,
                d.code,
                info[d.id]["short_name"],
                duty_items=d.duty_count,
                tasks=d.task_count,
                work_specs=specs.get(d.id, 0),
                processes=processes.get(d.id, 0),
                units=len(units),
                positions=sum(len(u.positions) for u in d.units),
                units_allocated=sum(1 for r in d.suggestion.rows if r.suggested is not None),
                boundary_items=(boundaries or {}).get(d.id, 0),
            )
        )
    return departments, bands


def _work_specs(user: Any, ids: list[int]) -> dict[int, int]:
    """Live tasks with a 工作规范 (blank or spaces only is none), per department."""
    rows = (
        _gate(Task.objects.all(), user)
        .filter(department_id__in=ids)
        .exclude(status=ListStatus.REVOKED)
        .annotate(spec_length=Length(Trim("work_spec")))
        .filter(spec_length__gt=0)
        .order_by()
        .values_list("department_id")
        .annotate(n=Count("id"))
    )
    return dict(rows.values_list("department_id", "n"))


def _staffing(ids: list[int], on: dt.date) -> list[fg.StaffingRow]:
    report = staffing_report(ids, on)
    return [
        fg.StaffingRow(dept_id, str(key), bar.approved, bar.filled)
        for dept_id, staffing in report.departments.items()
        for key, bar in staffing.bars.items()
    ]


def _reengineering(
    user: Any, ids: list[int], region_id: int | None, department_id: int | None
) -> tuple[dict[int, int], list[fg.ReengineeringRow]]:
    """Current processes per department and the re-engineered pairs (``processes.metrics``)."""
    report = reengineering_report(user, region_id=region_id, department_id=department_id)
    wanted = set(ids)
    processes: dict[int, int] = {}
    pairs: list[fg.ReengineeringRow] = []
    for region in report.regions:
        for dept in region.departments:
            if dept.id not in wanted:
                continue
            processes[dept.id] = dept.figures.processes
            pairs.extend(
                fg.ReengineeringRow(
                    dept.id,
                    p.steps_before,
                    p.steps_after,
                    p.materials_before,
                    p.materials_after,
                    p.days_before,
                    p.days_after,
                )
                for p in dept.pairs
            )
    return processes, pairs


def _boundary_items(user: Any, ids: list[int]) -> dict[int, int] | None:
    """职责边界事项 owned by each department, once the 职责边界清单 app exists (``None`` before).

    Written for the model DESIGN.md §3 describes (``boundaries.BoundaryItem``, a list row: region,
    owning department, status); one query.
    """
    if not apps.is_installed("qingdan.boundaries"):
        return None
    try:
        model = apps.get_model("boundaries", "BoundaryItem")
    except LookupError:
        return None
    rows = (
        _gate(model.objects.all(), user)
        .filter(department_id__in=ids)
        .exclude(status=ListStatus.REVOKED)
        .order_by()
        .values_list("department_id")
        .annotate(n=Count("id"))
    )
    return dict(rows.values_list("department_id", "n"))


def _review(
    user: Any, ids: list[int], region_ids: set[int], on: dt.date
) -> tuple[list[fg.ReviewRow], list[fg.Phase]]:
    """Each department against its region's current programme (latest year, then latest)."""
    current: dict[int, int] = {}
    for pk, rid in (
        _gate(Programme.objects.filter(region_id__in=region_ids), user)
        .order_by("region_id", "-year", "-id")
        .values_list("id", "region_id")
    ):
        current.setdefault(rid, pk)
    specs: dict[int, list[deadlines.PhaseSpec]] = defaultdict(list)
    keys: dict[int, str] = {}
    names: dict[str, str] = {}
    due: dict[str, set[dt.date]] = defaultdict(set)
    order: dict[str, tuple[int, int]] = {}
    for phase in ProgrammePhase.objects.filter(programme_id__in=current.values()).order_by(
        "programme_id", "order", "start", "id"
    ):
        spec = progress.phase_specs([phase])[0]
        specs[phase.programme_id].append(spec)
        key = phase.kind if phase.kind != "other" else f"other:{phase.name}"
        keys[phase.pk] = key
        names.setdefault(key, phase.name)
        if phase.milestone:
            due[key].add(phase.deadline)
        order[key] = min(order.get(key, (99, 99)), (phase.order, len(order)))
    submissions = list(
        _gate(Submission.objects.all(), user)
        .filter(programme_id__in=current.values(), department_id__in=ids)
        .values_list("id", "programme_id", "department_id", "status", "round")
    )
    first = progress.first_times([s[0] for s in submissions])
    rows = []
    for pk, programme_id, dept_id, status, rounds in submissions:
        reached = {
            milestone: day
            for milestone, day in progress.reached_dates(first.get(pk, {})).items()
            if day <= on  # as of the day: later events have not happened yet
        }
        cells = tuple(
            fg.PhaseCell(keys[cell.phase.id], cell.state, cell.days_late)
            for cell in (deadlines.phase_cell(s, reached, on) for s in specs[programme_id])
            if cell.state != deadlines.NOT_APPLICABLE
        )
        rows.append(fg.ReviewRow(dept_id, status, cells, rounds))
    phases = [
        fg.Phase(key, names[key], tuple(sorted(due[key])))
        for key in sorted(order, key=lambda k: order[k])
        if due[key]
    ]
    return rows, phases


# ---------------------------------------------------------------------------------------------
# Cache


def cache_key(user: Any, **params: Any) -> str:
    """What decides the content — the user's grants (and the user, for 仅本人 scopes and the
    operator), the parameters, the day and the change-log head — hashed into one key."""
    from qingdan.core.models import ChainHead

    head = ChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first() or ""
    if user is None:
        scope: list[Any] = ["console"]
        owner = 0
    else:
        grants = grants_for(user)
        scope = sorted(
            (g.role, g.scope, g.region_id, g.department_id or 0, g.custom_department_ids)
            for g in grants
        )
        owner = user.pk if user.is_superuser or any(g.scope == "self" for g in grants) else 0
    raw = repr((scope, owner, sorted(params.items()), head))
    return "qingdan:statistics:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_statistics(
    user: Any,
    *,
    region_id: int | None = None,
    level: str | None = None,
    department_id: int | None = None,
    on: dt.date | None = None,
) -> fg.Statistics:
    """:func:`load_statistics`, kept until the next write (or an hour)."""
    on = on or timezone.localdate()
    params = {"region": region_id, "level": level, "department": department_id, "on": on}
    key = cache_key(user, **params)
    stats = cache.get(key)
    if stats is None:
        stats = load_statistics(
            user, region_id=region_id, level=level, department_id=department_id, on=on
        )
        cache.set(key, stats, CACHE_SECONDS)
    return stats


def dashboard_statistics(user: Any) -> dict[str, Any] | None:
    """The 工作台's headline figures and 综述 sentence; ``None`` for users who cannot read lists."""
    from qingdan.core.access import can

    from .report import dashboard_summary

    if not can(user, Action.VIEW, Task):
        return None
    stats = cached_statistics(user)
    return dashboard_summary(stats) if stats.departments else None
