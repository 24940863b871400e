"""Chinese full-text matching without a word segmenter: folding, character bigrams, highlighting.

Pure Python (no Django). Chinese has no spaces between words and most words are two characters
(防汛, 信访, 执法), which trigram indexes cannot find. We therefore index every row as

    <folded text> "\\n" " " <token> " " <token> " " … " "

where the tokens are the character bigrams of each run of Chinese characters and each run of
Latin letters or digits as one word. A search term matches a row when every Chinese bigram of the
term occurs delimited by spaces (`` 防汛 ``), and the folded term itself occurs in the folded text (so 防汛抗旱 does not match 防汛…抗旱 scattered apart). On
PostgreSQL the space-delimited tokens let a pg_trgm GIN index answer even two-character terms;
on SQLite the same LIKE conditions scan, which is fast enough at a city's scale. See
docs/duties.md.

Folding is character by character (NFKC, lower case, traditional → simplified) so offsets in the
folded text are offsets in the original, which is what highlighting needs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_TERMS = 8
MAX_TERM_LENGTH = 40


_CJK_CLASS = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002fa1f"
_CJK = re.compile(f"[{_CJK_CLASS}]")
# At each position: the Chinese bigram starting there (group 1, a look-ahead, so bigrams overlap)
# or else a maximal run of ASCII letters and digits (group 2).
_TOKENS = re.compile(f"(?=([{_CJK_CLASS}]{{2}}))|([A-Za-z0-9]+)")


def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char).lower()
    return folded if len(folded) == 1 else char.lower() if len(char.lower()) == 1 else char


class _FoldTable(dict[int, str]):
    """``str.translate`` table folding each character, filled as characters are first met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD = _FoldTable()


def _simplified(text: str) -> str:
    try:
        from qingdan.duties.sanding.normalize import to_simplified
    except ImportError:  # pragma: no cover - the parser package is part of the app
        return text
    converted = to_simplified(text)
    return converted if len(converted) == len(text) else text


def fold(text: str) -> str:
    """The searchable form of ``text``: same length, one folded character per input character."""
    if not text:
        return ""
    folded = text.translate(_FOLD)
    if _CJK.search(folded):
        folded = _simplified(folded)
    return folded


def tokens(text: str, *, folded: bool = False) -> list[str]:
    """The distinct tokens of ``text`` in order of first appearance: each run of Latin letters
    and digits as one word, each run of Chinese characters as its character bigrams."""
    value = text if folded else fold(text)
    return list(dict.fromkeys([bigram or word for bigram, word in _TOKENS.findall(value)]))


def index_text(*parts: str | None) -> str:
    """The value stored in a row's ``search_text`` column for the given text fields."""
    folded = fold("\n".join(p for p in parts if p))
    toks = tokens(folded, folded=True)
    return f"{folded}\n {' '.join(toks)} " if toks else folded


def parse_query(query: str) -> list[str]:
    """Split a user's query into folded terms (whitespace-separated, at most MAX_TERMS)."""
    terms: list[str] = []
    for raw in (query or "").split():
        term = fold(raw.strip())[:MAX_TERM_LENGTH]
        if term and term not in terms:
            terms.append(term)
        if len(terms) >= MAX_TERMS:
            break
    return terms


def term_conditions(term: str) -> list[str]:
    """Substrings that must all occur in ``search_text`` for ``term`` to match.

    Bigram tokens (space-delimited, index-friendly) first, then the whole folded term.
    """
    # Latin tokens may be part of a longer word in the row (code "zz001" for the term "zz0") and a
    # single Chinese character has no bigram: for those only the plain substring condition holds.
    conditions = [f" {t} " for t in tokens(term, folded=True) if not t.isascii()]
    conditions.append(term)
    return conditions


def highlight(text: str, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into (piece, is_match) for every occurrence of any folded term."""
    terms = [t for t in terms if t]
    if not text or not terms:
        return [(text, False)] if text else []
    folded = fold(text)
    marks = [False] * len(text)
    for term in terms:
        start = folded.find(term)
        while start != -1:
            for i in range(start, start + len(term)):
                marks[i] = True
            start = folded.find(term, start + 1)
    pieces: list[tuple[str, bool]] = []
    begin = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marks[i] != marks[begin]:
            pieces.append((text[begin:i], marks[begin]))
            begin = i
    return pieces


def snippet(text: str, terms: Iterable[str], *, width: int = 120) -> list[tuple[str, bool]]:
    """Highlighted pieces of a window of ``text`` around the first match (for result lists)."""
    terms = [t for t in terms if t]
    if len(text) <= width:
        return highlight(text, terms)
    folded = fold(text)
    first = min((p for p in (folded.find(t) for t in terms) if p != -1), default=0)
    start = max(0, min(first - width // 3, len(text) - width))
    window = text[start : start + width]
    pieces = highlight(window, terms)
    if start > 0:
        pieces.insert(0, ("…", False))
    if start + width < len(text):
        pieces.append(("…", False))
    return pieces
