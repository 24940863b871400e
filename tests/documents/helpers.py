"""Specs and workbook builders shared by the spreadsheet engine tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from qingdan.documents.xlsx import Column, Kind, TableSpec, write_template

POSITIONS = ["综合岗", "审批岗", "执法岗"]

# Sheet layout: A 序号 | B 任务编码 | C 任务名称 | D 主办岗位 | E 协办岗位 (group 承办岗位 over D:E)
# | F 年频次 | G 单次工时 | H 完成时限 | I 重点任务 | J 层级 | K 系统编号 (hidden).
# Row 1 title, rows 2-3 header, data from row 4.
SPEC = TableSpec(
    sheet_name="履职清单",
    title="某局履职清单",
    columns=(
        Column("code", "任务编码", required=True, max_length=20, unique=True, help="唯一编码"),
        Column("name", "任务名称", required=True, max_length=50),
        Column("lead", "主办岗位", Kind.CHOICE, group="承办岗位", required=True),
        Column("assist", "协办岗位", Kind.CHOICE, group="承办岗位", multiple=True),
        Column("count", "年频次", Kind.INT, min_value=0),
        Column("hours", "单次工时", Kind.DECIMAL, decimal_places=1),
        Column("due", "完成时限", Kind.DATE),
        Column("key_task", "重点任务", Kind.BOOL),
        Column("level", "层级", Kind.CHOICE, choices=(("city", "市级"), ("county", "县级"))),
        Column("id", "系统编号", Kind.INT, hidden=True),
    ),
)
CHOICES = {"lead": POSITIONS, "assist": POSITIONS}
FIRST_DATA_ROW = 4

# A one-level sheet without title for hand-made workbooks: A 序号 | B 编码 | C 名称 | D 数量.
SIMPLE = TableSpec(
    sheet_name="清单",
    columns=(
        Column("code", "编码", required=True),
        Column("name", "名称"),
        Column("amount", "数量", Kind.INT),
    ),
)


def good_row(number: int = 1, **overrides: Any) -> dict[str, Any]:
    """Cell texts (by column key) of a valid data row as a user would type them."""
    row: dict[str, Any] = {
        "code": f"GA{number:03d}",
        "name": f"任务{number}",
        "lead": "综合岗",
        "assist": "审批岗、执法岗",
        "count": 12,
        "hours": 1.5,
        "due": "2019-07-26",
        "key_task": "是",
        "level": "市级",
    }
    row.update(overrides)
    return row


def fill(
    rows: list[Mapping[str, Any]],
    *,
    edit: Callable[[Worksheet], None] | None = None,
    spec: TableSpec = SPEC,
    choices: Mapping[str, Any] | None = None,
) -> bytes:
    """Download the template, type ``rows`` into it with openpyxl, apply ``edit``, save."""
    template = write_template(
        spec, choices=CHOICES if choices is None and spec is SPEC else choices
    )
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook[spec.sheet_name]
    first = (1 if spec.title else 0) + spec.header_rows + 1
    for offset, values in enumerate(rows):
        for key, value in values.items():
            sheet[f"{spec.letter(key)}{first + offset}"] = value
    if edit is not None:
        edit(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def simple_workbook(
    rows: list[list[Any]], *, sheet_name: str = "清单", header: list[str] | None = None
) -> bytes:
    """A hand-made one-sheet workbook: header row then ``rows``, starting at A1."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(header or ["序号", "编码", "名称", "数量"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewrite_zip(data: bytes, changes: Mapping[str, bytes | Callable[[bytes], bytes]]) -> bytes:
    """Copy a zip, replacing (or adding) members; a callable receives the old member bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            change = changes.get(info.filename)
            if callable(change):
                content = change(content)
            elif change is not None:
                content = change
            target.writestr(info.filename, content)
        for name, change in changes.items():
            if name not in source.namelist() and not callable(change):
                target.writestr(name, change)
    return out.getvalue()


def messages(result: Any) -> list[str]:
    return [e.message for e in result.errors]
