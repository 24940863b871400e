"""Column declarations (declared once per list) and per-kind cell parsing with Chinese messages.

A list declares its columns once as a :class:`TableSpec`; the template writer, the exporters and the
reader all work from that one declaration, so the header text, the dropdowns, the instructions and
the parsing rules cannot drift apart.

Parsing is tolerant of what civil servants actually type: stray spaces (including full-width spaces
and NBSP), full-width digits, ``2019/7/26`` or ``2019年7月26日`` dates, Excel date serials, numbers
stored as text, and ``是/否`` booleans. Anything it cannot read raises :class:`CellValueError` whose
text is the message shown to the user.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .escaping import unescape_formula

if TYPE_CHECKING:
    from .report import CellError

INDEX_HEADER = "序号"

# Every Unicode whitespace character plus the zero-width ones that arrive with text pasted from
# web pages and Word; str.strip() with an explicit set does it in one C call.
STRIP_CHARS = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace()) + (
    "\u3000\u200b\u200c\u200d\u2060\ufeff"
)
_FULLWIDTH_DIGIT = re.compile("[０-９]")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_NUMERIC = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")
_INT_RE = re.compile(r"[+-]?\d+")
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL_RE = re.compile(r"\d{4,5}(?:\.\d+)?")
_MULTI_SPLIT = re.compile(r"[、,，;；\n]+")
_HEADER_NOISE = re.compile(r"[\s\u3000*＊]|[（(]必填[)）]")
_CHOICE_NOISE = re.compile(r"[\s\u3000]")
_HALF_PARENS = str.maketrans("()", "（）")
_MAX_SERIAL = 2958465  # 9999-12-31 in the 1900 date system
_BOOL_WORDS = {
    "是": True,
    "否": False,
    "Y": True,
    "N": False,
    "YES": True,
    "NO": False,
    "TRUE": True,
    "FALSE": False,
    "√": True,
    "×": False,
    "1": True,
    "0": False,
}


class Kind(StrEnum):
    """How a column's cells are parsed and written."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"


KIND_LABELS: dict[Kind, str] = {
    Kind.TEXT: "文本",
    Kind.INT: "整数",
    Kind.DECIMAL: "数字",
    Kind.DATE: "日期",
    Kind.BOOL: "是/否",
    Kind.CHOICE: "选项",
}

ChoiceItem = str | tuple[Any, str]
"""A choice is a label (stored as is) or a ``(value, label)`` pair, like Django's choices."""


class CellValueError(ValueError):
    """A cell value that cannot be read; ``str(exc)`` is the Chinese message for the user."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a list as it appears in Excel, CSV and the import.

    ``group`` gives a two-level header: adjacent columns with the same group share a merged group
    cell above their own headers (e.g. group 承办岗位 over 主办岗位 / 协办岗位). For a ``CHOICE``
    column leave ``choices`` as ``None`` to require the list at run time (e.g. the department's own
    units). ``hidden`` columns (ids for safe updates) are written hidden and may be absent on import
    when they are the last columns.
    """

    key: str
    header: str
    kind: Kind = Kind.TEXT
    group: str | None = None
    required: bool = False
    max_length: int | None = None
    choices: tuple[ChoiceItem, ...] | None = None
    multiple: bool = False
    help: str = ""
    example: str = ""
    hidden: bool = False
    width: float | None = None
    min_value: int | Decimal | None = None
    max_value: int | Decimal | None = None
    decimal_places: int | None = None
    unique: bool = False

    def __post_init__(self) -> None:
        if not self.key.isidentifier():
            raise ValueError(f"column key {self.key!r} must be an identifier")
        if self.choices is not None:
            if self.kind is not Kind.CHOICE:
                raise ValueError(f"column {self.key!r}: choices need kind=Kind.CHOICE")
            object.__setattr__(self, "choices", tuple(self.choices))
        if self.multiple and self.kind is not Kind.CHOICE:
            raise ValueError(f"column {self.key!r}: multiple needs kind=Kind.CHOICE")

    @property
    def label(self) -> str:
        """Header including its group, for one-row headers such as CSV (承办岗位-主办岗位)."""
        return f"{self.group}-{self.header}" if self.group else self.header


