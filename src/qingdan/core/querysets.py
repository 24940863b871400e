from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from qingdan.core.choices import Action


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may do: ``qs.restrict(user, "view")``."""

    def restrict(self, user: Any, action: Action | str = "view") -> Self:
        from qingdan.core.access import restrict

        return restrict(self, user, action)
