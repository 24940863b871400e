"""Import problems: one :class:`CellError` per problem, Chinese formatting, and the annotated workbook.

Every check (file, sheet, header, cell, cross-row) reports a ``CellError`` so that the UI, the
background job log and the annotated workbook all show the same thing. ``annotate`` hands the user
their own workbook back with each bad cell filled red and commented, plus a first sheet "错误清单"
that lists every problem with a link to its cell.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .escaping import escape_formula

if TYPE_CHECKING:
    from .columns import TableSpec
    from .reader import ReadLimits, Row

ERROR_SHEET = "错误清单"
ERROR_FILL_RGB = "FFFF7C80"
"""Fill of a bad cell in the annotated workbook (a red that keeps black text readable)."""

_ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_ROWS_LISTED = 10


@dataclass(frozen=True, slots=True)
class CellError:
    """One problem in an uploaded file.

    ``row`` is the Excel row number (1-based, 0 when the problem concerns the whole file or sheet),
    ``column`` the column letter ("" for a whole row), ``header`` the column's header text,
    ``key`` the field key, ``value`` the raw cell value and ``message`` the Chinese explanation.
    """

    sheet: str = ""
    row: int = 0
    column: str = ""
    header: str = ""
    key: str = ""
    value: Any = None
    message: str = ""

    @property
    def location(self) -> str:
        """Chinese location text, e.g. 工作表“履职清单”第12行 F列（主办岗位）."""
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第{self.row}行")
        text = "".join(parts)
        if self.column:
            text += f" {self.column}列" if text else f"{self.column}列"
            if self.header:
                text += f"（{self.header}）"
        return text

    def __str__(self) -> str:
        return format_error(self)


def format_error(error: CellError) -> str:
    """One Chinese line: 工作表“履职清单”第12行 F列（主办岗位）：不在可选项中：…"""
    location = error.location
    return f"{location}：{error.message}" if location else error.message


def format_errors(errors: Iterable[CellError], limit: int | None = None) -> list[str]:
    """Chinese lines for ``errors`` (at most ``limit``, with a closing count line when cut)."""
    errors = list(errors)
    lines = [format_error(e) for e in errors[:limit]]
    if limit is not None and len(errors) > limit:
        lines.append(f"……另有{len(errors) - limit}处问题未列出")
    return lines


def sort_key(error: CellError) -> tuple[str, int, int, str]:
    """Order: sheet, row, then column (A < Z < AA)."""
    return (error.sheet, error.row, len(error.column), error.column)


def _row_list(numbers: Sequence[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:_MAX_ROWS_LISTED])
    if len(numbers) > _MAX_ROWS_LISTED:
        shown += f"等{len(numbers)}行"
    return shown


def find_duplicates(
    rows: Iterable[Row],
    key: str | Sequence[str],
    spec: TableSpec,
    *,
    column: str | None = None,
) -> list[CellError]:
    """Report every row whose (natural) key value occurs more than once in the file.

    ``key`` may be a tuple of keys for a composite natural key such as ``("unit", "code")``; rows
    with any part empty are skipped. Each occurrence gets an error on ``column`` (default: the last
    key) naming all the rows involved, so the user can decide which one to change.
    """
    keys = (key,) if isinstance(key, str) else tuple(key)
    target = column or keys[-1]
    seen: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        value = tuple(row.get(k) for k in keys)
        if any(v is None for v in value):
            continue
        seen.setdefault(value, []).append(row)
    errors: list[CellError] = []
    names = "、".join(spec.column(k).header for k in keys)
    for value, group in seen.items():
        if len(group) < 2:
            continue
        numbers = [r.number for r in group]
        shown = "、".join(_display(v) for v in value)
        for row in group:
            others = [n for n in numbers if n != row.number]
            errors.append(
                spec.error(
                    row.number,
                    target,
                    f"{names}“{shown}”在文件中重复，另见第{_row_list(others)}行",
                    value=row.get(target),
                )
            )
    errors.sort(key=sort_key)
    return errors


def check_references(
    rows: Iterable[Row],
    key: str,
    known: Container[Any] | Mapping[Any, Any],
    spec: TableSpec,
    *,
    message: str = "未找到“{value}”",
) -> list[CellError]:
    """Report rows whose ``key`` value (a natural key such as a code or name) is not in ``known``.

    ``known`` is anything supporting ``in`` (a set of codes, or the dict the importer will use to
    resolve them). Multiple-choice tuples are checked item by item. ``message`` may use {value}.
    """
    errors: list[CellError] = []
    for row in rows:
        value = row.get(key)
        if value is None:
            continue
        items = value if isinstance(value, tuple) else (value,)
        missing = [item for item in items if item not in known]
        if missing:
            shown = "、".join(_display(m) for m in missing)
            errors.append(spec.error(row.number, key, message.format(value=shown), value=value))
    return errors


def _display(value: Any) -> str:
    if isinstance(value, tuple):
        return "、".join(_display(v) for v in value)
    return str(value)


def _safe_text(value: Any) -> str:
    """Text for the error list: never a formula, never an XML-illegal control character."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else _display(value)
    return escape_formula(_ILLEGAL_XML_CHARS.sub("", text))


