"""流程再造 figures: the pure roll-up, and the report on hand-built before/after pairs."""

from __future__ import annotations

from decimal import Decimal

from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from qingdan.processes import services
from qingdan.processes.graph import load_draft
from qingdan.processes.metrics import Pair, reengineering_report, rollup, sentence
from tests.processes.helpers import build_process_world


def pair(pk: int, dept: int, steps: tuple[int, int], mats: tuple[int, int], days: tuple) -> Pair:
    return Pair(
        pk, f"LC{pk:04d}", f"流程{pk}", dept, steps[1], mats[1], Decimal(days[1]),
        steps[0], mats[0], Decimal(days[0]),
    )  # fmt: skip


class RollupTests(SimpleTestCase):
    def test_departments_regions_and_total_add_up(self) -> None:
        report = rollup(
            [
                pair(1, 10, (12, 9), (6, 4), ("30", "22")),
                pair(2, 10, (8, 8), (3, 1), ("15", "15")),
                pair(3, 20, (5, 6), (2, 2), ("10", "9.5")),  # one step added back
                pair(4, 99, (9, 1), (9, 1), ("9", "1")),  # a department outside the list
            ],
            {10: 40, 20: 7, 30: 3},
            [
                (10, "市教育局", 1),
                (20, "市市场监管局", 1),
                (30, "河西区教体局", 2),
                (40, "空部门", 2),
            ],
            [(1, "东川市", "860100"), (2, "河西区", "860102")],
        )
        f = report.figures
        self.assertEqual((f.processes, f.pairs), (50, 3))
        self.assertEqual((f.steps_before, f.steps_after, f.steps_removed), (25, 23, 2))
        self.assertEqual(f.materials_removed, 4)
        self.assertEqual(f.days_saved, Decimal("8.5"))
        self.assertEqual(f.sentence, "减少办事环节2个、精简办事手续4项、压缩办理时限8.5个工作日")
        self.assertEqual([r.name for r in report.regions], ["东川市", "河西区"])
        city = report.regions[0]
        self.assertEqual(city.figures.steps_removed, 2)
        self.assertEqual([d.name for d in city.departments], ["市教育局", "市市场监管局"])
        self.assertEqual(report.department(10).figures.materials_removed, 4)
        self.assertEqual(report.department(20).figures.steps_removed, -1)
        self.assertEqual([d.name for d in report.regions[1].departments], ["河西区教体局"])
        self.assertIsNone(report.department(40))

    def test_sentence_matches_the_seed(self) -> None:
        from qingdan.processes.metrics import Figures

        f = Figures(
            steps_before=5000, steps_after=3037, materials_before=4000, materials_after=2432
        )
        self.assertEqual(sentence(f), "减少办事环节1963个、精简办事手续1568项")
        f.days_before, f.days_after = Decimal("120.0"), Decimal("80.0")
        self.assertEqual(
            sentence(f), "减少办事环节1963个、精简办事手续1568项、压缩办理时限40个工作日"
        )
        f.days_after = Decimal("120.5")
        self.assertEqual(
            sentence(f), "减少办事环节1963个、精简办事手续1568项、办理时限增加0.5个工作日"
        )


class ReportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        pw = cls.pw = build_process_world()
        # A: the after version drops the 补正 loop step and two materials, and two days.
        old = pw.process_a
        fresh = services.new_version(old, acting_user=pw.w.clerk_a)
        draft = load_draft(fresh)
        draft.step("accept").materials = draft.step("accept").materials[:1]
        draft.step("accept").days = Decimal("3")
        draft.steps = [s for s in draft.steps if s.key != "deliver"]
        draft.step("grant").exits[0].target = "supervise"
        services.save_process(fresh, draft, acting_user=pw.w.clerk_a)
        services.mark_as_after(fresh, old, acting_user=pw.w.clerk_a)
        cls.fresh = fresh

    def test_report_on_hand_built_pairs(self) -> None:
        self.fresh.refresh_from_db()
        report = reengineering_report(None)
        f = report.figures
        self.assertEqual((f.processes, f.pairs), (2, 1))  # current versions of A and B
        self.assertEqual(f.steps_removed, 1)
        self.assertEqual(f.materials_removed, 3)  # 2 at 受理, 1 with 送达
        # Longest path 35 → 28: 受理 −2, and the 准予 branch (送达 10 + 监管 5) falls below 不予许可 (10).
        self.assertEqual(f.days_saved, Decimal("7"))
        dept = report.department(self.pw.w.dept_a.pk)
        self.assertEqual(dept.pairs[0].process_id, self.fresh.pk)
        self.assertEqual(report.department(self.pw.w.dept_b.pk).figures.pairs, 0)

    def test_report_reads_a_fixed_number_of_queries(self) -> None:
        with self.assertNumQueries(4):
            reengineering_report(None)
        with self.assertNumQueries(6):  # the gate reads the user's grants (two queries)
            reengineering_report(self.pw.w.clerk_b)
        services.create_from_template(kind="levy", task=self.pw.task_b, acting_user=None)
        with self.assertNumQueries(5):  # and the region's path
            reengineering_report(None, region_id=self.pw.w.city.pk)

    def test_scope_filters_the_figures(self) -> None:
        self.assertEqual(reengineering_report(self.pw.w.clerk_b).figures.pairs, 0)
        self.assertEqual(reengineering_report(self.pw.w.clerk_a).figures.pairs, 1)
        self.assertEqual(
            reengineering_report(None, region_id=self.pw.w.county.pk).figures.processes, 0
        )

    def test_page_shows_the_seed_style_sentence(self) -> None:
        self.client.force_login(self.pw.w.bianban)
        page = self.client.get(reverse("processes:metrics"))
        self.assertContains(page, "减少办事环节1个、精简办事手续3项、压缩办理时限7个工作日")
        page = self.client.get(reverse("processes:metrics") + f"?department={self.pw.w.dept_a.pk}")
        self.assertContains(page, "10 → 9")
