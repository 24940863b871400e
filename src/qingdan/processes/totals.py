"""流程再造 totals (pure, no Django): net 办事环节, 办事手续 and working days, before vs after.

One definition for the processes' metrics page (``processes.metrics.Figures`` adds the count of
current processes) and the statistics pages (``documents.statistics.figures``): a pair that adds
a step counts against the total.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any


@dataclass
class ReengineeringTotals:
    pairs: int = 0  # processes re-engineered (再造前后成对)
    steps_before: int = 0
    steps_after: int = 0
    materials_before: int = 0
    materials_after: int = 0
    days_before: Decimal = Decimal("0")
    days_after: Decimal = Decimal("0")

    @property
    def steps_removed(self) -> int:
        return self.steps_before - self.steps_after

    @property
    def materials_removed(self) -> int:
        return self.materials_before - self.materials_after

    @property
    def days_saved(self) -> Decimal:
        return self.days_before - self.days_after

    def add_pair(self, pair: Any) -> None:
        """Count one re-engineered process (anything with the six before/after figures)."""
        self.pairs += 1
        self.steps_before += pair.steps_before
        self.steps_after += pair.steps_after
        self.materials_before += pair.materials_before
        self.materials_after += pair.materials_after
        self.days_before += Decimal(pair.days_before)
        self.days_after += Decimal(pair.days_after)

    def add(self, other: ReengineeringTotals) -> None:
        """Add another total of the same kind (every field, a subclass's included)."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
