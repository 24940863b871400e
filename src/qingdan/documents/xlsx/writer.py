"""Template and export writer (XlsxWriter) plus the CSV export, all from one :class:`TableSpec`.

Sheet layout, the one practitioners use and the reader expects: an optional title row, a one- or
two-row header (group cells merged over their sub-headers, other headers merged down both rows),
a leading 序号 column, then data. Required headers carry a red ``*``. Choice columns get dropdowns:
inline when the list is static and fits Excel's 255-character limit, otherwise from a hidden
"字典" sheet through a named range. A "填写说明" sheet explains every column. Hidden id columns
(for safe updates) are written hidden. Exports use the same layout so an exported file can be edited
and imported again; every exported text cell goes through
:func:`~qingdan.documents.xlsx.escaping.escape_formula`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .columns import (
    INDEX_HEADER,
    KIND_LABELS,
    ChoiceItem,
    ChoiceSet,
    Column,
    Kind,
    TableSpec,
    column_letter,
    resolve_choices,
)
from .escaping import escape_formula
from .package import ReadLimits

__all__ = [
    "DICTIONARY_SHEET",
    "INSTRUCTIONS_SHEET",
    "TemplateStyle",
    "export_csv",
    "export_xlsx",
    "iter_csv",
    "write_template",
]

INSTRUCTIONS_SHEET = "填写说明"
DICTIONARY_SHEET = "字典"
CONSTANT_MEMORY_ROWS = 2000
"""Exports with more rows (or of unknown length) are streamed with XlsxWriter's constant_memory."""
_INLINE_LIST_LIMIT = 255  # Excel's limit for a list typed into the data-validation dialog
_GB2312_CHARSET = 134  # tells Excel the East Asian font applies to the Chinese text
_LISTED_CHOICES = 30
_BASE_WIDTH = {
    Kind.TEXT: 18,
    Kind.INT: 10,
    Kind.DECIMAL: 12,
    Kind.DATE: 13,
    Kind.BOOL: 9,
    Kind.CHOICE: 18,
}

Output = str | os.PathLike[str] | BinaryIO | None


@dataclass(frozen=True)
class TemplateStyle:
    """Fonts and colours; the defaults follow common government spreadsheet practice."""

    title_font: str = "宋体"
    title_size: int = 16
    header_font: str = "宋体"
    header_size: int = 11
    body_font: str = "宋体"
    body_size: int = 11
    notes_font: str = "仿宋"
    notes_size: int = 12
    header_fill: str = "#D9E1F2"
    required_color: str = "#FF0000"


DEFAULT_STYLE = TemplateStyle()


@dataclass(frozen=True)
class _Layout:
    title_row: int | None
    header_top: int
    first_data: int
    width: int


def _layout(spec: TableSpec, title: str | None) -> _Layout:
    header_top = 1 if title else 0
    return _Layout(
        title_row=0 if title else None,
        header_top=header_top,
        first_data=header_top + spec.header_rows,
        width=spec.first_column + len(spec.columns),
    )


def _display_width(text: str) -> float:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _column_width(column: Column) -> float:
    if column.width:
        return column.width
    base: float = _BASE_WIDTH[column.kind]
    if column.kind is Kind.TEXT and (column.max_length or 0) > 50:
        base = 36
    return min(60, max(base, _display_width(column.header) + 4))


def write_template(
    spec: TableSpec,
    *,
    choices: Mapping[str, Iterable[ChoiceItem] | ChoiceSet] | None = None,
    rows: Iterable[Mapping[str, Any]] | None = None,
    title: str | None = None,
    output: Output = None,
    style: TemplateStyle = DEFAULT_STYLE,
    validation_rows: int | None = None,
    constant_memory: bool | None = None,
) -> bytes | None:
    """Write the import template for ``spec``, optionally pre-filled with ``rows``.

    ``rows`` are mappings keyed by column key holding stored values (choice values, not labels).
    ``title`` defaults to ``spec.title``. Dropdowns and checks cover ``validation_rows`` data rows
    (default: the reader's row cap). Returns the file's bytes when ``output`` is None, else writes
    to the path or binary stream. ``constant_memory`` defaults to on for large or unsized ``rows``.
    """
    choice_sets = resolve_choices(spec, choices)
    title = spec.title if title is None else title
    if constant_memory is None:
        constant_memory = rows is not None and (
            not isinstance(rows, Sized) or len(rows) > CONSTANT_MEMORY_ROWS
        )
    target: Any = io.BytesIO() if output is None else output
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": constant_memory,
            # Never let XlsxWriter reinterpret user text as a formula, number or link.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_format_properties": {
                "font_name": style.body_font,
                "font_size": style.body_size,
                "font_charset": _GB2312_CHARSET,
            },
        },
    )
    try:
        _SheetWriter(workbook, spec, choice_sets, set(choices or ()), title, style).write(
            rows or (), validation_rows or ReadLimits().max_rows, constant_memory
        )
    finally:
        workbook.close()
    return target.getvalue() if output is None else None


