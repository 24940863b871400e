"""Field validators shared by every app."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible

# Angle brackets never belong in a name, code or title; control characters never belong anywhere.
_MARKUP = re.compile(r"[<>]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@deconstructible
class PlainText:
    """Reject markup and control characters in names and titles (text fields allow newlines)."""

    def __init__(self, *, allow_markup: bool = False) -> None:
        self.allow_markup = allow_markup

    def __call__(self, value: str) -> None:
        if not isinstance(value, str):
            return
        if _CONTROL.search(value):
            raise ValidationError("不能包含控制字符。", code="control")
        if not self.allow_markup and _MARKUP.search(value):
            raise ValidationError("不能包含“<”“>”等标记字符。", code="markup")

    def passes_all(self, values: list[str]) -> bool:
        """Whether every one of ``values`` passes (one search over them all; used to screen a
        whole column at once, see ``core.validation.clean_fields_many``)."""
        joined = "\n".join(values)  # a newline is allowed, so it cannot make a value fail
        return not _CONTROL.search(joined) and (self.allow_markup or not _MARKUP.search(joined))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainText) and other.allow_markup == self.allow_markup


plain_text = PlainText()
free_text = PlainText(allow_markup=True)


def max_text(n: int) -> MaxLengthValidator:
    """TextField's max_length is not enforced by the model: this validator is."""
    return MaxLengthValidator(n, message=f"不能超过{n}字（当前%(show_value)d字）。")