@dataclass(frozen=True)
class TableSpec:
    """A sheet of a list: its name, title row, optional leading 序号 column and columns.

    Layout on the sheet: an optional title row, then one header row (two when any column has a
    group), then data. The 序号 column, when present, is column A and is ignored on import.
    """

    sheet_name: str
    columns: tuple[Column, ...]
    title: str | None = None
    index_column: bool = True
    instructions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "instructions", tuple(self.instructions))
        if not self.columns:
            raise ValueError("a TableSpec needs at least one column")
        if len(self.sheet_name) > 31 or any(ch in self.sheet_name for ch in "[]:*?/\\"):
            raise ValueError(f"invalid Excel sheet name {self.sheet_name!r}")
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError("column keys must be unique")
        labels = [header_key(c.header) for c in self.columns]
        if self.index_column:
            labels.append(header_key(INDEX_HEADER))
        if len(set(labels)) != len(labels):
            raise ValueError("column headers must be unique within a sheet")
        seen_groups: set[str] = set()
        previous: str | None = None
        for column in self.columns:
            if column.group != previous and column.group is not None:
                if column.group in seen_groups:
                    raise ValueError(f"columns of group {column.group!r} must be adjacent")
                seen_groups.add(column.group)
            previous = column.group

    @property
    def header_rows(self) -> int:
        """Number of header rows: 2 when any column has a group, else 1."""
        return 2 if any(c.group for c in self.columns) else 1

    @property
    def first_column(self) -> int:
        """0-based index of the first declared column (1 when 序号 leads)."""
        return 1 if self.index_column else 0

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {c.key: self.first_column + i for i, c in enumerate(self.columns)}

    def column(self, key: str) -> Column:
        """The declared column with this key."""
        return self.columns[self._positions[key] - self.first_column]

    def position(self, key: str) -> int:
        """0-based sheet column index of ``key``."""
        return self._positions[key]

    def letter(self, key: str) -> str:
        """Excel column letter of ``key`` (e.g. ``"F"``)."""
        return column_letter(self._positions[key])

    def error(self, row: int, key: str, message: str, value: Any = None) -> CellError:
        """A :class:`CellError` for the cell of ``key`` on Excel row ``row``.

        For the Django-side importer to report business-rule failures in the same form.
        """
        from .report import CellError

        column = self.column(key)
        return CellError(
            sheet=self.sheet_name,
            row=row,
            column=self.letter(key),
            header=column.header,
            key=key,
            value=value,
            message=message,
        )


def column_letter(index: int) -> str:
    """Excel column letter for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """0-based column index for an Excel column letter (A → 0)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def header_key(text: Any) -> str:
    """Normalise a header cell for matching: no whitespace, no required-markers, full-width parens."""
    if text is None:
        return ""
    return _HEADER_NOISE.sub("", str(text)).translate(_HALF_PARENS)


def choice_key(text: str) -> str:
    """Normalise a choice label so that spacing, digit width and paren width do not matter."""
    return _CHOICE_NOISE.sub("", text).translate(_DIGITS).translate(_HALF_PARENS)


class ChoiceSet:
    """The allowed values of a choice column: labels shown in Excel, values returned on import."""

    __slots__ = ("_by_key", "_exact", "_label_of", "labels", "values")

    def __init__(self, items: Iterable[ChoiceItem]) -> None:
        labels: list[str] = []
        values: list[Any] = []
        self._exact: dict[str, Any] = {}  # labels as written: the common case, no normalising
        self._by_key: dict[str, Any] = {}
        self._label_of: dict[Any, str] = {}
        for item in items:
            if isinstance(item, tuple):
                value, label = item
            else:
                value = label = item
            label = str(label).strip(STRIP_CHARS)
            if not label:
                continue
            labels.append(label)
            values.append(value)
            self._exact.setdefault(label, value)
            self._by_key.setdefault(choice_key(label), value)
            self._label_of.setdefault(value, label)
        self.labels: tuple[str, ...] = tuple(labels)
        self.values: tuple[Any, ...] = tuple(values)

    def __len__(self) -> int:
        return len(self.labels)

    def lookup(self, text: str) -> tuple[bool, Any]:
        """``(True, value)`` for a known label, else ``(False, None)``."""
        if text in self._exact:
            return True, self._exact[text]
        key = choice_key(text)
        if key in self._by_key:
            return True, self._by_key[key]
        return False, None

    def label(self, value: Any) -> str:
        """The label to show for a stored value (the value itself when unknown)."""
        try:
            return self._label_of[value]
        except (KeyError, TypeError):
            return str(value)

    def summary(self, limit: int = 10) -> str:
        """Short Chinese list of the labels for messages (A、B、C…等N项)."""
        if not self.labels:
            return "当前没有可选项"
        if len(self.labels) <= limit:
            return "、".join(self.labels)
        return "、".join(self.labels[:limit]) + f"…等{len(self.labels)}项，见下拉列表"


