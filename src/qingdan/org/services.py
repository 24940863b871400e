"""Writes to the org tree, with their invariants. Admin, API, importers and CLI all call these.

Each ``validate_*`` function raises a ``ValidationError`` (field → Chinese message) and writes
nothing, so forms can call it to show errors beside the fields; the matching ``create_*`` /
``update_*`` calls it again under lock and then writes through ``core.services`` (change log).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from qingdan.core.services import create_object, delete_object, update_object
from qingdan.org import codes
from qingdan.org.choices import AssignmentKind, LeaderLevel, PersonStatus, PositionCategory, Status
from qingdan.org.models import (
    Assignment,
    Department,
    Person,
    Position,
    Region,
    StaffingQuota,
    Unit,
)
from qingdan.org.staffing import LEADER_FIELD, QUOTA_FIELD, staffing_report

LEVEL_ORDER = {"province": 0, "city": 1, "county": 2, "town": 3}


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------
# Trees: materialised paths


def _set_path(obj: Region | Department, old_path: str) -> None:
    """Give ``obj`` its path and move its subtree along when the parent changed."""
    parent_path = obj.parent.path if obj.parent_id else "/"
    new_path = f"{parent_path}{obj.pk}/"
    if new_path == old_path:
        return
    model = type(obj)
    model.objects.filter(pk=obj.pk).update(path=new_path)
    obj.path = new_path
    if old_path:
        model.objects.filter(path__startswith=old_path).exclude(pk=obj.pk).update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
        )


def _check_no_cycle(obj: Region | Department) -> None:
    if obj.pk and obj.parent_id:
        parent = type(obj).objects.filter(pk=obj.parent_id).values_list("path", flat=True).first()
        if obj.pk == obj.parent_id or (parent and f"/{obj.pk}/" in parent):
            raise ValidationError({"parent": "上级不能是自身或其下级。"})


def _check_validity_dates(obj: Any) -> None:
    errors = {}
    if obj.established_on and obj.abolished_on and obj.abolished_on < obj.established_on:
        errors["abolished_on"] = "撤销日期不能早于设立日期。"
    if obj.status == Status.ABOLISHED and not obj.abolished_on:
        errors["abolished_on"] = "状态为“撤销”时必须填写撤销日期。"
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Regions


def validate_region(region: Region) -> None:
    errors: dict[str, str] = {}
    problem = codes.region_code_problem(region.code, region.level)
    if problem:
        errors["code"] = problem
    parent = region.parent
    if parent is not None:
        if LEVEL_ORDER.get(parent.level, 9) >= LEVEL_ORDER.get(region.level, 9):
            errors["level"] = (
                f"层级应低于上级区划（上级“{parent.name}”为{parent.get_level_display()}）。"
            )
        elif not problem and not region.code.startswith(
            codes.region_prefix(parent.code, parent.level)
        ):
            errors["code"] = f"区划代码应以上级区划“{parent.name}”的代码前缀开头。"
    if errors:
        raise ValidationError(errors)
    _check_no_cycle(region)


@transaction.atomic
def create_region(region: Region, *, acting_user: Any, reason: str = "") -> Region:
    validate_region(region)
    create_object(region, acting_user=acting_user, reason=reason)
    _set_path(region, "")
    return region


@transaction.atomic
def update_region(region: Region, *, acting_user: Any, reason: str = "") -> Region:
    validate_region(region)
    old_path = Region.objects.filter(pk=region.pk).values_list("path", flat=True).get()
    update_object(region, acting_user=acting_user, reason=reason)
    _set_path(region, old_path)
    return region


def delete_region(region: Region, *, acting_user: Any, reason: str = "") -> None:
    delete_object(region, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# Departments


def validate_department(dept: Department) -> None:
    errors: dict[str, str] = {}
    if dept.credit_code:
        dept.credit_code = dept.credit_code.strip().upper()
        problem = codes.credit_code_problem(dept.credit_code)
        if problem:
            errors["credit_code"] = problem
    if dept.parent_id:
        if dept.parent.region_id != dept.region_id:
            errors["parent"] = "上级/主管部门必须属于同一行政区划。"
        if not dept.parent_relation:
            errors["parent_relation"] = "有上级/主管部门时必须选择隶属关系。"
    elif dept.parent_relation:
        errors["parent_relation"] = "没有上级/主管部门时不能选择隶属关系。"
    if errors:
        raise ValidationError(errors)
    _check_validity_dates(dept)
    _check_no_cycle(dept)


@transaction.atomic
def create_department(dept: Department, *, acting_user: Any, reason: str = "") -> Department:
    validate_department(dept)
    create_object(dept, acting_user=acting_user, reason=reason)
    _set_path(dept, "")
    return dept


@transaction.atomic
def update_department(dept: Department, *, acting_user: Any, reason: str = "") -> Department:
    validate_department(dept)
    old_path = Department.objects.filter(pk=dept.pk).values_list("path", flat=True).get()
    update_object(dept, acting_user=acting_user, reason=reason)
    _set_path(dept, old_path)
    return dept


def delete_department(dept: Department, *, acting_user: Any, reason: str = "") -> None:
    delete_object(dept, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# Units


def validate_unit(unit: Unit) -> None:
    if unit.department_id:
        unit.region_id = unit.department.region_id
    _check_validity_dates(unit)


@transaction.atomic
def create_unit(unit: Unit, *, acting_user: Any, reason: str = "") -> Unit:
    validate_unit(unit)
    return create_object(unit, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_unit(unit: Unit, *, acting_user: Any, reason: str = "") -> Unit:
    validate_unit(unit)
    return update_object(unit, acting_user=acting_user, reason=reason)


def delete_unit(unit: Unit, *, acting_user: Any, reason: str = "") -> None:
    delete_object(unit, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# Staffing quotas


def _quota_dates(dept_id: int, extra: dt.date) -> list[dt.date]:
    dates = set(
        StaffingQuota.objects.filter(department_id=dept_id, effective_from__gte=extra).values_list(
            "effective_from", flat=True
        )
    )
    dates.add(extra)
    return sorted(dates)


def _latest(rows: list[StaffingQuota], on: dt.date) -> dict[int | None, StaffingQuota]:
    latest: dict[int | None, StaffingQuota] = {}
    for q in sorted(rows, key=lambda r: (r.effective_from, r.pk or 0)):
        if q.effective_from <= on:
            latest[q.unit_id] = q
    return latest


def validate_quota(quota: StaffingQuota, *, reason: str = "") -> None:
    """Units' quotas fit in the department's on every date from this row on; a cut below the
    number of people in post needs a reason."""
    errors: dict[str, str] = {}
    if quota.department_id:
        quota.region_id = quota.department.region_id
    if quota.unit_id and quota.unit.department_id != quota.department_id:
        errors["unit"] = "科室不属于所选部门。"
    if quota.unit_id and quota.leader_unit:
        errors["leader_unit"] = "内设机构领导职数只在部门整体编制中填写。"
    if quota.doc_date and quota.effective_from and quota.effective_from < quota.doc_date:
        errors["effective_from"] = "生效日期不能早于批准日期。"
    if errors or not quota.department_id or not quota.effective_from:
        if errors:
            raise ValidationError(errors)
        return

    rows = [
        q
        for q in StaffingQuota.objects.filter(department_id=quota.department_id)
        if q.pk != quota.pk
    ] + [quota]
    for on in _quota_dates(quota.department_id, quota.effective_from):
        latest = _latest(rows, on)
        dept_q = latest.get(None)
        units = [q for k, q in latest.items() if k is not None]
        if dept_q is None:
            if units:
                errors["__all__"] = f"{on:%Y年%m月%d日}起该部门尚无整体编制，不能先核定科室编制。"
            break
        for field_name, label in (
            ("administrative", "行政编制"),
            ("institution", "事业编制"),
            ("logistics", "工勤编制"),
        ):
            used = sum(getattr(q, field_name) for q in units)
            if used > getattr(dept_q, field_name):
                errors[field_name] = (
                    f"{on:%Y年%m月%d日}各科室{label}合计{used}名，超过部门核定的"
                    f"{getattr(dept_q, field_name)}名。"
                )
        unit_leaders = sum(q.leader_principal + q.leader_deputy for q in units)
        if unit_leaders > dept_q.leader_unit:
            errors["leader_unit"] = (
                f"{on:%Y年%m月%d日}各科室领导职数合计{unit_leaders}名，超过部门核定的内设机构"
                f"领导职数{dept_q.leader_unit}名。"
            )
        if errors:
            break
    if errors:
        raise ValidationError(errors)

    # Cutting below the people in post is allowed (the excess must be absorbed over time) but
    # never silently: the user states why, and it goes into the change log.
    on = max(quota.effective_from, _today())
    report = staffing_report([quota.department_id], on)
    staffing = (
        report.units.get(quota.unit_id)
        if quota.unit_id
        else report.departments.get(quota.department_id)
    )
    if staffing is not None and not reason:
        shortfalls = []
        for t, field_name in QUOTA_FIELD.items():
            filled = staffing.bars[t].filled
            if filled > getattr(quota, field_name):
                shortfalls.append(f"{t.label}实有{filled}名、核定{getattr(quota, field_name)}名")
        if shortfalls:
            raise ValidationError(
                {"__all__": "核定后将超编（" + "；".join(shortfalls) + "），请填写变更原因。"}
            )


@transaction.atomic
def create_quota(quota: StaffingQuota, *, acting_user: Any, reason: str = "") -> StaffingQuota:
    Department.objects.select_for_update().filter(pk=quota.department_id).first()
    validate_quota(quota, reason=reason)
    return create_object(quota, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_quota(quota: StaffingQuota, *, acting_user: Any, reason: str = "") -> StaffingQuota:
    Department.objects.select_for_update().filter(pk=quota.department_id).first()
    validate_quota(quota, reason=reason)
    return update_object(quota, acting_user=acting_user, reason=reason)


def delete_quota(quota: StaffingQuota, *, acting_user: Any, reason: str = "") -> None:
    delete_object(quota, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# Positions


def validate_position(position: Position) -> None:
    errors: dict[str, str] = {}
    if position.unit_id:
        if position.department_id and position.unit.department_id != position.department_id:
            errors["unit"] = "科室不属于所选部门。"
        position.department_id = position.unit.department_id
    if position.department_id:
        position.region_id = position.department.region_id
    level = position.leader_level
    if level and position.category != PositionCategory.LEADERSHIP:
        errors["category"] = "占用领导职数的岗位，岗位类别应为“领导”。"
    if position.category == PositionCategory.LEADERSHIP and not level:
        errors["leader_level"] = "领导岗位必须选择领导职数类别。"
    if level in (LeaderLevel.DEPT_PRINCIPAL, LeaderLevel.DEPT_DEPUTY) and position.unit_id:
        errors["unit"] = "部门领导岗位不属于任何科室，请将科室留空。"
    if level in (LeaderLevel.UNIT_PRINCIPAL, LeaderLevel.UNIT_DEPUTY) and not position.unit_id:
        errors["unit"] = "科室领导岗位必须选择所属科室。"
    if errors:
        raise ValidationError(errors)
    _check_validity_dates(position)
    if level and position.department_id and position.status == Status.ACTIVE:
        _check_leader_posts(position)


def _check_leader_posts(position: Position) -> None:
    """Leadership positions (by headcount) may not exceed the 领导职数 in force today."""
    today = _today()
    quota = (
        StaffingQuota.objects.filter(department_id=position.department_id, unit__isnull=True)
        .effective_on(today)
        .order_by("-effective_from")
        .first()
    )
    if quota is None:
        raise ValidationError({"leader_level": "该部门尚未核定编制和领导职数，不能设置领导岗位。"})
    field_name = LEADER_FIELD[position.leader_level]
    levels = [k for k, v in LEADER_FIELD.items() if v == field_name]
    others = (
        Position.objects.filter(
            department_id=position.department_id, leader_level__in=levels, status=Status.ACTIVE
        )
        .exclude(pk=position.pk)
        .aggregate(n=Sum("headcount"))["n"]
        or 0
    )
    allowed = getattr(quota, field_name)
    if others + position.headcount > allowed:
        label = StaffingQuota._meta.get_field(field_name).verbose_name
        raise ValidationError(
            {
                "headcount": f"领导岗位人数合计{others + position.headcount}名，超过核定的{label}{allowed}名。"
            }
        )


@transaction.atomic
def create_position(position: Position, *, acting_user: Any, reason: str = "") -> Position:
    validate_position(position)
    return create_object(position, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_position(position: Position, *, acting_user: Any, reason: str = "") -> Position:
    validate_position(position)
    return update_object(position, acting_user=acting_user, reason=reason)


def delete_position(position: Position, *, acting_user: Any, reason: str = "") -> None:
    delete_object(position, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# People


def validate_person(person: Person) -> None:
    if person.department_id:
        person.region_id = person.department.region_id


@transaction.atomic
def create_person(person: Person, *, acting_user: Any, reason: str = "") -> Person:
    validate_person(person)
    return create_object(person, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_person(person: Person, *, acting_user: Any, reason: str = "") -> Person:
    validate_person(person)
    return update_object(person, acting_user=acting_user, reason=reason)


def delete_person(person: Person, *, acting_user: Any, reason: str = "") -> None:
    delete_object(person, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# Assignments


def _overlaps(start: dt.date, end: dt.date | None) -> Q:
    q = Q(end_date__isnull=True) | Q(end_date__gte=start)
    if end is not None:
        q &= Q(start_date__lte=end)
    return q


def quota_violations(a: Assignment) -> list[str]:
    """What taking up this assignment would exceed: 编制, 岗位人数, 领导职数 (Chinese messages)."""
    position = a.position
    days = {a.start_date}
    today = _today()
    if a.held_on(today):
        days.add(today)
    problems: list[str] = []
    for on in sorted(days):
        if not a.held_on(on):
            continue
        report = staffing_report([position.department_id], on)
        dept = report.departments.get(position.department_id)
        counted_here = (
            a.pk
            and Assignment.objects.active_on(on)
            .filter(pk=a.pk, kind=a.kind, is_acting=a.is_acting, position_id=a.position_id)
            .exists()
        )
        extra = 0 if counted_here else 1
        when = f"{on:%Y年%m月%d日}"
        if a.kind == AssignmentKind.PRIMARY:
            t = a.person.staffing_type
            if dept is None or dept.bars[t].approved is None:
                problems.append(f"{when}部门“{position.department}”尚未核定编制。")
            elif dept.bars[t].filled + extra > dept.bars[t].approved:
                problems.append(
                    f"{when}部门{a.person.get_staffing_type_display()}核定{dept.bars[t].approved}名，"
                    f"实有{dept.bars[t].filled}名，再任职将超编。"
                )
            unit = report.units.get(position.unit_id) if position.unit_id else None
            unit_approved = unit.bars[t].approved if unit is not None else None
            if unit is not None and unit_approved is not None:  # noqa: SIM102
                if unit.bars[t].filled + extra > unit_approved:
                    problems.append(
                        f"{when}科室“{position.unit}”{a.person.get_staffing_type_display()}核定"
                        f"{unit.bars[t].approved}名，实有{unit.bars[t].filled}名，再任职将超编。"
                    )
        if a.kind == AssignmentKind.PRIMARY or a.is_acting:
            holders = (
                Assignment.objects.active_on(on)
                .filter(position_id=position.pk)
                .filter(Q(kind=AssignmentKind.PRIMARY) | Q(is_acting=True))
                .exclude(pk=a.pk)
                .count()
            )
            if holders + 1 > position.headcount:
                problems.append(
                    f"{when}岗位“{position}”核定{position.headcount}人，已有{holders}人在岗。"
                )
            if position.leader_level and dept is not None:
                key = (
                    "unit"
                    if position.leader_level
                    in (LeaderLevel.UNIT_PRINCIPAL, LeaderLevel.UNIT_DEPUTY)
                    else position.leader_level
                )
                bar = dept.leaders.get(key)
                if (
                    bar is not None
                    and bar.approved is not None
                    and bar.filled + extra > bar.approved
                ):
                    label = LeaderLevel(position.leader_level).label
                    problems.append(
                        f"{when}{label}领导职数核定{bar.approved}名，已任{bar.filled}名，再任职将超出领导职数。"
                    )
    return problems


def validate_assignment(a: Assignment, *, override_reason: str | None = None) -> None:
    errors: dict[str, list[str]] = {}

    def add(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    if not (a.person_id and a.position_id and a.start_date):
        return  # field-level validation reports the missing values
    position, person = a.position, a.person
    a.department_id = position.department_id
    a.region_id = position.region_id
    if a.end_date and a.end_date < a.start_date:
        add("end_date", "离任日期不能早于任职日期。")
    if person.status != PersonStatus.ACTIVE and a.end_date is None:
        add("person", f"“{person}”状态为{person.get_status_display()}，不能新增在任任职。")
    if position.status != Status.ACTIVE and a.end_date is None:
        add("position", f"岗位“{position}”已撤销，不能任职。")
    if a.kind == AssignmentKind.PRIMARY:
        if person.department_id != position.department_id:
            add(
                "position",
                "主要任职岗位应在人员编制所在部门；跨部门任职请选择“兼职”。",
            )
        clash = (
            Assignment.objects.filter(person_id=person.pk, kind=AssignmentKind.PRIMARY)
            .filter(_overlaps(a.start_date, a.end_date))
            .exclude(pk=a.pk)
            .select_related("position")
            .first()
        )
        if clash is not None:
            until = f"{clash.end_date:%Y-%m-%d}" if clash.end_date else "至今"
            add(
                "start_date",
                f"“{person}”在{clash.start_date:%Y-%m-%d}至{until}已主要任职于“{clash.position}”，"
                "同一时间只能有一个主要任职。",
            )
    if errors:
        raise ValidationError(errors)
    problems = quota_violations(a)
    reason = (override_reason if override_reason is not None else a.override_reason).strip()
    if problems and not reason:
        raise ValidationError(
            {"override_reason": [*problems, "如确需任职，请填写超编任职理由（将记入变更日志）。"]}
        )
    a.over_quota = bool(problems)
    a.override_reason = reason if problems else ""


@transaction.atomic
def create_assignment(
    a: Assignment, *, acting_user: Any, override_reason: str = "", reason: str = ""
) -> Assignment:
    # Serialise appointments per department so two concurrent ones cannot both take the last post.
    Department.objects.select_for_update().filter(pk=a.position.department_id).first()
    validate_assignment(a, override_reason=override_reason or a.override_reason)
    why = "；".join(
        x for x in (reason, f"超编任职理由：{a.override_reason}" if a.over_quota else "") if x
    )
    return create_object(a, acting_user=acting_user, reason=why)


@transaction.atomic
def update_assignment(
    a: Assignment, *, acting_user: Any, override_reason: str = "", reason: str = ""
) -> Assignment:
    Department.objects.select_for_update().filter(pk=a.position.department_id).first()
    validate_assignment(a, override_reason=override_reason or a.override_reason)
    why = "；".join(
        x for x in (reason, f"超编任职理由：{a.override_reason}" if a.over_quota else "") if x
    )
    return update_object(a, acting_user=acting_user, reason=why)


def delete_assignment(a: Assignment, *, acting_user: Any, reason: str = "") -> None:
    delete_object(a, acting_user=acting_user, reason=reason)
