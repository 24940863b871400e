"""Behaviour of the 三定 parser (qingdan.duties.sanding): pure Python, no database.

Synthetic regulations below are written for these tests; the real published fragments in
``../shared/samples`` are read only when that folder exists.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from qingdan.duties.sanding import (
    FORM_2008,
    FORM_2018,
    FORM_UNKNOWN,
    MAX_INPUT_CHARS,
    SandingDocument,
    Span,
    normalize_text,
    parse_number,
    parse_sanding,
)

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"

SIMPLIFIED_2008 = """青山市农业局主要职责内设机构和人员编制规定

根据《中共青山市委 青山市人民政府关于青山市人民政府机构改革的实施意见》，设立青山市农业局，为市人民政府工作部门。

一、职责调整[编辑]
（一）取消的职责。取消已由市人民政府公布取消的行政审批事项。
（二）加强的职责。加强农产品质量安全监管。

二、主要职责
（一）贯彻执行国家和省有关农业工作的方针政策和法律法规。
（二）负责种植业、畜牧业、渔业的行业管理。
（三）负责农产品质量安全监督管理。
（四）承办市人民政府交办的其他事项。

三、内设机构
根据上述职责，市农业局设3个内设机构：
（一）办公室。负责机关日常运转工作。承担文电、会务、档案等工作。
（二）种植业管理科。负责种植业生产管理。
（三）畜牧兽医科
负责畜牧业生产管理和动物防疫工作。

四、人员编制
市农业局机关行政编制为十五名。其中：局长1名、副局长两名；科级领导职数5名（含办公室主任1名）。机关工勤人员事业编制2名。

五、其他事项
（一）与市商务局的有关职责分工。市农业局负责农产品生产环节的质量安全监管，市商务局负责流通环节的管理。
（二）所属事业单位的设置、职责和编制事项另行规定。

六、附则
本规定由市机构编制委员会办公室负责解释，其调整由市机构编制委员会办公室按规定程序办理。
"""

SIMPLIFIED_2018 = """青山县市场监督管理局职能配置、内设机构和人员编制规定

第一条 根据《青山县机构改革方案》，制定本规定。
第二条 青山县市场监督管理局（以下简称县市场监管局）是县人民政府工作部门，为正科级。
第三条 县市场监管局贯彻落实党中央关于市场监督管理工作的方针政策和决策部署，主要职责是：
（一）负责市场综合监督管理。
（二）负责市场主体统一登记注册。
（三）负责组织和指导市场监管综合执法工作。
（四）职能转变。县市场监管局应当加强事中事后监管。
（五）有关职责分工。
1.与县农业农村局的有关职责分工。县农业农村局负责食用农产品进入批发市场前的质量安全监督管理。
第四条 县市场监管局设下列内设机构（股级）：
（一）办公室。负责机关日常运转。承担信息、安全、保密等工作。
（二）登记注册股。负责市场主体登记注册工作。
第五条 县市场监管局机关行政编制一百二十名（含援派机动编制3名）。设局长1名，副局长4名；股级领导职数12名（含机关党委专职副书记1名）。机关后勤服务事业编制5名，工勤编制2名。
第六条 县市场监管局所属事业单位的设置、职责和编制事项另行规定。
第七条 本规定由县委机构编制委员会办公室负责解释，自2019年3月1日起施行。
"""

# Traditional characters, site-injected pinyin, half-width punctuation and stray spaces.
TRADITIONAL_2018 = """青山縣市場監(jiān)督管理局職能配置、內設機構和人員編制規(guī)定
第二條 青山縣市場監(jiān)督管理局是縣人民政府工作部門,為正科級。
第三條 主要職責是:
(一)負責市場綜合監(jiān)督管理。
(二) 負責市場主體統(tǒng)一登記注冊,以及外國(地區(qū))企業(yè)常駐代表機構的登記。
(三)負責組織和指導市場監(jiān)管綜合執(zhí)法工作。
第四條 縣市場監(jiān)督管理局設(shè)下列內(nèi)設(shè)機構(gòu):
(一)辦公室。負責機關(guān)日常運轉。
第五條 縣市場監(jiān)督管理局機關(guān)行政編制十五名(含援派機動編制1名)。設(shè)局長1名,副局長兩名,股級領(lǐng)導(dǎo)職數(shù)6名。
"""

# A notice that carries the regulation, national 2018 style: unnumbered units after the
# numbered ones, and 分工 sub-clauses under the last numbered duty.
NOTICE_2018 = """青山省人民政府办公厅关于印发《青山省林业局职能配置、内设机构和人员编制规定》的通知
青政办发〔2019〕12号

各市人民政府，省政府各部门：
现将规定印发给你们，请认真贯彻执行。

青山省林业局职能配置、内设机构和人员编制规定

