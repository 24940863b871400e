"""Column declarations, cell parsing rules and the formula escaping scheme."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qingdan.documents.xlsx import (
    CellValueError,
    ChoiceSet,
    Column,
    Kind,
    TableSpec,
    column_letter,
    escape_formula,
    parse_value,
    unescape_formula,
)
from qingdan.documents.xlsx.columns import date_from_serial

from .helpers import SPEC


def test_spec_knows_letters_and_header_rows_of_grouped_columns():
    assert SPEC.header_rows == 2
    assert SPEC.letter("code") == "B"
    assert SPEC.letter("lead") == "D"
    assert SPEC.letter("id") == "K"
    assert SPEC.column("lead").label == "承办岗位-主办岗位"


def test_spec_refuses_split_groups_duplicate_keys_and_bad_sheet_names():
    with pytest.raises(ValueError, match="adjacent"):
        TableSpec(
            "表",
            (Column("a", "甲", group="组"), Column("b", "乙"), Column("c", "丙", group="组")),
        )
    with pytest.raises(ValueError, match="unique"):
        TableSpec("表", (Column("a", "甲"), Column("a", "乙")))
    with pytest.raises(ValueError, match="sheet name"):
        TableSpec("表/1", (Column("a", "甲"),))


def test_column_letters_go_past_z():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_text_strips_full_width_spaces_nbsp_and_zero_width_characters():
    column = Column("name", "名称")
    assert parse_value(column, "\u3000 任务\xa0\u200b ") == "任务"
    assert parse_value(column, " \u3000 ") is None


def test_text_normalises_full_width_digits_and_numbers_typed_as_numbers():
    column = Column("name", "名称")
    assert parse_value(column, "第１２条") == "第12条"
    assert parse_value(column, 13800138000.0) == "13800138000"
    assert parse_value(column, 1.5) == "1.5"


def test_text_over_max_length_says_the_limit_and_actual_length():
    column = Column("name", "名称", max_length=5)
    with pytest.raises(CellValueError, match="超过最大长度5字（当前6字）"):
        parse_value(column, "一二三四五六")


def test_required_empty_cell_is_refused():
    with pytest.raises(CellValueError, match="不能为空"):
        parse_value(Column("name", "名称", required=True), "  ")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(12.0, 12), (12, 12), ("１２", 12), (" 1,200 ", 1200), ("-3", -3), ("12.0", 12)],
)
def test_int_accepts_what_people_type(raw, expected):
    assert parse_value(Column("n", "数量", Kind.INT), raw) == expected


@pytest.mark.parametrize("raw", [1.5, "abc", "1.5", True, dt.date(2020, 1, 1)])
def test_int_refuses_non_integers(raw):
    with pytest.raises(CellValueError, match="应为整数"):
        parse_value(Column("n", "数量", Kind.INT), raw)


def test_int_range_messages():
    column = Column("n", "数量", Kind.INT, min_value=0, max_value=10)
    with pytest.raises(CellValueError, match="不能小于0"):
        parse_value(column, -1)
    with pytest.raises(CellValueError, match="不能大于10"):
        parse_value(column, 11)


def test_decimal_keeps_the_typed_digits_and_checks_places():
    column = Column("h", "工时", Kind.DECIMAL, decimal_places=2)
    assert parse_value(column, 11.79) == Decimal("11.79")
    assert parse_value(column, "１２．５") == Decimal("12.5")
    with pytest.raises(CellValueError, match="小数位数不能超过2位"):
        parse_value(column, 1.234)
    with pytest.raises(CellValueError, match="应为数字"):
        parse_value(column, "一点五")


@pytest.mark.parametrize(
    "raw",
    [
        "2019-07-26",
        "2019/7/26",
        "2019.7.26",
        "2019年7月26日",
        "２０１９年７月２６日",
        "20190726",
        "2019-07-26 00:00:00",
        43672.0,
        "43672",
        dt.date(2019, 7, 26),
        dt.datetime(2019, 7, 26, 9, 30),
    ],
)
def test_date_accepts_common_forms_and_excel_serials(raw):
    assert parse_value(Column("d", "日期", Kind.DATE), raw) == dt.date(2019, 7, 26)


def test_date_errors_distinguish_bad_format_from_impossible_date():
    column = Column("d", "日期", Kind.DATE)
    with pytest.raises(CellValueError, match="日期格式不正确"):
        parse_value(column, "明年")
    with pytest.raises(CellValueError, match="日期无效：2019年2月30日不存在"):
        parse_value(column, "2019-02-30")


def test_excel_serials_follow_the_1900_and_1904_date_systems():
    assert date_from_serial(1) == dt.date(1900, 1, 1)
    assert date_from_serial(61) == dt.date(1900, 3, 1)
    assert date_from_serial(0, date1904=True) == dt.date(1904, 1, 1)
    with pytest.raises(CellValueError, match="1900年2月29日不存在"):
        date_from_serial(60)


@pytest.mark.parametrize(
    ("raw", "expected"), [("是", True), ("否", False), (" Y ", True), (True, True), (0.0, False)]
)
def test_bool_reads_shi_fou(raw, expected):
    assert parse_value(Column("b", "重点", Kind.BOOL), raw) is expected


def test_bool_refuses_other_words():
    with pytest.raises(CellValueError, match="应填写“是”或“否”"):
        parse_value(Column("b", "重点", Kind.BOOL), "可能")


def test_choice_returns_the_value_of_a_value_label_pair():
    column = Column("level", "层级", Kind.CHOICE, choices=(("city", "市级"), ("county", "县级")))
    assert parse_value(column, " 县级 ") == "county"


def test_choice_matching_ignores_spaces_and_paren_width():
    choices = ChoiceSet(["办公室（人事科）"])
    column = Column("unit", "科室", Kind.CHOICE)
    assert parse_value(column, "办公室 (人事科)", choices) == "办公室（人事科）"


def test_choice_not_in_list_names_the_value_a_close_match_and_the_options():
    column = Column("unit", "科室", Kind.CHOICE)
    with pytest.raises(CellValueError) as caught:
        parse_value(column, "综合", ChoiceSet(["综合岗", "执法岗"]))
    assert str(caught.value) == "不在可选项中：“综合”，是否应为“综合岗”（可选：综合岗、执法岗）"


def test_multiple_choice_splits_on_chinese_and_latin_separators():
    column = Column("units", "协办", Kind.CHOICE, multiple=True)
    choices = ChoiceSet(["甲", "乙", "丙"])
    assert parse_value(column, "甲、乙,丙；甲", choices) == ("甲", "乙", "丙")
    with pytest.raises(CellValueError, match="不在可选项中：“丁”、“戊”"):
        parse_value(column, "甲、丁、戊", choices)


def test_long_choice_lists_are_summarised_in_messages():
    choices = ChoiceSet([f"岗位{i}" for i in range(50)])
    assert choices.summary().endswith("…等50项，见下拉列表")


@pytest.mark.parametrize(
    "text",
    [
        "=SUM(A1)",
        "+86 138 0000 0000",
        "-5",
        "@user",
        "\tx",
        "\rx",
        "'",
        "'=x",
        "''",
        "'abc",
        "a=b",
        "",
    ],
)
def test_formula_escaping_round_trips_exactly(text):
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert escaped == "'" + text


def test_text_cells_lose_the_export_escape_on_import():
    column = Column("name", "名称")
    assert parse_value(column, "'=SUM(A1)") == "=SUM(A1)"
    assert parse_value(column, "'\tTab") == "\tTab"
    assert parse_value(column, "'abc") == "'abc"