def _sheet_ref(sheet: str, cell: str) -> str:
    return "'" + sheet.replace("'", "''") + "'!" + cell


def annotate(
    original: bytes, errors: Sequence[CellError], *, limits: ReadLimits | None = None
) -> bytes:
    """Return the user's workbook with bad cells filled red and commented, and a first sheet
    "错误清单" listing every problem with a hyperlink to its cell.

    Only for workbooks the reader could open (``ReadResult.annotatable``); raises ``ValueError``
    otherwise. The package is re-checked against the same size and zip-bomb limits before openpyxl
    touches it. openpyxl drops what it does not support (charts, images); that is acceptable for a
    copy whose purpose is to show the errors.
    """
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from .package import PackageError, open_package
    from .reader import ReadLimits

    try:
        open_package(original, limits or ReadLimits()).verify_all()
    except PackageError as exc:
        raise ValueError(exc.message) from exc
    with warnings.catch_warnings():
        # openpyxl warns about extensions it drops (e.g. x14 data validations); nothing to act on.
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(original), keep_links=False)

    fill = PatternFill(fill_type="solid", fgColor=ERROR_FILL_RGB)
    by_cell: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        if not error.sheet or not error.row or error.sheet not in workbook.sheetnames:
            continue
        cell_ref = f"{error.column or 'A'}{error.row}"
        by_cell.setdefault((error.sheet, cell_ref), []).append(error.message)
    for (sheet, cell_ref), messages in by_cell.items():
        cell = workbook[sheet][cell_ref]
        cell.fill = fill
        text = "\n".join(messages)
        if cell.comment is not None:
            text = f"{cell.comment.text}\n{text}"
        comment = Comment(_ILLEGAL_XML_CHARS.sub("", text), "qingdan")
        comment.width = 320
        comment.height = max(80, 20 * (text.count("\n") + 2))
        cell.comment = comment

    if ERROR_SHEET in workbook.sheetnames:
        # A re-uploaded annotated file: replace the old list rather than stacking a second one.
        del workbook[ERROR_SHEET]
    listing = workbook.create_sheet(ERROR_SHEET, 0)
    headers = ("序号", "工作表", "行号", "列", "表头", "填写内容", "问题说明", "定位")
    listing.append(headers)
    bold = Font(name="宋体", bold=True)
    for cell in listing[1]:
        cell.font = bold
        cell.fill = PatternFill(fill_type="solid", fgColor="FFD9D9D9")
    link_font = Font(name="宋体", color="FF0563C1", underline="single")
    for number, error in enumerate(errors, start=1):
        listing.append(
            (
                number,
                _safe_text(error.sheet),
                error.row or None,
                error.column or None,
                _safe_text(error.header),
                _safe_text(error.value),
                _safe_text(error.message),
                None,
            )
        )
        if error.sheet in workbook.sheetnames and error.row:
            row_index = number + 1
            target = listing.cell(row=row_index, column=8, value="转到单元格")
            target.hyperlink = Hyperlink(
                ref=target.coordinate,
                location=_sheet_ref(error.sheet, f"{error.column or 'A'}{error.row}"),
            )
            target.font = link_font
    widths = (6, 14, 8, 6, 16, 30, 60, 12)
    for index, width in enumerate(widths):
        listing.column_dimensions[chr(65 + index)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in listing.iter_rows(min_row=2, min_col=6, max_col=7):
        for cell in row:
            cell.alignment = wrap
    listing.freeze_panes = "A2"
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = False
    listing.sheet_view.tabSelected = True
    workbook.active = 0

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
