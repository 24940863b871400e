"""Bracket-aware splitting of normalized text into sentences and clauses.

All helpers take ``(text, start, end)`` and return ranges in the same coordinates, so callers can
turn any result into a span of the original input. Separators inside brackets do not count:
``行政编制805名（含两委人员编制2名、援派机动编制3名）`` is one clause, not three. Unbalanced
brackets (common in cut-off fragments) only protect up to a bounded distance, which keeps the
scan linear.
"""

from __future__ import annotations

import re
from functools import lru_cache

_OPENERS = {
    "（": "（）",
    "(": "（）",
    "《": "《》",
    "〔": "〔〕",
    "【": "【】",
    "“": "“”",
    "「": "「」",
}
_CLOSERS = {
    "）": "（）",
    ")": "（）",
    "》": "《》",
    "〕": "〔〕",
    "】": "【】",
    "”": "“”",
    "」": "「」",
}
_BRACKETS = re.compile("[" + re.escape("".join(_OPENERS) + "".join(_CLOSERS)) + "\n]")

# A bracket pair longer than this is treated as unbalanced noise rather than a real aside.
_MAX_BRACKET_LENGTH = 600
_MAX_STACK = 32

SENTENCE_END = "。！？!?"
CLAUSE_SEPARATORS = "，,、；;：:"
TERMINAL_PUNCTUATION = "。；;！!？?）)」”》…"

Range = tuple[int, int]


def protected_ranges(text: str, start: int, end: int) -> list[Range]:
    """Outermost bracketed ranges ``[open, close]`` (inclusive of the brackets) in a region."""
    stack: list[tuple[int, str]] = []
    ranges: list[Range] = []
    for match in _BRACKETS.finditer(text, start, end):
        char = match.group()
        position = match.start()
        if char == "\n":
            stack.clear()
            continue
        if char in _OPENERS:
            if len(stack) >= _MAX_STACK:
                del stack[0]
            stack.append((position, _OPENERS[char]))
            continue
        family = _CLOSERS[char]
        # Only look a few levels down so a run of stray closers cannot go quadratic.
        for index in range(len(stack) - 1, max(-1, len(stack) - 9), -1):
            if stack[index][1] == family:
                opened = stack[index][0]
                del stack[index:]
                if not stack and position - opened <= _MAX_BRACKET_LENGTH:
                    ranges.append((opened, position + 1))
                break
    ranges.sort()
    merged: list[Range] = []
    for begin, finish in ranges:
        if merged and begin < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def split_top_level(text: str, start: int, end: int, separators: str) -> list[Range]:
    """Split ``text[start:end]`` at separators outside brackets; separators stay with the left part.

    Empty and whitespace-only pieces are dropped; pieces are trimmed of spaces.
    """
    protected = protected_ranges(text, start, end)
    pattern = _separator_pattern(separators)
    pieces: list[Range] = []
    piece_start = start
    index = 0
    for match in pattern.finditer(text, start, end):
        position = match.start()
        while index < len(protected) and protected[index][1] <= position:
            index += 1
        if index < len(protected) and protected[index][0] <= position:
            continue
        pieces.append((piece_start, position + 1))
        piece_start = position + 1
    pieces.append((piece_start, end))
    return [trimmed for piece in pieces if (trimmed := trim(text, *piece)) is not None]


@lru_cache(maxsize=16)
def _separator_pattern(separators: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(separators) + "]")


def split_sentences(text: str, start: int, end: int) -> list[Range]:
    """Sentences of a region (ending at 。！？ or a line break outside brackets)."""
    result: list[Range] = []
    for line in split_top_level(text, start, end, "\n"):
        result.extend(split_top_level(text, line[0], line[1], SENTENCE_END))
    return result


def split_clauses(text: str, start: int, end: int) -> list[Range]:
    """Clauses of a sentence (at ，、；： outside brackets), without the trailing separator."""
    result: list[Range] = []
    for begin, finish in split_top_level(text, start, end, CLAUSE_SEPARATORS + SENTENCE_END):
        while finish > begin and text[finish - 1] in CLAUSE_SEPARATORS + SENTENCE_END:
            finish -= 1
        if finish > begin:
            result.append((begin, finish))
    return result


def trim(text: str, start: int, end: int) -> Range | None:
    """``(start, end)`` without surrounding whitespace, or ``None`` when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def ends_complete(value: str) -> bool:
    """True when ``value`` ends like a finished sentence (not cut off mid-sentence)."""
    value = value.rstrip()
    return bool(value) and value[-1] in TERMINAL_PUNCTUATION


def after_punctuation(text: str, start: int, end: int) -> Range | None:
    """The range without leading punctuation and spaces (what follows a header or a name)."""
    while start < end and (text[start] in "。：:、.．，, " or text[start].isspace()):
        start += 1
    return trim(text, start, end)