第一条 根据《青山省机构改革方案》，制定本规定。
第二条 省林业局是省人民政府直属机构，为正厅级。
第三条 省林业局的主要职责是：
（一）负责全省森林资源保护管理。
（二）负责全省林业生态修复工作。
（三）有关职责分工。
1.与省自然资源厅的有关职责分工。省林业局负责林地的保护利用监督管理。
2.与省水利厅的有关职责分工。省林业局负责湿地保护工作。
第四条 省林业局设下列3个内设机构：
（一）办公室。负责机关日常运转。
（二）生态保护修复处
负责组织实施林业生态保护修复工程。
机关党委。负责机关和直属单位的党群工作。
第五条 省林业局机关行政编制60名。设局长1名，副局长3名；处级领导职数14名。
"""

TRADITIONAL_2008 = """二、主要職責[編輯]

  (一)負責全市農業工作的統籌規劃。

  (二)指導、監督全市農產品質量安全工作。

三、內設機構[編輯]

  根據上述職責,市農業局設2個內設機構:

(一)辦公室[編輯]

  負責機關日常運轉。

(二)種植業科[編輯]

  負責種植業管理。
"""


def squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def source_of(text: str, span: Span) -> str:
    """The original words behind a span, normalized the way the parser normalizes them."""
    return squash(normalize_text(text[span.start : span.end]))


def assert_spans_point_at_items(text: str, doc: SandingDocument) -> None:
    """Every extracted item's span covers exactly the words it was read from."""
    items = [*doc.main_duties, *doc.adjustments, *doc.general, *doc.clauses, *doc.closing]
    items += [duty for unit in doc.units for duty in unit.duties]
    if doc.title:
        items.append(doc.title)
    for item in items:
        assert source_of(text, item.span) == squash(item.text)
    for unit in doc.units:
        assert source_of(text, unit.name_span) == unit.name
    if doc.nature:
        assert source_of(text, doc.nature.span) == squash(doc.nature.text)
    staffing = doc.staffing
    for figure in [*staffing.administrative, *staffing.public_institution, *staffing.logistics]:
        assert figure.raw_label in source_of(text, figure.span)
    for figure in [*staffing.posts, *staffing.level_posts, *staffing.other_quotas]:
        assert figure.raw_label in source_of(text, figure.span)
    for item in doc.unparsed:
        assert source_of(text, item.span) == squash(item.text)


def posts(doc: SandingDocument) -> dict[str, int]:
    return {post["title"]: post["count"] for post in doc.to_json()["leadership_posts"]}


def unparsed_reasons(doc: SandingDocument) -> list[str]:
    return [item.reason for item in doc.unparsed]


# -- 2008 section form ---------------------------------------------------------------------------


def test_2008_form_reads_title_form_and_nature() -> None:
    doc = parse_sanding(SIMPLIFIED_2008)

    assert doc.form == FORM_2008
    assert doc.title is not None
    assert doc.title.text == "青山市农业局主要职责内设机构和人员编制规定"
    assert doc.nature is not None
    assert doc.nature.organization == "青山市农业局"
    assert doc.nature.department_type == "市人民政府工作部门"
    assert doc.nature.rank is None


def test_2008_form_reads_main_duties_in_order_with_spans() -> None:
    doc = parse_sanding(SIMPLIFIED_2008)

    assert [duty.number for duty in doc.main_duties] == [1, 2, 3, 4]
    assert doc.to_json()["main_duties"] == [
        "贯彻执行国家和省有关农业工作的方针政策和法律法规。",
        "负责种植业、畜牧业、渔业的行业管理。",
        "负责农产品质量安全监督管理。",
        "承办市人民政府交办的其他事项。",
    ]
    for duty in doc.main_duties:
        assert SIMPLIFIED_2008[duty.span.start : duty.span.end] == duty.text
        assert not duty.truncated


def test_2008_form_reads_adjustments_units_clauses_and_closing() -> None:
    doc = parse_sanding(SIMPLIFIED_2008)

    assert [item.text for item in doc.adjustments] == [
        "取消的职责。取消已由市人民政府公布取消的行政审批事项。",
        "加强的职责。加强农产品质量安全监管。",
    ]
    assert doc.declared_unit_count == 3
    assert doc.to_json()["units"] == [
        {"name": "办公室", "duties": ["负责机关日常运转工作。", "承担文电、会务、档案等工作。"]},
        {"name": "种植业管理科", "duties": ["负责种植业生产管理。"]},
        {"name": "畜牧兽医科", "duties": ["负责畜牧业生产管理和动物防疫工作。"]},
    ]
    assert [clause.number for clause in doc.clauses] == [1, 2]
    assert doc.clauses[0].text.startswith("与市商务局的有关职责分工。市农业局负责")
    assert doc.clauses[1].text == "所属事业单位的设置、职责和编制事项另行规定。"
    assert doc.closing[0].text.startswith("本规定由市机构编制委员会办公室负责解释")
    assert doc.unparsed == []
    assert doc.warnings == []


