"""覆盖与工作量: the pure analysis on hand-built rows, and the adapter on the database."""

from __future__ import annotations

import json
from fractions import Fraction
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext

from qingdan.duties import coverage as cov
from qingdan.duties import coverage_data
from tests import builders as b
from tests.builders import build_world
from tests.duties import helpers as h

RULES = cov.Rules(standard_hours=1000.0)


def sample() -> cov.CoverageInput:
    """One department, two units, four positions, three people, three duties, four tasks.

    Unit 1: position 11 (2 people) leads task 101 (1000 h) with 12 assisting; 12 (1 person) leads
    task 102 (300 h). Unit 2: position 21 (nobody) is only a backup; task 103 (200 h) has no
    position. Position 31 (department leader, nobody) has no task. Duty 3 has no task; task 104
    (500 h) only has an assist position. Person 4 holds no position.
    """
    return cov.CoverageInput(
        regions=[cov.RegionIn(1, "东川市", "860100")],
        departments=[cov.DepartmentIn(1, 1, "市教育局", "A01", admin_quota=10, leader_posts=2)],
        units=[cov.UnitIn(1, 1, "基础教育科", admin_quota=3), cov.UnitIn(2, 1, "督导科")],
        positions=[
            cov.PositionIn(11, 1, 1, "业务岗", 2),
            cov.PositionIn(12, 1, 1, "综合岗", 1),
            cov.PositionIn(21, 1, 2, "督导岗", 1),
            cov.PositionIn(31, 1, None, "局长", 1),
        ],
        people=[
            cov.PersonIn(1, 1, "甲"),
            cov.PersonIn(2, 1, "乙"),
            cov.PersonIn(3, 1, "丙"),
            cov.PersonIn(4, 1, "丁"),
        ],
        holdings=[
            cov.HoldingIn(1, 11),
            cov.HoldingIn(2, 11),
            cov.HoldingIn(3, 12),
            cov.HoldingIn(3, 11, primary=False),  # 兼职: counted where the primary post is
        ],
        duties=[
            cov.DutyIn(1, 1, "ZZ001", "一"),
            cov.DutyIn(2, 1, "ZZ002", "二"),
            cov.DutyIn(3, 1, "ZZ003", "三"),
            cov.DutyIn(4, 1, "QT001", "交办", from_mandate=False),
        ],
        tasks=[
            cov.TaskIn(101, 1, 1, 1, "T1", "任务一", 1000.0),
            cov.TaskIn(102, 1, 1, 1, "T2", "任务二", 300.0),
            cov.TaskIn(103, 1, 2, 2, "T3", "任务三", 200.0),
            cov.TaskIn(104, 1, 2, 1, "T4", "任务四", 500.0),
        ],
        task_positions=[
            cov.TaskPositionIn(101, 11, "lead"),
            cov.TaskPositionIn(101, 12, "assist"),
            cov.TaskPositionIn(102, 12, "lead"),
            cov.TaskPositionIn(102, 21, "backup"),
            cov.TaskPositionIn(104, 11, "assist"),
        ],
    )


