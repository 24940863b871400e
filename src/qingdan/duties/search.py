"""检索: find duty items and tasks by Chinese words, inside the user's data scope, highlighted.

The matching rules live in :mod:`qingdan.duties.textsearch` (pure); this module keeps the
``search_text`` columns filled and turns a query into ORM conditions that work unchanged on
SQLite and PostgreSQL (``LIKE`` through ``__contains``, parameters escaped by Django).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from qingdan.core.access import restrict
from qingdan.core.choices import Action
from qingdan.duties import textsearch
from qingdan.duties.models import DutyItem, Task

RESULT_LIMIT = 50


def duty_item_search_text(item: DutyItem) -> str:
    return textsearch.index_text(item.code, item.clause, item.text)


def task_search_text(task: Task) -> str:
    return textsearch.index_text(task.code, task.name, task.description)


def fill_search_text(rows: Iterable[DutyItem | Task]) -> None:
    """Set ``search_text`` on rows about to be bulk-created (importers, generators, benchmarks)."""
    for row in rows:
        row.search_text = (
            duty_item_search_text(row) if isinstance(row, DutyItem) else task_search_text(row)
        )


def search_q(query: str) -> Q | None:
    """The condition for ``query`` (every term must match), or None for an empty query."""
    terms = textsearch.parse_query(query)
    if not terms:
        return None
    q = Q()
    for term in terms:
        for needle in textsearch.term_conditions(term):
            q &= Q(search_text__contains=needle)
    return q


def apply_search(queryset: QuerySet, query: str) -> QuerySet:
    q = search_q(query)
    return queryset if q is None else queryset.filter(q)


@dataclass
class Hit:
    """One search result: the row, where it belongs, and its highlighted text pieces."""

    kind: str
    obj: Any
    title: list[tuple[str, bool]]
    body: list[tuple[str, bool]]
    department: str


@dataclass
class SearchResults:
    query: str
    terms: list[str]
    duty_items: list[Hit]
    duty_item_count: int
    tasks: list[Hit]
    task_count: int


def search(user: Any, query: str, *, department_id: int | None = None) -> SearchResults:
    """Duty items and tasks matching ``query`` that ``user`` may see (four queries)."""
    terms = textsearch.parse_query(query)
    q = search_q(query)
    items_qs = restrict(DutyItem.objects.all(), user, Action.VIEW)
    tasks_qs = restrict(Task.objects.all(), user, Action.VIEW)
    if department_id is not None:
        items_qs = items_qs.filter(department_id=department_id)
        tasks_qs = tasks_qs.filter(department_id=department_id)
    if q is None:
        return SearchResults(query, [], [], 0, [], 0)
    items_qs = items_qs.filter(q).select_related("department").order_by("department_id", "code")
    tasks_qs = (
        tasks_qs.filter(q)
        .select_related("department", "duty_item", "lead_unit")
        .order_by("department_id", "code")
    )
    items = [
        Hit(
            "duty_item",
            item,
            textsearch.highlight(item.code, terms),
            textsearch.snippet(item.text, terms, width=160),
            item.department.name,
        )
        for item in items_qs[:RESULT_LIMIT]
    ]
    tasks = [
        Hit(
            "task",
            task,
            textsearch.highlight(task.name, terms),
            textsearch.snippet(task.description or task.duty_item.text, terms, width=160),
            task.department.name,
        )
        for task in tasks_qs[:RESULT_LIMIT]
    ]
    item_count = len(items) if len(items) < RESULT_LIMIT else items_qs.count()
    task_count = len(tasks) if len(tasks) < RESULT_LIMIT else tasks_qs.count()
    return SearchResults(query, terms, items, item_count, tasks, task_count)