def test_2008_form_reads_chinese_numeral_staffing_and_posts() -> None:
    doc = parse_sanding(SIMPLIFIED_2008)

    assert doc.to_json()["staffing"] == {
        "administrative": 15,
        "public_institution": None,
        "logistics": 2,
    }
    assert posts(doc) == {"局长": 1, "副局长": 2, "科级领导职数": 5}
    level = doc.staffing.level_posts[0]
    assert [(part.label, part.count) for part in level.breakdown] == [("办公室主任", 1)]
    assert_spans_point_at_items(SIMPLIFIED_2008, doc)


def test_2008_form_in_traditional_with_wiki_edit_marks_and_heading_units() -> None:
    doc = parse_sanding(TRADITIONAL_2008)

    assert doc.form == FORM_2008
    assert doc.to_json()["main_duties"] == [
        "负责全市农业工作的统筹规划。",
        "指导、监督全市农产品质量安全工作。",
    ]
    assert doc.to_json()["units"] == [
        {"name": "办公室", "duties": ["负责机关日常运转。"]},
        {"name": "种植业科", "duties": ["负责种植业管理。"]},
    ]
    assert (
        "[編輯]" not in TRADITIONAL_2008[doc.units[0].name_span.start : doc.units[0].name_span.end]
    )
    assert_spans_point_at_items(TRADITIONAL_2008, doc)


# -- 2018 article form ---------------------------------------------------------------------------


def test_2018_form_reads_articles() -> None:
    doc = parse_sanding(SIMPLIFIED_2018)

    assert doc.form == FORM_2018
    assert doc.title is not None
    assert doc.title.text == "青山县市场监督管理局职能配置、内设机构和人员编制规定"
    assert doc.nature is not None
    assert (doc.nature.organization, doc.nature.department_type, doc.nature.rank) == (
        "青山县市场监督管理局",
        "县人民政府工作部门",
        "正科级",
    )
    assert [item.text for item in doc.general] == ["根据《青山县机构改革方案》，制定本规定。"]
    assert doc.closing[0].text.endswith("自2019年3月1日起施行。")
    assert doc.warnings == []
    assert doc.unparsed == []


def test_2018_form_moves_transformation_and_division_items_out_of_main_duties() -> None:
    doc = parse_sanding(SIMPLIFIED_2018)

    assert doc.to_json()["main_duties"] == [
        "负责市场综合监督管理。",
        "负责市场主体统一登记注册。",
        "负责组织和指导市场监管综合执法工作。",
    ]
    assert [(item.number, item.text) for item in doc.adjustments] == [
        (4, "职能转变。县市场监管局应当加强事中事后监管。")
    ]
    division = doc.clauses[0]
    assert division.number == 1
    assert division.text.startswith("与县农业农村局的有关职责分工。县农业农村局负责")
    assert SIMPLIFIED_2018[division.span.start : division.span.end] == division.text
    assert doc.clauses[1].text == "县市场监管局所属事业单位的设置、职责和编制事项另行规定。"


def test_2018_form_reads_units_with_unit_rank() -> None:
    doc = parse_sanding(SIMPLIFIED_2018)

    assert doc.unit_rank == "股级"
    assert doc.to_json()["units"] == [
        {"name": "办公室", "duties": ["负责机关日常运转。", "承担信息、安全、保密等工作。"]},
        {"name": "登记注册股", "duties": ["负责市场主体登记注册工作。"]},
    ]
    office = doc.units[0]
    assert SIMPLIFIED_2018[office.name_span.start : office.name_span.end] == "办公室"
    assert SIMPLIFIED_2018[office.span.start : office.span.end].startswith("办公室。负责")


def test_2018_form_reads_staffing_with_breakdowns_and_all_quota_kinds() -> None:
    doc = parse_sanding(SIMPLIFIED_2018)

    assert doc.to_json()["staffing"] == {
        "administrative": 120,
        "public_institution": 5,
        "logistics": 2,
    }
    administrative = doc.staffing.administrative[0]
    assert administrative.label == "机关行政编制"
    assert [(part.label, part.count) for part in administrative.breakdown] == [("援派机动编制", 3)]
    assert doc.to_json()["leadership_posts"] == [
        {"title": "局长", "count": 1},
        {"title": "副局长", "count": 4},
        {"title": "股级领导职数", "count": 12},
    ]
    level = doc.staffing.level_posts[0]
    assert [(part.label, part.count) for part in level.breakdown] == [("机关党委专职副书记", 1)]
    assert SIMPLIFIED_2018[level.span.start : level.span.end] == (
        "股级领导职数12名（含机关党委专职副书记1名）"
    )
    assert_spans_point_at_items(SIMPLIFIED_2018, doc)


