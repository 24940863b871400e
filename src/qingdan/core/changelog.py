"""The tamper-evident change log: snapshots, chained entries, verification.

Every entry's hash covers its content and the previous entry's hash. Writers hold a lock on the
single :class:`ChainHead` row for the length of their transaction, so the chain never forks; on
SQLite every write transaction is already exclusive (``transaction_mode=IMMEDIATE``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from qingdan.core.choices import ChangeKind
from qingdan.core.context import current_request_id

GENESIS = "0" * 64
MAX_REASON = 500
MAX_REPR = 200


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    # Floats and decimals as text so the hash does not depend on how a database stores numbers.
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The row's concrete field values as JSON-safe data (foreign keys as ids)."""
    data: dict[str, Any] = {}
    excluded = getattr(type(obj), "changelog_exclude", ())
    for f in obj._meta.concrete_fields:
        if isinstance(f, models.BinaryField) or f.name in excluded:
            continue
        data[f.attname] = _json_value(f.value_from_object(obj))
    return data


def _scope_ids(obj: models.Model) -> tuple[int | None, int | None]:
    def read(field_name: str | None) -> int | None:
        if not field_name:
            return None
        value = getattr(obj, field_name, None)
        return value if isinstance(value, int) else None

    return (
        read(getattr(type(obj), "scope_region_field", None)),
        read(getattr(type(obj), "scope_department_field", None)),
    )


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_payload(entry: Any) -> dict[str, Any]:
    """What the hash covers; ``entry`` is a ChangeLogEntry or a dict of its columns."""
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    ts = get("timestamp")
    return {
        "seq": get("seq"),
        "prev": get("prev_hash"),
        "ts": ts.astimezone(dt.UTC).isoformat(),
        "uid": get("user_id_snapshot"),
        "user": get("username"),
        "kind": get("kind"),
        "model": get("model"),
        "oid": get("object_id"),
        "repr": get("object_repr"),
        "region": get("region_id_snapshot"),
        "dept": get("department_id_snapshot"),
        "before": get("before"),
        "after": get("after"),
        "rid": get("request_id"),
        "reason": get("reason"),
    }


def compute_hash(entry: Any) -> str:
    return hashlib.sha256(_canonical(entry_payload(entry))).hexdigest()


@dataclass(frozen=True)
class Change:
    """One change to record; ``obj`` gives the model label, id, repr and scope columns."""

    kind: str
    obj: models.Model
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _lock_head() -> Any:
    from qingdan.core.models import ChainHead

    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head, _ = ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def record_many(changes: Iterable[Change], *, acting_user: Any, reason: str = "") -> list[Any]:
    """Append entries for ``changes`` to the chain, in order, inside the caller's transaction.

    Entries are inserted with one parameterised ``executemany`` per batch (``core.bulk.insert``),
    not ``bulk_create``: at an import's scale (~100,000 entries) the ORM's per-value compilation
    cost more than hashing and writing them.
    """
    from qingdan.core import bulk
    from qingdan.core.models import ChangeLogEntry

    with transaction.atomic():
        head = _lock_head()
        first_seq = head.last_seq
        seq, prev = head.last_seq, head.last_hash or GENESIS
        now = timezone.now()
        ts = now.astimezone(dt.UTC).isoformat()
        uid = getattr(acting_user, "pk", None)
        username = getattr(acting_user, "username", "") or "system"
        rid = current_request_id()
        reason = (reason or "")[:MAX_REASON]
        entries = []
        for change in changes:
            seq += 1
            region_id, dept_id = _scope_ids(change.obj)
            label = change.obj._meta.label_lower
            object_id = str(change.obj.pk)
            object_repr = str(change.obj)[:MAX_REPR]
            # The payload entry_payload() would read back from the entry, built directly.
            payload = {
                "seq": seq,
                "prev": prev,
                "ts": ts,
                "uid": uid,
                "user": username,
                "kind": change.kind,
                "model": label,
                "oid": object_id,
                "repr": object_repr,
                "region": region_id,
                "dept": dept_id,
                "before": change.before,
                "after": change.after,
                "rid": rid,
                "reason": reason,
            }
            entry_hash = hashlib.sha256(_canonical(payload)).hexdigest()
            entries.append(
                ChangeLogEntry(
                    seq=seq,
                    timestamp=now,
                    user_id_snapshot=uid,
                    username=username,
                    kind=change.kind,
                    model=label,
                    object_id=object_id,
                    object_repr=object_repr,
                    region_id_snapshot=region_id,
                    department_id_snapshot=dept_id,
                    before=change.before,
                    after=change.after,
                    request_id=rid,
                    reason=reason,
                    prev_hash=prev,
                    entry_hash=entry_hash,
                )
            )
            prev = entry_hash
        if not entries:
            return []
        bulk.insert(
            entries,
            key=lambda e: e.seq,
            lookup=ChangeLogEntry.objects.filter(seq__gt=first_seq),
            key_fields=["seq"],
        )
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash"])
        return entries


def record(
    kind: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    acting_user: Any,
    reason: str = "",
) -> Any:
    return record_many([Change(kind, obj, before, after)], acting_user=acting_user, reason=reason)[
        0
    ]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str = ""


_FIELDS = (
    "id",
    "seq",
    "timestamp",
    "user_id_snapshot",
    "username",
    "kind",
    "model",
    "object_id",
    "object_repr",
    "region_id_snapshot",
    "department_id_snapshot",
    "before",
    "after",
    "request_id",
    "reason",
    "prev_hash",
    "entry_hash",
)


def _rows() -> Iterator[dict[str, Any]]:
    from qingdan.core.models import ChangeLogEntry

    yield from ChangeLogEntry.objects.order_by("seq").values(*_FIELDS).iterator(chunk_size=2000)


def verify_chain() -> VerifyResult:
    """Walk the whole chain; report the first entry that was altered, removed or re-ordered."""
    from qingdan.core.models import ChainHead

    expected_seq, prev = 1, GENESIS
    checked = 0
    for row in _rows():
        if row["seq"] != expected_seq:
            return VerifyResult(
                False,
                checked,
                row["seq"],
                row["id"],
                f"第{expected_seq}条日志缺失（下一条为第{row['seq']}条）",
            )
        if row["prev_hash"] != prev:
            return VerifyResult(
                False, checked, row["seq"], row["id"], f"第{row['seq']}条日志与前一条不衔接"
            )
        if compute_hash(row) != row["entry_hash"]:
            return VerifyResult(
                False, checked, row["seq"], row["id"], f"第{row['seq']}条日志内容被篡改"
            )
        prev = row["entry_hash"]
        expected_seq += 1
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    last_seq = head.last_seq if head else 0
    if last_seq != checked or (checked and head and head.last_hash != prev):
        return VerifyResult(
            False,
            checked,
            checked + 1,
            None,
            f"日志链尾缺失：链头记录共{last_seq}条，实有{checked}条",
        )
    return VerifyResult(True, checked)


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """Field-by-field differences for the history tab: (field, old, new)."""
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


__all__ = ["GENESIS", "Change", "ChangeKind", "VerifyResult", "record", "record_many"]
