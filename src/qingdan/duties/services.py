"""Writes to the 履职清单 (三定规定, 职责事项, 工作任务, 任务岗位), with their invariants.

Each ``validate_*`` raises a ``ValidationError`` (field → Chinese message) and writes nothing; it
also derives what the user never sets: region and department from the parent row, yearly
occurrences from the frequency, codes when left blank, the search column. The matching
``create_*`` / ``update_*`` call it again and write through ``core.services`` (change log).

Rows are never hard-deleted once they left the draft state: ``delete_*`` refuses and the user
revokes instead (``revoke_*``, through the one status transition service).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from qingdan.core.access import restrict
from qingdan.core.changelog import record
from qingdan.core.choices import Action, ChangeKind
from qingdan.core.services import create_object, delete_object, update_object
from qingdan.duties import choices as c
from qingdan.duties.models import DutyItem, Mandate, Task, TaskPosition
from qingdan.duties.search import duty_item_search_text, task_search_text
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Department, Unit

S = c.ListStatus

# The status machine of every list row: drafts are published (by the review workflow) or dropped;
# published rows are revoked, never deleted; revoked rows stay as they are.
ALLOWED: dict[str, set[str]] = {
    S.DRAFT: {S.ACTIVE, S.REVOKED},
    S.ACTIVE: {S.REVOKED},
    S.REVOKED: set(),
}
TRANSITION_ACTION = {S.ACTIVE: Action.PUBLISH, S.REVOKED: Action.DELETE}

DELETE_ACTIVE_MESSAGE = "已发布的事项不能删除，请改为撤销。"
REVOKED_MESSAGE = "已撤销的事项不能修改。"
STATUS_MESSAGE = "状态不能直接修改：发布由审核流程完成，停用请使用“撤销”。"

ListRowModel = Mandate | DutyItem | Task


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _stored(obj: models.Model, *fields: str) -> dict[str, Any] | None:
    if obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).values(*fields).first()


def _check_existing(obj: ListRowModel, errors: dict[str, str]) -> None:
    """Department fixed after creation; status only through transitions; revoked rows frozen."""
    stored = _stored(obj, "status", "department_id")
    if stored is None:
        if obj.status != S.DRAFT:
            errors.setdefault("status", "新建事项的状态只能是草稿。")
        return
    if stored["status"] == S.REVOKED:
        errors.setdefault("__all__", REVOKED_MESSAGE)
    if stored["status"] != obj.status:
        errors.setdefault("status", STATUS_MESSAGE)
    if stored["department_id"] != obj.department_id:
        errors.setdefault("department", "不能更改所属部门；请在目标部门新建，并撤销本事项。")


def next_code(model: type[models.Model], department_id: int, prefix: str, width: int) -> str:
    """The next free ``prefix`` + zero-padded number in the department (ZZ001, ZZ001-01 …)."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [
        int(m.group(1))
        for code in model._default_manager.filter(
            department_id=department_id, code__startswith=prefix
        ).values_list("code", flat=True)
        if (m := pattern.match(code))
    ]
    return f"{prefix}{max(numbers, default=0) + 1:0{width}d}"


def _set_m2m(
    obj: models.Model,
    field_name: str,
    values: Iterable[models.Model],
    *,
    acting_user: Any,
    reason: str,
) -> None:
    """Replace a many-to-many set and log the change (the row snapshot does not cover it)."""
    manager = getattr(obj, field_name)
    before = sorted(manager.values_list("pk", flat=True))
    wanted = list(values)
    after = sorted({v.pk for v in wanted})
    if before == after:
        return
    manager.set(wanted)
    record(
        ChangeKind.UPDATE,
        obj,
        before={field_name: before},
        after={field_name: after},
        acting_user=acting_user,
        reason=reason,
    )


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _ensure_draft(obj: ListRowModel) -> None:
    stored = _stored(obj, "status")
    if stored is not None and stored["status"] != S.DRAFT:
        raise ValidationError(DELETE_ACTIVE_MESSAGE)


# ---------------------------------------------------------------------------------------------
# Status transitions


