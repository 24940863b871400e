"""Error formatting, natural-key helpers and the annotated workbook."""

from __future__ import annotations

import io

import openpyxl
import pytest

from qingdan.documents.xlsx import (
    ERROR_SHEET,
    CellError,
    Row,
    annotate,
    check_references,
    find_duplicates,
    format_errors,
    read_workbook,
)
from qingdan.documents.xlsx.report import ERROR_FILL_RGB

from .helpers import CHOICES, SPEC, fill, good_row


def test_format_errors_builds_chinese_lines_at_every_level():
    errors = [
        CellError("履职清单", 12, "F", "主办岗位", "lead", "x", "不在可选项中：…"),
        CellError("履职清单", 7, message="该行被隐藏"),
        CellError("履职清单", message="没有数据"),
        CellError(message="文件为空"),
    ]
    assert format_errors(errors) == [
        "工作表“履职清单”第12行 F列（主办岗位）：不在可选项中：…",
        "工作表“履职清单”第7行：该行被隐藏",
        "工作表“履职清单”：没有数据",
        "文件为空",
    ]
    assert format_errors(errors, limit=1)[-1] == "……另有3处问题未列出"


def test_find_duplicates_supports_composite_natural_keys():
    rows = [
        Row(4, {"lead": "综合岗", "code": "A"}),
        Row(5, {"lead": "审批岗", "code": "A"}),
        Row(6, {"lead": "综合岗", "code": "A"}),
        Row(7, {"lead": None, "code": "A"}),
    ]
    errors = find_duplicates(rows, ("lead", "code"), SPEC)
    assert [(e.row, e.column, e.message) for e in errors] == [
        (4, "B", "主办岗位、任务编码“综合岗、A”在文件中重复，另见第6行"),
        (6, "B", "主办岗位、任务编码“综合岗、A”在文件中重复，另见第4行"),
    ]


def test_check_references_reports_unknown_natural_keys_item_by_item():
    rows = [Row(4, {"assist": ("综合岗", "法制岗")}), Row(5, {"assist": None})]
    errors = check_references(rows, "assist", {"综合岗"}, SPEC, message="未找到岗位“{value}”")
    assert [(e.row, e.column, e.message) for e in errors] == [(4, "E", "未找到岗位“法制岗”")]


def test_spec_error_lets_importers_report_business_rules_in_the_same_form():
    error = SPEC.error(9, "lead", "该岗位已停用", value="执法岗")
    assert str(error) == "工作表“履职清单”第9行 D列（主办岗位）：该岗位已停用"


@pytest.fixture(scope="module")
def bad_upload() -> tuple[bytes, list[CellError]]:
    data = fill([good_row(1, lead="综合"), good_row(2, count="x")])
    result = read_workbook(data, SPEC, choices=CHOICES)
    assert len(result.errors) == 2 and result.annotatable
    return data, result.errors


def test_annotated_workbook_opens_with_error_list_first_and_red_commented_cells(bad_upload):
    data, errors = bad_upload
    workbook = openpyxl.load_workbook(io.BytesIO(annotate(data, errors)))
    assert workbook.sheetnames[0] == ERROR_SHEET
    assert workbook.active.title == ERROR_SHEET
    sheet = workbook["履职清单"]
    for cell in ("D4", "F5"):
        assert sheet[cell].fill.fgColor.rgb == ERROR_FILL_RGB
    assert sheet["D4"].comment.text.startswith("不在可选项中：“综合”")
    assert sheet["C5"].fill.fgColor.rgb != ERROR_FILL_RGB
    listing = list(workbook[ERROR_SHEET].iter_rows(values_only=True))
    assert listing[0] == ("序号", "工作表", "行号", "列", "表头", "填写内容", "问题说明", "定位")
    assert listing[1][:5] == (1, "履职清单", 4, "D", "主办岗位")
    assert listing[2][5:7] == ("x", "应为整数")
    link = workbook[ERROR_SHEET]["H2"].hyperlink
    assert link.location == "'履职清单'!D4"


def test_annotating_twice_replaces_the_error_list(bad_upload):
    data, errors = bad_upload
    again = annotate(annotate(data, errors), errors)
    workbook = openpyxl.load_workbook(io.BytesIO(again))
    assert workbook.sheetnames.count(ERROR_SHEET) == 1


def test_file_level_errors_are_listed_without_links(bad_upload):
    data, _ = bad_upload
    workbook = openpyxl.load_workbook(io.BytesIO(annotate(data, [CellError(message="没有数据")])))
    assert workbook[ERROR_SHEET]["G2"].value == "没有数据"
    assert workbook[ERROR_SHEET]["H2"].hyperlink is None


def test_error_list_never_writes_user_text_as_a_formula():
    data = fill([good_row(1, name="=HYPERLINK(1)")])
    error = CellError("履职清单", 4, "C", "任务名称", "name", "=HYPERLINK(1)", "示例")
    workbook = openpyxl.load_workbook(io.BytesIO(annotate(data, [error])))
    cell = workbook[ERROR_SHEET]["F2"]
    assert cell.value == "'=HYPERLINK(1)" and cell.data_type == "s"


def test_annotate_refuses_what_the_reader_could_not_open():
    with pytest.raises(ValueError, match="CSV"):
        annotate(b"not a workbook", [])
