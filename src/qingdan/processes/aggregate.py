"""The process aggregate in memory: what the editor sends, the services save and the adapter draws.

A :class:`ProcessDraft` is the whole content of one process version — its steps in order, each
with its lane, time limit, responsible people, materials, risk points and exits — without
database ids of its own parts, so it can come from the editor's table, a template, a BPMN file or
the stored rows alike. Plain data, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

# Step keys are the flowchart's node ids and BPMN element ids: XML NCNames, short and stable.
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class LaneRef:
    """A swimlane: one of the department's units or positions, or a free label (申请人, 分管领导)."""

    unit_id: int | None = None
    position_id: int | None = None
    label: str = ""

    @property
    def is_empty(self) -> bool:
        return self.unit_id is None and self.position_id is None and not self.label

    def token(self) -> str:
        """``unit:12``, ``position:5``, ``label:申请人`` or ``""`` (the editor's select value)."""
        if self.unit_id is not None:
            return f"unit:{self.unit_id}"
        if self.position_id is not None:
            return f"position:{self.position_id}"
        return f"label:{self.label}" if self.label else ""

    @classmethod
    def from_token(cls, token: str) -> LaneRef:
        """Parse a token; raises ValueError on anything else."""
        kind, _, value = token.partition(":")
        if not token:
            return cls()
        if kind == "unit" and value.isdigit() and len(value) <= 18:
            return cls(unit_id=int(value))
        if kind == "position" and value.isdigit() and len(value) <= 18:
            return cls(position_id=int(value))
        if kind == "label":
            return cls(label=value.strip())
        raise ValueError(token)


@dataclass
class MaterialDraft:
    """A 办事材料/手续 of a step."""

    name: str
    note: str = ""


@dataclass
class RiskDraft:
    """A 风险点 of a step."""

    level: str
    description: str
    controls: str = ""
    person_id: int | None = None


@dataclass
class ExitDraft:
    """A flow leaving a step; ``label`` is the condition on a decision's exits (是/否…)."""

    target: str
    label: str = ""


@dataclass
class StepDraft:
    """One 环节 with everything the table row holds."""

    key: str
    kind: str
    name: str = ""
    lane: LaneRef = field(default_factory=LaneRef)
    days: Decimal | None = None
    leader_id: int | None = None  # 责任领导 (a position)
    unit_id: int | None = None  # 责任科室
    person_id: int | None = None  # 责任人
    materials: list[MaterialDraft] = field(default_factory=list)
    risks: list[RiskDraft] = field(default_factory=list)
    exits: list[ExitDraft] = field(default_factory=list)


@dataclass
class ProcessDraft:
    """The editable content of a process version: metadata and steps in table order."""

    name: str
    legal_limit_days: Decimal | None = None
    supervision: str = ""
    complaint: str = ""
    rights: str = ""
    steps: list[StepDraft] = field(default_factory=list)

    def step(self, key: str) -> StepDraft | None:
        for s in self.steps:
            if s.key == key:
                return s
        return None


def copy_draft(draft: ProcessDraft) -> ProcessDraft:
    """A copy whose steps, materials, risks and exits can be changed without touching ``draft``."""
    return ProcessDraft(
        draft.name,
        draft.legal_limit_days,
        draft.supervision,
        draft.complaint,
        draft.rights,
        [
            StepDraft(
                s.key,
                s.kind,
                s.name,
                s.lane,
                s.days,
                s.leader_id,
                s.unit_id,
                s.person_id,
                [MaterialDraft(m.name, m.note) for m in s.materials],
                [RiskDraft(r.level, r.description, r.controls, r.person_id) for r in s.risks],
                [ExitDraft(e.target, e.label) for e in s.exits],
            )
            for s in draft.steps
        ],
    )


def to_decimal(value: float | Decimal | None) -> Decimal | None:
    """Working days with one decimal, as stored (0.5 days is common)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))


def days_text(value: Decimal | float | None) -> str:
    """``5``, ``0.5``; empty for None."""
    if value is None:
        return ""
    d = Decimal(str(value)).normalize()
    return format(d, "f") if d != d.to_integral() else str(int(d))