def test_traditional_text_with_pinyin_garbage_is_read_and_output_in_simplified() -> None:
    doc = parse_sanding(TRADITIONAL_2018)

    assert doc.form == FORM_2018
    assert doc.title is not None
    assert doc.title.text == "青山县市场监督管理局职能配置、内设机构和人员编制规定"
    assert doc.to_json()["main_duties"] == [
        "负责市场综合监督管理。",
        "负责市场主体统一登记注册，以及外国（地区）企业常驻代表机构的登记。",
        "负责组织和指导市场监管综合执法工作。",
    ]
    first = doc.main_duties[0]
    assert TRADITIONAL_2018[first.span.start : first.span.end] == "負責市場綜合監(jiān)督管理。"
    assert doc.to_json()["units"] == [{"name": "办公室", "duties": ["负责机关日常运转。"]}]
    assert doc.to_json()["staffing"]["administrative"] == 15
    assert posts(doc) == {"局长": 1, "副局长": 2, "股级领导职数": 6}
    assert doc.nature is not None and doc.nature.rank == "正科级"
    assert doc.unparsed == []
    assert_spans_point_at_items(TRADITIONAL_2018, doc)


def test_windows_line_endings_keep_spans_exact() -> None:
    text = SIMPLIFIED_2018.replace("\n", "\r\n")

    doc = parse_sanding(text)

    assert len(doc.main_duties) == 3
    for duty in doc.main_duties:
        assert text[duty.span.start : duty.span.end] == duty.text
    assert_spans_point_at_items(text, doc)


def test_title_taken_from_a_publishing_notice_and_its_number_read() -> None:
    doc = parse_sanding(NOTICE_2018)

    assert doc.title is not None
    assert doc.title.text == "青山省林业局职能配置、内设机构和人员编制规定"
    assert doc.document_number == "青政办发〔2019〕12号"
    assert doc.to_json()["unparsed"] == [
        "各市人民政府，省政府各部门：",
        "现将规定印发给你们，请认真贯彻执行。",
    ]


def test_unnumbered_units_after_the_numbered_ones_are_units_not_duties() -> None:
    doc = parse_sanding(NOTICE_2018)

    assert doc.to_json()["units"] == [
        {"name": "办公室", "duties": ["负责机关日常运转。"]},
        {"name": "生态保护修复处", "duties": ["负责组织实施林业生态保护修复工程。"]},
        {"name": "机关党委", "duties": ["负责机关和直属单位的党群工作。"]},
    ]
    assert [unit.number for unit in doc.units] == [1, 2, None]
    assert "unit_count" not in doc.warning_codes()


def test_division_sub_clauses_under_a_numbered_duty_become_separate_clauses() -> None:
    doc = parse_sanding(NOTICE_2018)

    assert doc.to_json()["main_duties"] == [
        "负责全省森林资源保护管理。",
        "负责全省林业生态修复工作。",
    ]
    assert [(clause.number, clause.text) for clause in doc.clauses] == [
        (1, "与省自然资源厅的有关职责分工。省林业局负责林地的保护利用监督管理。"),
        (2, "与省水利厅的有关职责分工。省林业局负责湿地保护工作。"),
    ]
    assert_spans_point_at_items(NOTICE_2018, doc)


def test_items_run_together_on_one_line_are_split() -> None:
    text = (
        "第三条 主要职责是：（一）负责甲工作。（二）负责乙工作，含（三）类事项。（三）负责丙工作。"
    )

    doc = parse_sanding(text)

    assert doc.to_json()["main_duties"] == [
        "负责甲工作。",
        "负责乙工作，含（三）类事项。",
        "负责丙工作。",
    ]
    assert doc.duties_intro is not None
    assert doc.duties_intro.text == "主要职责是："


def test_duties_lead_in_without_any_article_is_still_read() -> None:
    text = "某县统计局的主要职责是：\n（一）负责统计调查。\n（二）负责统计执法检查。\n"

    doc = parse_sanding(text)

    assert doc.form == FORM_UNKNOWN
    assert doc.to_json()["main_duties"] == ["负责统计调查。", "负责统计执法检查。"]


def test_units_listed_by_name_only() -> None:
    text = "第三条 主要职责是：\n（一）负责统计调查。\n第四条 县统计局设下列内设机构：办公室、综合股、执法股。"

    doc = parse_sanding(text)

    assert [unit.name for unit in doc.units] == ["办公室", "综合股", "执法股"]
    assert all(unit.duties == [] for unit in doc.units)


# -- staffing details ----------------------------------------------------------------------------


