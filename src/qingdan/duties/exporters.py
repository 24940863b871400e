"""Export of 履职清单 rows in the import layout (``duties.spreadsheet``): the blank template of a
department, a department's list, or whatever filtered list of duty items or tasks a user sees.

Every exported file can be edited and imported again unchanged; text cells are formula-escaped
by the spreadsheet engine. The caller passes querysets already narrowed by the gate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from qingdan.core.access import restrict
from qingdan.core.choices import Action
from qingdan.documents.xlsx import export_csv, export_xlsx, write_template
from qingdan.duties.choices import ListStatus
from qingdan.duties.models import DutyItem, Task
from qingdan.duties.spreadsheet import LIST_SPEC, dictionaries, load_related, sheet_rows
from qingdan.org.models import Department

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def list_title(department: Department | None) -> str:
    return f"{department.name}履职清单" if department else "履职清单"


def template(department: Department) -> bytes:
    """The blank workbook for ``department``: dropdowns of its own units and positions."""
    choices = dictionaries([department]).writing_choices()
    data = write_template(LIST_SPEC, choices=choices, title=list_title(department))
    assert data is not None
    return data


def department_list(
    department: Department, user: Any, *, include_revoked: bool = False
) -> tuple[QuerySet[DutyItem], QuerySet[Task]]:
    """The department's duty items and tasks the user may see (revoked ones left out by default)."""
    items = restrict(DutyItem.objects.filter(department=department), user, Action.VIEW)
    tasks = restrict(Task.objects.filter(department=department), user, Action.VIEW)
    if not include_revoked:
        items = items.exclude(status=ListStatus.REVOKED)
        tasks = tasks.exclude(status=ListStatus.REVOKED)
    return items, tasks


def rows_for_items(
    items: QuerySet[DutyItem], tasks: QuerySet[Task]
) -> tuple[Iterator[dict[str, Any]], list[int]]:
    """Rows of ``items`` with those of their tasks that are in ``tasks`` (a gated queryset)."""
    item_rows = list(items.order_by("department_id", "order", "id"))
    task_qs = tasks.filter(duty_item__in=items.order_by().values("id"))
    return _rows(item_rows, task_qs)


def rows_for_tasks(tasks: QuerySet[Task], user: Any) -> tuple[Iterator[dict[str, Any]], list[int]]:
    """Rows of the listed tasks only, each with its duty item's columns (a filtered task list)."""
    items = restrict(DutyItem.objects.all(), user, Action.VIEW).filter(
        pk__in=tasks.order_by().values("duty_item_id")
    )
    return _rows(list(items.order_by("department_id", "order", "id")), tasks)


def _rows(
    items: list[DutyItem], tasks: QuerySet[Task]
) -> tuple[Iterator[dict[str, Any]], list[int]]:
    by_item: dict[int, list[Task]] = defaultdict(list)
    task_list = list(tasks.order_by("order", "id"))
    for task in task_list:
        by_item[task.duty_item_id].append(task)
    cooperating, positions = load_related(tasks)
    department_ids = sorted({i.department_id for i in items})
    codes = dict(Department.objects.filter(pk__in=department_ids).values_list("id", "code"))
    rows = sheet_rows(items, by_item, cooperating, positions, codes)
    return rows, department_ids


def workbook(
    rows: Iterator[dict[str, Any]], department_ids: list[int], *, title: str, fmt: str = "xlsx"
) -> bytes:
    """Write ``rows`` as .xlsx (template layout) or .csv, labelling units and positions."""
    choices = dictionaries(department_ids).writing_choices()
    if fmt == "csv":
        data = export_csv(LIST_SPEC, rows, choices=choices, include_hidden=True)
    else:
        data = export_xlsx(LIST_SPEC, rows, choices=choices, title=title)
    assert data is not None
    return data


def without_ids(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows as a filled template: no system ids, so they are new rows wherever imported."""
    for row in rows:
        yield {k: v for k, v in row.items() if k not in ("item_id", "task_id")}


def export_department(
    department: Department,
    user: Any,
    *,
    fmt: str = "xlsx",
    include_revoked: bool = False,
    with_ids: bool = True,
) -> bytes:
    """The department's whole list as the user may see it, ready to edit and import again.

    ``with_ids=False`` leaves the system ids out (a list to be imported as new rows elsewhere).
    """
    items, tasks = department_list(department, user, include_revoked=include_revoked)
    rows, ids = rows_for_items(items, tasks)
    if not with_ids:
        rows = without_ids(rows)
    return workbook(rows, ids or [department.pk], title=list_title(department), fmt=fmt)
