"""Read an uploaded list workbook into typed rows and a complete list of problems.

``read_workbook`` never raises on bad input and never stops at the first problem: it returns a
:class:`ReadResult` with the typed rows (each with its Excel row number) and every
:class:`~qingdan.documents.xlsx.report.CellError` it found. It writes nothing anywhere; the
Django-side importer adds its business-rule errors and decides (all or none) whether to save.

Pipeline: size cap → container checks and bounded decompression (:mod:`.package`) → structural
pass for formulas and hidden rows → values with python-calamine → header located by matching the
declared headers (title row and a two-row header tolerated) → merged cells, hidden rows and formulas
inside the data area → per-cell parsing (:mod:`.columns`) → duplicate checks for ``unique`` columns.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

import python_calamine

from .columns import (
    INDEX_HEADER,
    CellValueError,
    ChoiceItem,
    ChoiceSet,
    Column,
    Kind,
    TableSpec,
    column_letter,
    header_key,
    make_parser,
    resolve_choices,
)
from .package import (
    MSG_CORRUPT,
    Package,
    PackageError,
    ReadLimits,
    SheetScan,
    WorkbookInfo,
    load_source,
    open_package,
    scan_sheet,
)
from .report import CellError, find_duplicates, sort_key

__all__ = ["ReadLimits", "ReadResult", "Row", "read_workbook"]

MSG_FORMULA = "单元格含公式，请粘贴为数值"
MSG_HIDDEN_ROW = "该行被隐藏，请取消隐藏并核对后再上传（隐藏行同样会被导入）"
MSG_REQUIRED = "不能为空"


class Row(dict[str, Any]):
    """Typed values of one data row keyed by column key.

    ``number`` is the row's Excel row number (for messages); ``invalid`` names the keys whose cell
    could not be read (their value is ``None`` and an error was reported).
    """

    __slots__ = ("invalid", "number")

    def __init__(
        self, number: int, values: Iterable[tuple[str, Any]] = (), invalid: tuple[str, ...] = ()
    ) -> None:
        super().__init__(values)
        self.number = number
        self.invalid = invalid

    def __repr__(self) -> str:
        return f"Row({self.number}, {dict.__repr__(self)})"


@dataclass
class ReadResult:
    """Outcome of reading one sheet.

    ``fatal`` means the file, sheet or header could not be used, so ``rows`` is empty.
    ``annotatable`` means the package opened safely and :func:`~.report.annotate` may be used.
    ``truncated`` means error collection stopped at ``ReadLimits.max_errors``.
    """

    sheet: str
    rows: list[Row] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    header_row: int = 0
    fatal: bool = False
    annotatable: bool = False
    truncated: bool = False

    @property
    def ok(self) -> bool:
        """True when there is not a single error."""
        return not self.errors


def read_workbook(
    source: bytes | str | os.PathLike[str] | BinaryIO,
    spec: TableSpec,
    *,
    choices: Mapping[str, Iterable[ChoiceItem] | ChoiceSet] | None = None,
    limits: ReadLimits | None = None,
    extra_columns: Literal["ignore", "error"] = "ignore",
) -> ReadResult:
    """Read and validate the sheet ``spec.sheet_name`` of an uploaded .xlsx.

    ``choices`` supplies run-time choice lists by column key (required for choice columns declared
    without static choices). Data in columns right of the last declared column is ignored with a
    warning, or reported as errors with ``extra_columns="error"``.
    """
    limits = limits or ReadLimits()
    choice_sets = resolve_choices(spec, choices)  # a programming error raises before any I/O
    result = ReadResult(sheet=spec.sheet_name)
    try:
        data = load_source(source, limits.max_file_bytes)
        package = open_package(data, limits)
        workbook = package.workbook()
        sheet = workbook.find(spec.sheet_name)
        if sheet is None or not sheet.part or sheet.part not in package.infos:
            package.verify_all()
            result.annotatable = True
            return _fatal(result, _missing_sheet_message(spec.sheet_name, workbook))
        package.verify_all(skip=(sheet.part,))
        scan = scan_sheet(package, sheet.part, cap=limits.max_errors + 1000)
    except PackageError as exc:
        return _fatal(result, exc.message)
    result.annotatable = True
    result.sheet = sheet.name
    try:
        values, merged = _calamine_values(package, sheet.name, limits)
    except PackageError as exc:
        return _fatal(result, exc.message, sheet=sheet.name)
    _Reader(spec, choice_sets, limits, workbook, result, extra_columns).run(values, merged, scan)
    return result


def _fatal(result: ReadResult, message: str, *, sheet: str = "") -> ReadResult:
    result.fatal = True
    result.errors.append(CellError(sheet=sheet, message=message))
    return result


def _missing_sheet_message(name: str, workbook: WorkbookInfo) -> str:
    existing = "、".join(f"“{s.name}”" for s in workbook.sheets) or "无"
    return f"未找到工作表“{name}”，现有工作表：{existing}。请使用系统下载的模板，不要修改工作表名称"


def _calamine_values(
    package: Package, sheet_name: str, limits: ReadLimits
) -> tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_object(io.BytesIO(package.data))
        sheet = workbook.get_sheet_by_name(sheet_name)
        if sheet.total_height > limits.max_rows + limits.header_search_rows + 1:
            # Checked before converting cells to Python objects; exact data rows are counted later.
            raise PackageError(
                f"工作表数据区域过大（第{sheet.total_height}行仍有内容），超过上限{limits.max_rows}行，"
                "请删除表格下方多余的内容，或拆分后分批导入"
            )
        values = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except (python_calamine.CalamineError, ValueError, OverflowError):
        raise PackageError(MSG_CORRUPT) from None
    return values, merged


def _too_many_rows(count: int, limit: int) -> str:
    return f"数据行数（约{count}行）超过上限（{limit}行），请拆分后分批导入"


# Column kinds whose cells repeat a few values down a sheet (dropdowns, yes/no, counts and hours):
# each distinct cell value is parsed once per read.
_REPEATING = frozenset({Kind.CHOICE, Kind.BOOL, Kind.INT, Kind.DECIMAL})
_MEMO_LIMIT = 10_000


def _remembering(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse`` with its results remembered per (type, value): 1, 1.0 and True are equal keys
    in a dict but not the same cell. Failures are not remembered (each raises again, for its own
    row), nor are values that cannot be keys."""
    memo: dict[tuple[type, Any], Any] = {}

    def parse_remembered(value: Any) -> Any:
        key = (value.__class__, value)
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:
            return parse(value)
        result = parse(value)
        if len(memo) < _MEMO_LIMIT:
            memo[key] = result
        return result

    return parse_remembered