def test_summary_paragraph_staffing_with_chief_agronomist_and_public_institution_quota() -> None:
    text = (
        "某县农业农村局是县人民政府工作部门，为正科级。"
        "行政编制25名，设局长1名，副局长3名，总农艺师1名；股级职数17名。"
        "机关后勤服务全额拨款事业编制1名，人员只出不进。"
    )

    doc = parse_sanding(text)

    assert doc.form == FORM_UNKNOWN
    assert doc.nature is not None and doc.nature.rank == "正科级"
    assert doc.to_json()["staffing"] == {
        "administrative": 25,
        "public_institution": 1,
        "logistics": None,
    }
    assert posts(doc) == {"局长": 1, "副局长": 3, "总农艺师": 1, "股级职数": 17}
    assert doc.to_json()["unparsed"] == ["人员只出不进"]
    assert "no_main_duties" in doc.warning_codes()


def test_public_institution_quotas_with_different_funding_add_up() -> None:
    text = "四、人员编制\n全额拨款事业编制3名，差额拨款事业编制2名，机关工勤人员编制1名。"

    doc = parse_sanding(text)

    assert doc.to_json()["staffing"] == {
        "administrative": None,
        "public_institution": 5,
        "logistics": 1,
    }
    assert [item.label for item in doc.staffing.public_institution] == [
        "全额拨款事业编制",
        "差额拨款事业编制",
    ]


def test_figures_of_an_earlier_regulation_are_kept_apart_and_reported() -> None:
    text = (
        "第五条 人员编制。机关行政编制为519名。其中，秘书长1名、副秘书长9名，司局级领导职数43名。"
        "在1998年的原规定中，行政编制为219名。其中，秘书长1名，副秘书长5名。"
    )

    doc = parse_sanding(text)

    assert doc.to_json()["staffing"]["administrative"] == 519
    assert posts(doc) == {"秘书长": 1, "副秘书长": 9, "司局级领导职数": 43}
    assert [(item.label, item.count) for item in doc.staffing.historical] == [
        ("行政编制", 219),
        ("秘书长", 1),
        ("副秘书长", 5),
    ]
    assert doc.to_json()["unparsed"] == [
        "在1998年的原规定中，行政编制为219名。其中，秘书长1名，副秘书长5名。"
    ]


def test_conflicting_staffing_figures_keep_the_first_and_warn() -> None:
    text = (
        "第五条 机关行政编制30名。设局长1名，副局长2名。\n"
        "--- 新闻转述 ---\n"
        "据悉，该局机关行政编制32名，其中局长1名，副局长2名。"
    )

    doc = parse_sanding(text)

    assert doc.to_json()["staffing"]["administrative"] == 30
    assert "staffing_conflict" in doc.warning_codes()
    assert "行政编制32名" in "".join(doc.to_json()["unparsed"])


def test_repeated_figures_in_an_appended_paragraph_corroborate_without_adding_up() -> None:
    text = "第五条 机关行政编制30名。\n---\n机关行政编制30名，据悉机关行政编制30名。"

    doc = parse_sanding(text)

    assert doc.to_json()["staffing"]["administrative"] == 30
    assert "staffing_conflict" not in doc.warning_codes()


def test_staffing_sentence_with_an_unreadable_figure_is_listed() -> None:
    text = "第五条 机关行政编制30名，另有聘用人员若干，全县共有干部300名。"

    doc = parse_sanding(text)

    assert doc.to_json()["staffing"]["administrative"] == 30
    assert doc.to_json()["unparsed"] == ["另有聘用人员若干，全县共有干部300名"]


# -- truncation ----------------------------------------------------------------------------------


def test_duty_cut_by_truncation_mark_is_flagged_and_listed() -> None:
    text = "第三条 主要职责是：\n（一）负责甲工作。\n（二）负责乙工作，统筹推进\n[原文在此截断]\n"

    doc = parse_sanding(text)

    assert doc.truncated
    assert [duty.truncated for duty in doc.main_duties] == [False, True]
    assert doc.main_duties[1].text == "负责乙工作，统筹推进"
    assert doc.to_json()["unparsed"] == ["负责乙工作，统筹推进"]
    assert {"truncated", "truncated_item"} <= set(doc.warning_codes())


def test_duty_cut_mid_sentence_at_end_of_text_is_flagged() -> None:
    doc = parse_sanding("第三条 主要职责是：\n（一）负责甲工作。\n（二）负责乙工作，统筹")

    assert [duty.truncated for duty in doc.main_duties] == [False, True]
    assert doc.truncated
    assert {"truncated", "truncated_item"} <= set(doc.warning_codes())


def test_unit_cut_off_keeps_its_name_and_flags_its_last_duty() -> None:
    text = "三、内设机构\n根据上述职责，设9个内设机构：\n（一）秘书一局\n办理会务、文电收发运转和"

    doc = parse_sanding(text)

    unit = doc.units[0]
    assert unit.name == "秘书一局"
    assert unit.truncated
    assert unit.duties[-1].truncated
    assert "unit_count" not in doc.warning_codes()  # a cut text cannot be counted


