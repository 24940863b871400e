"""Published versions of a department's 履职清单: the snapshot, activation of drafts, and diffs.

A snapshot holds every active duty item, task and task-position of the department, by stable
code, with unit and position names and codes written out, and no database ids or timestamps — so
the same list always gives the same bytes and the same SHA-256, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from qingdan.core.changelog import Change, record_many, snapshot
from qingdan.core.choices import ChangeKind
from qingdan.core.services import create_object
from qingdan.duties.choices import ListStatus
from qingdan.duties.models import DutyItem, Task, TaskPosition
from qingdan.org.models import Department
from qingdan.oversight.diff import VersionDiff, diff_snapshots, snapshot_hash
from qingdan.oversight.models import ListVersion, Submission

SNAPSHOT_FORMAT = 1


def _dec(value: Decimal | None, places: int) -> str | None:
    """Decimals as fixed-point text so SQLite and PostgreSQL give the same bytes."""
    if value is None:
        return None
    return format(Decimal(value).quantize(Decimal(1).scaleb(-places)), "f")


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def build_snapshot(department: Department) -> dict[str, Any]:
    """The canonical content of the department's published list (5 queries)."""
    items = (
        DutyItem.objects.filter(department=department, status=ListStatus.ACTIVE)
        .prefetch_related(models.Prefetch("units", to_attr="unit_list"))
        .order_by("code")
    )
    duty_rows = [
        {
            "code": d.code,
            "clause": d.clause,
            "source": d.source,
            "text": d.text,
            "category": d.category,
            "is_core": d.is_core,
            "units": sorted(u.code for u in d.unit_list),
            "valid_from": _date(d.valid_from),
            "valid_to": _date(d.valid_to),
            "order": d.order,
        }
        for d in items
    ]
    tasks = list(
        Task.objects.filter(department=department, status=ListStatus.ACTIVE)
        .select_related("duty_item", "lead_unit")
        .prefetch_related(models.Prefetch("cooperating_units", to_attr="coop_list"))
        .order_by("code")
    )
    task_rows = [
        {
            "code": t.code,
            "duty_item": t.duty_item.code,
            "name": t.name,
            "description": t.description,
            "lead_unit": t.lead_unit.code,
            "lead_unit_name": t.lead_unit.name,
            "cooperating_units": sorted(u.code for u in t.coop_list),
            "frequency": t.frequency,
            "occurrences": _dec(t.occurrences, 1),
            "unit_hours": _dec(t.unit_hours, 2),
            "annual_hours": _dec(t.annual_hours, 3),
            "time_limit_days": t.time_limit_days,
            "time_limit_note": t.time_limit_note,
            "legal_basis": t.legal_basis,
            "work_spec": t.work_spec,
            "output_templates": t.output_templates,
            "is_supervision": t.is_supervision,
            "is_enforcement": t.is_enforcement,
            "discretion": t.discretion,
            "risk_level": t.risk_level,
            "has_process": t.has_process,
            "valid_from": _date(t.valid_from),
            "valid_to": _date(t.valid_to),
            "order": t.order,
        }
        for t in tasks
    ]
    links = TaskPosition.objects.filter(task__in=[t.pk for t in tasks]).select_related(
        "task", "position", "position__unit"
    )
    link_rows = sorted(
        (
            {
                "task": tp.task.code,
                "position_code": tp.position.code,
                "position_name": tp.position.name,
                "unit_code": tp.position.unit.code if tp.position.unit_id else "",
                "unit_name": tp.position.unit.name if tp.position.unit_id else "",
                "role": tp.role,
            }
            for tp in links
        ),
        key=lambda r: (r["task"], r["position_code"]),
    )
    return {
        "format": SNAPSHOT_FORMAT,
        "department": {"code": department.code, "name": department.name},
        "duty_items": duty_rows,
        "tasks": task_rows,
        "task_positions": link_rows,
    }


def activate_drafts(department: Department, *, acting_user: Any, reason: str) -> tuple[int, int]:
    """Set the department's draft duty items and tasks to 有效 (bulk, one log entry per row).

    Same effect as ``duties.services.transition_status(row, ACTIVE)`` row by row (valid from
    today unless a date was set), in a handful of queries for a department's hundreds of rows.
    """
    now = timezone.now()
    today = timezone.localdate()
    uid = getattr(acting_user, "pk", None)
    counts = []
    for model in (DutyItem, Task):
        rows = list(model.objects.filter(department=department, status=ListStatus.DRAFT))
        befores = [snapshot(r) for r in rows]
        for r in rows:
            r.status = ListStatus.ACTIVE
            r.valid_from = r.valid_from or today
            r.updated_at = now
            r.updated_by_id = uid
        model.objects.bulk_update(
            rows, ["status", "valid_from", "updated_at", "updated_by"], batch_size=500
        )
        record_many(
            (
                Change(ChangeKind.UPDATE, r, before, snapshot(r))
                for r, before in zip(rows, befores, strict=True)
            ),
            acting_user=acting_user,
            reason=reason,
        )
        counts.append(len(rows))
    return counts[0], counts[1]


@transaction.atomic
def create_version(
    submission: Submission, *, acting_user: Any, at: dt.datetime | None = None
) -> ListVersion:
    """Freeze the department's active list as its next version (called when publishing)."""
    department = Department.objects.select_for_update().get(pk=submission.department_id)
    last = (
        ListVersion.objects.filter(department=department).aggregate(n=models.Max("number")).get("n")
    )
    data = build_snapshot(department)
    version = ListVersion(
        department=department,
        region_id=department.region_id,
        number=(last or 0) + 1,
        submission=submission,
        published_at=at or timezone.now(),
        published_by=acting_user if getattr(acting_user, "pk", None) else None,
        snapshot=data,
        sha256=snapshot_hash(data),
        duty_item_count=len(data["duty_items"]),
        task_count=len(data["tasks"]),
        task_position_count=len(data["task_positions"]),
    )
    return create_object(version, acting_user=acting_user, reason=f"发布清单第{version.number}版")


def verify_version(version: ListVersion) -> bool:
    """Whether the stored snapshot still hashes to the stored SHA-256."""
    return snapshot_hash(version.snapshot) == version.sha256


def compare_versions(old: ListVersion, new: ListVersion) -> VersionDiff:
    return diff_snapshots(old.snapshot, new.snapshot)
