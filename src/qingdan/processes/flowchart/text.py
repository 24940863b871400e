"""Text measurement and line wrapping for Chinese labels, without a font engine.

The layout has to be deterministic and identical on every machine, so it cannot ask the installed
fonts how wide a string is. CJK ideographs and full-width punctuation are one em wide in every CJK
font (Noto Sans CJK, WenQuanYi, SimSun, YaHei); Latin letters and digits are estimated a little
on the wide side so that real fonts always fit inside the boxes we draw.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ELLIPSIS = "…"

# Line breaking rules (禁则): these may not start a line ...
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…·,.;:?!)]}%")
# ... and these may not end one.
_NO_LINE_END = frozenset("（《「『【〔〈“‘([{")

_WIDTHS: dict[str, float] = {}


def char_em(ch: str) -> float:
    """Width of one character in em."""
    w = _WIDTHS.get(ch)
    if w is None:
        if ch == " ":
            w = 0.33
        elif ch in "il.,:;!|'`":
            w = 0.32
        elif ch.isascii():
            w = 0.72 if ch.isupper() or ch in "mwMW@%&" else 0.6
        elif unicodedata.east_asian_width(ch) in ("W", "F", "A"):
            # Ambiguous-width characters (≤, ·, ①) are full width in CJK fonts.
            w = 1.0
        elif unicodedata.combining(ch):
            w = 0.0
        else:
            w = 0.7
        _WIDTHS[ch] = w
    return w


@lru_cache(maxsize=65536)
def text_em(text: str) -> float:
    """Width of a single line in em (cached: the same labels and tokens come back often)."""
    widths = _WIDTHS
    total = 0.0
    for ch in text:
        w = widths.get(ch)
        total += char_em(ch) if w is None else w
    return total


def clean(text: str) -> str:
    """Collapse whitespace and drop control characters (they are invalid in XML)."""
    if text.isprintable():
        return " ".join(text.split()) if "  " in text else text.strip()
    kept = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(kept.split())


def _tokens(text: str) -> list[str]:
    """Split into unbreakable units: runs of Latin letters/digits stay together, CJK per char."""
    tokens: list[str] = []
    run = ""
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in "._-/%"):
            run += ch
            continue
        if run:
            tokens.append(run)
            run = ""
        tokens.append(ch)
    if run:
        tokens.append(run)
    return tokens


def _greedy(tokens: list[str], max_em: float) -> list[str]:
    lines: list[str] = []
    line = ""
    width = 0.0
    for tok in tokens:
        w = text_em(tok)
        if line and width + w > max_em + 1e-9:
            if tok in _NO_LINE_START:
                # Hang closing punctuation on the line it closes rather than orphan it.
                line += tok
                width += w
                continue
            if line[-1] in _NO_LINE_END and len(line) > 1:
                carry = line[-1]
                lines.append(line[:-1].rstrip())
                line, width = carry, text_em(carry)
            else:
                lines.append(line.rstrip())
                line, width = "", 0.0
            if tok == " ":
                continue
        if w > max_em and len(tok) > 1:
            # An over-long Latin run (an URL, a code) is broken by characters.
            for ch in tok:
                cw = text_em(ch)
                if line and width + cw > max_em + 1e-9:
                    lines.append(line)
                    line, width = "", 0.0
                line += ch
                width += cw
            continue
        line += tok
        width += w
    if line.strip():
        lines.append(line.rstrip())
    return lines


_CLAUSE_END = frozenset("，、；：。,;:")


def _clauses(text: str, max_em: float, max_lines: int) -> list[str] | None:
    """Pack whole clauses (split after ，、；：) into lines, if that fits; else None."""
    parts: list[str] = []
    start = 0
    for k, ch in enumerate(text):
        if ch in _CLAUSE_END:
            parts.append(text[start : k + 1])
            start = k + 1
    if start < len(text):
        parts.append(text[start:])
    if len(parts) < 2:
        return None
    lines: list[str] = []
    for part in parts:
        w = text_em(part)
        if w > max_em:
            return None
        if lines and text_em(lines[-1]) + w <= max_em:
            lines[-1] += part
        else:
            lines.append(part)
    if len(lines) > max_lines:
        return None
    # Only worth it when the lines stay reasonably even.
    widths = [text_em(x) for x in lines]
    if min(widths) < max(widths) * 0.34:
        return None
    return lines


@lru_cache(maxsize=8192)
def wrap(text: str, max_em: float, max_lines: int) -> tuple[tuple[str, ...], bool]:
    """Wrap `text` into at most `max_lines` lines of at most about `max_em` em.

    Lines break after a clause (，、；) when that fits, and are balanced otherwise (an
    11-character label becomes 6+5, not 10+1). Text beyond `max_lines` is cut with an ellipsis;
    the second value tells whether that happened, so renderers can show the full text in a
    tooltip. Cached: process labels repeat a great deal (受理, 审查, 决定…).
    """
    text = clean(text)
    if not text:
        return (), False
    total = text_em(text)
    if total <= max_em:
        return (text,), False
    needed = int(-(-total // max_em))  # ceil
    if needed <= max_lines:
        by_clause = _clauses(text, max_em, needed)
        if by_clause is not None:
            return tuple(by_clause), False
    tokens = _tokens(text)
    if needed <= max_lines:
        # Aim at an even split; widen the target step by step until it fits in `needed` lines.
        target = total / needed
        lines = _greedy(tokens, target)
        while len(lines) > needed and target < max_em:
            target = min(max_em, target + 0.5)
            lines = _greedy(tokens, target)
    else:
        lines = _greedy(tokens, max_em)
    if len(lines) <= max_lines:
        return tuple(lines), False
    kept = lines[:max_lines]
    last = kept[-1]
    while last and text_em(last) + 1.0 > max_em:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return tuple(kept), True


def ellipsize(text: str, max_em: float) -> tuple[str, bool]:
    """One line of at most `max_em` em, cut with an ellipsis when longer."""
    lines, cut = wrap(text, max_em, 1)
    return (lines[0] if lines else ""), cut