# -- problems and bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty"), ("   \n\t\u3000 ", "blank")],
)
def test_empty_input_is_reported_not_parsed(text: str, code: str) -> None:
    doc = parse_sanding(text)

    assert doc.warning_codes() == [code]
    assert doc.to_json() == {
        "title": None,
        "main_duties": [],
        "units": [],
        "staffing": {"administrative": None, "public_institution": None, "logistics": None},
        "leadership_posts": [],
        "unparsed": [],
    }


def test_input_over_the_size_limit_is_refused_with_a_chinese_message() -> None:
    doc = parse_sanding("字" * (MAX_INPUT_CHARS + 1))

    assert doc.warning_codes() == ["too_long"]
    assert "超过上限" in doc.warnings[0].message


def test_news_article_is_reported_as_not_a_regulation() -> None:
    text = "本报讯 昨天，市里召开了春季植树动员大会。会议要求各单位认真组织，确保完成任务。"

    doc = parse_sanding(text)

    assert "not_sanding" in doc.warning_codes()
    assert "no_main_duties" in doc.warning_codes()
    assert any("未识别到“主要职责”部分" in warning.message for warning in doc.warnings)
    assert squash("".join(doc.to_json()["unparsed"])) == squash(text)


def test_power_list_is_reported_as_a_power_list() -> None:
    text = (
        "某街道权力清单和责任清单\n序号 权力类型 项目名称 实施依据 责任事项 追责情形\n"
        "1 行政确认 独生子女父母光荣证核发\n第四十九条已经领取独生子女父母光荣证的夫妻，注销其光荣证。"
    )

    doc = parse_sanding(text)

    not_sanding = [warning for warning in doc.warnings if warning.code == "not_sanding"]
    assert "权责清单" in not_sanding[0].message
    assert doc.main_duties == []
    assert any("第四十九条" in item for item in doc.to_json()["unparsed"])


def test_mixed_forms_are_parsed_and_reported() -> None:
    text = (
        "第二条 某局是市人民政府工作部门，为正处级。\n第三条 主要职责是：\n（一）负责甲工作。\n"
        "四、人员编制\n机关行政编制20名。设局长1名。"
    )

    doc = parse_sanding(text)

    assert "mixed_form" in doc.warning_codes()
    assert doc.form == FORM_2018
    assert doc.to_json()["main_duties"] == ["负责甲工作。"]
    assert doc.to_json()["staffing"]["administrative"] == 20


def test_html_markup_is_stripped_and_reported() -> None:
    text = (
        "<html><body><p>第三条&nbsp;主要职责是：</p><p>（一）负责甲工作&amp;乙工作。</p>"
        "<script>alert('x')</script><p>（二）负责丙工作。</p></body></html>"
    )

    doc = parse_sanding(text)

    assert "html_stripped" in doc.warning_codes()
    assert doc.to_json()["main_duties"] == ["负责甲工作&乙工作。", "负责丙工作。"]
    first = doc.main_duties[0]
    assert text[first.span.start : first.span.end] == "负责甲工作&amp;乙工作。"


def test_angle_bracket_book_titles_are_not_taken_for_html() -> None:
    text = "根据《关于印发<某县机构改革方案>的通知》规定，某县农业农村局是县人民政府工作部门，为正科级。"

    doc = parse_sanding(text)

    assert "html_stripped" not in doc.warning_codes()
    assert doc.nature is not None and "<某县机构改革方案>" in doc.nature.text


def test_source_url_line_is_listed_as_unparsed() -> None:
    doc = parse_sanding("http://example.org/a.html\n" + SIMPLIFIED_2018)

    assert doc.to_json()["unparsed"] == ["http://example.org/a.html"]
    assert doc.unparsed[0].reason == "来源网址"
    assert len(doc.main_duties) == 3


def test_numbering_gap_is_warned() -> None:
    doc = parse_sanding("第三条 主要职责是：\n（一）负责甲工作。\n（三）负责丙工作。")

    assert [duty.number for duty in doc.main_duties] == [1, 3]
    assert "numbering" in doc.warning_codes()


def test_declared_unit_count_that_does_not_match_is_warned() -> None:
    text = (
        "第四条 某局设下列3个内设机构：\n（一）办公室。负责日常运转。\n（二）法规科。负责法制工作。"
    )

    doc = parse_sanding(text)

    assert doc.declared_unit_count == 3
    assert "unit_count" in doc.warning_codes()


def test_unknown_article_is_listed_not_dropped() -> None:
    doc = parse_sanding("第三条 主要职责是：\n（一）负责甲工作。\n第九条 天气晴朗。")

    assert doc.to_json()["unparsed"] == ["第九条天气晴朗。"]
    assert doc.unparsed[0].reason == "未能识别的条款（第九条）"