def resolve_choices(
    spec: TableSpec, supplied: Mapping[str, Iterable[ChoiceItem] | ChoiceSet] | None = None
) -> dict[str, ChoiceSet]:
    """Build the :class:`ChoiceSet` of every choice column; run-time lists override static ones."""
    supplied = supplied or {}
    unknown = set(supplied) - {c.key for c in spec.columns}
    if unknown:
        raise ValueError(f"choices supplied for unknown columns: {sorted(unknown)}")
    resolved: dict[str, ChoiceSet] = {}
    for column in spec.columns:
        if column.kind is not Kind.CHOICE:
            continue
        items = supplied.get(column.key, column.choices)
        if items is None:
            raise ValueError(f"column {column.key!r} needs its choices at run time")
        resolved[column.key] = items if isinstance(items, ChoiceSet) else ChoiceSet(items)
    return resolved


def value_to_text(value: Any) -> str:
    """Text form of a non-string cell value as Excel would display it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _numeric_text(value: str) -> str:
    text = value.strip(STRIP_CHARS).translate(_NUMERIC).replace(" ", "")
    if "," in text and _THOUSANDS_RE.fullmatch(text):
        text = text.replace(",", "")
    return text


def make_parser(
    column: Column, choices: ChoiceSet | None = None, *, date1904: bool = False
) -> Callable[[Any], Any]:
    """Return ``parse(raw) -> typed value or None`` for one column.

    ``raw`` is a python-calamine cell value (str, float, int, bool, date, datetime...). ``None`` means
    the cell is empty after stripping; the caller decides whether that is allowed (``required``).
    Raises :class:`CellValueError` with the Chinese message.
    """
    kind = column.kind
    if kind is Kind.TEXT:
        return _text_parser(column)
    if kind is Kind.INT:
        return _int_parser(column)
    if kind is Kind.DECIMAL:
        return _decimal_parser(column)
    if kind is Kind.DATE:
        return _date_parser(date1904)
    if kind is Kind.BOOL:
        return _bool_parser()
    if choices is None:
        raise ValueError(f"column {column.key!r} needs a ChoiceSet")
    return _choice_parser(column, choices)


def parse_value(column: Column, raw: Any, choices: ChoiceSet | None = None) -> Any:
    """Parse one value by the column's rules including ``required`` (for single-cell use)."""
    if choices is None and column.kind is Kind.CHOICE and column.choices is not None:
        choices = ChoiceSet(column.choices)
    value = None if raw is None or raw == "" else make_parser(column, choices)(raw)
    if value is None and column.required:
        raise CellValueError("不能为空")
    return value


def _clean_text(value: Any) -> str:
    text = value.strip(STRIP_CHARS) if value.__class__ is str else value_to_text(value)
    if text and text[0] == "'":
        text = unescape_formula(text)
    if not text.isascii() and _FULLWIDTH_DIGIT.search(text):
        text = text.translate(_DIGITS)
    return text


def _text_parser(column: Column) -> Callable[[Any], Any]:
    max_length = column.max_length

    def parse(value: Any) -> str | None:
        # Inlined fast path of _clean_text: this runs for most cells of a 30k-row import.
        text = value.strip(STRIP_CHARS) if value.__class__ is str else value_to_text(value)
        if not text:
            return None
        if text[0] == "'":
            text = unescape_formula(text)
        if not text.isascii() and _FULLWIDTH_DIGIT.search(text):
            text = text.translate(_DIGITS)
        if max_length is not None and len(text) > max_length:
            raise CellValueError(f"超过最大长度{max_length}字（当前{len(text)}字）")
        return text

    return parse


def _check_range(column: Column, number: int | Decimal) -> None:
    if column.min_value is not None and number < column.min_value:
        raise CellValueError(f"不能小于{column.min_value}")
    if column.max_value is not None and number > column.max_value:
        raise CellValueError(f"不能大于{column.max_value}")


def _int_parser(column: Column) -> Callable[[Any], Any]:
    has_range = column.min_value is not None or column.max_value is not None

    def parse(value: Any) -> int | None:
        cls = value.__class__
        if cls is float:
            if not value.is_integer():
                raise CellValueError("应为整数")
            number = int(value)
        elif cls is int:
            number = value
        elif cls is str:
            text = _numeric_text(value)
            if not text:
                return None
            if _INT_RE.fullmatch(text):
                number = int(text)
            else:
                try:
                    exact = Decimal(text)
                except InvalidOperation:
                    raise CellValueError("应为整数") from None
                if not exact.is_finite() or exact != exact.to_integral_value():
                    raise CellValueError("应为整数")
                number = int(exact)
        else:
            raise CellValueError("应为整数")
        if has_range:
            _check_range(column, number)
        return number

    return parse


