"""Template and export layout, dropdowns, instructions, and the CSV export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from qingdan.documents.xlsx import (
    DICTIONARY_SHEET,
    INSTRUCTIONS_SHEET,
    Column,
    Kind,
    TableSpec,
    export_csv,
    export_xlsx,
    iter_csv,
    write_template,
)

from .helpers import CHOICES, SPEC


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def template() -> openpyxl.Workbook:
    return load(write_template(SPEC, choices=CHOICES))


def test_template_has_data_sheet_first_then_instructions_and_hidden_dictionary(template):
    assert template.sheetnames == ["履职清单", INSTRUCTIONS_SHEET, DICTIONARY_SHEET]
    assert template[DICTIONARY_SHEET].sheet_state == "hidden"
    assert template.active.title == "履职清单"


def test_template_title_and_two_row_header_with_merged_group_cell(template):
    sheet = template["履职清单"]
    assert sheet["A1"].value == "某局履职清单"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A1:K1" in merged  # title across every column
    assert "D2:E2" in merged  # group 承办岗位 over 主办岗位 / 协办岗位
    assert {"A2:A3", "B2:B3", "F2:F3"} <= merged  # other headers span both rows
    assert [sheet[f"{c}2"].value for c in "ABCD"] == ["序号", "*任务编码", "*任务名称", "承办岗位"]
    assert [sheet["D3"].value, sheet["E3"].value] == ["*主办岗位", "协办岗位"]
    assert sheet.freeze_panes == "B4"


def test_template_uses_chinese_fonts_and_marks_header_help_as_comment(template):
    sheet = template["履职清单"]
    assert sheet["A1"].font.name == "宋体"
    assert sheet["A2"].font.name == "宋体"
    assert sheet["B2"].comment.text == "唯一编码"
    notes = template[INSTRUCTIONS_SHEET]
    assert notes["A2"].font.name == "仿宋"


def test_template_hides_id_column_and_formats_text_columns_as_text(template):
    sheet = template["履职清单"]
    assert sheet.column_dimensions["K"].hidden
    assert sheet.column_dimensions["B"].width >= 10


def test_template_dropdowns_inline_for_short_static_lists_and_named_ranges_otherwise(template):
    sheet = template["履职清单"]
    by_column = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert by_column["J4"].type == "list" and by_column["J4"].formula1 == '"市级,县级"'
    assert by_column["I4"].formula1 == '"是,否"'
    assert by_column["D4"].formula1 == "qd_lead"  # run-time list: dictionary sheet + name
    assert "qd_lead" in template.defined_names
    assert template.defined_names["qd_lead"].attr_text == "'字典'!$A$2:$A$4"
    assert [c.value for c in template[DICTIONARY_SHEET]["A"]] == ["主办岗位", *CHOICES["lead"]]
    assert by_column["F4"].type == "whole"
    assert by_column["H4"].type == "date"
    assert by_column["B4"].type == "textLength" and by_column["B4"].formula1 == "20"


def test_static_list_over_255_characters_goes_to_the_dictionary_sheet():
    labels = tuple(f"第{i}号很长的可选项名称" for i in range(40))
    spec = TableSpec("表", (Column("unit", "单位", Kind.CHOICE, choices=labels),))
    workbook = load(write_template(spec))
    validation = workbook["表"].data_validations.dataValidation[0]
    assert validation.formula1 == "qd_unit"
    assert workbook[DICTIONARY_SHEET]["A41"].value == labels[-1]


def test_instructions_sheet_lists_every_column_with_requirement_and_allowed_values(template):
    notes = template[INSTRUCTIONS_SHEET]
    rows = {row[1]: row for row in notes.iter_rows(values_only=True) if row[0] and len(row[0]) <= 2}
    assert rows["承办岗位/主办岗位"][2] == "是"
    assert rows["承办岗位/主办岗位"][5] == "综合岗、审批岗、执法岗"
    assert rows["层级"][5] == "市级、县级"
    assert rows["完成时限"][4] == "日期，如2019-07-26"
    assert rows["年频次"][4] == "整数，不小于0"
    assert rows["系统编号"][7].startswith("隐藏列")


def test_export_escapes_formula_like_text_and_writes_typed_cells():
    rows = [
        {
            "code": "=SUM(A1)",
            "name": "+86 138",
            "lead": "综合岗",
            "assist": ("审批岗", "执法岗"),
            "count": 3,
            "hours": Decimal("1.5"),
            "due": dt.date(2019, 7, 26),
            "key_task": True,
            "level": "county",
            "id": 7,
        }
    ]
    sheet = load(export_xlsx(SPEC, rows, choices=CHOICES))["履职清单"]
    assert sheet["A4"].value == 1
    assert sheet["B4"].value == "'=SUM(A1)"
    assert sheet["B4"].data_type == "s"
    assert sheet["C4"].value == "'+86 138"
    assert sheet["E4"].value == "审批岗、执法岗"
    assert sheet["F4"].value == 3
    assert sheet["H4"].value == dt.datetime(2019, 7, 26)
    assert sheet["I4"].value == "是"
    assert sheet["J4"].value == "县级"
    assert sheet["K4"].value == 7


def test_large_exports_stream_with_constant_memory_in_the_same_layout():
    rows = [{"code": f"C{i}", "name": "任务", "lead": "综合岗"} for i in range(3)]
    normal = load(export_xlsx(SPEC, rows, choices=CHOICES, constant_memory=False))["履职清单"]
    streamed = load(export_xlsx(SPEC, iter(rows), choices=CHOICES))["履职清单"]
    assert {str(r) for r in streamed.merged_cells.ranges} == {
        str(r) for r in normal.merged_cells.ranges
    }
    cells = lambda sheet: [[c.value for c in row] for row in sheet.iter_rows(max_row=6)]  # noqa: E731
    assert cells(streamed) == cells(normal)


def test_runtime_choices_are_required_when_not_declared():
    with pytest.raises(ValueError, match="needs its choices at run time"):
        write_template(SPEC)


def test_csv_export_has_bom_one_header_row_and_escaped_text():
    rows = [{"code": "-5", "name": "@user", "lead": "综合岗", "key_task": False, "level": "city"}]
    data = export_csv(SPEC, rows, choices=CHOICES)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "序号,任务编码,任务名称,承办岗位-主办岗位,承办岗位-协办岗位,年频次,单次工时,完成时限,重点任务,层级"
    )
    assert lines[1] == "1,'-5,'@user,综合岗,,,,,否,市级"


def test_csv_lines_can_be_streamed_and_include_hidden_columns_on_request():
    lines = list(iter_csv(SPEC, [{"code": "A", "id": 9}], choices=CHOICES, include_hidden=True))
    assert lines[0].startswith("\ufeff序号")
    assert lines[0].rstrip().endswith("系统编号")
    assert lines[1].rstrip().endswith(",9")