def test_a_parser_bug_is_reported_and_keeps_the_whole_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("qingdan.duties.sanding.parser._Parser.run", broken)

    doc = parse_sanding("第三条 主要职责是：（一）负责甲工作。")

    assert doc.warning_codes() == ["internal_error"]
    assert doc.to_json()["unparsed"] == ["第三条 主要职责是：（一）负责甲工作。"]


def test_non_string_input_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        parse_sanding(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "（" * 1_000_000,
        "（一）负责\n" * 170_000,
        "行政编制5名（含" * 125_000,
        "監(jiān)是国务院直属机构" * 80_000,
        "<p " + "a" * 1_000_000,
        ("为" * 1000 + "x") * 900 + "1名",
        ("-" * 250 + "x\n") * 4000,
    ],
    ids=[
        "open-brackets",
        "marker-lines",
        "open-breakdowns",
        "pinyin-and-nature",
        "open-tag",
        "long-label-noise",
        "rule-like-lines",
    ],
)
def test_pathological_megabyte_input_finishes(text: str) -> None:
    doc = parse_sanding(text)

    assert "internal_error" not in doc.warning_codes()
    assert len(doc.warnings) < 100  # repeated problems are capped, not listed a million times


FUZZ_TOKENS = [
    *("第一条", "第三条", "二、主要职责", "三、内设机构", "四、人员编制", "其他事项", "附则"),
    *("（一）", "（二）", "(三)", "1.", "一、", "主要职责是：", "设下列内设机构：", "办公室"),
    *("行政编制", "事业编制", "工勤编制", "领导职数", "局长", "名", "12", "一百二十", "两"),
    *("（含", "）", "（", "(", ")", "《", "》", "。", "，", "、", "；", "：", "“", "”"),
    *("\n", "\n\n", "\r\n", " ", "\u3000", "８", "監(jiān)", "規(guī)定", "國務院", "[編輯]"),
    *("[原文在此截断]", "---", "http://x.cn/a", "&nbsp;", "&amp;", "原规定", "负责"),
    *("是县人民政府工作部门", "为正科级", "设立某局，为", "有关职责分工", "职能转变"),
]


def test_random_token_soup_never_crashes_and_spans_stay_true() -> None:
    rng = random.Random(20260101)
    for _ in range(300):
        text = "".join(rng.choice(FUZZ_TOKENS) for _ in range(rng.randint(0, 120)))

        doc = parse_sanding(text)

        assert "internal_error" not in doc.warning_codes(), text
        for item in [*doc.main_duties, *doc.unparsed]:
            assert source_of(text, item.span) == squash(item.text), text
        doc.to_review_dict()


# -- output shape, normalization and numerals ----------------------------------------------------


def test_to_json_has_exactly_the_cli_shape() -> None:
    data: dict[str, Any] = parse_sanding(SIMPLIFIED_2018).to_json()

    assert list(data) == [
        "title",
        "main_duties",
        "units",
        "staffing",
        "leadership_posts",
        "unparsed",
    ]
    assert list(data["staffing"]) == ["administrative", "public_institution", "logistics"]
    assert all(set(unit) == {"name", "duties"} for unit in data["units"])
    assert all(set(post) == {"title", "count"} for post in data["leadership_posts"])


def test_review_dict_carries_spans_form_and_warnings() -> None:
    review = parse_sanding(SIMPLIFIED_2018).to_review_dict()

    assert review["form"] == FORM_2018
    assert review["nature"]["rank"] == "正科级"
    assert review["main_duties"][0]["span"]["start"] < review["main_duties"][0]["span"]["end"]
    assert review["staffing"]["administrative_items"][0]["breakdown"][0]["count"] == 3
    assert review["warnings"] == []


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("監(jiān)督", "监督"),
        ("規(guī)定", "规定"),
        ("領(lǐng)導(dǎo)職數(shù)", "领导职数"),
        ("外國(地區(qū))企業(yè)", "外国（地区）企业"),
        ("世界貿易組織(WTO)", "世界贸易组织（WTO）"),
        ("(三) 負責", "（三）负责"),
        ("一、職責調整[編輯]", "一、职责调整"),
        ("行政编制８０５名", "行政编制805名"),
        ("http://a.cn/x(1),y", "http://a.cn/x(1),y"),
        ("1,000 和 10:30", "1,000和10:30"),
    ],
)
def test_normalization_cleans_site_garbage(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("805", 805),
        ("一百二十", 120),
        ("两", 2),
        ("十五", 15),
        ("二十", 20),
        ("一百零五", 105),
        ("一千二百", 1200),
        ("一二〇", 120),
        ("名", None),
        ("", None),
    ],
)
def test_numerals_chinese_and_arabic(value: str, number: int | None) -> None:
    assert parse_number(value) == number


