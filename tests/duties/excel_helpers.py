"""Builders for the 履职清单 Excel tests: a department with units, positions and a small list,
and workbooks filled the way a user fills them (openpyxl typing into the downloaded template)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from qingdan.duties import exporters
from qingdan.duties.models import DutyItem, Task
from qingdan.duties.spreadsheet import LIST_SPEC
from qingdan.org.models import Position, Unit
from tests.builders import World, build_world, position, unit
from tests.duties.helpers import duty, put, task

FIRST_DATA_ROW = 4  # title row, two header rows


@dataclass
class ExcelWorld:
    w: World
    office: Unit
    basic: Unit
    clerk_post: Position
    basic_post: Position
    item1: DutyItem
    item2: DutyItem
    task1: Task
    task2: Task


def build_excel_world() -> ExcelWorld:
    """Department A (东川市教育局) with three units, positions of the same name in two units,
    two duty items (one with two tasks) — built through the services."""
    w = build_world()
    office = unit(w.dept_a, "U02", "办公室")
    basic = w.unit_a  # 基础教育科
    unit(w.dept_a, "U03", "教育督导科")
    clerk_post = position(w.dept_a, office, "G02", "综合岗", category="general")
    position(w.dept_a, basic, "G03", "综合岗", category="general")
    basic_post = w.position_a  # 基础教育业务岗
    item1 = duty(
        w.dept_a, "拟订全市教育改革与发展规划并组织实施。", code="ZZ001", clause="主要职责（一）"
    )
    item2 = duty(w.dept_a, "负责教育系统信访工作。", code="ZZ002", category="service")
    task1 = task(item1, basic, "编制教育事业发展五年规划", code="ZZ001-01", frequency="yearly")
    task2 = task(
        item1,
        basic,
        "督促检查规划实施情况",
        code="ZZ001-02",
        frequency="quarterly",
        unit_hours="16",
        cooperating_units=[office],
        is_supervision=True,
        work_spec="按季度检查，形成检查报告。",
    )
    put(task1, basic_post, "lead")
    put(task2, basic_post, "lead")
    put(task2, clerk_post, "assist")
    return ExcelWorld(w, office, basic, clerk_post, basic_post, item1, item2, task1, task2)


def fill(
    template: bytes,
    rows: list[Mapping[str, Any]],
    *,
    edit: Callable[[Worksheet], None] | None = None,
    start: int = FIRST_DATA_ROW,
) -> bytes:
    """Type ``rows`` (cell texts by column key) into a downloaded template or export."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook[LIST_SPEC.sheet_name]
    for offset, values in enumerate(rows):
        for key, value in values.items():
            sheet[f"{LIST_SPEC.letter(key)}{start + offset}"] = value
    if edit is not None:
        edit(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def edit_cells(data: bytes, changes: Mapping[str, Any]) -> bytes:
    """Change cells by reference ("L5": "每月") in the list sheet."""

    def apply(sheet: Worksheet) -> None:
        for ref, value in changes.items():
            sheet[ref] = value

    return fill(data, [], edit=apply)


def cell(key: str, row: int) -> str:
    return f"{LIST_SPEC.letter(key)}{row}"


def sheet_values(data: bytes) -> list[dict[str, Any]]:
    """The data rows of a workbook as {column key: cell value} (for comparing exports)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[LIST_SPEC.sheet_name]
    out = []
    for r in range(FIRST_DATA_ROW, sheet.max_row + 1):
        values = {c.key: sheet[cell(c.key, r)].value for c in LIST_SPEC.columns}
        if any(v not in (None, "") for v in values.values()):
            out.append(values)
    return out


def export_a(ew: ExcelWorld) -> bytes:
    return exporters.export_department(ew.w.dept_a, ew.w.clerk_a)


NEW_ROW = {
    "item_text": "负责全市学前教育管理工作。",
    "category": "监督管理",
    "task_name": "审核民办幼儿园设立申请",
    "lead_unit": "基础教育科",
    "frequency": "按件（不定期）",
    "occurrences": 20,
    "unit_hours": 6,
    "lead_position": "基础教育业务岗",
    "assist_positions": "综合岗（办公室）",
}
