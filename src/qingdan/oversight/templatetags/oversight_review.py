"""Template filters for the review pages: readable deadline cells and status labels."""

from __future__ import annotations

import datetime as dt

from django import template

from qingdan.oversight import deadlines
from qingdan.oversight.choices import DeadlineState, SubmissionStatus

register = template.Library()


def _md(value: dt.date | None, year: int | None = None) -> str:
    """月日, with the year when it is not the deadline's year."""
    if value is None:
        return ""
    prefix = f"{value.year}年" if year is not None and value.year != year else ""
    return f"{prefix}{value.month}月{value.day}日"


@register.filter
def cell_text(cell: deadlines.Cell | None) -> str:
    """按时完成（8月10日）、逾期3天完成、已逾期5天、未到期（截止8月15日）、不考核."""
    if cell is None:
        return "—"
    if cell.state == deadlines.ON_TIME:
        return f"按时完成（{_md(cell.reached_on, cell.phase.deadline.year)}）"
    if cell.state == deadlines.LATE:
        return f"逾期{cell.days_late}天完成（{_md(cell.reached_on, cell.phase.deadline.year)}）"
    if cell.state == deadlines.OVERDUE:
        return f"已逾期{cell.days_late}天"
    if cell.state == deadlines.NOT_DUE:
        return f"未到期（截止{_md(cell.phase.deadline)}）"
    return str(DeadlineState.NOT_APPLICABLE.label)


@register.filter
def deadline_label(state: str) -> str:
    try:
        return str(DeadlineState(state).label)
    except ValueError:
        return state


@register.filter
def status_label(status: str) -> str:
    try:
        return str(SubmissionStatus(status).label)
    except ValueError:
        return status