def export_xlsx(
    spec: TableSpec,
    rows: Iterable[Mapping[str, Any]],
    *,
    choices: Mapping[str, Iterable[ChoiceItem] | ChoiceSet] | None = None,
    title: str | None = None,
    output: Output = None,
    style: TemplateStyle = DEFAULT_STYLE,
    constant_memory: bool | None = None,
) -> bytes | None:
    """Export ``rows`` (any filtered list) in the template layout, ready to edit and re-import."""
    return write_template(
        spec,
        choices=choices,
        rows=rows,
        title=title,
        output=output,
        style=style,
        constant_memory=constant_memory,
    )


class _SheetWriter:
    def __init__(
        self,
        workbook: xlsxwriter.Workbook,
        spec: TableSpec,
        choice_sets: dict[str, ChoiceSet],
        runtime_keys: set[str],
        title: str | None,
        style: TemplateStyle,
    ) -> None:
        self.workbook = workbook
        self.spec = spec
        self.choice_sets = choice_sets
        self.runtime_keys = runtime_keys
        self.title = title
        self.style = style
        self.layout = _layout(spec, title)
        font = {"font_charset": _GB2312_CHARSET}
        self.title_format = workbook.add_format(
            {
                **font,
                "font_name": style.title_font,
                "font_size": style.title_size,
                "bold": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        header = {
            **font,
            "font_name": style.header_font,
            "font_size": style.header_size,
            "bold": True,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "border": 1,
            "bg_color": style.header_fill,
        }
        self.header_format = workbook.add_format(header)
        # Rich-text runs only carry font properties; the cell format carries fill and borders.
        run = {**font, "font_name": style.header_font, "font_size": style.header_size, "bold": True}
        self.header_run = workbook.add_format(run)
        self.required_run = workbook.add_format({**run, "font_color": style.required_color})
        body = {
            **font,
            "font_name": style.body_font,
            "font_size": style.body_size,
            "valign": "vcenter",
        }
        self.index_format = workbook.add_format({**body, "align": "center", "border": 1})
        self.cell_formats: dict[str, Format] = {}
        self.column_formats: dict[str, Format] = {}
        for column in spec.columns:
            number = _number_format(column)
            self.column_formats[column.key] = workbook.add_format({**body, "num_format": number})
            self.cell_formats[column.key] = workbook.add_format(
                {
                    **body,
                    "num_format": number,
                    "border": 1,
                    "text_wrap": column.kind is Kind.TEXT,
                }
            )

    # -- data sheet ------------------------------------------------------------------------

    def write(
        self, rows: Iterable[Mapping[str, Any]], validation_rows: int, constant_memory: bool
    ) -> None:
        spec, layout = self.spec, self.layout
        sheet = self.workbook.add_worksheet(spec.sheet_name)
        self._set_columns(sheet)
        if layout.title_row is not None:
            sheet.set_row(layout.title_row, 36)
            if layout.width > 1:
                sheet.merge_range(0, 0, 0, layout.width - 1, self.title, self.title_format)
            else:
                sheet.write_string(0, 0, self.title or "", self.title_format)
        self._write_header(sheet, constant_memory)
        count = self._write_rows(sheet, rows)
        last_row = layout.first_data + max(count, validation_rows) - 1
        dictionary = self._validations(sheet, last_row)
        sheet.freeze_panes(layout.first_data, spec.first_column)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(layout.header_top, layout.first_data - 1)
        self._write_instructions()
        if dictionary:
            self._write_dictionary(dictionary)

    def _set_columns(self, sheet: Worksheet) -> None:
        if self.spec.index_column:
            sheet.set_column(0, 0, 6)
        for column in self.spec.columns:
            position = self.spec.position(column.key)
            sheet.set_column(
                position,
                position,
                _column_width(column),
                self.column_formats[column.key],
                {"hidden": column.hidden},
            )

    def _header_cell(self, sheet: Worksheet, row: int, col: int, text: str, required: bool) -> None:
        if required:
            sheet.write_rich_string(
                row, col, self.required_run, "*", self.header_run, text, self.header_format
            )
        else:
            sheet.write_string(row, col, text, self.header_format)

    def _write_header(self, sheet: Worksheet, constant_memory: bool) -> None:
        spec = self.spec
        top = self.layout.header_top
        two_level = spec.header_rows == 2
        for offset in range(spec.header_rows):
            sheet.set_row(top + offset, 30 if two_level else 36)
        cells: list[tuple[int, Column | None]] = [(0, None)] if spec.index_column else []
        cells += [(spec.position(c.key), c) for c in spec.columns]
        if not two_level:
            for position, column in cells:
                self._header(sheet, top, position, column)
            return
        # Row order matters in constant_memory mode: a row is flushed once a later row is written.
        merged_down: list[tuple[int, Column | None]] = []
        groups: dict[str, list[int]] = {}
        for position, column in cells:
            if column is not None and column.group:
                groups.setdefault(column.group, []).append(position)
            else:
                merged_down.append((position, column))
                self._header(sheet, top, position, column)
        for group, positions in groups.items():
            if len(positions) > 1:
                sheet.merge_range(top, positions[0], top, positions[-1], group, self.header_format)
            else:
                sheet.write_string(top, positions[0], group, self.header_format)
        for position, column in cells:
            if column is not None and column.group:
                self._header(sheet, top + 1, position, column)
        for position, column in merged_down:
            sheet.write_blank(top + 1, position, None, self.header_format)
            if constant_memory:
                # merge_range() would rewrite the already-flushed top row and is refused for it
                # in constant_memory mode; the top cell is written, so only register the range.
                sheet.merge.append([top, position, top + 1, position])
            else:
                sheet.merge_range(top, position, top + 1, position, "", self.header_format)
                self._header(sheet, top, position, column, comment=False)

    def _header(
        self,
        sheet: Worksheet,
        row: int,
        position: int,
        column: Column | None,
        *,
        comment: bool = True,
    ) -> None:
        if column is None:
            sheet.write_string(row, position, INDEX_HEADER, self.header_format)
            return
        self._header_cell(sheet, row, position, column.header, column.required)
        if comment and column.help:
            sheet.write_comment(
                row,
                position,
                column.help,
                {"x_scale": 2, "y_scale": 1.5, "font_name": self.style.body_font, "author": ""},
            )

    def _write_rows(self, sheet: Worksheet, rows: Iterable[Mapping[str, Any]]) -> int:
        spec = self.spec
        plan = [
            (
                spec.position(c.key),
                c.key,
                self.cell_formats[c.key],
                _cell_writer(sheet, c, self.choice_sets.get(c.key)),
            )
            for c in spec.columns
        ]
        index_column = spec.index_column
        index_format = self.index_format
        row_number = self.layout.first_data
        count = 0
        for count, values in enumerate(rows, start=1):
            if index_column:
                sheet.write_number(row_number, 0, count, index_format)
            for position, key, cell_format, write in plan:
                value = values.get(key)
                if value is None or value == "":
                    sheet.write_blank(row_number, position, None, cell_format)
                else:
                    write(row_number, position, value, cell_format)
            row_number += 1
        return count

    # -- validations, instructions, dictionary --------------------------------------------

    def _validations(self, sheet: Worksheet, last_row: int) -> list[tuple[Column, ChoiceSet]]:
        """Add data validations; return the choice lists that need the dictionary sheet."""
        first = self.layout.first_data
        dictionary: list[tuple[Column, ChoiceSet]] = []
        for column in self.spec.columns:
            if column.hidden:
                continue
            options = self._validation(column, dictionary)
            if options is None:
                continue
            options.setdefault("ignore_blank", True)
            options["input_title"] = column.header[:32]
            message = _input_message(column)
            if message:
                options["input_message"] = message[:255]
            if "error_message" in options:
                options["error_title"] = "填写有误"
                options["error_message"] = options["error_message"][:255]
            position = self.spec.position(column.key)
            sheet.data_validation(first, position, last_row, position, options)
        return dictionary

    def _validation(
        self, column: Column, dictionary: list[tuple[Column, ChoiceSet]]
    ) -> dict[str, Any] | None:
        kind = column.kind
        if kind is Kind.BOOL:
            return {"validate": "list", "source": ["是", "否"], "error_message": "请填写“是”或“否”"}
        if kind is Kind.CHOICE:
            choice_set = self.choice_sets[column.key]
            if column.multiple or not choice_set.labels:
                return {"validate": "any"}
            labels = choice_set.labels
            inline = (
                column.key not in self.runtime_keys
                and sum(len(label) + 1 for label in labels) - 1 <= _INLINE_LIST_LIMIT
                and not any("," in label or '"' in label for label in labels)
            )
            if inline:
                source: Any = list(labels)
            else:
                dictionary.append((column, choice_set))
                source = f"={_range_name(column)}"
            return {
                "validate": "list",
                "source": source,
                "error_message": "请从下拉列表中选择",
            }
        if kind in (Kind.INT, Kind.DECIMAL):
            low = column.min_value if column.min_value is not None else -(10**15)
            high = column.max_value if column.max_value is not None else 10**15
            return {
                "validate": "integer" if kind is Kind.INT else "decimal",
                "criteria": "between",
                "minimum": low,
                "maximum": high,
                "error_message": _requirement(column),
            }
        if kind is Kind.DATE:
            return {
                "validate": "date",
                "criteria": "between",
                "minimum": dt.date(1900, 1, 1),
                "maximum": dt.date(9999, 12, 31),
                "error_message": "日期格式不正确，应填写如2019-07-26",
            }
        if column.max_length:
            return {
                "validate": "length",
                "criteria": "<=",
                "value": column.max_length,
                "error_message": f"超过最大长度{column.max_length}字",
            }
        return {"validate": "any"} if column.help else None

    def _write_instructions(self) -> None:
        spec, style, workbook = self.spec, self.style, self.workbook
        sheet = workbook.add_worksheet(INSTRUCTIONS_SHEET)
        notes = {
            "font_name": style.notes_font,
            "font_size": style.notes_size,
            "font_charset": _GB2312_CHARSET,
            "valign": "top",
            "text_wrap": True,
        }
        title = workbook.add_format({**notes, "bold": True, "font_size": 16, "align": "center"})
        text = workbook.add_format(notes)
        head = workbook.add_format(
            {**notes, "bold": True, "border": 1, "bg_color": style.header_fill}
        )
        cell = workbook.add_format({**notes, "border": 1})
        widths = (6, 18, 6, 8, 26, 36, 16, 40)
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width)
        last = len(widths) - 1
        sheet.set_row(0, 32)
        sheet.merge_range(0, 0, 0, last, f"《{spec.sheet_name}》填写说明", title)
        lines = [
            f"1. 请在工作表“{spec.sheet_name}”中填写，不要修改工作表名称和表头，不要插入、删除或移动列。",
            "2. 表头带红色“*”的列为必填项。",
            "3. 有下拉列表的列请从列表中选择，可选值见下表；可填多项的列用“、”分隔。",
            "4. 请勿合并单元格、隐藏行或使用公式；从其他表格复制时请使用“选择性粘贴—数值”。",
            "5. 日期请按“2019-07-26”格式填写；“序号”列可不填，导入时忽略。",
            "6. 隐藏列为系统编号，用于更新已有数据，请勿修改；新增的行留空即可。",
            f"7. 每个文件最多{ReadLimits().max_rows}行；以“=、+、-、@”开头的内容导出时前面会加一个“'”，"
            "导入时自动去掉。",
        ]
        lines += [f"{len(lines) + i}. {extra}" for i, extra in enumerate(spec.instructions, 1)]
        row = 1
        for line in lines:
            sheet.merge_range(row, 0, row, last, line, text)
            sheet.set_row(row, 20 if _display_width(line) < 150 else 36)
            row += 1
        row += 1
        for index, label in enumerate(
            ("列", "表头", "必填", "类型", "填写要求", "可选值", "示例", "说明")
        ):
            sheet.write_string(row, index, label, head)
        row += 1
        if spec.index_column:
            for index, value in enumerate(("A", INDEX_HEADER, "否", "整数", "可不填", "", "1", "")):
                sheet.write_string(row, index, value, cell)
            row += 1
        for column in spec.columns:
            header = f"{column.group}/{column.header}" if column.group else column.header
            note = column.help
            if column.hidden:
                note = "隐藏列，系统编号，请勿修改。" + note
            values = (
                self.spec.letter(column.key),
                header,
                "是" if column.required else "否",
                KIND_LABELS[column.kind],
                _requirement(column),
                self._allowed(column),
                column.example or self._example(column),
                note,
            )
            for index, value in enumerate(values):
                sheet.write_string(row, index, value, cell)
            row += 1

    def _allowed(self, column: Column) -> str:
        if column.kind is Kind.BOOL:
            return "是、否"
        if column.kind is not Kind.CHOICE:
            return ""
        labels = self.choice_sets[column.key].labels
        if len(labels) <= _LISTED_CHOICES:
            return "、".join(labels)
        return "、".join(labels[:_LISTED_CHOICES]) + f"……等{len(labels)}项（见下拉列表）"

    def _example(self, column: Column) -> str:
        if column.kind is Kind.CHOICE:
            labels = self.choice_sets[column.key].labels
            return "、".join(labels[: 2 if column.multiple else 1])
        return {Kind.INT: "1", Kind.DECIMAL: "1.5", Kind.DATE: "2019-07-26", Kind.BOOL: "是"}.get(
            column.kind, ""
        )

    def _write_dictionary(self, lists: list[tuple[Column, ChoiceSet]]) -> None:
        sheet = self.workbook.add_worksheet(DICTIONARY_SHEET)
        sheet.hide()
        for index, (column, _) in enumerate(lists):
            sheet.write_string(0, index, column.header)
            sheet.set_column(index, index, 24)
        longest = max(len(choice_set.labels) for _, choice_set in lists)
        # Written row by row: constant_memory mode flushes each row once the next one starts.
        for offset in range(longest):
            for index, (_, choice_set) in enumerate(lists):
                if offset < len(choice_set.labels):
                    sheet.write_string(offset + 1, index, choice_set.labels[offset])
        for index, (column, choice_set) in enumerate(lists):
            letter = column_letter(index)
            end = len(choice_set.labels) + 1
            self.workbook.define_name(
                _range_name(column), f"='{DICTIONARY_SHEET}'!${letter}$2:${letter}${end}"
            )


def _range_name(column: Column) -> str:
    # The "qd_" prefix keeps a key such as "ab1" from being read as a cell reference.
    return f"qd_{column.key}"


def _number_format(column: Column) -> str:
    if column.kind is Kind.INT:
        return "0"
    if column.kind is Kind.DECIMAL:
        return "0." + "0" * column.decimal_places if column.decimal_places else "General"
    if column.kind is Kind.DATE:
        return "yyyy-mm-dd"
    return "@"  # text: keeps "001" and 18-digit codes exactly as typed


def _requirement(column: Column) -> str:
    kind = column.kind
    parts: list[str] = []
    if kind is Kind.TEXT:
        parts.append(f"不超过{column.max_length}字" if column.max_length else "文本")
    elif kind is Kind.INT:
        parts.append("整数")
    elif kind is Kind.DECIMAL:
        parts.append(
            f"数字，最多{column.decimal_places}位小数" if column.decimal_places else "数字"
        )
    elif kind is Kind.DATE:
        parts.append("日期，如2019-07-26")
    elif kind is Kind.BOOL:
        parts.append("填“是”或“否”")
    else:
        parts.append("可填多项，用“、”分隔" if column.multiple else "从下拉列表中选择")
    if column.min_value is not None:
        parts.append(f"不小于{column.min_value}")
    if column.max_value is not None:
        parts.append(f"不大于{column.max_value}")
    return "，".join(parts)


def _input_message(column: Column) -> str:
    lines = [("必填。" if column.required else "") + _requirement(column)]
    if column.help:
        lines.append(column.help)
    return "\n".join(lines)


def _cell_writer(
    sheet: Worksheet, column: Column, choice_set: ChoiceSet | None
) -> Callable[[int, int, Any, Format], Any]:
    """A function writing one stored value of ``column`` into a cell."""
    write_string = sheet.write_string

    def text(row: int, col: int, value: Any, cell_format: Format) -> None:
        write_string(
            row, col, escape_formula(value if isinstance(value, str) else str(value)), cell_format
        )

    kind = column.kind
    if kind in (Kind.INT, Kind.DECIMAL):

        def number(row: int, col: int, value: Any, cell_format: Format) -> None:
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                sheet.write_number(row, col, value, cell_format)
            else:
                text(row, col, value, cell_format)

        return number
    if kind is Kind.DATE:

        def date(row: int, col: int, value: Any, cell_format: Format) -> None:
            if isinstance(value, dt.date):
                sheet.write_datetime(row, col, value, cell_format)
            else:
                text(row, col, value, cell_format)

        return date
    if kind is Kind.BOOL:
        return lambda row, col, value, cell_format: write_string(
            row, col, "是" if value else "否", cell_format
        )
    if kind is Kind.CHOICE and choice_set is not None:

        def choice(row: int, col: int, value: Any, cell_format: Format) -> None:
            if isinstance(value, list | tuple | set | frozenset):
                label = "、".join(choice_set.label(v) for v in value)
            else:
                label = choice_set.label(value)
            text(row, col, label, cell_format)

        return choice
    return text


# -- CSV ----------------------------------------------------------------------------------------


def _csv_value(column: Column, value: Any, choice_set: ChoiceSet | None) -> str:
    if value is None:
        return ""
    kind = column.kind
    if kind is Kind.BOOL:
        return "是" if value else "否"
    if kind is Kind.CHOICE and choice_set is not None:
        if isinstance(value, list | tuple | set | frozenset):
            return escape_formula("、".join(choice_set.label(v) for v in value))
        return escape_formula(choice_set.label(value))
    if kind in (Kind.INT, Kind.DECIMAL) and isinstance(value, int | Decimal | float):
        return str(value)
    if kind is Kind.DATE and isinstance(value, dt.date):
        return value.isoformat()
    return escape_formula(str(value))


def iter_csv(
    spec: TableSpec,
    rows: Iterable[Mapping[str, Any]],
    *,
    choices: Mapping[str, Iterable[ChoiceItem] | ChoiceSet] | None = None,
    include_hidden: bool = False,
) -> Iterator[str]:
    """Yield CSV lines (first one starts with a BOM so Excel reads UTF-8); for streaming responses.

    One header row (grouped headers as 承办岗位-主办岗位), text cells escaped like the xlsx export.
    """
    choice_sets = resolve_choices(spec, choices)
    columns = [c for c in spec.columns if include_hidden or not c.hidden]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    header = [INDEX_HEADER] if spec.index_column else []
    yield "\ufeff" + line(header + [c.label for c in columns])
    for number, values in enumerate(rows, start=1):
        cells = [str(number)] if spec.index_column else []
        cells += [_csv_value(c, values.get(c.key), choice_sets.get(c.key)) for c in columns]
        yield line(cells)


def export_csv(
    spec: TableSpec,
    rows: Iterable[Mapping[str, Any]],
    *,
    choices: Mapping[str, Iterable[ChoiceItem] | ChoiceSet] | None = None,
    include_hidden: bool = False,
    output: BinaryIO | None = None,
) -> bytes | None:
    """CSV export (UTF-8 with BOM); returns bytes, or writes to ``output`` and returns None."""
    lines = iter_csv(spec, rows, choices=choices, include_hidden=include_hidden)
    if output is None:
        return "".join(lines).encode("utf-8")
    for text in lines:
        output.write(text.encode("utf-8"))
    return None
