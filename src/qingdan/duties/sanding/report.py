"""Bookkeeping shared by the parser's stages: claimed text, unparsed text and warnings.

Everything is recorded in normalized coordinates and mapped to the original text only when the
document is assembled. ``sweep`` is the guarantee behind "never dropped silently": any meaningful
text that no stage claimed or reported is listed as unparsed.
"""

from __future__ import annotations

import re

from .model import ParseWarning, Span, UnparsedItem
from .normalize import CJK, NormalizedText
from .textutil import Range, trim

# Garbage input can repeat one problem thousands of times; a few examples are enough.
MAX_WARNINGS_PER_CODE = 20

_MEANINGFUL = re.compile(rf"[{CJK}A-Za-z0-9]")


class Recorder:
    """What the stages claimed, could not read, and want the reviewer to know."""

    def __init__(self, norm: NormalizedText) -> None:
        self.norm = norm
        self.text = norm.text
        self.claimed: list[Range] = []
        self.unparsed: list[tuple[int, int, str]] = []
        self.warnings: list[ParseWarning] = []
        self._warning_counts: dict[str, int] = {}

    def span(self, start: int, end: int) -> Span:
        return self.norm.span(start, end)

    def claim(self, start: int, end: int) -> None:
        """Mark text as read (an item, a header, a connective)."""
        if end > start:
            self.claimed.append((start, end))

    def skip(self, start: int, end: int, reason: str) -> None:
        """Report text as unparsed, with a reason in Chinese."""
        trimmed = trim(self.text, start, end)
        if trimmed is not None:
            self.unparsed.append((trimmed[0], trimmed[1], reason))

    def warn(self, code: str, message: str, where: Range | None = None) -> None:
        seen = self._warning_counts.get(code, 0) + 1
        self._warning_counts[code] = seen
        span = self.span(*where) if where else None
        if seen <= MAX_WARNINGS_PER_CODE:
            self.warnings.append(ParseWarning(code, message, span))
        elif seen == MAX_WARNINGS_PER_CODE + 1:
            self.warnings.append(ParseWarning(code, "同类提示过多，其余已省略。", span))

    def sweep(self) -> None:
        """List any meaningful text that was neither claimed nor reported."""
        covered = sorted([*self.claimed, *((start, end) for start, end, _ in self.unparsed)])
        position = 0
        gaps: list[Range] = []
        for start, end in covered:
            if start > position:
                gaps.append((position, start))
            position = max(position, end)
        gaps.append((position, len(self.text)))
        for start, end in gaps:
            for line in re.finditer(r"[^\n]+", self.text[start:end]):
                line_start, line_end = start + line.start(), start + line.end()
                if _MEANINGFUL.search(self.text, line_start, line_end):
                    self.skip(line_start, line_end, "未归入任何部分的文字")

    def unparsed_items(self) -> list[UnparsedItem]:
        """Unparsed ranges in text order; neighbours on one line with the same reason are joined."""
        merged: list[tuple[int, int, str]] = []
        for start, end, reason in sorted(self.unparsed):
            if merged:
                last_start, last_end, last_reason = merged[-1]
                gap = self.text[last_end:start]
                if start < last_end or (
                    reason == last_reason and "\n" not in gap and not _MEANINGFUL.search(gap)
                ):
                    merged[-1] = (last_start, max(last_end, end), last_reason)
                    continue
            merged.append((start, end, reason))
        return [
            UnparsedItem(self.text[start:end], self.span(start, end), reason)
            for start, end, reason in merged
        ]