@dataclass
class _Slot:
    """A declared column's place on the sheet and its parser."""

    position: int  # -1 when the column is absent from the file
    column: Column
    parse: Callable[[Any], Any]
    letter: str


class _Reader:
    def __init__(
        self,
        spec: TableSpec,
        choice_sets: dict[str, ChoiceSet],
        limits: ReadLimits,
        workbook: WorkbookInfo,
        result: ReadResult,
        extra_columns: str,
    ) -> None:
        self.spec = spec
        self.choice_sets = choice_sets
        self.limits = limits
        self.date1904 = workbook.date1904
        self.result = result
        self.extra_columns = extra_columns
        self.sheet = result.sheet
        self.absent: set[str] = set()

    # -- helpers ---------------------------------------------------------------------------

    def _error(
        self,
        row: int,
        position: int | None,
        message: str,
        value: Any = None,
        column: Column | None = None,
    ) -> CellError:
        return CellError(
            sheet=self.sheet,
            row=row,
            column="" if position is None else column_letter(position),
            header=column.header if column else (INDEX_HEADER if position == 0 else ""),
            key=column.key if column else "",
            value=value,
            message=message,
        )

    def _expected(self) -> list[tuple[int, Column | None]]:
        spec = self.spec
        slots: list[tuple[int, Column | None]] = [(0, None)] if spec.index_column else []
        slots += [(spec.position(c.key), c) for c in spec.columns]
        return slots

    # -- pipeline --------------------------------------------------------------------------

    def run(
        self,
        values: list[list[Any]],
        merged: list[tuple[tuple[int, int], tuple[int, int]]],
        scan: SheetScan,
    ) -> None:
        result = self.result
        header = self._find_header(values)
        if header is None:
            return
        result.header_row = header + 1
        header_errors = self._check_header(values, header)
        if header_errors:
            result.errors.extend(header_errors)
            result.fatal = True
            return
        first = header + 1
        positions = [self.spec.position(c.key) for c in self.spec.columns]
        last = len(values) - 1
        while last >= first and all(
            values[last][p] == "" for p in positions if p < len(values[last])
        ):
            last -= 1
        if last < first:
            message = "没有数据：表头以下没有填写任何内容"
            result.errors.append(CellError(sheet=self.sheet, message=message))
            result.fatal = True
            return
        if last - first + 1 > self.limits.max_rows:
            filled = sum(
                1 for r in range(first, last + 1) if any(values[r][p] != "" for p in positions)
            )
            if filled > self.limits.max_rows:
                result.errors.append(
                    CellError(
                        sheet=self.sheet, message=_too_many_rows(filled, self.limits.max_rows)
                    )
                )
                result.fatal = True
                return
        skip = self._structure(values, merged, scan, first, last)
        self._extra_data(values, first, last)
        self._rows(values, first, last, skip)
        for column in self.spec.columns:
            if column.unique and column.key not in self.absent:
                result.errors.extend(find_duplicates(result.rows, column.key, self.spec))
        result.errors.sort(key=sort_key)
        if len(result.errors) > self.limits.max_errors:
            del result.errors[self.limits.max_errors :]
            result.truncated = True
        if result.truncated:
            result.errors.append(
                CellError(
                    sheet=self.sheet,
                    message=f"问题过多，仅列出前{self.limits.max_errors}处，请修改后重新上传",
                )
            )

    def _find_header(self, values: list[list[Any]]) -> int | None:
        spec = self.spec
        wanted = {header_key(c.header) for c in spec.columns}
        if spec.index_column:
            wanted.add(header_key(INDEX_HEADER))
        two_level = spec.header_rows == 2
        best_row, best_score = -1, 0
        previous: set[str] = set()
        for index, row in enumerate(values[: self.limits.header_search_rows]):
            labels = {header_key(v) for v in row if isinstance(v, str) and v}
            score = len((labels | previous if two_level else labels) & wanted)
            if score > best_score:
                best_row, best_score = index, score
            previous = labels
        required = sum(1 for c in spec.columns if not c.hidden) + spec.index_column
        if best_row < 0 or best_score * 2 < required:
            if not any(v != "" for row in values for v in row):
                message = "工作表是空的，没有表头和数据"
            else:
                shown = "、".join(c.header for c in spec.columns if not c.hidden)
                message = (
                    f"未找到与模板一致的表头（前{self.limits.header_search_rows}行中应有："
                    f"{shown}），请使用系统下载的模板填写"
                )
            self.result.errors.append(CellError(sheet=self.sheet, message=message))
            self.result.fatal = True
            return None
        return best_row

    def _check_header(self, values: list[list[Any]], header: int) -> list[CellError]:
        spec = self.spec
        row = values[header]
        above = values[header - 1] if spec.header_rows == 2 and header > 0 else []

        def raw_label(position: int) -> str:
            own = row[position] if position < len(row) else ""
            if own == "" and position < len(above):
                own = above[position]  # a header merged down over both header rows
            return str(own).strip()

        width = max(len(row), len(above))
        observed = {p: header_key(raw_label(p)) for p in range(width)}
        where: dict[str, int] = {}
        for position in range(width):
            if observed[position]:
                where.setdefault(observed[position], position)
        expected = self._expected()
        expected_labels = {header_key(c.header if c else INDEX_HEADER) for _, c in expected}
        errors: list[CellError] = []
        excel_row = header + 1
        for position, column in expected:
            title = column.header if column else INDEX_HEADER
            label = header_key(title)
            got = observed.get(position, "")
            if got == label:
                continue
            found_at = where.get(label)
            if found_at is not None:
                message = (
                    f"列“{title}”应在{column_letter(position)}列，实际在{column_letter(found_at)}列"
                    "（请勿插入、删除或移动列）"
                )
            elif column is not None and column.hidden and not column.required and not got:
                self.absent.add(column.key)  # an optional id column left out of a hand-made file
                continue
            elif not got or got in expected_labels:
                message = f"缺少列“{title}”"
            else:
                message = f"表头应为“{title}”，实际为“{raw_label(position)}”"
            errors.append(self._error(excel_row, position, message, raw_label(position), column))
        if spec.header_rows == 2 and not errors:
            errors += self._check_groups(above, header)
        last = expected[-1][0]
        for position in range(last + 1, width):
            if observed[position]:
                message = f"“{raw_label(position)}”不是模板中的列，该列内容不会导入"
                self._extra(self._error(excel_row, position, message, raw_label(position)))
        return errors

    def _check_groups(self, above: list[Any], header: int) -> list[CellError]:
        errors = []
        reported: set[str] = set()
        for column in self.spec.columns:
            if not column.group or column.group in reported:
                continue
            position = self.spec.position(column.key)
            # The group label sits in the first cell of a merged range: look left for it.
            seen = ""
            for p in range(min(position, len(above) - 1), -1, -1):
                if above[p] != "":
                    seen = str(above[p]).strip()
                    break
            if header_key(seen) != header_key(column.group):
                reported.add(column.group)
                errors.append(
                    self._error(
                        header,
                        position,
                        f"分组表头应为“{column.group}”，实际为“{seen}”",
                        seen,
                        column,
                    )
                )
        return errors

    def _extra(self, error: CellError) -> None:
        if self.extra_columns == "error":
            self.result.errors.append(error)
        else:
            self.result.warnings.append(error)

    def _extra_data(self, values: list[list[Any]], first: int, last: int) -> None:
        """Report columns right of the template that hold data (one message per column)."""
        end = self._expected()[-1][0] + 1
        if not values or len(values[0]) <= end:
            return
        reported: set[int] = set()
        for index in range(first, last + 1):
            row = values[index]
            for position in range(end, len(row)):
                if row[position] != "" and position not in reported:
                    reported.add(position)
                    message = "该列不在模板中，其内容不会导入"
                    self._extra(self._error(index + 1, position, message, row[position]))

    def _structure(
        self,
        values: list[list[Any]],
        merged: list[tuple[tuple[int, int], tuple[int, int]]],
        scan: SheetScan,
        first: int,
        last: int,
    ) -> set[tuple[int, int]]:
        """Formulas, merged cells and hidden rows inside the data area; returns cells to skip."""
        spec = self.spec
        left = spec.first_column
        right = left + len(spec.columns) - 1
        by_position = {spec.position(c.key): c for c in spec.columns}
        errors = self.result.errors
        skip: set[tuple[int, int]] = set()
        for row, col in scan.formulas:
            if first <= row <= last and left <= col <= right:
                skip.add((row, col))
                value = values[row][col] if col < len(values[row]) else ""
                errors.append(self._error(row + 1, col, MSG_FORMULA, value, by_position[col]))
        for (top, start), (bottom, end) in merged:
            if bottom < first or top > last or end < left or start > right:
                continue
            r0, c0 = max(top, first), max(start, left)
            reference = f"{column_letter(start)}{top + 1}:{column_letter(end)}{bottom + 1}"
            for r in range(r0, min(bottom, last) + 1):
                for c in range(c0, min(end, right) + 1):
                    skip.add((r, c))
            errors.append(
                self._error(
                    r0 + 1,
                    c0,
                    f"合并单元格（{reference}），请取消合并，并在每一行填写完整内容",
                    values[r0][c0] if c0 < len(values[r0]) else "",
                    by_position[c0],
                )
            )
        positions = list(by_position)
        for row in scan.hidden_rows:
            if first <= row <= last and any(values[row][p] != "" for p in positions):
                errors.append(self._error(row + 1, None, MSG_HIDDEN_ROW))
        return skip

    def _slots(self, width: int) -> list[_Slot]:
        slots = []
        for column in self.spec.columns:
            position = self.spec.position(column.key)
            if column.key in self.absent or position >= width:
                position = -1
            parse = make_parser(column, self.choice_sets.get(column.key), date1904=self.date1904)
            if column.kind in _REPEATING:
                parse = _remembering(parse)
            slots.append(
                _Slot(position, column, parse, column_letter(self.spec.position(column.key)))
            )
        return slots

    def _rows(
        self, values: list[list[Any]], first: int, last: int, skip: set[tuple[int, int]]
    ) -> None:
        result = self.result
        errors = result.errors
        width = len(values[first]) if values else 0
        slots = self._slots(width)
        keys = [s.column.key for s in slots]
        positions = [s.position for s in slots if s.position >= 0]
        plan = [(s.position, s.parse, s.column.required, s.column, s.letter) for s in slots]
        sheet = self.sheet
        max_errors = self.limits.max_errors

        def cell_error(index: int, column: Column, letter: str, value: Any, message: str) -> None:
            row_errors.append(
                CellError(sheet, index + 1, letter, column.header, column.key, value, message)
            )

        rows = result.rows
        for index in range(first, last + 1):
            raw = values[index]
            for position in positions:
                if raw[position] != "":
                    break
            else:
                continue  # an empty row between data rows is not an error
            parsed: list[Any] = []
            row_errors: list[CellError] = []
            invalid: list[str] = []
            filled = False
            for position, parse, required, column, letter in plan:
                if skip and (index, position) in skip:
                    # A formula or merged cell, already reported once for what it is.
                    parsed.append(None)
                    invalid.append(column.key)
                    filled = True
                    continue
                value = raw[position] if position >= 0 else ""
                if value == "":
                    parsed.append(None)
                    if required:
                        cell_error(index, column, letter, "", MSG_REQUIRED)
                    continue
                try:
                    typed = parse(value)
                except CellValueError as exc:
                    cell_error(index, column, letter, value, str(exc))
                    invalid.append(column.key)
                    parsed.append(None)
                    filled = True
                    continue
                if typed is None:
                    if required:
                        cell_error(index, column, letter, value, MSG_REQUIRED)
                else:
                    filled = True
                parsed.append(typed)
            if not filled:
                continue  # only spaces: treat as an empty row
            if row_errors:
                errors.extend(row_errors)
                invalid.extend(e.key for e in row_errors if e.message == MSG_REQUIRED)
                if len(errors) >= max_errors:
                    result.truncated = True
                    break
            rows.append(Row(index + 1, zip(keys, parsed, strict=True), tuple(invalid)))
