"""统计分析 from the database: every figure on hand-built data, the data scope, query counts."""

from __future__ import annotations

from django.test import TestCase

from qingdan.core.models import User
from qingdan.documents.statistics.data import cached_statistics, load_statistics
from qingdan.documents.statistics.figures import Statistics
from qingdan.documents.statistics.sentence import statistics_sentence
from tests.documents.statistics_world import ON, add_department, build_stats_world


def counts(stats: Statistics, dept_id: int) -> tuple[int, ...]:
    f = stats.department(dept_id).figures
    return (f.duty_items, f.tasks, f.work_specs, f.processes, f.units, f.positions,
            f.units_allocated)  # fmt: skip


def staffing(stats: Statistics, dept_id: int) -> dict[str, tuple[int, int]]:
    bars = stats.department(dept_id).figures.staffing
    return {k: (b.approved, b.filled) for k, b in bars.items() if b.approved or b.filled}


def fresh(user: User) -> User:
    """The same account without its grants cached (as on a new request)."""
    return User.objects.get(pk=user.pk)


class FiguresTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sw = build_stats_world()
        cls.w = cls.sw.w

    def test_each_departments_figures_are_exact(self) -> None:
        s = load_statistics(None, on=ON)
        w = self.w
        self.assertEqual(counts(s, w.dept_a.pk), (2, 3, 1, 1, 3, 4, 3))
        self.assertEqual(counts(s, w.institution.pk), (0, 0, 0, 0, 0, 0, 0))
        self.assertEqual(counts(s, w.dept_b.pk), (1, 1, 0, 1, 1, 1, 1))
        self.assertEqual(counts(s, w.dept_c.pk), (1, 2, 2, 0, 1, 0, 1))
        self.assertEqual(staffing(s, w.dept_a.pk), {"administrative": (5, 2)})
        self.assertEqual(staffing(s, w.institution.pk), {"institution": (2, 0)})
        self.assertEqual(staffing(s, w.dept_b.pk), {"administrative": (3, 1)})
        self.assertEqual(staffing(s, w.dept_c.pk), {"administrative": (2, 0)})
        a = s.department(w.dept_a.pk)
        self.assertEqual(a.figures.saturation, {"over": 1, "nobody": 1, "none": 1})
        self.assertEqual(s.department(w.dept_b.pk).figures.saturation, {"low": 1})
        self.assertEqual(s.department(w.dept_c.pk).figures.saturation, {"nobody": 1})
        r = a.figures.reengineering
        self.assertEqual((r.pairs, r.steps_removed, r.materials_removed), (1, 1, 3))
        self.assertEqual(s.department(w.dept_b.pk).figures.reengineering.pairs, 0)

    def test_totals_and_levels(self) -> None:
        s = load_statistics(None, on=ON)
        t = s.total
        self.assertEqual((t.departments, t.duty_items, t.tasks, t.work_specs, t.processes),
                         (4, 4, 6, 3, 2))  # fmt: skip
        self.assertEqual((t.units, t.positions, t.units_allocated), (5, 5, 5))
        self.assertEqual(t.saturation, {"over": 1, "low": 1, "nobody": 2, "none": 1})
        self.assertEqual(
            (t.staffing["administrative"].approved, t.staffing["administrative"].filled), (10, 3)
        )
        city, county = s.levels
        self.assertEqual((city.key, city.figures.departments, city.figures.tasks), ("city", 3, 4))
        self.assertEqual(
            (county.key, county.figures.departments, county.figures.work_specs), ("county", 1, 2)
        )
        self.assertEqual([g.label for g in s.regions], ["东川市", "河西区"])
        self.assertFalse(s.boundaries_enabled)
        self.assertEqual(t.boundary_items, 0)

    def test_review_progress_against_the_deadlines(self) -> None:
        s = load_statistics(None, on=ON)
        w = self.w
        self.assertEqual(
            [(p.key, p.name) for p in s.phases],
            [("drafting", "培训拟定"), ("evaluation", "评估完善"), ("handbook", "制定手册"),
             ("summary", "总结汇报")],
        )  # fmt: skip
        self.assertEqual(s.phases[0].deadlines[0].isoformat(), "2021-08-15")
        self.assertEqual(
            s.total.review_phases,
            {
                "drafting": {"on_time": 1, "late": 1},
                "evaluation": {"on_time": 1, "overdue": 1},
                "handbook": {"not_due": 2},
                "summary": {"not_due": 2},
            },
        )
        self.assertEqual(s.total.review_status, {"returned": 1, "submitted": 1, "none": 2})
        self.assertEqual((s.total.sent_departments, s.total.overdue_departments), (2, 1))
        b = s.department(w.dept_b.pk)
        self.assertEqual([(c.phase_key, c.state, c.days_late) for c in b.cells][:2],
                         [("drafting", "late", 5), ("evaluation", "overdue", 5)])  # fmt: skip
        self.assertEqual(s.department(w.dept_c.pk).review_status, "none")

    def test_events_after_the_day_have_not_happened_yet(self) -> None:
        import datetime as dt

        s = load_statistics(None, on=dt.date(2021, 8, 12))
        self.assertEqual(s.total.review_phases["drafting"], {"on_time": 1, "not_due": 1})

    def test_seed_style_sentence_from_data(self) -> None:
        self.assertEqual(
            statistics_sentence(load_statistics(fresh(self.w.bianban), on=ON)),
            "截至2021年10月5日，市县两级共梳理职责事项4项，分解细化为6项具体工作任务，"
            "编制流程图2张、工作规范3项，明确部门岗位职责，指导部门对5个科室依据工作量分配"
            "行政编制，设置岗位5个；推动办事流程再造，全市共减少办事环节1个、精简办事手续3项。",
        )


class ScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sw = build_stats_world()
        cls.w = cls.sw.w

    def test_clerk_sees_only_their_department(self) -> None:
        s = load_statistics(fresh(self.w.clerk_a), on=ON)
        self.assertEqual([d.id for d in s.departments], [self.w.dept_a.pk])
        self.assertEqual(s.total.tasks, 3)
        self.assertEqual(s.total.review_status, {"returned": 1})
        self.assertTrue(statistics_sentence(s).startswith("截至2021年10月5日，东川市教育局共梳理"))

    def test_other_clerk_sees_only_theirs(self) -> None:
        s = load_statistics(fresh(self.w.clerk_b), on=ON)
        self.assertEqual([d.id for d in s.departments], [self.w.dept_b.pk])
        self.assertEqual(s.total.reengineering.pairs, 0)

    def test_supervisor_reads_the_region(self) -> None:
        s = load_statistics(fresh(self.w.supervisor), on=ON)
        self.assertEqual(len(s.departments), 4)
        self.assertEqual(s.total.tasks, 6)
        self.assertTrue(s.region_wide)

    def test_county_bianban_sees_the_county(self) -> None:
        s = load_statistics(fresh(self.w.county_bianban), on=ON)
        self.assertEqual([d.id for d in s.departments], [self.w.dept_c.pk])
        self.assertIn("全区共梳理职责事项1项", statistics_sentence(s))

    def test_department_tree_admin_is_named_by_departments(self) -> None:
        s = load_statistics(fresh(self.w.dept_admin_a), on=ON)
        self.assertEqual(len(s.departments), 2)  # A and its 考试院
        self.assertIn("东川市教育局等2个部门共梳理", statistics_sentence(s))

    def test_region_filter(self) -> None:
        s = load_statistics(fresh(self.w.bianban), region_id=self.w.county.pk, on=ON)
        self.assertEqual([d.id for d in s.departments], [self.w.dept_c.pk])
        s = load_statistics(fresh(self.w.bianban), level="city", on=ON)
        self.assertEqual(len(s.departments), 3)


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sw = build_stats_world()

    def load_in(self, queries: int, **kw: object) -> Statistics:
        """One load by the 编办 as on a new request (grants not read yet), in ``queries``."""
        user = fresh(self.sw.w.bianban)
        with self.assertNumQueries(queries):
            return load_statistics(user, on=ON, **kw)  # type: ignore[arg-type]

    def test_queries_do_not_grow_with_departments(self) -> None:
        w = self.sw.w
        # grants 2, coverage 10, departments 1, 工作规范 1, staffing 3, re-engineering 4, review 4
        self.load_in(25)
        self.load_in(27, region_id=w.city.pk)  # and the region's path, twice
        before = load_statistics(None, on=ON)
        for n in range(1, 6):
            add_department(self.sw, n)
        after = load_statistics(None, on=ON)
        self.assertEqual(len(after.departments), len(before.departments) + 5)
        self.assertEqual(after.total.processes, before.total.processes + 5)
        self.assertEqual(after.total.review_status["draft"], 5)
        self.assertEqual(len(self.load_in(25).departments), 9)
        self.load_in(27, region_id=w.city.pk)

    def test_cache_holds_until_the_next_write(self) -> None:
        w = self.sw.w
        first = cached_statistics(fresh(w.bianban), on=ON)
        user = fresh(w.bianban)
        with self.assertNumQueries(3):  # grants and the chain head; the figures come from the cache
            again = cached_statistics(user, on=ON)
        self.assertEqual(again.total.tasks, first.total.tasks)
        add_department(self.sw, 9)
        self.assertEqual(
            cached_statistics(fresh(w.bianban), on=ON).total.tasks, first.total.tasks + 1
        )
        clerk = cached_statistics(fresh(w.clerk_a), on=ON)
        self.assertEqual(len(clerk.departments), 1)  # another scope, another entry
