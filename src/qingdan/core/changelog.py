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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import repeat
from typing import Any

from django.db import connections, models, transaction
from django.utils import timezone

from qingdan.core.choices import ChangeKind
from qingdan.core.context import current_request_id
from qingdan.core.fieldvalues import getter

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


_PLAIN_TYPES = (str, int, type(None))  # bool is an int; str and int subclasses encode as such


# Field kinds whose values are never plain JSON (dates, decimals, ids …): always converted.
_CONVERTED_KINDS = frozenset(
    {"DateTimeField", "DateField", "TimeField", "DecimalField", "FloatField", "UUIDField",
     "DurationField"}
)  # fmt: skip


@cache
def _snapshot_plan(
    model: type[models.Model],
) -> tuple[tuple[str, ...], Callable[[Any], Any], tuple[int, ...]]:
    """The attribute names a snapshot holds, a getter returning their values as a tuple, and
    the positions of the values that always need converting."""
    excluded = getattr(model, "changelog_exclude", ())
    fields = [
        f
        for f in model._meta.concrete_fields
        if not isinstance(f, models.BinaryField) and f.name not in excluded
    ]
    names = tuple(f.attname for f in fields)
    converted = tuple(i for i, f in enumerate(fields) if f.get_internal_type() in _CONVERTED_KINDS)
    return names, getter(names), converted


_ISO: dict[dt.datetime, str] = {}


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The row's concrete field values as JSON-safe data (foreign keys as ids)."""
    names, get, converted = _snapshot_plan(type(obj))
    values = list(get(obj))
    for i in converted:
        value = values[i]
        if type(value) is dt.datetime:
            # The rows of one batch share their timestamps: convert each instant once.
            text = _ISO.get(value)
            if text is None:
                if len(_ISO) > 64:
                    _ISO.clear()
                text = _ISO[value] = _json_value(value)
            values[i] = text
        else:
            values[i] = _json_value(value)
    if not all(map(isinstance, values, repeat(_PLAIN_TYPES))):
        values = [_json_value(value) for value in values]  # (unchanged where already JSON-safe)
    return dict(zip(names, values, strict=True))


@cache
def _scope_fields(model: type[models.Model]) -> tuple[str | None, str | None]:
    return (
        getattr(model, "scope_region_field", None) or None,
        getattr(model, "scope_department_field", None) or None,
    )


def _scope_ids(obj: models.Model) -> tuple[int | None, int | None]:
    region_field, department_field = _scope_fields(type(obj))
    region = getattr(obj, region_field, None) if region_field else None
    department = getattr(obj, department_field, None) if department_field else None
    return (
        region if isinstance(region, int) else None,
        department if isinstance(department, int) else None,
    )


# The canonical JSON the hashes cover: sorted keys, no spaces, characters as they are. One encoder
# for every call (``json.dumps`` with options builds a new one each time).
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_dumps: Callable[[Any], str] = _ENCODER.encode
_string = json.encoder.encode_basestring  # a str as canonical JSON, without the encoder's checks


def _canonical(payload: dict[str, Any]) -> bytes:
    return _dumps(payload).encode()


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


_BATCH = 2000
# ChangeLogEntry's columns in the order record_many's tuples give them.
_ENTRY_COLUMNS = (
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


def _int_json(value: int | None) -> str:
    return "null" if value is None else str(value)


def _json_param(connection: Any) -> Callable[[str | None], Any]:
    """Already-encoded JSON text → the parameter the JSON column takes on this database."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return lambda text: None if text is None else Jsonb(text, dumps=str)
    return lambda text: text


def record_many(changes: Iterable[Change], *, acting_user: Any, reason: str = "") -> int:
    """Append entries for ``changes`` to the chain, in order, inside the caller's transaction;
    return how many were written.

    At an import's scale (~100,000 entries) building model instances, compiling their values
    and encoding each snapshot twice (once for the hash, once for the column) cost more than
    hashing and writing. So each entry is a tuple of column values sent with one parameterised
    ``executemany`` per batch (the statement built from the model's metadata), and its
    ``before``/``after`` are encoded once: the canonical text that the hash covers is the text
    stored. The hash is the one :func:`compute_hash` computes from the stored entry (tested).
    """
    from qingdan.core.models import ChangeLogEntry

    with transaction.atomic():
        head = _lock_head()
        seq, prev = head.last_seq, head.last_hash or GENESIS
        now = timezone.now()
        uid = getattr(acting_user, "pk", None)
        username = getattr(acting_user, "username", "") or "system"
        rid = current_request_id()
        reason = (reason or "")[:MAX_REASON]
        # The parts of the canonical payload that every entry of this call shares. Each entry's
        # canonical text is then joined in _canonical's order (keys sorted): the test
        # test_stored_entries_hash_to_what_was_recorded_for_awkward_content holds them equal.
        fixed = {
            "reason": _dumps(reason),
            "rid": _dumps(rid),
            "ts": _dumps(now.astimezone(dt.UTC).isoformat()),
            "uid": _dumps(uid),
            "user": _dumps(username),
        }
        connection = connections[ChangeLogEntry.objects.db]
        as_json = _json_param(connection)
        stamp = models.DateTimeField().get_db_prep_save(now, connection)
        sql = _insert_sql(connection)
        labels: dict[type, tuple[str, str]] = {}
        rows: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for change in changes:
                seq += 1
                obj = change.obj
                region_id, dept_id = _scope_ids(obj)
                model = type(obj)
                if model not in labels:
                    label = obj._meta.label_lower
                    labels[model] = (label, _dumps(label))
                label, label_json = labels[model]
                object_id = str(obj.pk)
                object_repr = str(obj)[:MAX_REPR]
                before = None if change.before is None else _dumps(change.before)
                after = None if change.after is None else _dumps(change.after)
                canonical = (
                    f'{{"after":{"null" if after is None else after},'
                    f'"before":{"null" if before is None else before},'
                    f'"dept":{_int_json(dept_id)},"kind":{_string(change.kind)},'
                    f'"model":{label_json},"oid":{_string(object_id)},"prev":"{prev}",'
                    f'"reason":{fixed["reason"]},"region":{_int_json(region_id)},'
                    f'"repr":{_string(object_repr)},"rid":{fixed["rid"]},"seq":{seq},'
                    f'"ts":{fixed["ts"]},"uid":{fixed["uid"]},"user":{fixed["user"]}}}'
                )
                entry_hash = hashlib.sha256(canonical.encode()).hexdigest()
                rows.append(
                    (
                        seq,
                        stamp,
                        uid,
                        username,
                        str(change.kind),
                        label,
                        object_id,
                        object_repr,
                        region_id,
                        dept_id,
                        as_json(before),
                        as_json(after),
                        rid,
                        reason,
                        prev,
                        entry_hash,
                    )
                )
                prev = entry_hash
                if len(rows) == _BATCH:
                    cursor.executemany(sql, rows)
                    rows = []
            if rows:
                cursor.executemany(sql, rows)
        written = seq - head.last_seq
        if written:
            head.last_seq, head.last_hash = seq, prev
            head.save(update_fields=["last_seq", "last_hash"])
        return written


def _insert_sql(connection: Any) -> str:
    from qingdan.core.models import ChangeLogEntry

    meta = ChangeLogEntry._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _ENTRY_COLUMNS)
    marks = ", ".join(["%s"] * len(_ENTRY_COLUMNS))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from model metadata


def record(
    kind: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    acting_user: Any,
    reason: str = "",
) -> None:
    record_many([Change(kind, obj, before, after)], acting_user=acting_user, reason=reason)


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