def _decimal_parser(column: Column) -> Callable[[Any], Any]:
    places = column.decimal_places

    def parse(value: Any) -> Decimal | None:
        cls = value.__class__
        if cls is float:
            # repr() is the shortest text that round-trips, i.e. what the user typed in Excel.
            number = Decimal(repr(value))
        elif cls is int:
            number = Decimal(value)
        elif cls is str:
            text = _numeric_text(value)
            if not text:
                return None
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise CellValueError("应为数字") from None
        else:
            raise CellValueError("应为数字")
        if not number.is_finite():
            raise CellValueError("应为数字")
        exponent = number.as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            raise CellValueError(f"小数位数不能超过{places}位")
        _check_range(column, number)
        return number

    return parse


def date_from_serial(serial: float, date1904: bool = False) -> dt.date:
    """Convert an Excel date serial to a date (time of day is dropped)."""
    days = int(serial)
    if date1904:
        if not 0 <= days <= _MAX_SERIAL - 1462:
            raise CellValueError("日期格式不正确，应填写如2019-07-26")
        return dt.date(1904, 1, 1) + dt.timedelta(days=days)
    if not 1 <= days <= _MAX_SERIAL:
        raise CellValueError("日期格式不正确，应填写如2019-07-26")
    if days == 60:
        # Excel keeps Lotus 1-2-3's fictitious 1900-02-29.
        raise CellValueError("日期无效：1900年2月29日不存在")
    if days < 60:
        return dt.date(1899, 12, 31) + dt.timedelta(days=days)
    return dt.date(1899, 12, 30) + dt.timedelta(days=days)


def _make_date(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise CellValueError(f"日期无效：{int(year)}年{int(month)}月{int(day)}日不存在") from None


def _date_parser(date1904: bool) -> Callable[[Any], Any]:
    def parse(value: Any) -> dt.date | None:
        cls = value.__class__
        if cls is dt.date:
            return value
        if cls is dt.datetime:
            return value.date()
        if cls is float or cls is int:
            return date_from_serial(value, date1904)
        if cls is not str:
            raise CellValueError("日期格式不正确，应填写如2019-07-26")
        text = value.strip(STRIP_CHARS).translate(_NUMERIC)
        if not text:
            return None
        match = _DATE_RE.fullmatch(text) or _COMPACT_DATE_RE.fullmatch(text)
        if match:
            return _make_date(*match.groups())
        if _SERIAL_RE.fullmatch(text):
            return date_from_serial(float(text), date1904)
        raise CellValueError("日期格式不正确，应填写如2019-07-26")

    return parse


def _bool_parser() -> Callable[[Any], Any]:
    def parse(value: Any) -> bool | None:
        cls = value.__class__
        if cls is bool:
            return value
        if cls is float or cls is int:
            if value in (0, 1):
                return bool(value)
        elif cls is str:
            text = value.strip(STRIP_CHARS).translate(_DIGITS).upper()
            if not text:
                return None
            if text in _BOOL_WORDS:
                return _BOOL_WORDS[text]
        raise CellValueError("应填写“是”或“否”")

    return parse


def _choice_parser(column: Column, choices: ChoiceSet) -> Callable[[Any], Any]:
    summary = choices.summary()
    # The same wrong value tends to repeat down a 30k-row column; build its message once.
    messages: dict[str, str] = {}

    def message_for(bad: list[str]) -> str:
        cache_key = "\x00".join(bad)
        if cache_key not in messages:
            shown = "、".join(f"“{b}”" for b in bad)
            hint = ""
            if len(bad) == 1 and choices.labels:
                close = difflib.get_close_matches(bad[0], choices.labels, n=1, cutoff=0.6)
                if close:
                    hint = f"，是否应为“{close[0]}”"
            messages[cache_key] = f"不在可选项中：{shown}{hint}（可选：{summary}）"
        return messages[cache_key]

    if column.multiple:

        def parse_many(value: Any) -> tuple[Any, ...] | None:
            text = _clean_text(value)
            if not text:
                return None
            found: list[Any] = []
            bad: list[str] = []
            for part in _MULTI_SPLIT.split(text):
                part = part.strip(STRIP_CHARS)
                if not part:
                    continue
                ok, choice = choices.lookup(part)
                if not ok:
                    bad.append(part)
                elif choice not in found:
                    found.append(choice)
            if bad:
                raise CellValueError(message_for(bad))
            return tuple(found) or None

        return parse_many

    def parse_one(value: Any) -> Any:
        text = _clean_text(value)
        if not text:
            return None
        ok, choice = choices.lookup(text)
        if not ok:
            raise CellValueError(message_for([text]))
        return choice

    return parse_one
