"""Text normalization that remembers where every character came from.

Pasted 三定 texts carry noise: traditional characters, pinyin that some sites inject after each
character (``監(jiān)督``), wiki ``[編輯]`` links, HTML, half-width punctuation, stray spaces. The
parser works on a cleaned copy; :class:`NormalizedText` maps each character of the copy back to
the original, so spans reported to users always point into the text they gave us.

Every pass is a single left-to-right scan (no backtracking-prone patterns), so normalization is
linear in the input length.
"""

from __future__ import annotations

import html
import re
import unicodedata
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .model import Span

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Full-width and CJK punctuation that behaves like a Chinese character for spacing decisions.
CJK_PUNCT = "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"

_CJK_CHAR = re.compile(f"[{CJK}]")
_CJK_OR_PUNCT = re.compile(f"[{CJK}{CJK_PUNCT}]")

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\u200b-\u200f\u2060\ufeff\u00ad]")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,15}(?:\s[^<>]{0,2000})?/?>|<!--[^>]{0,5000}>")
# Only strip tags when the text really is HTML: ``<新宁县机构改革方案>`` is a book title.
_HTML_EVIDENCE = re.compile(
    r"</?(?:p|div|br|span|table|tbody|thead|tr|td|th|li|ul|ol|body|html|head|font|strong|b|i|"
    r"a|h[1-6]|section|article|em|u|center|meta|title|img|hr)\b[^<>]{0,2000}>",
    re.IGNORECASE,
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|tr|li|h[1-6]|table|ul|ol|section|article|hr|center|title)\b", re.IGNORECASE
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,10});")
_WIKI_EDIT = re.compile(r"[\[［]\s*(?:编辑|編輯|编\s辑|edit|編輯原始碼|编辑源代码)\s*[\]］]")
_PINYIN_LETTERS = "A-Za-z\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff"
_PINYIN_WORD = f"[{_PINYIN_LETTERS}]{{1,8}}[1-5]?"
_PINYIN_GARBAGE = re.compile(
    f"(?<=[{CJK}])[(（] ?({_PINYIN_WORD}(?: {_PINYIN_WORD}){{0,3}}) ?[)）]"
)
_PINYIN_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:[aeiouv]{1,3})(?:ng|n|r)?[1-5]?|hm|hng|ng|m|n"
)
_URL = re.compile(r"(?:https?|ftp)://[!-~]{1,2000}|www\.[!-~]{1,2000}")
_ASCII_PUNCT = re.compile(r"[(),;:!?]")
_HSPACE = re.compile(r"[ \t]+")

_FULLWIDTH_PUNCT = {"(": "（", ")": "）", ",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
# Full-width digits, letters and spaces become ASCII so numbers (８０５名) read the same.
_WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
_WIDTH_TABLE.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})
_WIDTH_TABLE.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})
_WIDTH_TABLE.update({0x3000: 0x20, 0xA0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})