# -- real published fragments (only where ../shared/samples exists) -------------------------------


def sample_body(name: str) -> str:
    """A sample without its first two lines (source URL and a note)."""
    if not SAMPLES.is_dir():
        pytest.skip("shared/samples is not available")
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"sample {name} is not available")
    return path.read_text(encoding="utf-8").split("\n", 2)[2]


def test_real_2008_state_council_office_sample() -> None:
    text = sample_body("sanding_guowuyuan_bangongting_2008_partial.txt")

    doc = parse_sanding(text)

    assert doc.form == FORM_2008
    assert doc.title is not None
    assert doc.title.text == "国务院办公厅主要职责内设机构和人员编制规定"
    assert doc.document_number == "国办发〔2008〕60号"
    assert doc.nature is not None and doc.nature.organization == "国务院办公厅"
    assert len(doc.main_duties) == 8
    assert doc.main_duties[6].text == "指导、监督全国政府信息公开工作。"
    assert doc.adjustments and doc.adjustments[0].text.startswith("强化服务职责")
    assert doc.declared_unit_count == 9
    assert [unit.name for unit in doc.units] == ["秘书一局"]
    assert doc.units[0].truncated
    assert doc.truncated
    assert doc.to_json()["staffing"]["administrative"] == 519
    assert posts(doc) == {"秘书长": 1, "副秘书长": 9, "司局级领导职数": 43}
    # The 1998 figures in the same paragraph must not replace the current ones.
    assert 219 in [item.count for item in doc.staffing.historical]
    assert any("219" in item for item in doc.to_json()["unparsed"])
    assert "internal_error" not in doc.warning_codes()
    assert_spans_point_at_items(text, doc)


def test_real_2018_market_regulation_sample() -> None:
    text = sample_body("sanding_guojia_shichang_jiandu_guanli_zongju_2018_partial.txt")

    doc = parse_sanding(text)

    assert doc.form == FORM_2018
    assert doc.title is not None
    assert doc.title.text == "国家市场监督管理总局职能配置、内设机构和人员编制规定"
    assert doc.nature is not None and doc.nature.rank == "正部级"
    assert [duty.number for duty in doc.main_duties] == [1, 2, 3, 4]
    assert [duty.truncated for duty in doc.main_duties] == [False, False, False, True]
    assert doc.main_duties[2].text.startswith("负责组织和指导市场监管综合执法工作。")
    assert doc.main_duties[3].text in doc.to_json()["unparsed"]
    assert doc.to_json()["staffing"]["administrative"] == 805
    assert posts(doc) == {"局长": 1, "副局长": 4, "司局级领导职数": 120}
    breakdown = doc.staffing.level_posts[0].breakdown
    assert [(part.label, part.count) for part in breakdown] == [
        ("食品安全总监", 1),
        ("总工程师", 1),
        ("市场稽查专员", 4),
        ("机关党委专职副书记", 1),
        ("离退休干部办公室领导职数", 2),
    ]
    administrative = doc.staffing.administrative[0]
    assert [part.count for part in administrative.breakdown] == [2, 3, 15]
    assert "staffing_conflict" not in doc.warning_codes()  # the second news item agrees
    assert_spans_point_at_items(text, doc)


def test_real_county_summary_sample() -> None:
    text = sample_body("sanding_xinning_xian_nongye_nongcunju_2019_summary.txt")

    doc = parse_sanding(text)

    assert doc.nature is not None
    assert doc.nature.rank == "正科级"
    assert doc.nature.organization == "新宁县农业农村局"
    assert doc.to_json()["staffing"] == {
        "administrative": 25,
        "public_institution": 1,
        "logistics": None,
    }
    assert posts(doc) == {"局长": 1, "副局长": 3, "总农艺师": 1, "股级职数": 17}
    assert any(item.startswith("共有7个下属单位") for item in doc.to_json()["unparsed"])
    assert_spans_point_at_items(text, doc)


def test_real_sample_with_its_source_lines_still_parses() -> None:
    if not SAMPLES.is_dir():
        pytest.skip("shared/samples is not available")
    path = SAMPLES / "sanding_guojia_shichang_jiandu_guanli_zongju_2018_partial.txt"
    text = path.read_text(encoding="utf-8")

    doc = parse_sanding(text)

    assert doc.unparsed[0].reason == "来源网址"
    assert len(doc.main_duties) == 4


def test_real_power_list_sample_is_not_taken_for_a_regulation() -> None:
    text = sample_body("quanze_qingdan_mingguang_mingnan_jiedao_2019.txt")

    doc = parse_sanding(text)

    assert "not_sanding" in doc.warning_codes()
    assert doc.main_duties == []
