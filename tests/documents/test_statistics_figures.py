"""统计分析, the pure part: figures from hand-built rows, the seed-style sentence, the context."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.test import SimpleTestCase

from qingdan.documents.statistics import figures as fg
from qingdan.documents.statistics.report import columns, statistics_context
from qingdan.documents.statistics.sentence import (
    chinese_date,
    headline_sentence,
    levels_phrase,
    review_sentence,
    scope_words,
    statistics_sentence,
    words_for,
)

TYPES = (("administrative", "行政编制"), ("institution", "事业编制"), ("logistics", "工勤编制"))
BANDS = (("low", "不饱和"), ("fair", "较饱和"), ("full", "饱和"), ("over", "超负荷"))
STATUSES = (("draft", "草稿"), ("submitted", "已报编办"), ("published", "已发布"))
STATES = (
    ("not_due", "未到期"),
    ("on_time", "按时完成"),
    ("late", "逾期完成"),
    ("overdue", "已逾期"),
)
CITY = fg.RegionRow(1, "东川市", "860100", "city", 99)
COUNTY = fg.RegionRow(2, "东川市河西区", "860102", "county", 1)
TOWN = fg.RegionRow(3, "河西镇", "860102001", "town", 2)


def rows(**kw: object) -> fg.StatisticsInput:
    base = dict(
        as_of=dt.date(2026, 11, 22),
        regions=[CITY, COUNTY],
        departments=[
            fg.DepartmentRow(10, 1, "东川市教育局", "A01", "市教育局", duty_items=30, tasks=52,
                             work_specs=40, processes=45, units=6, positions=20,
                             units_allocated=6),
            fg.DepartmentRow(20, 1, "东川市市场监督管理局", "B01", "", duty_items=50, tasks=90,
                             work_specs=88, processes=80, units=9, positions=31,
                             units_allocated=0, boundary_items=3),
            fg.DepartmentRow(30, 2, "河西区教育和体育局", "C01", "区教体局", duty_items=12,
                             tasks=20, work_specs=11, processes=9, units=3, positions=8,
                             units_allocated=3),
        ],
        staffing=[
            fg.StaffingRow(10, "administrative", 25, 27),
            fg.StaffingRow(10, "institution", None, 1),
            fg.StaffingRow(20, "administrative", 40, 38),
            fg.StaffingRow(30, "administrative", 10, 10),
            fg.StaffingRow(30, "logistics", 2, 1),
        ],
        bands=[fg.BandRow(10, "over"), fg.BandRow(10, "over"), fg.BandRow(10, "low"),
               fg.BandRow(20, "full"), fg.BandRow(30, "fair")],
        reengineering=[
            fg.ReengineeringRow(10, 12, 9, 6, 4, Decimal("30"), Decimal("22")),
            fg.ReengineeringRow(10, 8, 8, 3, 1, Decimal("15"), Decimal("15")),
            fg.ReengineeringRow(30, 5, 6, 2, 2, Decimal("10"), Decimal("9.5")),
        ],
        review=[
            fg.ReviewRow(10, "published", (fg.PhaseCell("drafting", "on_time"),
                                           fg.PhaseCell("evaluation", "late", 3)), 2),
            fg.ReviewRow(20, "draft", (fg.PhaseCell("drafting", "overdue", 9),
                                       fg.PhaseCell("evaluation", "not_due")), 0),
        ],
        phases=[fg.Phase("drafting", "培训拟定", (dt.date(2019, 8, 15),)),
                fg.Phase("evaluation", "评估完善", (dt.date(2019, 9, 30),))],
        staffing_types=TYPES,
        band_labels=BANDS,
        status_labels=STATUSES,
        state_labels=STATES,
    )  # fmt: skip
    base.update(kw)
    return fg.StatisticsInput(**base)  # type: ignore[arg-type]


class FigureTests(SimpleTestCase):
    def test_every_figure_of_a_department_is_its_own(self) -> None:
        stats = fg.compute(rows())
        a = stats.department(10)
        f = a.figures
        self.assertEqual(
            (f.duty_items, f.tasks, f.work_specs, f.processes, f.units, f.positions),
            (30, 52, 40, 45, 6, 20),
        )
        self.assertEqual(f.units_allocated, 6)
        self.assertEqual(
            (f.staffing["administrative"].approved, f.staffing["administrative"].filled), (25, 27)
        )
        self.assertEqual(f.staffing["administrative"].over, 2)
        self.assertEqual(
            (f.staffing["institution"].approved, f.staffing["institution"].filled), (0, 1)
        )
        self.assertEqual(f.saturation, {"over": 2, "low": 1})
        r = f.reengineering
        self.assertEqual((r.pairs, r.steps_removed, r.materials_removed), (2, 3, 4))
        self.assertEqual(r.days_saved, Decimal("8"))
        self.assertEqual(a.review_status, "published")
        self.assertEqual(f.review_phases, {"drafting": {"on_time": 1}, "evaluation": {"late": 1}})
        self.assertEqual((f.sent_departments, f.overdue_departments, f.extra_rounds), (1, 0, 0))
        self.assertEqual((a.level, a.level_label, a.label), ("city", "市级", "市教育局"))
        self.assertEqual(stats.department(20).label, "东川市市场监督管理局")  # no short name

    def test_levels_regions_and_total_add_up(self) -> None:
        stats = fg.compute(rows())
        t = stats.total
        self.assertEqual((t.departments, t.duty_items, t.tasks, t.work_specs), (3, 92, 162, 139))
        self.assertEqual((t.processes, t.units, t.positions, t.units_allocated), (134, 18, 59, 9))
        self.assertEqual(t.boundary_items, 3)
        self.assertEqual(
            (t.staffing["administrative"].approved, t.staffing["administrative"].filled), (75, 75)
        )
        self.assertEqual((t.staffing["logistics"].approved, t.staffing["logistics"].filled), (2, 1))
        self.assertEqual((t.staffing_total.approved, t.staffing_total.filled), (77, 77))
        self.assertEqual(t.saturation, {"over": 2, "low": 1, "full": 1, "fair": 1})
        self.assertEqual((t.reengineering.pairs, t.reengineering.steps_removed), (3, 2))
        self.assertEqual(t.reengineering.materials_removed, 4)
        self.assertEqual(t.review_status, {"published": 1, "draft": 1, "none": 1})
        self.assertEqual(
            t.review_phases,
            {"drafting": {"on_time": 1, "overdue": 1}, "evaluation": {"late": 1, "not_due": 1}},
        )
        self.assertEqual((t.sent_departments, t.overdue_departments), (1, 1))
        self.assertEqual([(g.key, g.figures.departments, g.figures.duty_items) for g in stats.levels],
                         [("city", 2, 80), ("county", 1, 12)])  # fmt: skip
        self.assertEqual([(g.label, g.figures.tasks) for g in stats.regions],
                         [("东川市", 142), ("东川市河西区", 20)])  # fmt: skip
        self.assertEqual([d.id for d in stats.departments], [10, 20, 30])

    def test_a_subset_adds_its_own_departments_up_again(self) -> None:
        stats = fg.compute(rows())
        county = fg.subset(stats, lambda d: d.level == "county")
        self.assertEqual((county.total.departments, county.total.duty_items), (1, 12))
        self.assertEqual(county.total.reengineering.steps_removed, -1)
        self.assertEqual([g.key for g in county.levels], ["county"])
        self.assertEqual(county.root, CITY)  # still spoken of from the city
        self.assertIn("日，各区县共梳理职责事项12项", statistics_sentence(county))
        self.assertEqual(stats.total.duty_items, 92)  # the original is untouched

    def test_third_round_is_counted_beyond_two_reviews(self) -> None:
        stats = fg.compute(rows(review=[fg.ReviewRow(10, "submitted", (), 3)]))
        self.assertEqual(stats.total.extra_rounds, 1)
        self.assertIn("1个部门超出二报二审", review_sentence(stats.total))


class SentenceTests(SimpleTestCase):
    def test_seed_001_figures_give_seed_001_sentence(self) -> None:
        f = fg.Figures(duty_items=16704, tasks=29540, processes=24897, work_specs=24256,
                       boundary_items=170, units_allocated=466, positions=1588)  # fmt: skip
        f.reengineering = fg.Reengineering(2500, 5000, 3037, 4000, 2432)
        words = scope_words(["city", "county"], CITY)
        self.assertEqual(
            headline_sentence(f, dt.date(2020, 7, 31), words),
            "截至2020年7月31日，市县两级共梳理职责事项16704项，分解细化为29540项具体工作任务，"
            "编制流程图24897张、工作规范24256项，明确部门岗位职责，梳理科室间职责边界事项170项，"
            "指导部门对466个科室依据工作量分配行政编制，设置岗位1588个；推动办事流程再造，"
            "全市共减少办事环节1963个、精简办事手续1568项。",
        )

    def test_clauses_without_figures_are_left_out(self) -> None:
        f = fg.Figures(duty_items=3, tasks=5, processes=0, work_specs=1, positions=2)
        text = headline_sentence(f, dt.date(2026, 1, 5), scope_words(["county"], COUNTY))
        self.assertEqual(
            text,
            "截至2026年1月5日，全区共梳理职责事项3项，分解细化为5项具体工作任务，编制流程图0张、"
            "工作规范1项，明确部门岗位职责，设置岗位2个。",
        )

    def test_steps_added_back_are_said_as_an_increase(self) -> None:
        f = fg.Figures()
        f.reengineering = fg.Reengineering(1, 5, 6, 2, 2)
        self.assertIn("全市共增加办事环节1个、精简办事手续0项。", headline_sentence(
            f, dt.date(2026, 1, 5), scope_words(["city"], CITY)))  # fmt: skip

    def test_a_department_speaks_for_itself(self) -> None:
        f = fg.Figures(duty_items=2, tasks=3, units_allocated=3, positions=4)
        f.reengineering = fg.Reengineering(1, 9, 8, 4, 1)
        text = headline_sentence(
            f, dt.date(2026, 11, 22), scope_words([], None, department_name="东川市教育局")
        )
        self.assertTrue(text.startswith("截至2026年11月22日，东川市教育局共梳理职责事项2项"))
        self.assertIn("明确岗位职责，对3个科室依据工作量分配行政编制", text)
        self.assertIn("推动办事流程再造，共减少办事环节1个、精简办事手续3项。", text)

    def test_scope_words_follow_the_levels_and_the_region(self) -> None:
        self.assertEqual(scope_words(["county", "city"], CITY).subject, "市县两级")
        self.assertEqual(scope_words(["city", "county", "town"], CITY).subject, "市县乡三级")
        self.assertEqual(
            scope_words(["county", "town"], COUNTY), scope_words(["town", "county"], COUNTY)
        )
        self.assertEqual(scope_words(["county", "town"], COUNTY).subject, "县乡两级")
        self.assertEqual(scope_words(["county", "town"], COUNTY).area, "全区")
        self.assertEqual(scope_words(["city"], CITY).subject, "全市")
        self.assertEqual(scope_words(["county"], None).subject, "各区县")
        self.assertEqual(
            scope_words(["city"], fg.RegionRow(9, "江海省", "860000", "province")).subject, "市本级"
        )
        self.assertEqual(scope_words(["town"], TOWN).subject, "全镇")
        self.assertEqual(levels_phrase(["province", "city", "county", "town"]), "省市县乡四级")

    def test_a_clerks_statistics_never_say_the_whole_city(self) -> None:
        one = fg.compute(rows(region_wide=False, departments=rows().departments[:1]))
        self.assertEqual(words_for(one).subject, "东川市教育局")
        two = fg.compute(rows(region_wide=False, departments=rows().departments[:2]))
        self.assertTrue(
            statistics_sentence(two).startswith("截至2026年11月22日，东川市教育局等2个部门共梳理")
        )
        self.assertIn("市县两级", statistics_sentence(fg.compute(rows())))

    def test_dates_are_written_without_leading_zeros(self) -> None:
        self.assertEqual(chinese_date(dt.date(2026, 1, 5)), "2026年1月5日")
        self.assertEqual(chinese_date(dt.date(2019, 10, 15)), "2019年10月15日")

    def test_review_sentence(self) -> None:
        stats = fg.compute(rows())
        self.assertEqual(
            review_sentence(stats.total),
            "参加工作方案的2个部门中，已报送编办1个、已发布清单1个；1个部门有阶段任务逾期未完成。",
        )
        self.assertEqual(review_sentence(fg.Figures()), "尚无部门参加工作方案。")


class ContextTests(SimpleTestCase):
    def test_boundary_items_are_hidden_until_the_list_exists(self) -> None:
        hidden = fg.compute(rows())
        self.assertNotIn("boundary_items", [c.key for c in columns(hidden)])
        ctx = statistics_context(hidden)
        self.assertNotIn("职责边界事项", [c["title"] for c in ctx["cards"]])
        self.assertNotIn("职责边界事项", ctx["sentence"])
        shown = fg.compute(rows(boundaries_enabled=True))
        self.assertIn("boundary_items", [c.key for c in columns(shown)])
        self.assertIn("梳理科室间职责边界事项3项", statistics_context(shown)["sentence"])

    def test_columns_and_staffing_types_in_use(self) -> None:
        stats = fg.compute(rows())
        keys = [c.key for c in columns(stats)]
        self.assertIn("logistics_filled", keys)
        self.assertEqual(keys[:7], ["duty_items", "tasks", "work_specs", "processes", "units",
                                    "positions", "units_allocated"])  # fmt: skip
        unused = fg.compute(rows(staffing=[fg.StaffingRow(10, "administrative", 1, 1)]))
        self.assertNotIn("logistics_filled", [c.key for c in columns(unused)])
        ctx = statistics_context(stats)
        self.assertEqual(
            ctx["column_groups"][7], {"group": "行政编制", "span": 2, "header": "核定"}
        )
        self.assertEqual(ctx["department_rows"][0]["values"][:3], [30, 52, 40])
        self.assertEqual(ctx["phase_rows"][0]["deadlines"], "8月15日")

    def test_chart_data_is_json_with_the_figures(self) -> None:
        ctx = statistics_context(fg.compute(rows()))
        charts = json.loads(json.dumps(ctx["charts"]))
        bars = charts["departments"]["data"]
        self.assertEqual(bars["labels"], ["市教育局", "东川市市场监督管理局", "区教体局"])
        self.assertEqual([d["label"] for d in bars["datasets"]], ["职责事项", "工作任务", "流程图"])
        self.assertEqual(bars["datasets"][1]["data"], [52, 90, 20])
        stacks = {
            d["label"]: (d["stack"], d["data"]) for d in charts["staffing"]["data"]["datasets"]
        }
        self.assertEqual(stacks["行政编制（核定）"], ("核定", [25, 40, 10]))
        self.assertEqual(stacks["行政编制（实有）"], ("实有", [27, 38, 10]))
        self.assertTrue(charts["staffing"]["options"]["scales"]["x"]["stacked"])
        self.assertEqual(charts["saturation"]["data"]["datasets"][0]["data"], [1, 1, 1, 2])
        self.assertEqual(charts["reengineering"]["data"]["labels"], ["市教育局", "区教体局"])
        review = {d["label"]: d["data"] for d in charts["review"]["data"]["datasets"]}
        self.assertEqual(
            review, {"未到期": [0, 1], "按时完成": [1, 0], "逾期完成": [0, 1], "已逾期": [1, 0]}
        )

    def test_one_department_drill_down(self) -> None:
        stats = fg.compute(rows())
        one = fg.subset(stats, lambda d: d.id == 30)
        ctx = statistics_context(one, department=one.department(30))
        self.assertTrue(
            ctx["sentence"].startswith("截至2026年11月22日，河西区教育和体育局共梳理职责事项12项")
        )
        self.assertNotIn("部门", [c["title"] for c in ctx["cards"]])
        self.assertEqual(ctx["level_rows"], [])
        self.assertEqual(len(ctx["department_rows"]), 1)
