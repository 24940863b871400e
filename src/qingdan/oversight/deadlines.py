"""On time or overdue: a submission against a programme's phase deadlines (no Django imports).

A phase is delivered when the submission first reached the phase's milestone (the earliest event
into one of the milestone's statuses). Whether that was on time is read from those dates and
today's date — nothing is stored, so correcting a deadline corrects every badge.

States (strings, matching ``choices.DeadlineState``):
``na`` the phase is not checked per department; ``not_due`` not reached and the deadline has not
passed; ``on_time`` reached on or before the deadline day; ``late`` reached after it; ``overdue``
not reached and the deadline day is over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NOT_APPLICABLE = "na"
NOT_DUE = "not_due"
ON_TIME = "on_time"
LATE = "late"
OVERDUE = "overdue"


@dataclass(frozen=True)
class PhaseSpec:
    """What the computation needs of a phase."""

    id: int
    name: str
    start: dt.date
    end: dt.date
    deadline: dt.date
    milestone: str  # "" when the phase is not checked per department


@dataclass(frozen=True)
class Cell:
    """One submission × one phase."""

    phase: PhaseSpec
    state: str
    reached_on: dt.date | None
    days_late: int = 0  # reached late or still overdue: days past the deadline

    @property
    def is_bad(self) -> bool:
        return self.state in (LATE, OVERDUE)


def deadline_state(reached_on: dt.date | None, deadline: dt.date, today: dt.date) -> str:
    """The deadline day counts as on time (a submission at 23:59 on 8月15日 is on time)."""
    if reached_on is not None:
        return ON_TIME if reached_on <= deadline else LATE
    return OVERDUE if today > deadline else NOT_DUE


def phase_cell(phase: PhaseSpec, reached: Mapping[str, dt.date], today: dt.date) -> Cell:
    """``reached`` maps milestone → local date it was first reached."""
    if not phase.milestone:
        return Cell(phase, NOT_APPLICABLE, None)
    on = reached.get(phase.milestone)
    state = deadline_state(on, phase.deadline, today)
    late_days = 0
    if state == LATE and on is not None:
        late_days = (on - phase.deadline).days
    elif state == OVERDUE:
        late_days = (today - phase.deadline).days
    return Cell(phase, state, on, late_days)


def current_phase(phases: Sequence[PhaseSpec], today: dt.date) -> PhaseSpec | None:
    """The phase under way today; between phases the next one; after the last, the last one."""
    ordered = sorted(phases, key=lambda p: (p.start, p.id))
    if not ordered:
        return None
    for phase in ordered:
        if phase.start <= today <= phase.end:
            return phase
    upcoming = [p for p in ordered if p.start > today]
    return upcoming[0] if upcoming else ordered[-1]


@dataclass(frozen=True)
class Headline:
    """The single badge of a submission: its standing against the current phase's deadline, or
    against an earlier deadline it still has not met (a missed 8月15日 stays visible in 9月)."""

    cell: Cell | None

    @property
    def state(self) -> str:
        return self.cell.state if self.cell else NOT_APPLICABLE


def headline(
    phases: Sequence[PhaseSpec], reached: Mapping[str, dt.date], today: dt.date
) -> Headline:
    current = current_phase(phases, today)
    if current is None:
        return Headline(None)
    cells = [phase_cell(p, reached, today) for p in sorted(phases, key=lambda p: (p.start, p.id))]
    for cell in cells:
        # An earlier phase still overdue outranks the current one.
        if cell.phase.start < current.start and cell.state == OVERDUE:
            return Headline(cell)
    return Headline(phase_cell(current, reached, today))
