"""Department-level questions to the data-scope gate: "may this user add list rows to department D?".

The gate (``core.access``) answers for rows that exist; a page that is about to create rows in a
department (accepting a 三定 regulation) asks it for the department instead, through a probe
class that carries a row group's permissions but reads the department's own columns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from qingdan.core.access import scope_q
from qingdan.core.choices import Action
from qingdan.org.models import Department


def _probe(access_group: str) -> type:
    return type(
        "DepartmentProbe",
        (),
        {
            "access_group": access_group,
            "scope_region_field": "region_id",
            "scope_department_field": "id",
            "scope_owner_field": None,
        },
    )


def departments_for(user: Any, action: Action | str, access_group: str = "lists") -> QuerySet:
    """Departments in which ``user`` may perform ``action`` on rows of ``access_group``."""
    q = scope_q(user, _probe(access_group), action)  # type: ignore[arg-type]
    if q is None:
        return Department.objects.none()
    return Department.objects.filter(q)


def department_allows(
    user: Any, action: Action | str, department: Department | int, access_group: str = "lists"
) -> bool:
    pk = department if isinstance(department, int) else department.pk
    return departments_for(user, action, access_group).filter(pk=pk).exists()