@transaction.atomic
def transition_status(
    obj: ListRowModel, to: str, *, acting_user: Any, reason: str = ""
) -> ListRowModel:
    """Move a list row along :data:`ALLOWED`, checking the user's permission for the move.

    ``acting_user=None`` is the system (importers, the review workflow's own checks).
    """
    stored = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if to not in ALLOWED[stored.status]:
        raise ValidationError(
            {
                "status": f"不能从“{S(stored.status).label}”变为“{S(to).label}”。",
            }
        )
    action = TRANSITION_ACTION[S(to)]
    if acting_user is not None:
        qs = type(obj)._default_manager.filter(pk=obj.pk)
        if not restrict(qs, acting_user, action).exists():
            raise PermissionDenied("您没有执行此操作的权限。")
    stored.status = to
    if to == S.REVOKED and stored.valid_to is None:
        stored.valid_to = timezone.localdate()
    if to == S.ACTIVE and stored.valid_from is None:
        stored.valid_from = timezone.localdate()
    update_object(stored, acting_user=acting_user, reason=reason)
    obj.status, obj.valid_from, obj.valid_to = stored.status, stored.valid_from, stored.valid_to
    return stored


def revoke_mandate(mandate: Mandate, *, acting_user: Any, reason: str = "") -> Mandate:
    """撤销 a 三定规定 (a superseded or withdrawn regulation); its duty items are kept."""
    return transition_status(mandate, S.REVOKED, acting_user=acting_user, reason=reason)


@transaction.atomic
def revoke_duty_item(item: DutyItem, *, acting_user: Any, reason: str = "") -> DutyItem:
    """撤销 a duty item and, with it, every task under it that is not revoked yet."""
    transition_status(item, S.REVOKED, acting_user=acting_user, reason=reason)
    for task in Task.objects.filter(duty_item_id=item.pk).exclude(status=S.REVOKED):
        transition_status(
            task, S.REVOKED, acting_user=acting_user, reason=reason or "职责事项撤销，任务随之撤销"
        )
    return item


