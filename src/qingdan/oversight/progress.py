"""推进情况: each participating department × each phase of a programme, with on-time/overdue
badges and counts per state. A context builder for the overview page and the API (no HTML here).

Three queries whatever the number of departments: phases, submissions, and the first time each
submission reached each status (``MIN(at)`` grouped by submission and status).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min
from django.utils import timezone

from qingdan.oversight import deadlines
from qingdan.oversight.choices import MILESTONE_STATUSES, DeadlineState, SubmissionStatus
from qingdan.oversight.models import Programme, ProgrammePhase, Submission, SubmissionEvent


def phase_specs(phases: Iterable[ProgrammePhase]) -> list[deadlines.PhaseSpec]:
    return [
        deadlines.PhaseSpec(p.pk, p.name, p.start, p.end, p.deadline, p.milestone) for p in phases
    ]


def reached_dates(first_by_status: Mapping[str, dt.datetime]) -> dict[str, dt.date]:
    """Milestone → local date first reached, from status → first time entered."""
    reached: dict[str, dt.date] = {}
    for milestone, statuses in MILESTONE_STATUSES.items():
        times = [first_by_status[s] for s in statuses if s in first_by_status]
        if times:
            reached[milestone] = timezone.localdate(min(times))
    return reached


def first_times(submission_ids: list[int]) -> dict[int, dict[str, dt.datetime]]:
    rows = (
        SubmissionEvent.objects.filter(submission_id__in=submission_ids)
        .values("submission_id", "to_status")
        .annotate(first=Min("at"))
        .order_by()
    )
    out: dict[int, dict[str, dt.datetime]] = {}
    for row in rows:
        out.setdefault(row["submission_id"], {})[row["to_status"]] = row["first"]
    return out


@dataclass(frozen=True)
class SubmissionProgress:
    submission: Submission
    cells: list[deadlines.Cell]
    headline: deadlines.Headline

    @property
    def headline_label(self) -> str:
        return str(DeadlineState(self.headline.state).label)


def submission_progress(
    submission: Submission,
    phases: list[deadlines.PhaseSpec],
    first: Mapping[str, dt.datetime],
    today: dt.date,
) -> SubmissionProgress:
    reached = reached_dates(first)
    cells = [deadlines.phase_cell(p, reached, today) for p in phases]
    return SubmissionProgress(submission, cells, deadlines.headline(phases, reached, today))


@dataclass
class Overview:
    programme: Programme
    phases: list[deadlines.PhaseSpec]
    current: deadlines.PhaseSpec | None
    rows: list[SubmissionProgress]
    today: dt.date
    status_counts: list[tuple[str, str, int]] = field(default_factory=list)
    deadline_counts: list[tuple[str, str, int]] = field(default_factory=list)
    extra_rounds: int = 0


def programme_overview(
    programme: Programme, submissions: Any, *, today: dt.date | None = None
) -> Overview:
    """``submissions`` is the programme's submissions already narrowed by the gate."""
    today = today or timezone.localdate()
    phases = phase_specs(ProgrammePhase.objects.filter(programme=programme).order_by("start", "id"))
    subs = list(submissions.select_related("department").order_by("department__order", "id"))
    first = first_times([s.pk for s in subs])
    rows = [submission_progress(s, phases, first.get(s.pk, {}), today) for s in subs]
    by_status = Counter(s.status for s in subs)
    by_deadline = Counter(r.headline.state for r in rows)
    return Overview(
        programme=programme,
        phases=phases,
        current=deadlines.current_phase(phases, today),
        rows=rows,
        today=today,
        status_counts=[
            (v, str(label), by_status.get(v, 0)) for v, label in SubmissionStatus.choices
        ],
        deadline_counts=[
            (v, str(label), by_deadline.get(v, 0))
            for v, label in DeadlineState.choices
            if v != DeadlineState.NOT_APPLICABLE
        ],
        extra_rounds=sum(1 for s in subs if s.extra_round),
    )
