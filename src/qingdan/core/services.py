"""Generic write services: validate, save, and log in one transaction.

Domain services (``qingdan.org.services`` …) check their invariants and then call these, so every
create, update and delete — from the admin, the API, an importer or the CLI — lands in the change
log with its before/after snapshot.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from qingdan.core.changelog import record, snapshot
from qingdan.core.choices import ChangeKind

M = TypeVar("M", bound=models.Model)


def _stamp(obj: models.Model, acting_user: Any, *, creating: bool) -> None:
    uid = getattr(acting_user, "pk", None)
    if creating and hasattr(obj, "created_by_id"):
        obj.created_by_id = uid
    if hasattr(obj, "updated_by_id"):
        obj.updated_by_id = uid


@transaction.atomic
def create_object(obj: M, *, acting_user: Any, reason: str = "") -> M:
    _stamp(obj, acting_user, creating=True)
    obj.full_clean()
    obj.save(force_insert=True)
    record(
        ChangeKind.CREATE,
        obj,
        before=None,
        after=snapshot(obj),
        acting_user=acting_user,
        reason=reason,
    )
    return obj


@transaction.atomic
def update_object(obj: M, *, acting_user: Any, reason: str = "") -> M:
    """Save ``obj`` (already carrying its new values); logs nothing when nothing changed."""
    stored = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    before = snapshot(stored)
    _stamp(obj, acting_user, creating=False)
    obj.full_clean()
    obj.save()
    after = snapshot(obj)
    changed = {k for k in after if after[k] != before.get(k)} - {"updated_at", "updated_by_id"}
    if changed:
        record(
            ChangeKind.UPDATE,
            obj,
            before=before,
            after=after,
            acting_user=acting_user,
            reason=reason,
        )
    return obj


def _describe_protected(exc: ProtectedError | RestrictedError) -> str:
    objs = list(exc.args[1])[:3] if len(exc.args) > 1 else []
    names = "、".join(f"{o._meta.verbose_name}“{o}”" for o in objs)
    return f"无法删除：仍被其他记录引用（如{names}）。请先处理这些记录，或将其停用。"


@transaction.atomic
def delete_object(obj: M, *, acting_user: Any, reason: str = "") -> None:
    before = snapshot(obj)
    pk = obj.pk
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(_describe_protected(exc)) from exc
    obj.pk = pk  # keep the id for the log entry
    record(
        ChangeKind.DELETE, obj, before=before, after=None, acting_user=acting_user, reason=reason
    )
