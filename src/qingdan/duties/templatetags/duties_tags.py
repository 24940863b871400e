"""Small template helpers for the 履职清单 pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def is_selected(value: int, selected: Any) -> bool:
    """True when ``selected`` is None (nothing chosen yet: everything is selected) or holds it."""
    return selected is None or value in selected


@register.filter
def hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
