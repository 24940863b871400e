"""The write half of the 履职清单 import: the checked plan of each row, and writing it.

``duties.importers`` reads and checks the workbook into :class:`ItemPlan` / :class:`TaskPlan`
objects (what to create, update or leave); :func:`write_plans` writes them in bulk inside the
importer's transaction, with one change-log entry per created, updated or deleted row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from qingdan.core import bulk
from qingdan.core.access import ensure_in_scope
from qingdan.core.changelog import Change, record_many, snapshot
from qingdan.core.choices import Action, ChangeKind
from qingdan.documents.xlsx import Row
from qingdan.duties import choices as c
from qingdan.duties.models import DutyItem, Task, TaskPosition
from qingdan.org.models import Department, Position, Unit


@dataclass(eq=False)
class ItemPlan:
    """One duty item of the file: the rows that carry it and what the import does with it."""

    rows: list[Row]
    obj: DutyItem
    existing: DutyItem | None
    before: dict[str, Any] | None = None
    action: str = "create"  # create | update | unchanged | skip | dropped
    bad: bool = False  # an error about the item itself: none of its rows can be written


@dataclass(eq=False)
class TaskPlan:
    """One task row of the file and what the import does with it and its positions."""

    row: Row
    item: ItemPlan
    obj: Task
    existing: Task | None
    coop: list[Unit]
    positions: list[tuple[Position, str]]
    before: dict[str, Any] | None = None
    before_coop: list[int] = field(default_factory=list)
    action: str = "create"
    coop_changed: bool = False
    tp_create: list[TaskPosition] = field(default_factory=list)
    tp_update: list[tuple[TaskPosition, dict[str, Any]]] = field(default_factory=list)
    tp_delete: list[TaskPosition] = field(default_factory=list)


def write_plans(
    department: Department,
    user: Any,
    items: list[ItemPlan],
    tasks: list[TaskPlan],
    *,
    reason: str,
    progress: Callable[[int, str], None],
    total: int,
) -> None:
    """Write the plans: updates before inserts (a renamed row frees its code), items before
    tasks before positions; then the change log, one entry per row."""
    now = timezone.now()
    done = total // 2
    progress(done, "正在写入…")
    new_items = [p.obj for p in items if p.action == "create"]
    upd_items = [p for p in items if p.action == "update"]
    _bulk_update(DutyItem, [p.obj for p in upd_items], now)
    bulk.insert(
        new_items,
        key=lambda item: item.code,
        lookup=DutyItem.objects.filter(department_id=department.pk),
        key_fields=["code"],
    )
    new_tasks = [t for t in tasks if t.action == "create"]
    upd_tasks = [t for t in tasks if t.action == "update"]
    _bulk_update(Task, [t.obj for t in upd_tasks], now)
    progress(done + total // 4, "正在写入工作任务…")
    bulk.insert(
        [t.obj for t in new_tasks],
        key=lambda task: task.code,
        lookup=Task.objects.filter(department_id=department.pk),
        key_fields=["code"],
        read_back=["annual_hours"],
    )
    _refresh_hours([t.obj for t in upd_tasks])
    through = Task.cooperating_units.through
    changed_coop = [t for t in upd_tasks if t.coop_changed]
    for start in range(0, len(changed_coop), 500):
        chunk = [t.obj.pk for t in changed_coop[start : start + 500]]
        through.objects.filter(task_id__in=chunk).delete()
    bulk.insert_links(
        through, [(t.obj.pk, u.pk) for t in [*new_tasks, *changed_coop] for u in t.coop]
    )
    deleted = [tp for t in upd_tasks for tp in t.tp_delete]
    deleted_ids = [tp.pk for tp in deleted]
    for start in range(0, len(deleted_ids), 500):
        TaskPosition.objects.filter(pk__in=deleted_ids[start : start + 500]).delete()
    updated_tps = [(tp, before) for t in upd_tasks for tp, before in t.tp_update]
    for tp, _ in updated_tps:
        tp.updated_at = now
    # Rows giving up 主办 first, so a lead moving between positions never meets itself.
    for becoming_lead in (False, True):
        TaskPosition.objects.bulk_update(
            [tp for tp, _ in updated_tps if (tp.role == c.TaskRole.LEAD) == becoming_lead],
            ["role", "updated_by", "updated_at"],
            batch_size=500,
        )
    new_tps = []
    for plan in [*new_tasks, *upd_tasks]:
        for tp in plan.tp_create:
            bulk.relate(tp, "task", plan.obj)
            new_tps.append(tp)
    bulk.insert(
        new_tps,
        key=lambda tp: (tp.task_id, tp.position_id),
        lookup=TaskPosition.objects.filter(department_id=department.pk),
        key_fields=["task_id", "position_id"],
    )
    # Every new row has this department and this user as creator: the first of each kind
    # answers for all of them.
    for rows in (new_items, [t.obj for t in new_tasks], new_tps):
        if rows and user is not None:
            ensure_in_scope(user, rows[0], Action.ADD)
    record_many(
        _changes(new_items, upd_items, new_tasks, upd_tasks, new_tps, updated_tps, deleted),
        acting_user=user,
        reason=reason,
    )
    progress(total, "已写入")


def _changes(
    new_items: list[DutyItem],
    upd_items: list[ItemPlan],
    new_tasks: list[TaskPlan],
    upd_tasks: list[TaskPlan],
    new_tps: list[TaskPosition],
    updated_tps: list[tuple[TaskPosition, dict[str, Any]]],
    deleted: list[TaskPosition],
) -> Iterable[Change]:
    create, update = ChangeKind.CREATE, ChangeKind.UPDATE
    for item in new_items:
        yield Change(create, item, None, snapshot(item))
    for plan in upd_items:
        yield Change(update, plan.obj, plan.before, snapshot(plan.obj))
    for plan in new_tasks:
        after = snapshot(plan.obj)
        if plan.coop:
            after["cooperating_units"] = sorted(u.pk for u in plan.coop)
        yield Change(create, plan.obj, None, after)
    for plan in upd_tasks:
        before, after = dict(plan.before or {}), snapshot(plan.obj)
        if plan.coop_changed:
            before["cooperating_units"] = plan.before_coop
            after["cooperating_units"] = sorted(u.pk for u in plan.coop)
        yield Change(update, plan.obj, before, after)
    for tp in new_tps:
        yield Change(create, tp, None, snapshot(tp))
    for tp, before in updated_tps:
        yield Change(update, tp, before, snapshot(tp))
    for tp in deleted:
        yield Change(ChangeKind.DELETE, tp, snapshot(tp), None)


def _bulk_update(model: type[DutyItem | Task], rows: list[Any], now: dt.datetime) -> None:
    if not rows:
        return
    names = [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.generated and f.name not in ("created_at", "created_by")
    ]
    for row in rows:
        row.updated_at = now
    model.objects.bulk_update(rows, names, batch_size=200)


def _refresh_hours(tasks: list[Task]) -> None:
    """Yearly hours are computed by the database; read them back for the log's snapshots."""
    by_id = {t.pk: t for t in tasks}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        for pk, hours in Task.objects.filter(pk__in=ids[start : start + 500]).values_list(
            "id", "annual_hours"
        ):
            by_id[pk].annual_hours = hours
