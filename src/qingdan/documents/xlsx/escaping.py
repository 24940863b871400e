"""Formula-injection escaping shared by the xlsx export, the CSV export and the reader.

Scheme (OWASP "CSV injection"): a text value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is written with one extra leading apostrophe (``'``), as a plain string cell. A
spreadsheet then shows and keeps it as text, and a copy pasted or saved to CSV does not turn into a
formula. We chose the apostrophe over a leading space because a space is invisible and our importer
strips stray spaces anyway, which would make the escape indistinguishable from user input.

The importer removes exactly one apostrophe when it is followed by a trigger character or by
another apostrophe. For that to be lossless, a value that itself starts with an apostrophe followed
by a trigger or an apostrophe (``'=x``, ``''``) also gets one extra apostrophe on export. So
``unescape_formula(escape_formula(s)) == s`` for every string ``s``.
"""

from __future__ import annotations

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
ESCAPE_CHAR = "'"
_AFTER_ESCAPE = FORMULA_TRIGGERS | {ESCAPE_CHAR}


def escape_formula(text: str) -> str:
    """Return ``text`` made safe to place in a spreadsheet or CSV cell."""
    if not text:
        return text
    first = text[0]
    if first in FORMULA_TRIGGERS or (
        first == ESCAPE_CHAR and len(text) > 1 and text[1] in _AFTER_ESCAPE
    ):
        return ESCAPE_CHAR + text
    return text


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula` (a value the user typed is returned unchanged)."""
    if len(text) > 1 and text[0] == ESCAPE_CHAR and text[1] in _AFTER_ESCAPE:
        return text[1:]
    return text
