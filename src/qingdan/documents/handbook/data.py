"""The Django adapter of the handbook: one department's rows → :class:`HandbookInput`.

What is read, in a fixed number of queries whatever the size of the department (a city department
has up to ~1,000 tasks, a city ~29,500): the region, the 三定规定 in force, units, positions and
their holders today, the 编制 in force, duty items, tasks with their cooperating units, task
positions, and the current processes of the tasks with their steps, flows and risk points.

Which version of the lists (documented in docs/handbook.md):

* ``version=None`` — the working lists: every duty item, task and task position not 撤销
  (drafts included, so a department sees its handbook before it is published); the cover says
  "工作稿（未发布）".
* ``version=ListVersion`` — the duty items, tasks and task positions of the published snapshot
  (exactly what was published, names of units and positions as they were then), with the
  version number and date on the cover. The snapshot holds only the lists, so the department's
  profile, units, positions, 编制 and the flowcharts are read from the current data; processes
  are matched to the snapshot's tasks by task code.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from qingdan.core.base import valid_on_q
from qingdan.duties.choices import Frequency, ListStatus
from qingdan.duties.models import DutyItem, Mandate, Task, TaskPosition
from qingdan.org.choices import DepartmentKind, Rank, StaffingType
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import (
    Assignment,
    Department,
    Person,
    Position,
    Region,
    StaffingQuota,
    Unit,
)

from .content import Handbook, build
from .inputs import (
    DepartmentIn,
    DutyIn,
    HandbookInput,
    MandateIn,
    PositionIn,
    ProcessIn,
    RiskIn,
    StaffingIn,
    TaskIn,
    TaskPositionIn,
    UnitIn,
)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _text(item: Any) -> str:
    """A parsed 三定 item: a plain string (``to_json``) or a dict with ``text`` (review form)."""
    if isinstance(item, Mapping):
        return str(item.get("text") or "").strip()
    return str(item or "").strip()


def _hours(value: Decimal | str | None) -> float | None:
    return None if value in (None, "") else float(Decimal(str(value)))


def _mandate(department: Department, on: dt.date) -> MandateIn:
    m = (
        Mandate.objects.filter(department=department)
        .exclude(status=ListStatus.REVOKED)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .order_by("-version", "-id")
        .defer("full_text")
        .first()
    )
    if m is None:
        return MandateIn()
    parsed = m.parsed if isinstance(m.parsed, Mapping) else {}
    duties = tuple(t for t in (_text(x) for x in parsed.get("main_duties") or ()) if t)
    return MandateIn(
        title=m.title,
        doc_number=m.doc_number,
        effective_date=m.effective_date,
        nature=_text(parsed.get("nature")),
        main_duties=duties,
    )


def _org(
    department: Department, on: dt.date
) -> tuple[list[Unit], list[Position], dict[int, int], StaffingIn, dict]:
    """Units and positions in force with their holders today, the department's 编制 and the
    units' latest quotas."""
    units = list(
        Unit.objects.filter(department=department, status=OrgStatus.ACTIVE)
        .filter(valid_on_q(on))
        .order_by("order", "id")
    )
    positions = list(
        Position.objects.filter(department=department, status=OrgStatus.ACTIVE)
        .filter(valid_on_q(on))
        .order_by("unit_id", "order", "id")
    )
    holders: dict[int, int] = dict(
        Assignment.objects.active_on(on)
        .filter(department=department, is_acting=False)
        .values_list("position_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("position_id", "n")
    )
    quotas = list(
        StaffingQuota.objects.effective_on(on)
        .filter(department=department)
        .order_by("unit_id", "-effective_from", "-id")
    )
    latest: dict[int | None, StaffingQuota] = {}
    for q in quotas:
        latest.setdefault(q.unit_id, q)
    filled = dict(
        Person.objects.filter(department=department, status="active")
        .values_list("staffing_type")
        .annotate(n=Count("id"))
        .values_list("staffing_type", "n")
    )
    dq = latest.get(None)
    staffing = StaffingIn(
        administrative=dq.administrative if dq else None,
        institution=dq.institution if dq else None,
        logistics=dq.logistics if dq else None,
        filled_administrative=filled.get(StaffingType.ADMINISTRATIVE, 0),
        filled_institution=filled.get(StaffingType.INSTITUTION, 0),
        filled_logistics=filled.get(StaffingType.LOGISTICS, 0),
        leader_principal=dq.leader_principal if dq else None,
        leader_deputy=dq.leader_deputy if dq else None,
        leader_unit=dq.leader_unit if dq else None,
        doc_number=dq.doc_number if dq else "",
    )
    return units, positions, holders, staffing, latest


def _position_in(p: Position, holders: Mapping[int, int]) -> PositionIn:
    return PositionIn(
        p.code,
        p.name,
        p.get_category_display(),
        p.headcount,
        holders.get(p.pk, 0),
        p.is_key,
    )


def _live_lists(
    department: Department, unit_code: Mapping[int, str]
) -> tuple[list[DutyIn], list[TaskIn]]:
    """Duty items, tasks and task positions of the working lists (everything not 撤销)."""
    items = (
        DutyItem.objects.filter(department=department)
        .exclude(status=ListStatus.REVOKED)
        .prefetch_related(Prefetch("units", queryset=Unit.objects.only("id"), to_attr="ul"))
        .order_by("order", "id")
        .only("id", "code", "text", "clause", "is_core")
    )
    duties = [
        DutyIn(d.code, d.text, d.clause, d.is_core, tuple(unit_code.get(u.pk, "") for u in d.ul))
        for d in items
    ]
    links: dict[int, list[TaskPositionIn]] = defaultdict(list)
    for task_id, role, pname, uname in (
        TaskPosition.objects.filter(department=department)
        .order_by("task_id", "role", "position__order", "position_id")
        .values_list("task_id", "role", "position__name", "position__unit__name")
    ):
        links[task_id].append(TaskPositionIn(role, pname, uname or ""))
    rows = (
        Task.objects.filter(department=department)
        .exclude(status=ListStatus.REVOKED)
        .select_related("duty_item", "lead_unit")
        .defer("search_text", "duty_item__search_text", "duty_item__text", "lead_unit__duties")
        .prefetch_related(
            Prefetch(
                "cooperating_units",
                queryset=Unit.objects.only("id", "name").order_by("order", "id"),
                to_attr="cl",
            )
        )
        .order_by("order", "id")
    )
    tasks = [
        TaskIn(
            code=t.code,
            name=t.name,
            duty_code=t.duty_item.code,
            lead_unit=t.lead_unit.code,
            lead_unit_name=t.lead_unit.name,
            cooperating_units=tuple(u.name for u in t.cl),
            description=t.description,
            frequency=_label(Frequency, t.frequency),
            annual_hours=_hours(t.annual_hours),
            time_limit_days=t.time_limit_days,
            time_limit_note=t.time_limit_note,
            legal_basis=t.legal_basis,
            work_spec=t.work_spec,
            output_templates=t.output_templates,
            positions=tuple(links.get(t.pk, ())),
        )
        for t in rows
    ]
    return duties, tasks


def _snapshot_lists(
    snapshot: Mapping[str, Any], unit_name_by_code: Mapping[str, str]
) -> tuple[list[DutyIn], list[TaskIn]]:
    """Duty items, tasks and task positions exactly as published (``oversight.versions``)."""
    duties = [
        DutyIn(
            str(d.get("code", "")),
            str(d.get("text", "")),
            str(d.get("clause", "")),
            bool(d.get("is_core")),
            tuple(d.get("units") or ()),
        )
        for d in sorted(snapshot.get("duty_items") or (), key=lambda d: (d.get("order", 0),))
    ]
    links: dict[str, list[TaskPositionIn]] = defaultdict(list)
    for tp in snapshot.get("task_positions") or ():
        links[str(tp.get("task"))].append(
            TaskPositionIn(
                str(tp.get("role", "")), str(tp.get("position_name", "")), tp.get("unit_name") or ""
            )
        )
    tasks = []
    for t in sorted(snapshot.get("tasks") or (), key=lambda t: (t.get("order", 0),)):
        code = str(t.get("code", ""))
        tasks.append(
            TaskIn(
                code=code,
                name=str(t.get("name", "")),
                duty_code=str(t.get("duty_item", "")),
                lead_unit=str(t.get("lead_unit", "")),
                lead_unit_name=str(t.get("lead_unit_name", "")),
                cooperating_units=tuple(
                    unit_name_by_code.get(c, c) for c in t.get("cooperating_units") or ()
                ),
                description=str(t.get("description", "")),
                frequency=_label(Frequency, str(t.get("frequency", ""))),
                annual_hours=_hours(t.get("annual_hours")),
                time_limit_days=t.get("time_limit_days"),
                time_limit_note=str(t.get("time_limit_note", "")),
                legal_basis=str(t.get("legal_basis", "")),
                work_spec=str(t.get("work_spec", "")),
                output_templates=str(t.get("output_templates", "")),
                positions=tuple(links.get(code, ())),
            )
        )
    return duties, tasks


def _processes(department: Department, task_codes: Iterable[str], on: dt.date) -> list[ProcessIn]:
    """The current process of each task (steps, materials, risks, flows: four queries; lanes:
    three), read as charts (``processes.graph.load_charts``), not as editable drafts."""
    from qingdan.processes.choices import ProcessKind
    from qingdan.processes.graph import load_charts
    from qingdan.processes.lanes import directory
    from qingdan.processes.models import Process

    wanted = set(task_codes)
    current = Process.objects.filter(
        department=department, is_current=True, task__isnull=False
    ).exclude(status=ListStatus.REVOKED)
    procs = [
        p
        for p in current.select_related("task")
        .only(
            "id",
            "code",
            "name",
            "kind",
            "version",
            "legal_limit_days",
            "supervision",
            "complaint",
            "rights",
            "task__code",
        )
        .order_by("order", "code", "id")
        if p.task.code in wanted
    ]
    if not procs:
        return []
    d = directory(department.pk, on)
    charts = load_charts(procs, d, among=current.values("id"))
    people = d.people
    out = []
    for p in procs:
        chart = charts[p.pk]
        out.append(
            ProcessIn(
                code=p.code,
                task_code=p.task.code,
                name=p.name,
                graph=chart.graph,
                version=p.version,
                kind=_label(ProcessKind, p.kind),
                legal_limit_days=None if p.legal_limit_days is None else float(p.legal_limit_days),
                supervision=p.supervision,
                complaint=p.complaint,
                rights=p.rights,
                risks=tuple(
                    RiskIn(
                        step, level, description, controls, people.get(person, "") if person else ""
                    )
                    for step, level, description, controls, person in chart.risks
                ),
            )
        )
    return out


def handbook_input(
    department: Department, *, version: Any = None, on: dt.date | None = None
) -> HandbookInput:
    """Everything the handbook of ``department`` is built from (see the module docstring for
    which data a ``version`` uses). The caller has checked the user's right to see it."""
    # Read with the cyclic garbage collector paused: a large department's input is some 10⁶
    # new objects (rows, graphs), which it would scan again and again as they are made, for
    # next to nothing (they hold no cycles) — that was half of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _handbook_input(department, version, on)
    finally:
        if collecting:
            gc.enable()


def _handbook_input(department: Department, version: Any, on: dt.date | None) -> HandbookInput:
    on = on or timezone.localdate()
    # Always one query (not the possibly cached ``department.region``): a fixed count.
    region_name = Region.objects.filter(pk=department.region_id).values_list("name", flat=True)[0]
    mandate = _mandate(department, on)
    units, positions, holders, staffing, quotas = _org(department, on)
    unit_code = {u.pk: u.code for u in units}
    by_unit: dict[int | None, list[Position]] = defaultdict(list)
    for p in positions:
        by_unit[p.unit_id].append(p)
    unit_rows = []
    for u in units:
        q = quotas.get(u.pk)
        unit_rows.append(
            UnitIn(
                u.code,
                u.name,
                u.get_rank_display() if u.rank else "",
                u.duties,
                q.total if q else None,
                sum(holders.get(p.pk, 0) for p in by_unit.get(u.pk, ())),
                tuple(_position_in(p, holders) for p in by_unit.get(u.pk, ())),
            )
        )
    leaders = tuple(_position_in(p, holders) for p in by_unit.get(None, ()))
    published_on = None
    number = None
    if version is not None:
        snapshot = version.snapshot if isinstance(version.snapshot, Mapping) else {}
        codes = {u.code: u.name for u in units}
        duties, tasks = _snapshot_lists(snapshot, codes)
        number = version.number
        published_on = timezone.localdate(version.published_at)
    else:
        duties, tasks = _live_lists(department, unit_code)
    processes = _processes(department, (t.code for t in tasks), on)
    return HandbookInput(
        department=DepartmentIn(
            department.code,
            department.name,
            department.short_name,
            _label(DepartmentKind, department.kind),
            _label(Rank, department.rank),
            region_name,
            department.name,
        ),
        on=on,
        mandate=mandate,
        staffing=staffing,
        units=tuple(unit_rows),
        leaders=leaders,
        duties=tuple(duties),
        tasks=tuple(tasks),
        processes=tuple(processes),
        version=number,
        published_on=published_on,
    )


def handbook_content(
    department: Department, version: Any = None, *, on: dt.date | None = None
) -> Handbook:
    """The content of ``department``'s 部门管理手册 from the database: the working lists, or the
    published ``version`` (an ``oversight.models.ListVersion``) of them."""
    return build(handbook_input(department, version=version, on=on))