# OpenCC works phrase by phrase; chunks keep a length change local (see _to_simplified).
_CHUNK = re.compile(r"[^\n。；]{1,2000}[\n。；]?|[\n。；]")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A cleaned copy of ``original`` plus, per character, the original range it came from."""

    original: str
    text: str
    starts: array[int]
    ends: array[int]
    html_stripped: bool = False

    def span(self, start: int, end: int) -> Span:
        """Map the normalized range ``[start, end)`` to a range of the original text."""
        if not self.text:
            return Span(0, 0)
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        if start == end:
            position = self.starts[start] if start < len(self.text) else len(self.original)
            return Span(position, position)
        return Span(self.starts[start], self.ends[end - 1])


class _Buffer:
    """Text plus its origin map; each ``rewrite`` is one regex scan producing a new buffer."""

    def __init__(self, text: str, starts: array[int], ends: array[int]) -> None:
        self.text = text
        self.starts = starts
        self.ends = ends

    def rewrite(
        self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]
    ) -> None:
        """Replace matches by ``replace(match)``; ``None`` keeps the match unchanged."""
        text, starts, ends = self.text, self.starts, self.ends
        parts: list[str] = []
        new_starts: array[int] = array("q")
        new_ends: array[int] = array("q")
        position = 0
        changed = False
        for match in pattern.finditer(text):
            replacement = replace(match)
            if replacement is None or match.start() == match.end():
                continue
            changed = True
            begin, finish = match.start(), match.end()
            parts.append(text[position:begin])
            new_starts.extend(starts[position:begin])
            new_ends.extend(ends[position:begin])
            if len(replacement) == finish - begin:
                # Same length: keep the per-character origins.
                new_starts.extend(starts[begin:finish])
                new_ends.extend(ends[begin:finish])
            elif replacement:
                # Different length: every new character stands for the whole match.
                new_starts.extend(array("q", [starts[begin]]) * len(replacement))
                new_ends.extend(array("q", [ends[finish - 1]]) * len(replacement))
            parts.append(replacement)
            position = finish
        if not changed:
            return
        parts.append(text[position:])
        new_starts.extend(starts[position:])
        new_ends.extend(ends[position:])
        self.text = "".join(parts)
        self.starts = new_starts
        self.ends = new_ends

    def translate_same_length(self, converted: str) -> None:
        """Swap in a character-for-character conversion of the current text."""
        if len(converted) != len(self.text):
            raise ValueError("conversion changed the text length")
        self.text = converted


def normalize(original: str) -> NormalizedText:
    """Clean ``original`` for parsing, keeping an origin map (see module docstring)."""
    size = len(original)
    buffer = _Buffer(original, array("q", range(size)), array("q", range(1, size + 1)))
    buffer.rewrite(_NEWLINES, lambda _match: "\n")
    buffer.rewrite(_INVISIBLE, lambda _match: "")
    html_stripped = _strip_html(buffer)
    buffer.rewrite(_ENTITY, _decode_entity)
    buffer.translate_same_length(buffer.text.translate(_WIDTH_TABLE))
    buffer.rewrite(_WIKI_EDIT, lambda _match: "")
    buffer.rewrite(_PINYIN_GARBAGE, _drop_pinyin)
    _widen_punctuation(buffer)
    buffer.rewrite(_HSPACE, lambda match: _space_replacement(match))
    buffer.translate_same_length(_to_simplified(buffer.text))
    return NormalizedText(
        original=original,
        text=buffer.text,
        starts=buffer.starts,
        ends=buffer.ends,
        html_stripped=html_stripped,
    )


def normalize_text(text: str) -> str:
    """The cleaned, simplified form of ``text`` (what the parser's output texts are made of)."""
    return normalize(text).text


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese, same length as the input."""
    return _to_simplified(text)


@lru_cache(maxsize=1)
def _converter() -> object:
    # Imported lazily: loading the dictionaries costs time that callers who never parse
    # (e.g. Django start-up) should not pay.
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified(text: str) -> str:
    converter = _converter()
    convert: Callable[[str], str] = converter.convert  # type: ignore[attr-defined]
    if convert(text) == text:
        # Already simplified (most texts): then so is every chunk — the chunks split at
        # punctuation no conversion phrase contains — and one call answers for all of them.
        return text
    parts: list[str] = []
    for match in _CHUNK.finditer(text):
        chunk = match.group()
        converted = convert(chunk)
        if len(converted) != len(chunk):
            # A phrase conversion changed the length: fall back to characters so offsets hold.
            converted = "".join(
                single if len(single := convert(char)) == 1 else char for char in chunk
            )
        parts.append(converted)
    return "".join(parts)


def _strip_html(buffer: _Buffer) -> bool:
    if not _HTML_EVIDENCE.search(buffer.text):
        return False
    _drop_elements(buffer, "script")
    _drop_elements(buffer, "style")
    buffer.rewrite(_HTML_TAG, lambda match: "\n" if _BLOCK_TAG.match(match.group()) else "")
    return True


def _drop_elements(buffer: _Buffer, name: str) -> None:
    """Remove ``<name …>…</name>`` blocks with plain ``find`` calls (linear, no regex)."""
    lowered = buffer.text.lower()
    ranges: list[tuple[int, int]] = []
    position = 0
    opening, closing = f"<{name}", f"</{name}>"
    while True:
        begin = lowered.find(opening, position)
        if begin < 0:
            break
        finish = lowered.find(closing, begin)
        finish = len(lowered) if finish < 0 else finish + len(closing)
        ranges.append((begin, finish))
        position = finish
    if not ranges:
        return
    text, starts, ends = buffer.text, buffer.starts, buffer.ends
    parts: list[str] = []
    new_starts: array[int] = array("q")
    new_ends: array[int] = array("q")
    position = 0
    for begin, finish in ranges:
        parts.append(text[position:begin])
        new_starts.extend(starts[position:begin])
        new_ends.extend(ends[position:begin])
        position = finish
    parts.append(text[position:])
    new_starts.extend(starts[position:])
    new_ends.extend(ends[position:])
    buffer.text = "".join(parts)
    buffer.starts = new_starts
    buffer.ends = new_ends


def _decode_entity(match: re.Match[str]) -> str | None:
    decoded = html.unescape(match.group())
    if decoded == match.group():
        return None
    return decoded.replace("\xa0", " ")


def _drop_pinyin(match: re.Match[str]) -> str | None:
    """Drop ``(jiān)`` after a character when every word inside really is a pinyin syllable."""
    content = match.group(1)
    if content != content.lower():
        return None  # "(WTO)", "(A)" are real text
    for word in content.split(" "):
        plain = "".join(
            char
            for char in unicodedata.normalize("NFD", word.replace("ü", "v"))
            if not unicodedata.combining(char)
        )
        if not _PINYIN_SYLLABLE.fullmatch(plain):
            return None
    return ""


def _widen_punctuation(buffer: _Buffer) -> None:
    """Half-width ( ) , ; : ! ? become full-width in Chinese text, never inside URLs or numbers."""
    text = buffer.text
    protected = [(match.start(), match.end()) for match in _URL.finditer(text)]
    chars = list(text) if _ASCII_PUNCT.search(text) else None
    if chars is None:
        return
    protected_index = 0
    for match in _ASCII_PUNCT.finditer(text):
        position = match.start()
        while protected_index < len(protected) and protected[protected_index][1] <= position:
            protected_index += 1
        if protected_index < len(protected) and protected[protected_index][0] <= position:
            continue
        char = match.group()
        if char not in "()":
            before = text[position - 1] if position else ""
            after = text[position + 1] if position + 1 < len(text) else ""
            if before.isdigit() and after.isdigit():
                continue  # 1,000 and 10:30 stay as they are
            if not (before and (_CJK_OR_PUNCT.match(before) or before in ")）")):
                continue
        chars[position] = _FULLWIDTH_PUNCT[char]
    buffer.translate_same_length("".join(chars))


def _space_replacement(match: re.Match[str]) -> str | None:
    """Spaces vanish at line edges and next to Chinese; between Latin words one space stays."""
    text = match.string
    before = text[match.start() - 1] if match.start() else "\n"
    after = text[match.end()] if match.end() < len(text) else "\n"
    if before == "\n" or after == "\n":
        return ""
    if _CJK_OR_PUNCT.match(before) or _CJK_OR_PUNCT.match(after):
        return ""
    return None if match.group() == " " else " "


def is_cjk(char: str) -> bool:
    """True for a Chinese character (not punctuation)."""
    return bool(_CJK_CHAR.match(char))
