"""Checks run when a department submits its list (报送前检查).

The 工作规范 rule (DESIGN §3, seed 000 "形成具体的岗位工作规范") is the duties app's
``work_spec_problems``: a task that is 监管 or 执法, or whose discretion or integrity risk is high,
needs a 工作规范. Here we only choose the candidate rows efficiently and word the result.
Coverage gaps come from ``duties.coverage`` and are shown, not enforced.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from qingdan.duties.choices import Level, ListStatus
from qingdan.duties.coverage_data import coverage_report
from qingdan.duties.models import DutyItem, Task
from qingdan.duties.services import work_spec_problems

# The rows that can need a 工作规范 at all (the rule itself stays in duties.services).
NEEDS_SPEC_Q = (
    Q(is_supervision=True)
    | Q(is_enforcement=True)
    | Q(discretion=Level.HIGH)
    | Q(risk_level=Level.HIGH)
)


def department_work_spec_problems(department_id: int) -> list[str]:
    """One line per live task of the department that needs a 工作规范 and has none."""
    tasks = (
        Task.objects.filter(department_id=department_id)
        .exclude(status=ListStatus.REVOKED)
        .filter(NEEDS_SPEC_Q)
        .only(
            "id",
            "code",
            "name",
            "status",
            "work_spec",
            "is_supervision",
            "is_enforcement",
            "discretion",
            "risk_level",
        )
        .order_by("code")
    )
    return [
        f"{p.task.code} {p.task.name}（{'、'.join(p.reasons)}）" for p in work_spec_problems(tasks)
    ]


def has_live_duty_items(department_id: int) -> bool:
    """Whether the department has any duty item that is not revoked (an empty list cannot go up)."""
    return (
        DutyItem.objects.filter(department_id=department_id)
        .exclude(status=ListStatus.REVOKED)
        .exists()
    )


def coverage_gaps(user: Any, department_id: int) -> list[tuple[str, int, list[str]]]:
    """The department's coverage gaps (人人有事干、事事有人干) from ``duties.coverage``, shown
    beside a submission for the reviewer; they inform the review and never block it.

    Returns (gap label, count, up to five examples) for each kind of gap that occurs.
    """
    report = coverage_report(user, department_id=department_id)
    dept = report.department(department_id)
    if dept is None:
        return []
    return [
        (label, n, [f"{r.code} {r.name}" for r in dept.gap_rows.get(kind, [])[:5]])
        for kind, label, n in dept.gaps.items()
        if n
    ]
