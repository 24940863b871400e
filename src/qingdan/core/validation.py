"""Field validation at import scale: ``Model.full_clean``'s rules, at a fraction of its cost.

``full_clean`` runs every field through ``Field.clean`` (conversion, choices, blank and null,
then each validator, each step wrapped in its own error handling). An import of a city's lists
cleans ~50,000 rows of ~20 fields, and that machinery — not the rules — was the largest part of
its validation time. :func:`clean_fields` applies the same rules directly to values that are
already of the field's Python type (text, integers, booleans): the field's choices, blank and
null, and its own validators called in order. Whenever a value is of another type, belongs to a
field kind not listed here (decimals, dates, foreign keys …), or fails any rule, the field is
cleaned by Django's own ``Field.clean``, so what is accepted, the converted values and every
error message are exactly ``full_clean``'s (checked against it in tests/core/test_validation.py).

Uniqueness and constraints are not checked here: callers check them over the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.expressions import DatabaseDefault

# Field kinds whose ``to_python`` returns a value of these exact types unchanged.
_IDENTITY_TYPES: dict[str, tuple[type, ...]] = {
    "CharField": (str,),
    "TextField": (str,),
    "BooleanField": (bool,),
    "IntegerField": (int,),
    "SmallIntegerField": (int,),
    "BigIntegerField": (int,),
    "PositiveIntegerField": (int,),
    "PositiveSmallIntegerField": (int,),
    "PositiveBigIntegerField": (int,),
    "DecimalField": (Decimal,),  # Decimal(value) of a finite Decimal is an equal Decimal
}


@dataclass(frozen=True, slots=True)
class _Check:
    field: models.Field
    name: str
    attname: str
    types: tuple[type, ...]  # empty: always Django's Field.clean
    blank: bool
    empties: tuple[Any, ...]
    editable: bool
    choices: frozenset[Any] | None
    # The field's validators: the plain bounds compared inline, the others called.
    max_length: int | None
    low: Any
    high: Any
    validators: tuple[Any, ...]


def _bounds(validators: list[Any], text: bool) -> tuple[int | None, Any, Any, tuple[Any, ...]]:
    """Split exact MaxLength/MinValue/MaxValue validators with constant limits (their tightest
    limits) from the rest."""
    max_length, low, high, others = None, None, None, []
    for v in validators:
        kind = type(v)
        if callable(getattr(v, "limit_value", None)):
            others.append(v)
        elif kind is MaxLengthValidator and text:
            max_length = v.limit_value if max_length is None else min(max_length, v.limit_value)
        elif kind is MinValueValidator:
            low = v.limit_value if low is None else max(low, v.limit_value)
        elif kind is MaxValueValidator:
            high = v.limit_value if high is None else min(high, v.limit_value)
        else:
            others.append(v)
    return max_length, low, high, tuple(others)


@cache
def _checks(model: type[models.Model]) -> tuple[_Check, ...]:
    checks = []
    for f in model._meta.fields:
        if f.generated:
            continue
        choices = None
        types = _IDENTITY_TYPES.get(f.get_internal_type(), ())
        max_length, low, high, others = _bounds(list(f.validators), str in types)
        if f.choices is not None:
            choices = frozenset(key for key, _label in f.flatchoices)
        checks.append(
            _Check(
                field=f,
                name=f.name,
                attname=f.attname,
                types=types,
                blank=f.blank,
                empties=tuple(f.empty_values),
                editable=f.editable,
                choices=choices,
                max_length=max_length,
                low=low,
                high=high,
                validators=others,
            )
        )
    return tuple(checks)


@cache
def _checks_without(model: type[models.Model], exclude: frozenset[str]) -> tuple[_Check, ...]:
    return tuple(check for check in _checks(model) if check.name not in exclude)


def clean_fields(obj: models.Model, exclude: Iterable[str] = ()) -> None:
    """``obj.full_clean(exclude, validate_unique=False, validate_constraints=False)``, faster.

    Raises the same ``ValidationError`` (a dict of field name → messages, and ``__all__`` for
    the model's ``clean()``) and leaves the same cleaned values on ``obj``.
    """
    errors: dict[str, list[ValidationError]] = {}
    for check in _checks_without(type(obj), frozenset(exclude)):
        value = getattr(obj, check.attname)
        empty = value in check.empties
        if empty and check.blank:
            continue  # as full_clean: a blank field's empty value is not validated
        # The fast path: a value of the field's own type, which Field.clean would return as it
        # is, passing choices, blank and the validators. Anything else goes to Field.clean.
        kind = type(value)
        if (kind in check.types or (str in check.types and isinstance(value, str))) and not (
            kind is Decimal and not value.is_finite()
        ):
            if check.editable and (
                (empty and not check.blank)
                or (check.choices is not None and not empty and value not in check.choices)
            ):
                pass
            elif empty:
                continue
            elif not (
                (check.max_length is not None and len(value) > check.max_length)
                or (check.low is not None and value < check.low)
                or (check.high is not None and value > check.high)
            ):
                try:
                    for validator in check.validators:
                        validator(value)
                    continue
                except ValidationError:
                    pass
        if isinstance(value, DatabaseDefault):
            continue
        try:
            setattr(obj, check.attname, check.field.clean(value, obj))
        except ValidationError as exc:
            errors[check.name] = exc.error_list
    error_dict: dict[str, Any] = {}
    if errors:
        error_dict = ValidationError(errors).update_error_dict(error_dict)
    try:
        obj.clean()
    except ValidationError as exc:
        error_dict = exc.update_error_dict(error_dict)
    if error_dict:
        raise ValidationError(error_dict)


def _suspects(check: _Check, values: list[Any]) -> Iterable[int]:
    """Positions of ``values`` that :func:`clean_fields` might not pass unchanged for ``check``:
    a superset of those it rejects or converts (the others are left exactly as they are)."""
    blank = check.blank
    if not check.types:
        # Only an empty value of a blank field skips Field.clean.
        empties = check.empties
        return [i for i, v in enumerate(values) if not (blank and v in empties)]
    types = check.types
    if str in types:
        limit = check.max_length if check.max_length is not None else float("inf")
        choices = check.choices if check.editable else None
        if choices is None:
            bad = [
                i
                for i, v in enumerate(values)
                if not isinstance(v, str)
                or (len(v) > limit if v else not (blank or not check.editable))
            ]
        else:
            bad = [
                i
                for i, v in enumerate(values)
                if not isinstance(v, str)
                or (len(v) > limit or v not in choices if v else not blank)
            ]
        if check.validators:
            bad = set(bad)
            texts = [(i, v) for i, v in enumerate(values) if i not in bad and v]
            for validator in check.validators:
                screen = getattr(validator, "passes_all", None)
                if screen is not None and screen([v for _, v in texts]):
                    continue  # one check over the whole column: none of them breaks this rule
                for i, v in texts:
                    try:
                        validator(v)
                    except ValidationError:
                        bad.add(i)
        return bad
    # Numbers and booleans: anything but the exact type and a finite, in-bounds value is a suspect
    # (so is any value with further validators, unless it passes them).
    low, high = check.low, check.high
    choices = check.choices if check.editable else None
    bad = []
    ok: list[tuple[int, Any]] = []
    for i, v in enumerate(values):
        if v is None or (v == "" and type(v) is str):
            if not blank:
                bad.append(i)
            continue
        if (
            type(v) not in types
            or (type(v) is Decimal and not v.is_finite())
            or (
                (choices is not None and v not in choices)
                or (low is not None and v < low)
                or (high is not None and v > high)
            )
        ):
            bad.append(i)
        else:
            ok.append((i, v))
    for validator in check.validators:
        for i, v in ok:
            try:
                validator(v)
            except ValidationError:
                bad.append(i)
    return bad


def clean_fields_many(
    objs: Sequence[models.Model], exclude: Iterable[str] = ()
) -> dict[int, ValidationError]:
    """:func:`clean_fields` for many instances of one model; position → its error.

    Each field's values are screened as a column (a validator may screen a whole column at once
    through a ``passes_all(values)`` method); only the instances whose values might not pass
    unchanged go through :func:`clean_fields` one by one — so errors, messages and converted
    values are exactly :func:`clean_fields`'s, hence ``full_clean``'s.
    """
    if not objs:
        return {}
    model = type(objs[0])
    exclude = frozenset(exclude)
    if model.clean is not models.Model.clean:
        suspects: set[int] = set(range(len(objs)))
    else:
        suspects = set()
        dicts = [obj.__dict__ for obj in objs]
        for check in _checks_without(model, exclude):
            name = check.attname
            try:
                values = [d[name] for d in dicts]
            except KeyError:
                values = [getattr(obj, name) for obj in objs]
            suspects.update(_suspects(check, values))
    errors: dict[int, ValidationError] = {}
    for i in sorted(suspects):
        try:
            clean_fields(objs[i], exclude)
        except ValidationError as exc:
            errors[i] = exc
    return errors
