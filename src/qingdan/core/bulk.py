"""Fast bulk insert of list rows for the importer and the demo generator.

``QuerySet.bulk_create`` compiles every value of every row through the SQL compiler; at a city's
scale (~100,000 rows of 10–30 columns) that compilation, not the database, is most of the time.
:func:`insert` prepares each value exactly as the ORM does (``pre_save`` for auto-now fields,
``get_db_prep_save`` for the adaptation) and sends one parameterised ``INSERT`` through the
cursor's ``executemany``; the statement is built from the model's own metadata (quoted table and
column names), never from input. The new ids, and columns the database computes, are then read
back by the rows' natural key (codes are unique per department), so it works the same on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields import return_None
from django.utils import timezone

from qingdan.core.fieldvalues import getter

M = TypeVar("M", bound=models.Model)
BATCH = 2000


# Columns whose Python value (already checked by full_clean) is what the driver takes.
_PLAIN = frozenset(
    {
        "CharField",
        "TextField",
        "BooleanField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "BigIntegerField",
        "ForeignKey",
    }
)


# Columns whose empty value (None) the database takes as it is.
_NULL_AS_IS = frozenset({"DecimalField", "DateField", "DateTimeField", "TimeField"})


def _reader(field: models.Field, connection: Any) -> Callable[[Any], Any]:
    """value of ``field`` on an object → database parameter, as ``bulk_create`` would send it."""
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return attrgetter(field.attname)
    prepare = field.get_db_prep_save
    if kind in _NULL_AS_IS and not (
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ):
        get = attrgetter(field.attname)  # pre_save of a field that is not stamped
        # A decimal is sent as it is where the backend does not adapt decimals (SQLite and
        # PostgreSQL): to_python of a Decimal is an equal Decimal with the same exponent.
        same_decimal = kind == "DecimalField" and (
            type(connection.ops).adapt_decimalfield_value
            is BaseDatabaseOperations.adapt_decimalfield_value
        )

        def read(obj: Any) -> Any:
            value = get(obj)
            if value is None or (same_decimal and type(value) is Decimal and value.is_finite()):
                return value
            return prepare(value, connection)

        return read
    return lambda obj: prepare(field.pre_save(obj, True), connection)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]


_IMMUTABLE = (str, int, bool, Decimal, type(None))


@cache
def _construction(
    model: type[models.Model],
) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...], frozenset[str]]:
    """The fields' defaults: those that are constants (a template dict, in field order), and
    those computed per instance (a callable default)."""
    template: dict[str, Any] = {}
    computed = []
    for f in model._meta.concrete_fields:
        if f.generated:
            continue
        default = f._get_default
        if f.has_default() and not callable(f.default) and isinstance(f.default, _IMMUTABLE):
            template[f.attname] = f.default
        elif not f.has_default() and default in (return_None, str):
            template[f.attname] = default()
        else:
            template[f.attname] = None  # keeps the field order; replaced below
            computed.append((f.attname, default))
    return template, tuple(computed), frozenset(template)


def new(model: type[M], values: dict[str, Any]) -> M:
    """``model(**values)`` for ``values`` keyed by attribute name (``department_id``, not
    ``department``), the other fields with their defaults.

    At an import's scale (~100,000 rows) ``Model.__init__``'s per-field work was most of the
    construction time. A fresh instance's fields are plain attributes (the foreign-key id
    descriptors only clear a cached parent, and a new instance has none), so when nothing
    listens to the model's ``pre_init``/``post_init`` signals the values are set directly, as
    ``__init__`` would leave them; otherwise ``__init__`` runs.
    """
    template, computed, names = _construction(model)
    unknown = values.keys() - names
    if unknown:
        raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
    data = template.copy()
    for name, default in computed:
        if name not in values:
            data[name] = default()
    data.update(values)
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model(**data)
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(data)
    return obj


@cache
def _relation(model: type[models.Model], name: str) -> tuple[str, Any, type, str]:
    field = model._meta.get_field(name)
    if not (field.many_to_one and field.concrete):
        raise TypeError(f"{model.__name__}.{name} is not a foreign key")
    return field.attname, field, field.remote_field.model, field.target_field.attname


def relate(obj: models.Model, name: str, parent: models.Model) -> None:
    """``obj.<name> = parent`` for a foreign key, as the ORM's descriptor leaves it (the id
    column set from the parent, the parent cached, the instance's database chosen), without
    the descriptor's per-call generality: a city import sets ~250,000 parents, and the descriptor
    was a tenth of its row-building time.

    ``parent`` may be unsaved (a row of the same import): its id is taken when it is inserted
    (:func:`insert`), as ``bulk_create`` does.
    """
    attname, field, target, target_attname = _relation(type(obj), name)
    if not isinstance(parent, target):
        raise ValueError(f"{parent!r} is not a {target.__name__} ({type(obj).__name__}.{name})")
    state = obj._state
    if state.db is None:
        state.db = parent._state.db or DEFAULT_DB_ALIAS
    obj.__dict__[attname] = getattr(parent, target_attname)
    state.fields_cache[field.cache_name] = parent


def insert(
    rows: Sequence[M],
    *,
    key: Callable[[Any], Hashable],
    lookup: models.QuerySet[M],
    key_fields: Sequence[str],
    read_back: Sequence[str] = (),
) -> None:
    """INSERT ``rows`` and give each its id (and ``read_back`` columns) from ``lookup``.

    ``key(obj)`` must equal the tuple of ``key_fields`` values read back from ``lookup`` (e.g. the
    department's rows, by code), and be unique among them.
    """
    if not rows:
        return
    model = type(rows[0])
    fields = _fields(model)
    connection = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    stamp = models.DateTimeField().get_db_prep_save(now, connection)
    # Columns in three groups: values taken as they are (one C-level getter for all of them),
    # values adapted per row, and the batch's timestamps (the same for every row).
    plain = [f for f in fields if f.attname not in stamped and f.get_internal_type() in _PLAIN]
    adapted = [f for f in fields if f.attname not in stamped and f not in plain]
    timed = [f for f in fields if f.attname in stamped]
    take = getter([f.attname for f in plain])
    adapters = [_reader(f, connection) for f in adapted]
    stamps = (stamp,) * len(timed)
    parents = [f for f in fields if f.is_relation and f.many_to_one]
    quote = connection.ops.quote_name
    columns = [*plain, *adapted, *timed]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from model metadata
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    parent_keys = [(f, f.attname, f.cache_name) for f in parents]
    for obj in rows:
        for name in stamped:
            setattr(obj, name, now)  # one timestamp for the batch, as the snapshots will show
        cached = obj._state.fields_cache
        if not cached:
            continue
        for f, attname, cache_name in parent_keys:
            # A parent saved in the same import: take its new id (as bulk_create does).
            if cache_name in cached and getattr(obj, attname) is None:
                parent = cached[cache_name]
                if parent is not None:
                    if parent.pk is None:
                        raise ValueError(f"{f.name} of {obj!r} is not saved yet")
                    # Through the relation, so the cached parent stays (str(), snapshots).
                    relate(obj, f.name, parent)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            params = [
                (*take(obj), *[adapt(obj) for adapt in adapters], *stamps)
                for obj in rows[start : start + BATCH]
            ]
            cursor.executemany(sql, params)
    by_key = {key(obj): obj for obj in rows}
    names = [*key_fields, "pk", *read_back]
    width = len(key_fields)
    for values in lookup.values_list(*names).iterator(chunk_size=5000):
        obj = by_key.get(values[:width] if width > 1 else values[0])
        if obj is None:
            continue
        obj.pk = values[width]
        for name, value in zip(read_back, values[width + 1 :], strict=True):
            setattr(obj, name, value)
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_links(through: type[models.Model], pairs: Sequence[tuple[int, int]]) -> None:
    """Rows of a many-to-many table: (source id, target id) pairs, no ids needed back."""
    if not pairs:
        return
    fields = _fields(through)
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES (%s, %s)".format(  # noqa: S608 - names from model metadata
        quote(through._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), BATCH * 5):
            cursor.executemany(sql, [list(p) for p in pairs[start : start + BATCH * 5]])


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while ~100,000 rows and their log entries are
    built: they hold no reference cycles worth collecting, and at a city's scale the collector's
    repeated passes over the growing heap otherwise cost more than building the rows."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