def revoke_task(task: Task, *, acting_user: Any, reason: str = "") -> Task:
    return transition_status(task, S.REVOKED, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# 三定规定


def validate_mandate(mandate: Mandate) -> None:
    errors: dict[str, str] = {}
    if mandate.department_id:
        mandate.region_id = mandate.department.region_id
    _check_existing(mandate, errors)
    _raise(errors)


@transaction.atomic
def create_mandate(mandate: Mandate, *, acting_user: Any, reason: str = "") -> Mandate:
    """A new version of the department's 三定规定 (versions count up per department)."""
    Department.objects.select_for_update().filter(pk=mandate.department_id).first()
    validate_mandate(mandate)
    latest = (
        Mandate.objects.filter(department_id=mandate.department_id)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    mandate.version = (latest or 0) + 1
    if not mandate.code:
        mandate.code = f"SD{mandate.version:03d}"
    return create_object(mandate, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_mandate(mandate: Mandate, *, acting_user: Any, reason: str = "") -> Mandate:
    validate_mandate(mandate)
    stored = _stored(mandate, "version")
    if stored is not None and stored["version"] != mandate.version:
        raise ValidationError({"version": "版本号由系统维护，不能修改。"})
    return update_object(mandate, acting_user=acting_user, reason=reason)


def delete_mandate(mandate: Mandate, *, acting_user: Any, reason: str = "") -> None:
    _ensure_draft(mandate)
    delete_object(mandate, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# 职责事项


def validate_duty_item(item: DutyItem, *, units: Sequence[Unit] | None = None) -> None:
    errors: dict[str, str] = {}
    if item.mandate_id:
        if item.department_id and item.mandate.department_id != item.department_id:
            errors["mandate"] = "三定规定不属于所选部门。"
        else:
            item.department_id = item.mandate.department_id
    if item.department_id:
        item.region_id = item.department.region_id
        if not item.code:
            item.code = next_code(DutyItem, item.department_id, "ZZ", 3)
        if units is not None:
            foreign = [u.name for u in units if u.department_id != item.department_id]
            if foreign:
                errors["units"] = f"承担科室必须是本部门的内设机构（{'、'.join(foreign)}不是）。"
    _check_existing(item, errors)
    _raise(errors)
    item.search_text = duty_item_search_text(item)


@transaction.atomic
def create_duty_item(
    item: DutyItem, *, acting_user: Any, reason: str = "", units: Sequence[Unit] | None = None
) -> DutyItem:
    validate_duty_item(item, units=units)
    create_object(item, acting_user=acting_user, reason=reason)
    if units:
        _set_m2m(item, "units", units, acting_user=acting_user, reason=reason)
    return item


@transaction.atomic
def update_duty_item(
    item: DutyItem, *, acting_user: Any, reason: str = "", units: Sequence[Unit] | None = None
) -> DutyItem:
    """Save changes; ``units=None`` leaves the 承担科室 as they are."""
    validate_duty_item(item, units=units)
    update_object(item, acting_user=acting_user, reason=reason)
    if units is not None:
        _set_m2m(item, "units", units, acting_user=acting_user, reason=reason)
    return item


def delete_duty_item(item: DutyItem, *, acting_user: Any, reason: str = "") -> None:
    _ensure_draft(item)
    delete_object(item, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# 工作任务


def derive_occurrences(task: Task) -> None:
    """Yearly occurrences follow the frequency; only 按件 tasks state their own count."""
    if task.frequency and task.frequency != c.Frequency.PER_CASE:
        task.occurrences = Decimal(c.OCCURRENCES_PER_YEAR[c.Frequency(task.frequency)])


def validate_task(task: Task, *, cooperating_units: Sequence[Unit] | None = None) -> None:
    errors: dict[str, str] = {}
    duty = task.duty_item if task.duty_item_id else None
    if duty is not None:
        if task.pk is None and task.department_id and task.department_id != duty.department_id:
            errors["duty_item"] = "职责事项必须属于本部门。"
        elif task.pk is None:
            task.department_id = duty.department_id
        elif duty.department_id != task.department_id:
            errors["duty_item"] = "不能把工作任务移到其他部门的职责事项下。"
        task.region_id = duty.region_id
        if duty.status == S.REVOKED:
            errors["duty_item"] = "该职责事项已撤销，不能在其下新增或修改工作任务。"
        if not task.code and task.department_id:
            prefix = f"{duty.code}-"
            task.code = (
                next_code(Task, task.department_id, prefix, 2)
                if len(prefix) <= 28
                else next_code(Task, task.department_id, "RW", 5)
            )
    dept_id = task.department_id
    if task.lead_unit_id and dept_id:
        lead = task.lead_unit
        if lead.department_id != dept_id:
            errors["lead_unit"] = f"承办科室必须是本部门的内设机构（“{lead}”不是）。"
        elif lead.status != OrgStatus.ACTIVE:
            errors["lead_unit"] = f"承办科室“{lead}”已撤销。"
    if cooperating_units is not None and dept_id:
        foreign = [u.name for u in cooperating_units if u.department_id != dept_id]
        if foreign:
            errors["cooperating_units"] = (
                f"协办科室必须是本部门的内设机构（{'、'.join(foreign)}不是）。"
            )
        elif task.lead_unit_id and any(u.pk == task.lead_unit_id for u in cooperating_units):
            errors["cooperating_units"] = "承办科室不能同时作为协办科室。"
    if task.frequency == c.Frequency.PER_CASE:
        if task.occurrences is None or task.occurrences <= 0:
            errors["occurrences"] = "按件（不定期）的任务必须填写年发生次数，且大于0。"
    else:
        derive_occurrences(task)
    _check_existing(task, errors)
    _raise(errors)
    task.search_text = task_search_text(task)


@transaction.atomic
def create_task(
    task: Task,
    *,
    acting_user: Any,
    reason: str = "",
    cooperating_units: Sequence[Unit] | None = None,
) -> Task:
    validate_task(task, cooperating_units=cooperating_units)
    create_object(task, acting_user=acting_user, reason=reason)
    if cooperating_units:
        _set_m2m(
            task, "cooperating_units", cooperating_units, acting_user=acting_user, reason=reason
        )
    task.refresh_from_db(fields=["annual_hours"])
    return task


@transaction.atomic
def update_task(
    task: Task,
    *,
    acting_user: Any,
    reason: str = "",
    cooperating_units: Sequence[Unit] | None = None,
) -> Task:
    """Save changes; ``cooperating_units=None`` leaves the 协办科室 as they are."""
    validate_task(task, cooperating_units=cooperating_units)
    update_object(task, acting_user=acting_user, reason=reason)
    if cooperating_units is not None:
        _set_m2m(
            task, "cooperating_units", cooperating_units, acting_user=acting_user, reason=reason
        )
    task.refresh_from_db(fields=["annual_hours"])
    return task


@transaction.atomic
def delete_task(task: Task, *, acting_user: Any, reason: str = "") -> None:
    """Delete a draft task; its position assignments go first, each logged."""
    _ensure_draft(task)
    for tp in TaskPosition.objects.filter(task_id=task.pk):
        delete_object(tp, acting_user=acting_user, reason=reason)
    delete_object(task, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# 任务岗位


def validate_task_position(tp: TaskPosition, *, check_siblings: bool = True) -> None:
    """``check_siblings=False`` leaves the one-主办 and no-duplicate checks to the caller (the
    back-office inline checks them across all its rows, which are saved together)."""
    errors: dict[str, str] = {}
    if not (tp.task_id or getattr(tp, "task", None)) or not tp.position_id:
        return  # field validation reports the missing values
    task, position = tp.task, tp.position
    if task.department_id:
        tp.department_id = task.department_id
        tp.region_id = task.region_id or task.department.region_id
        if position.department_id != task.department_id:
            errors["position"] = f"岗位必须属于本部门（“{position}”不是）。"
        elif position.status != OrgStatus.ACTIVE:
            errors["position"] = f"岗位“{position}”已撤销，不能分配任务。"
    if task.pk is not None and task.status == S.REVOKED:
        errors["task"] = "该工作任务已撤销，不能修改岗位分配。"
    if task.pk is not None and check_siblings:
        others = TaskPosition.objects.filter(task_id=task.pk).exclude(pk=tp.pk)
        if tp.role == c.TaskRole.LEAD:
            lead = others.filter(role=c.TaskRole.LEAD).select_related("position").first()
            if lead is not None:
                errors["role"] = (
                    f"该任务已有主办岗位“{lead.position}”，每项任务只能有一个主办岗位。"
                )
        if others.filter(position_id=tp.position_id).exists():
            errors["position"] = "该岗位已分配到此任务。"
    _raise(errors)


@transaction.atomic
def create_task_position(tp: TaskPosition, *, acting_user: Any, reason: str = "") -> TaskPosition:
    Task.objects.select_for_update().filter(pk=tp.task_id).first()
    validate_task_position(tp)
    return create_object(tp, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_task_position(tp: TaskPosition, *, acting_user: Any, reason: str = "") -> TaskPosition:
    Task.objects.select_for_update().filter(pk=tp.task_id).first()
    stored = _stored(tp, "task_id")
    if stored is not None and stored["task_id"] != tp.task_id:
        raise ValidationError({"task": "不能把岗位分配移到其他任务，请删除后重新分配。"})
    validate_task_position(tp)
    return update_object(tp, acting_user=acting_user, reason=reason)


def delete_task_position(tp: TaskPosition, *, acting_user: Any, reason: str = "") -> None:
    """Remove a position from a task (logged); refused once the task is revoked."""
    if Task.objects.filter(pk=tp.task_id, status=S.REVOKED).exists():
        raise ValidationError("该工作任务已撤销，不能修改岗位分配。")
    delete_object(tp, acting_user=acting_user, reason=reason)


# ---------------------------------------------------------------------------------------------
# 工作规范 check (called by the review workflow at submission)


@dataclass(frozen=True)
class WorkSpecProblem:
    """A task that needs a 工作规范 but has none, and why it needs one."""

    task: Task
    reasons: tuple[str, ...]

    @property
    def message(self) -> str:
        return (
            f"工作任务“{self.task.name}”（{self.task.code}）属于{'、'.join(self.reasons)}，"
            "须制定工作规范。"
        )


def work_spec_reasons(task: Task) -> tuple[str, ...]:
    reasons = []
    if task.discretion == c.Level.HIGH:
        reasons.append("自由裁量程度高")
    if task.risk_level == c.Level.HIGH:
        reasons.append("廉政风险等级高")
    if task.is_supervision:
        reasons.append("监管事项")
    if task.is_enforcement:
        reasons.append("执法事项")
    return tuple(reasons)


def work_spec_problems(tasks: Iterable[Task]) -> list[WorkSpecProblem]:
    """Tasks that need a 工作规范 (high discretion, high risk, 监管 or 执法) but have none.

    Revoked tasks are skipped; a blank or whitespace-only specification counts as none.
    """
    problems = []
    for task in tasks:
        if task.status == S.REVOKED or (task.work_spec or "").strip():
            continue
        reasons = work_spec_reasons(task)
        if reasons:
            problems.append(WorkSpecProblem(task, reasons))
    return problems