class PureCoverageTests(SimpleTestCase):
    def setUp(self) -> None:
        self.report = cov.analyse(sample(), RULES)
        self.dept = self.report.departments[0]

    def test_every_gap_kind_is_found(self) -> None:
        rows = {k: [r.id for r in v] for k, v in self.dept.gap_rows.items()}
        self.assertEqual(rows["duties_without_tasks"], [3])  # the 交办 item is not a 三定 duty
        self.assertEqual(rows["tasks_without_lead"], [103, 104])
        self.assertEqual(rows["positions_without_tasks"], [21, 31])  # a backup alone is no task
        self.assertEqual(rows["positions_without_people"], [21, 31])
        self.assertEqual(rows["people_without_positions"], [4])
        self.assertEqual(self.report.gaps.to_dict(), {k: len(v) for k, v in rows.items()})
        unit2 = self.dept.unit(2)
        self.assertEqual(
            unit2.gaps.to_dict(),
            {
                "duties_without_tasks": 0,
                "tasks_without_lead": 1,
                "positions_without_tasks": 1,
                "positions_without_people": 1,
                "people_without_positions": 0,
            },
        )

    def test_hours_are_split_two_to_one_between_lead_and_assist(self) -> None:
        pos = {p.id: p for u in self.dept.units for p in u.positions}
        # 101: 1000 h → 11 gets 2/3, 12 gets 1/3; 104 (assist only): 11 gets all 500 h.
        self.assertAlmostEqual(pos[11].load.hours, 1000 * 2 / 3 + 500)
        self.assertAlmostEqual(pos[12].load.hours, 1000 / 3 + 300)
        self.assertEqual(pos[21].load.hours, 0)
        self.assertEqual((pos[11].load.people, pos[11].holders), (2, 3))
        self.assertEqual(pos[11].load.available, 2000)

    def test_unplaced_hours_stay_with_the_lead_unit_and_totals_add_up(self) -> None:
        unit1, unit2 = self.dept.unit(1), self.dept.unit(2)
        self.assertAlmostEqual(unit1.load.hours, 1000 + 300 + 500)
        self.assertEqual((unit2.load.hours, unit2.unplaced_hours), (200, 200))
        self.assertEqual(self.dept.load.hours, 2000)
        self.assertEqual(self.dept.load.people, 3)
        self.assertAlmostEqual(self.report.load.saturation, 2000 / 3000)

    def test_saturation_bands(self) -> None:
        pos = {p.id: p for u in self.dept.units for p in u.positions}
        self.assertAlmostEqual(pos[11].load.saturation, (2000 / 3 + 500) / 2000)  # 58 %
        self.assertEqual(pos[11].load.band_label, "不饱和")
        self.assertAlmostEqual(pos[12].load.saturation, (1000 / 3 + 300) / 1000)  # 63 %
        self.assertEqual(pos[12].load.band_label, "较饱和")
        self.assertEqual(self.dept.unit(2).load.band_label, "无人承担")
        self.assertEqual(pos[31].load.band_label, "—")
        cases = {
            0.0: "不饱和",
            0.5999: "不饱和",
            0.6: "较饱和",
            0.8499: "较饱和",
            0.85: "饱和",
            1.0999: "饱和",
            1.1: "超负荷",
            3.0: "超负荷",
        }
        for saturation, label in cases.items():
            with self.subTest(saturation=saturation):
                self.assertEqual(RULES.band(saturation, 1.0)[1], label)

    def test_bands_and_weights_are_configurable(self) -> None:
        rules = cov.Rules(
            standard_hours=1000.0,
            lead_weight=1,
            assist_weight=1,
            bands=((50.0, "a", "低"), (float("inf"), "b", "高")),
        )
        report = cov.analyse(sample(), rules)
        pos = {p.id: p for u in report.departments[0].units for p in u.positions}
        self.assertAlmostEqual(pos[12].load.hours, 500 + 300)
        self.assertEqual(pos[12].load.band_label, "高")

    def test_staffing_suggestion_sums_exactly_to_the_quota(self) -> None:
        s = self.dept.suggestion
        self.assertEqual((s.quota, s.reserved), (10, 2))
        by_unit = {r.unit_id: r for r in s.rows}
        # 8 seats by 1800 : 200 → 7.2 and 0.8 → 7 + 1 (largest remainder).
        self.assertEqual((by_unit[1].suggested, by_unit[2].suggested), (7, 1))
        self.assertEqual(s.reserved + sum(r.suggested for r in s.rows), 10)
        self.assertEqual((by_unit[1].current, by_unit[1].current_source), (3, "核定"))
        self.assertEqual((by_unit[2].current, by_unit[2].current_source), (0, "实有"))
        self.assertEqual(by_unit[1].difference, 4)

    def test_largest_remainder_is_exact_for_awkward_weights(self) -> None:
        for total, weights in (
            (7, [1, 1, 1]),
            (100, [Fraction(1, 3)] * 3),
            (13, [0.1, 0.2, 0.7, 0.0]),
            (0, [5, 5]),
            (997, [i * 1.37 for i in range(1, 60)]),
        ):
            seats = cov.largest_remainder(total, weights)
            self.assertEqual(sum(seats), total)
            self.assertTrue(all(s >= 0 for s in seats))
        self.assertEqual(cov.largest_remainder(7, [1, 1, 1]), [3, 2, 2])  # ties: earlier first

    def test_suggestion_without_quota_or_workload_says_why(self) -> None:
        self.assertIn("尚未核定", cov.suggest_staffing(None, 0, [(1, "科", 10.0, None, 0)]).note)
        none = cov.suggest_staffing(5, 1, [(1, "科", 0.0, None, 0)])
        self.assertIn("无法按工作量分配", none.note)
        self.assertIsNone(none.rows[0].suggested)

    def test_matrix_of_a_unit(self) -> None:
        data = sample()
        matrix = cov.unit_matrix(1, data.positions, data.tasks, data.task_positions)
        self.assertEqual([p.id for p in matrix.positions], [11, 12])
        rows = {t.id: cells for t, cells in matrix.rows}
        self.assertEqual(rows, {101: ["主", "协"], 102: ["", "主"], 104: ["协", ""]})
        matrix2 = cov.unit_matrix(2, data.positions, data.tasks, data.task_positions)
        self.assertEqual({t.id: c for t, c in matrix2.rows}, {102: ["B"], 103: [""]})

    def test_report_serialises(self) -> None:
        data = json.loads(json.dumps(self.report.to_dict(), ensure_ascii=False))
        self.assertEqual(
            data["regions"][0]["departments"][0]["staffing_suggestion"]["administrative_quota"], 10
        )


class CoverageDatabaseTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()
        w = cls.w
        item = h.duty(w.dept_a, "负责基础教育管理。")
        h.duty(w.dept_a, "负责无人承担的事项。")
        t = h.task(item, w.unit_a, "审核办学许可", frequency="weekly", unit_hours="10")
        h.put(t, w.position_a)
        h.task(item, w.unit_a, "没有主办的任务")
        other = h.duty(w.dept_b, "负责登记注册。")
        h.put(h.task(other, w.unit_b, "企业登记"), w.position_b)

    def test_report_on_real_rows(self) -> None:
        report = coverage_data.coverage_report(self.w.bianban)
        dept = report.department(self.w.dept_a.pk)
        self.assertEqual(dept.gaps.duties_without_tasks, 1)
        self.assertEqual(dept.gaps.tasks_without_lead, 1)
        self.assertEqual(dept.load.hours, 500 + 120)
        unit = dept.unit(self.w.unit_a.pk)
        self.assertEqual(unit.load.people, 1)
        self.assertAlmostEqual(unit.load.saturation, 620 / 1650)
        self.assertEqual(unit.load.band_label, "不饱和")
        b_report = report.department(self.w.dept_b.pk)
        self.assertEqual(b_report.gaps.positions_without_people, 1)

    def test_a_clerk_sees_only_their_department(self) -> None:
        report = coverage_data.coverage_report(self.w.clerk_a)
        self.assertEqual([d.id for d in report.departments], [self.w.dept_a.pk])
        self.assertEqual(
            coverage_data.coverage_report(self.w.clerk_b).departments[0].name,
            "东川市市场监督管理局",
        )

    def test_query_count_does_not_grow_with_departments(self) -> None:
        def count() -> int:
            user = type(self.w.bianban).objects.get(pk=self.w.bianban.pk)  # fresh: grants uncached
            with CaptureQueriesContext(connection) as ctx:
                coverage_data.coverage_report(user)
            return len(ctx.captured_queries)

        small = count()
        for i in range(5):
            dept = b.department(self.w.city, f"X{i}", f"新增部门{i}")
            b.quota(dept, administrative=4)
            unit = b.unit(dept, "U01", "综合科")
            pos = b.position(dept, unit, "G1", "综合岗")
            b.assign(b.person(dept, "P1", f"人员{i}"), pos)
            item = h.duty(dept, "负责综合工作。")
            h.put(h.task(item, unit, "综合事务"), pos)
        self.assertEqual(count(), small)
        user = type(self.w.bianban).objects.get(pk=self.w.bianban.pk)
        with self.assertNumQueries(12):  # the user's grants (2) and the ten row queries
            coverage_data.coverage_report(user)


class CoveragePageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()
        item = h.duty(cls.w.dept_a, "负责基础教育管理。")
        cls.task = h.task(item, cls.w.unit_a, "审核办学许可")
        h.put(cls.task, cls.w.position_a)

    def test_drill_down_region_department_unit_position_and_matrix(self) -> None:
        self.client.force_login(self.w.bianban)
        w = self.w
        pages = {
            "/duties/coverage/": ["东川市教育局", "河西区教育和体育局", "三定职责无任务"],
            f"/duties/coverage/?region={w.county.pk}": ["河西区教育和体育局"],
            f"/duties/coverage/?department={w.dept_a.pk}": [
                "基础教育科",
                "依据工作量分配行政编制",
                "缺口明细",
            ],
            f"/duties/coverage/?unit={w.unit_a.pk}": ["基础教育业务岗", "任务—岗位矩阵"],
            f"/duties/coverage/?position={w.position_a.pk}": ["审核办学许可", "主办"],
            f"/duties/coverage/unit/{w.unit_a.pk}/matrix/": ["审核办学许可", "qd-cell-lead"],
        }
        for url, texts in pages.items():
            response = self.client.get(url)
            with self.subTest(url=url):
                self.assertEqual(response.status_code, 200)
                for text in texts:
                    self.assertContains(response, text)
        self.assertNotContains(
            self.client.get(f"/duties/coverage/?region={w.county.pk}"), "东川市教育局</a>"
        )

    def test_gate_on_every_level(self) -> None:
        w = self.w
        self.client.force_login(w.clerk_b)
        for url in (
            f"/duties/coverage/?department={w.dept_a.pk}",
            f"/duties/coverage/?unit={w.unit_a.pk}",
            f"/duties/coverage/?position={w.position_a.pk}",
            f"/duties/coverage/unit/{w.unit_a.pk}/matrix/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        page = self.client.get("/duties/coverage/").content.decode()
        self.assertIn("东川市市场监督管理局", page)
        self.assertNotIn("东川市教育局", page)
        self.assertEqual(self.client.get("/duties/coverage/?department=abc").status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get("/duties/coverage/").status_code, 302)


class CoverageCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()
        h.duty(cls.w.dept_a, "负责基础教育管理。")

    def test_json_for_a_department_and_a_region(self) -> None:
        out = StringIO()
        call_command("coverage", "--department", "A01", "--json", stdout=out)
        data = json.loads(out.getvalue())
        depts = [d for r in data["regions"] for d in r["departments"]]
        self.assertEqual([d["name"] for d in depts], ["东川市教育局"])
        self.assertEqual(depts[0]["gaps"]["duties_without_tasks"], 1)
        self.assertEqual(data["rules"]["standard_annual_hours"], 1650)
        out = StringIO()
        call_command("coverage", "--region", "860102", "--json", stdout=out)
        names = [d["name"] for r in json.loads(out.getvalue())["regions"] for d in r["departments"]]
        self.assertEqual(names, ["河西区教育和体育局"])
        out = StringIO()
        call_command("coverage", stdout=out)
        self.assertIn("三定职责无任务1", out.getvalue())

    def test_unknown_codes_fail_in_chinese(self) -> None:
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "不存在"):
            call_command("coverage", "--department", "NOPE")
        with self.assertRaisesMessage(CommandError, "不存在"):
            call_command("coverage", "--region", "999999")
