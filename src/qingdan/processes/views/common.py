"""Helpers shared by the process pages: the gate, the admin frame, names for display."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qingdan.core.access import get_for_user, restrict
from qingdan.core.choices import Action
from qingdan.org.models import Person, Position, Unit
from qingdan.processes.aggregate import ProcessDraft, days_text
from qingdan.processes.choices import StepKind
from qingdan.processes.models import Process


def context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, **extra}


def get_process(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Process:
    """404 outside the user's scope, 403 when visible but ``action`` is not allowed."""
    qs = Process.objects.select_related("department", "region", "task", "before")
    return get_for_user(qs, request.user, action, pk=pk)


def allowed(request: HttpRequest, process: Process, action: Action) -> bool:
    return restrict(Process.objects.filter(pk=process.pk), request.user, action).exists()


def names(drafts: Iterable[ProcessDraft]) -> dict[str, str]:
    """Display names of every unit, position and person the drafts refer to (three queries),
    keyed ``unit:1``, ``position:2``, ``person:3``; lane labels as ``label:…``."""
    units: set[int] = set()
    positions: set[int] = set()
    people: set[int] = set()
    labels: set[str] = set()
    for draft in drafts:
        for s in draft.steps:
            if s.lane.unit_id is not None:
                units.add(s.lane.unit_id)
            if s.lane.position_id is not None:
                positions.add(s.lane.position_id)
            if s.lane.label:
                labels.add(s.lane.label)
            for value, bucket in ((s.unit_id, units), (s.leader_id, positions)):
                if value is not None:
                    bucket.add(value)
            people.update(x for x in (s.person_id, *(r.person_id for r in s.risks)) if x)
    out = {f"label:{x}": x for x in labels}
    out.update(
        (f"unit:{pk}", name)
        for pk, name in Unit.objects.filter(pk__in=units).values_list("id", "name")
    )
    out.update(
        (f"position:{pk}", name)
        for pk, name in Position.objects.filter(pk__in=positions).values_list("id", "name")
    )
    out.update(
        (f"person:{pk}", name)
        for pk, name in Person.objects.filter(pk__in=people).values_list("id", "name")
    )
    return out


def step_rows(draft: ProcessDraft, labels: dict[str, str]) -> list[dict[str, Any]]:
    """The steps as the read-only table shows them."""
    kinds = dict(StepKind.choices)
    by_key = {s.key: s for s in draft.steps}

    def name(prefix: str, pk: int | None) -> str:
        return labels.get(f"{prefix}:{pk}", "") if pk is not None else ""

    rows = []
    for order, s in enumerate(draft.steps, start=1):
        rows.append(
            {
                "order": order,
                "key": s.key,
                "kind": kinds.get(s.kind, s.kind),
                "name": s.name,
                "lane": labels.get(s.lane.token(), ""),
                "days": days_text(s.days),
                "leader": name("position", s.leader_id),
                "unit": name("unit", s.unit_id),
                "person": name("person", s.person_id),
                "materials": s.materials,
                "risks": [
                    {
                        "level": r.level,
                        "description": r.description,
                        "controls": r.controls,
                        "person": name("person", r.person_id),
                    }
                    for r in s.risks
                ],
                "exits": [
                    {
                        "target": (by_key[e.target].name or e.target)
                        if e.target in by_key
                        else e.target,
                        "label": e.label,
                    }
                    for e in s.exits
                ],
            }
        )
    return rows
