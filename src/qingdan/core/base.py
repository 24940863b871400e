"""Abstract bases shared by every list row."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q


class TrackedModel(models.Model):
    """Who created and last changed the row, and when (the change log holds the full story)."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
        editable=False,
    )

    class Meta:
        abstract = True


def valid_on_q(on: dt.date, *, start: str = "established_on", end: str = "abolished_on") -> Q:
    """Rows in force on ``on``: started on or before it and not yet ended (end is exclusive)."""
    return (Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": on})) & (
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": on})
    )
