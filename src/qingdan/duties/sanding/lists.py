"""Numbered lists: （一）…（N） main duties, units, 分工 clauses.

Items are usually one per line, but pasted texts also run them together on one line
(主要职责是：（一）…。（二）…。), continue one item over several lines, or nest sub-items
(1. 2. under （二十）有关职责分工). A marker only starts a new item when it has the block's
marker style and, inside a line, the next expected number right after a sentence end — so
``外国（地区）`` or a quoted ``（三）`` never splits a duty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .numerals import format_number, parse_number
from .patterns import PAREN_MARKER
from .report import Recorder
from .structure import Line
from .textutil import Range, ends_complete, trim

_ARABIC_MARKER = re.compile(r"(\d{1,3})\s*[、.．](?!\d)")
_CN_DUN_MARKER = re.compile(r"([一二三四五六七八九十]{1,3})、")
SUB_MARKER = re.compile(r"\d{1,3}\s*[、.．](?!\d)|[①-⑳]|[（(]\d{1,3}[）)]|[a-z][.．、)）]")
_INLINE_FIRST = re.compile(r"[：:。]\s*(?=[（(]\s*(?:一|1)\s*[）)])")

# (marker pattern, whether its numbers are Chinese numerals)
Style = tuple[re.Pattern[str], bool]


@dataclass(slots=True)
class RawItem:
    number: int
    marker_start: int
    pieces: list[Range] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.pieces[0][0] if self.pieces else self.marker_start

    @property
    def end(self) -> int:
        return self.pieces[-1][1] if self.pieces else self.marker_start


@dataclass(slots=True)
class ItemList:
    intro: list[Range] = field(default_factory=list)
    items: list[RawItem] = field(default_factory=list)
    orphans: list[Range] = field(default_factory=list)  # lines after an item that are not its


Continues = Callable[[RawItem, Range], bool]


def continues_item(text: str, previous: RawItem, line: Range) -> bool:
    """A line continues the previous item when it is a sub-item or the item was unfinished."""
    if SUB_MARKER.match(text, line[0], line[1]):
        return True
    return not previous.pieces or not ends_complete(text[previous.end - 1 : previous.end])


def parse_items(recorder: Recorder, lines: Sequence[Line], continues: Continues) -> ItemList:
    """Group lines into numbered items; markers are claimed, numbering gaps warned about."""
    text = recorder.text
    result = ItemList()
    style = _marker_style(text, lines)
    orphaned = False
    for line in lines:
        start, end = line.start, line.end
        marker = _item_marker(text, style, start, end)
        if marker is None and not result.items and style is not None:
            inline = _INLINE_FIRST.search(text, start, end)
            if inline and _item_marker(text, style, inline.end(), end):
                result.intro.append((start, inline.start() + 1))
                start = inline.end()
                marker = _item_marker(text, style, start, end)
        if marker is not None and style is not None:
            _start_items(recorder, style, marker, end, result)
            orphaned = False
        elif not result.items:
            result.intro.append((start, end))
        elif not orphaned and continues(result.items[-1], (start, end)):
            result.items[-1].pieces.append((start, end))
        else:
            result.orphans.append((start, end))
            orphaned = True
    return result


def _marker_style(text: str, lines: Sequence[Line]) -> Style | None:
    # The first marker in the block decides: "1." items may carry "（1）" sub-items.
    for line in lines:
        for pattern in (PAREN_MARKER, _ARABIC_MARKER, _CN_DUN_MARKER):
            match = pattern.match(text, line.start, line.end)
            if match:
                return pattern, not match.group(1).isdigit()
    for line in lines:
        inline = _INLINE_FIRST.search(text, line.start, line.end)
        if inline:
            marker = PAREN_MARKER.match(text, inline.end(), line.end)
            if marker:
                return PAREN_MARKER, not marker.group(1).isdigit()
    return None


def _item_marker(text: str, style: Style | None, start: int, end: int) -> re.Match[str] | None:
    if style is None:
        return None
    pattern, chinese = style
    match = pattern.match(text, start, end)
    if match is None or (not match.group(1).isdigit()) != chinese:
        return None
    return match if parse_number(match.group(1)) is not None else None


def _start_items(
    recorder: Recorder, style: Style, marker: re.Match[str], end: int, result: ItemList
) -> None:
    """Open the item at ``marker`` and any further items run on within the same line."""
    pattern, chinese = style
    text = recorder.text
    number = parse_number(marker.group(1)) or 0
    expected = result.items[-1].number + 1 if result.items else 1
    if number != expected:
        recorder.warn(
            "numbering",
            f"编号不连续：应为（{format_number(expected)}），实际为（{format_number(number)}），"
            "可能有内容缺失或编号错误。",
            (marker.start(), marker.end()),
        )
    recorder.claim(marker.start(), marker.end())
    current = RawItem(number, marker.start())
    result.items.append(current)
    content_start = marker.end()
    for inline in pattern.finditer(text, content_start, end):
        if inline.start() == 0 or text[inline.start() - 1] not in "。；;：:":
            continue
        if (not inline.group(1).isdigit()) != chinese:
            continue
        if parse_number(inline.group(1)) != current.number + 1:
            continue
        piece = trim(text, content_start, inline.start())
        if piece:
            current.pieces.append(piece)
        recorder.claim(inline.start(), inline.end())
        current = RawItem(current.number + 1, inline.start())
        result.items.append(current)
        content_start = inline.end()
    piece = trim(text, content_start, end)
    if piece:
        current.pieces.append(piece)
