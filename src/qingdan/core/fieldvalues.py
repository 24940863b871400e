"""Reading many fields of many model instances at once, for the bulk paths (import, log).

A model instance keeps its loaded field values in its ``__dict__``. Reading them through the
attribute goes through a Python-level descriptor for every foreign-key id (``department_id``
…), which at an import's scale (~100,000 rows, each read by the snapshot and by the insert) was
a measurable share of the work. :func:`getter` reads them from ``__dict__`` in one C-level call,
and falls back to the attributes when a value is not there (a deferred field, or a field set
through a property).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter, itemgetter
from typing import Any


def getter(names: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    """``obj`` → the tuple of its attributes ``names`` (attribute names, e.g. ``department_id``)."""
    if not names:
        return lambda obj: ()
    by_key = itemgetter(*names)
    by_attr = attrgetter(*names)
    if len(names) == 1:

        def one(obj: Any) -> tuple[Any, ...]:
            try:
                return (by_key(obj.__dict__),)
            except KeyError:
                return (by_attr(obj),)

        return one

    def many(obj: Any) -> tuple[Any, ...]:
        try:
            return by_key(obj.__dict__)
        except KeyError:
            return by_attr(obj)

    return many
