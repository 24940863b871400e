from __future__ import annotations

import datetime as dt
from typing import Self

from django.db.models import Q

from qingdan.core.base import valid_on_q
from qingdan.core.querysets import RestrictedQuerySet


class ValidityQuerySet(RestrictedQuerySet):
    def valid_on(self, on: dt.date) -> Self:
        return self.filter(valid_on_q(on))


class AssignmentQuerySet(RestrictedQuerySet):
    def active_on(self, on: dt.date) -> Self:
        """Assignments held on ``on`` (the end date is the last day held)."""
        return self.filter(Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on)))


class QuotaQuerySet(RestrictedQuerySet):
    def effective_on(self, on: dt.date) -> Self:
        return self.filter(effective_from__lte=on)
