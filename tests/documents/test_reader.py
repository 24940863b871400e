"""Reading filled templates and exports: typed rows, header matching, and cell-level errors."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from qingdan.documents.xlsx import (
    ReadLimits,
    export_xlsx,
    format_errors,
    read_workbook,
    write_template,
)
from qingdan.documents.xlsx.package import open_package, scan_sheet
from qingdan.documents.xlsx.reader import MSG_FORMULA, MSG_HIDDEN_ROW

from .helpers import CHOICES, SIMPLE, SPEC, fill, good_row, messages, simple_workbook


def read(data: bytes, **kwargs):
    return read_workbook(data, SPEC, choices=CHOICES, **kwargs)


def only_error(result):
    assert len(result.errors) == 1, format_errors(result.errors)
    return result.errors[0]


# -- happy paths --------------------------------------------------------------------------------


def test_filled_template_reads_into_typed_rows_with_excel_row_numbers():
    result = read(fill([good_row(1), good_row(2, due=dt.date(2020, 1, 2), key_task="否")]))
    assert result.ok, format_errors(result.errors)
    assert result.header_row == 3
    first, second = result.rows
    assert first.number == 4 and second.number == 5
    assert dict(first) == {
        "code": "GA001",
        "name": "任务1",
        "lead": "综合岗",
        "assist": ("审批岗", "执法岗"),
        "count": 12,
        "hours": Decimal("1.5"),
        "due": dt.date(2019, 7, 26),
        "key_task": True,
        "level": "city",
        "id": None,
    }
    assert second["due"] == dt.date(2020, 1, 2) and second["key_task"] is False


@pytest.mark.parametrize("constant_memory", [False, True])
def test_export_then_import_is_lossless_including_formula_like_text(constant_memory):
    texts = ["=SUM(A1)", "+86 138 0000 0000", "-5", "@user", "'=x", "\tTab", "''", "普通文本"]
    rows = [
        {
            "code": f"GA{i:03d}",
            "name": text,
            "lead": "执法岗",
            "assist": ("综合岗",),
            "count": i,
            "hours": Decimal("2.5"),
            "due": dt.date(2024, 2, 29),
            "key_task": i % 2 == 0,
            "level": "county",
            "id": 1000 + i,
        }
        for i, text in enumerate(texts)
    ]
    data = export_xlsx(SPEC, rows, choices=CHOICES, constant_memory=constant_memory)
    result = read(data)
    assert result.ok, format_errors(result.errors)
    assert [dict(r) for r in result.rows] == rows


def test_blank_template_reports_no_data():
    result = read(write_template(SPEC, choices=CHOICES))
    assert result.fatal
    assert messages(result) == ["没有数据：表头以下没有填写任何内容"]


def test_header_is_found_without_title_row_and_optional_id_column_may_be_absent():
    data = simple_workbook([[1, "A1", "甲", 3], [2, "A2", "乙", None]])
    result = read_workbook(data, SIMPLE)
    assert result.ok and result.header_row == 1
    assert [(r.number, dict(r)) for r in result.rows] == [
        (2, {"code": "A1", "name": "甲", "amount": 3}),
        (3, {"code": "A2", "name": "乙", "amount": None}),
    ]


def test_source_may_be_a_path_or_a_file_object(tmp_path):
    data = fill([good_row()])
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    assert read_workbook(path, SPEC, choices=CHOICES).ok
    assert read_workbook(str(path), SPEC, choices=CHOICES).ok
    assert read_workbook(io.BytesIO(data), SPEC, choices=CHOICES).ok


def test_stray_spaces_and_full_width_digits_are_cleaned():
    row = good_row(
        code="\u3000GA001 ",
        name="\xa0第１条\u200b",
        lead=" 综合岗\u3000",
        count="１２",
        level="市级 ",
    )
    result = read(fill([row]))
    assert result.ok, format_errors(result.errors)
    values = result.rows[0]
    assert (values["code"], values["name"], values["lead"], values["count"], values["level"]) == (
        "GA001",
        "第1条",
        "综合岗",
        12,
        "city",
    )


def test_empty_and_space_only_rows_between_data_are_skipped():
    data = fill([good_row(1), {}, {"name": "  "}, good_row(4)])
    result = read(data)
    assert result.ok
    assert [r.number for r in result.rows] == [4, 7]


def test_dates_in_every_accepted_form():
    forms = ["2019-07-26", "2019/7/26", "2019年7月26日", dt.datetime(2019, 7, 26), 43672]
    result = read(fill([good_row(i, due=form) for i, form in enumerate(forms, 1)]))
    assert result.ok, format_errors(result.errors)
    assert {r["due"] for r in result.rows} == {dt.date(2019, 7, 26)}


def test_serial_numbers_in_a_1904_workbook_use_the_1904_date_system():
    workbook = openpyxl.Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.title = "表"
    sheet.append(["日期"])
    sheet.append([0])
    out = io.BytesIO()
    workbook.save(out)
    from qingdan.documents.xlsx import Column, Kind, TableSpec

    spec = TableSpec("表", (Column("d", "日期", Kind.DATE),), index_column=False)
    result = read_workbook(out.getvalue(), spec)
    assert result.rows[0]["d"] == dt.date(1904, 1, 1)


# -- cell errors --------------------------------------------------------------------------------


def test_value_not_in_dictionary_is_reported_at_its_cell():
    result = read(fill([good_row(1), good_row(2, lead="综合")]))
    error = only_error(result)
    assert (error.sheet, error.row, error.column, error.header, error.key) == (
        "履职清单",
        5,
        "D",
        "主办岗位",
        "lead",
    )
    assert error.value == "综合"
    assert str(error) == (
        "工作表“履职清单”第5行 D列（主办岗位）：不在可选项中：“综合”，是否应为“综合岗”"
        "（可选：综合岗、审批岗、执法岗）"
    )
    assert result.rows[1].invalid == ("lead",)


def test_every_wrong_type_is_reported_at_once_with_its_column():
    bad = good_row(
        count="十二",
        hours=1.25,
        due="2019-13-01",
        key_task="可能",
        name="长" * 51,
        level="省级",
    )
    result = read(fill([bad, good_row(2, count=-1, code=None)]))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (4, "C", "超过最大长度50字（当前51字）"),
        (4, "F", "应为整数"),
        (4, "G", "小数位数不能超过1位"),
        (4, "H", "日期无效：2019年13月1日不存在"),
        (4, "I", "应填写“是”或“否”"),
        (4, "J", "不在可选项中：“省级”（可选：市级、县级）"),
        (5, "B", "不能为空"),
        (5, "F", "不能小于0"),
    ]
    assert not result.fatal
    assert len(result.rows) == 2


def test_duplicate_codes_in_the_file_are_reported_on_every_occurrence():
    result = read(fill([good_row(1), good_row(2), good_row(3, code="GA001")]))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (4, "B", "任务编码“GA001”在文件中重复，另见第6行"),
        (6, "B", "任务编码“GA001”在文件中重复，另见第4行"),
    ]


# -- structure inside the data area -------------------------------------------------------------


def test_merged_cells_in_data_area_are_reported_once_at_their_top_left():
    def merge(sheet):
        sheet.merge_cells("D4:D5")

    result = read(fill([good_row(1), good_row(2, lead=None)], edit=merge))
    error = only_error(result)
    assert (error.row, error.column, error.header) == (4, "D", "主办岗位")
    assert error.message == "合并单元格（D4:D5），请取消合并，并在每一行填写完整内容"


def test_hidden_rows_with_data_are_reported_but_hidden_empty_rows_are_not():
    def hide(sheet):
        sheet.row_dimensions[5].hidden = True
        sheet.row_dimensions[40].hidden = True

    result = read(fill([good_row(1), good_row(2), good_row(3)], edit=hide))
    error = only_error(result)
    assert (error.row, error.column, error.message) == (5, "", MSG_HIDDEN_ROW)
    assert str(error) == f"工作表“履职清单”第5行：{MSG_HIDDEN_ROW}"


def test_formula_cells_are_refused_even_without_a_cached_value():
    def formulas(sheet):
        sheet["F5"] = "=1+2"
        sheet["C4"] = '=CONCAT("任","务")'
        sheet["A6"] = "=ROW()-3"  # 序号 is ignored, so a formula there is harmless

    result = read(fill([good_row(1), good_row(2), good_row(3)], edit=formulas))
    assert [(e.row, e.column, e.header, e.message) for e in result.errors] == [
        (4, "C", "任务名称", MSG_FORMULA),
        (5, "F", "年频次", MSG_FORMULA),
    ]


def test_formula_with_cached_value_is_refused_and_reports_the_value():
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out)
    sheet = workbook.add_worksheet("清单")
    sheet.write_row(0, 0, ["序号", "编码", "名称", "数量"])
    sheet.write_row(1, 0, [1, "A1", "甲"])
    sheet.write_formula(1, 3, "=1+2", None, 3)
    workbook.close()
    result = read_workbook(out.getvalue(), SIMPLE)
    error = only_error(result)
    assert (error.row, error.column, error.value, error.message) == (2, "D", 3.0, MSG_FORMULA)


def test_byte_scan_and_full_xml_pass_agree():
    def structure(sheet):
        sheet["F5"] = "=1+2"
        sheet.row_dimensions[6].hidden = True

    for data, expect_full in (
        (fill([good_row(1), good_row(2), good_row(3)]), False),
        (fill([good_row(1), good_row(2), good_row(3)], edit=structure), True),
    ):
        package = open_package(data, ReadLimits())
        part = package.workbook().find("履职清单").part
        quick = scan_sheet(package, part)
        full = scan_sheet(package, part, force_full_pass=True)
        assert quick.full_pass is expect_full
        assert (quick.formulas, quick.hidden_rows) == (full.formulas, full.hidden_rows)
    assert (full.formulas, full.hidden_rows) == ([(4, 5)], [5])


def test_the_word_hidden_in_a_cell_only_costs_a_full_pass():
    result = read(fill([good_row(name="hidden <f> 公式")]))
    assert result.ok


# -- sheets and headers -------------------------------------------------------------------------


def test_missing_sheet_lists_the_sheets_that_exist():
    def rename(sheet):
        sheet.title = "Sheet1"

    result = read(fill([good_row()], edit=rename))
    assert result.fatal and result.annotatable
    assert messages(result) == [
        "未找到工作表“履职清单”，现有工作表：“Sheet1”、“填写说明”、“字典”。"
        "请使用系统下载的模板，不要修改工作表名称"
    ]


def test_renamed_header_is_reported_with_expected_and_actual_text():
    def rename(sheet):
        sheet["D3"] = "主办岗"

    result = read(fill([good_row()], edit=rename))
    error = only_error(result)
    assert result.fatal and not result.rows
    assert (error.row, error.column, error.message) == (
        3,
        "D",
        "表头应为“主办岗位”，实际为“主办岗”",
    )


def test_missing_header_is_reported():
    def blank(sheet):
        sheet["F2"] = None

    error = only_error(read(fill([good_row()], edit=blank)))
    assert (error.row, error.column, error.message) == (3, "F", "缺少列“年频次”")


def test_moved_columns_are_reported_with_both_positions():
    def swap(sheet):
        sheet["F2"], sheet["G2"] = "单次工时", "年频次"

    result = read(fill([good_row()], edit=swap))
    assert [(e.column, e.message) for e in result.errors] == [
        ("F", "列“年频次”应在F列，实际在G列（请勿插入、删除或移动列）"),
        ("G", "列“单次工时”应在G列，实际在F列（请勿插入、删除或移动列）"),
    ]


def test_changed_group_header_is_reported():
    def regroup(sheet):
        sheet["D2"] = "承办人"

    error = only_error(read(fill([good_row()], edit=regroup)))
    assert (error.row, error.column, error.message) == (
        2,
        "D",
        "分组表头应为“承办岗位”，实际为“承办人”",
    )


def test_unrelated_sheet_has_no_header():
    data = simple_workbook([["x"]], sheet_name="履职清单", header=["姓名", "年龄"])
    result = read(data)
    assert result.fatal
    assert messages(result)[0].startswith(
        "未找到与模板一致的表头（前10行中应有：任务编码、任务名称"
    )


def test_headers_tolerate_line_breaks_spaces_and_required_marks():
    data = simple_workbook(
        [[1, "A1", "甲", 3]], header=["序 号", "*编码", "名\n称", "数量（必填）"]
    )
    assert read_workbook(data, SIMPLE).ok


def test_data_right_of_the_template_is_ignored_with_a_warning_or_refused():
    data = simple_workbook(
        [[1, "A1", "甲", 3, "备注内容"]], header=["序号", "编码", "名称", "数量", "备注"]
    )
    result = read_workbook(data, SIMPLE)
    assert result.ok
    assert [(w.row, w.column, w.message) for w in result.warnings] == [
        (1, "E", "“备注”不是模板中的列，该列内容不会导入"),
        (2, "E", "该列不在模板中，其内容不会导入"),
    ]
    strict = read_workbook(data, SIMPLE, extra_columns="error")
    assert len(strict.errors) == 2 and not strict.warnings


# -- limits -------------------------------------------------------------------------------------


def test_row_cap_refuses_files_with_too_many_data_rows():
    data = simple_workbook([[i, f"A{i}", "甲", 1] for i in range(5)])
    result = read_workbook(data, SIMPLE, limits=ReadLimits(max_rows=3, header_search_rows=2))
    assert result.fatal
    assert "超过上限（3行）" in messages(result)[0]


def test_error_collection_stops_at_the_cap_and_says_so():
    data = simple_workbook([[i, f"A{i}", "甲", "x"] for i in range(10)])
    result = read_workbook(data, SIMPLE, limits=ReadLimits(max_errors=3))
    assert result.truncated
    assert len(result.errors) == 4
    assert result.errors[-1].message == "问题过多，仅列出前3处，请修改后重新上传"


def test_empty_sheet_says_so():
    workbook = openpyxl.Workbook()
    workbook.active.title = "清单"
    out = io.BytesIO()
    workbook.save(out)
    result = read_workbook(out.getvalue(), SIMPLE)
    assert messages(result) == ["工作表是空的，没有表头和数据"]


def test_repeated_cells_read_the_same_and_each_bad_cell_is_reported_on_its_row():
    # Dropdown and number cells are parsed once per distinct value; a cell of another type
    # with an equal value (TRUE and 1, 1 and 1.0) is still read as what it is.
    rows = [
        good_row(1, count=1, key_task="是", lead="综合岗"),
        good_row(2, count=True, key_task="是", lead="综合岗"),
        good_row(3, count=1.0, key_task="不知道", lead="综合岗"),
        good_row(4, count=True, key_task="不知道", lead="无此岗"),
        good_row(5, count=1, key_task="否", lead="无此岗"),
    ]
    result = read(fill(rows))
    by_row = {}
    for error in result.errors:
        by_row.setdefault(error.row, set()).add(error.key)
    assert by_row == {5: {"count"}, 6: {"key_task"}, 7: {"count", "lead", "key_task"},
                      8: {"lead"}}  # fmt: skip
    counts = {row.number: row["count"] for row in result.rows}
    assert counts[4] == 1 and counts[8] == 1
    assert [row["key_task"] for row in result.rows if row.number in (4, 8)] == [True, False]
