"""The org tree page: what it shows, as of which date, for whom, and in how many queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from qingdan.org import services
from qingdan.org.tree import build_org_tree
from tests import builders as b
from tests.builders import build_world


class OrgTreeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_tree_shows_departments_units_positions_people_and_bars(self) -> None:
        self.client.force_login(self.w.bianban)
        response = self.client.get("/admin/org/department/tree/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for text in (
            "组织机构树",
            "东川市教育局",
            "基础教育科",
            "基础教育业务岗",
            "王芳",
            "河西区教育和体育局",
            "行政编制 核定5 · 实有1",
            "空缺4",
            "空缺1",
        ):
            self.assertIn(text, html)

    def test_over_quota_is_shown(self) -> None:
        pos = b.position(self.w.dept_c, None, "G1", "综合岗", headcount=3, category="general")
        for i in range(3):
            person = b.person(self.w.dept_c, f"C{i}", f"县员{i}")
            b.assign(person, pos, override_reason="临时借调转隶" if i == 2 else "")
        tree = build_org_tree(self.w.bianban, dt.date.today())
        dept = next(d for r in tree.regions for d in r.departments if d.id == self.w.dept_c.pk)
        bar = dept.staffing.bars["administrative"]
        self.assertEqual((bar.approved, bar.filled, bar.over, bar.vacant), (2, 3, 1, 0))
        self.client.force_login(self.w.bianban)
        self.assertContains(self.client.get("/admin/org/department/tree/"), "超编1")

    def test_each_persona_sees_exactly_its_scope(self) -> None:
        def names(user):
            tree = build_org_tree(user, dt.date.today())
            return {d.name for r in tree.regions for d in r.departments}

        every = {"东川市教育局", "东川市教育考试院", "东川市市场监督管理局", "河西区教育和体育局"}
        self.assertEqual(names(self.w.bianban), every)
        self.assertEqual(names(self.w.supervisor), every)
        self.assertEqual(names(self.w.clerk_a), {"东川市教育局"})
        self.assertEqual(names(self.w.dept_admin_a), {"东川市教育局", "东川市教育考试院"})
        self.assertEqual(names(self.w.county_bianban), {"河西区教育和体育局"})

    def test_as_of_date_uses_validity_and_tenure(self) -> None:
        unit = b.unit(self.w.dept_a, "U02", "督导室", established_on=dt.date(2021, 3, 1))
        a = self.w.assignment_a
        a.end_date = dt.date(2022, 12, 31)
        services.update_assignment(a, acting_user=self.w.bianban)

        def unit_names(on):
            tree = build_org_tree(self.w.bianban, on)
            dept = next(d for r in tree.regions for d in r.departments if d.id == self.w.dept_a.pk)
            return {u.name: u for u in dept.units}

        self.assertNotIn(unit.name, unit_names(dt.date(2020, 6, 1)))
        self.assertIn(unit.name, unit_names(dt.date(2022, 6, 1)))
        people_2022 = [
            p.name for p in unit_names(dt.date(2022, 6, 1))["基础教育科"].positions[0].people
        ]
        people_2023 = [
            p.name for p in unit_names(dt.date(2023, 6, 1))["基础教育科"].positions[0].people
        ]
        self.assertEqual((people_2022, people_2023), (["王芳"], []))
        self.client.force_login(self.w.bianban)
        response = self.client.get("/admin/org/department/tree/?as_of=2020-06-01")
        self.assertContains(response, "截至2020年6月1日")
        self.assertNotContains(response, "督导室")

    def test_bad_as_of_date_falls_back_to_today_with_a_message(self) -> None:
        self.client.force_login(self.w.bianban)
        for bad in ("2020-13-45", "yesterday", "1800-01-01", "<script>"):
            with self.subTest(bad=bad):
                response = self.client.get("/admin/org/department/tree/", {"as_of": bad})
                self.assertContains(response, "日期格式不正确")
                self.assertNotContains(response, "<script>")

    def test_query_count_does_not_grow_with_the_region(self) -> None:
        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                build_org_tree(self.w.bianban, dt.date.today())
            return len(ctx.captured_queries)

        count()  # warm: the user's grants are read once per request and cached
        before = count()
        self.assertLessEqual(before, 8)
        for i in range(3):
            d = b.department(self.w.city, f"N{i}", f"新部门{i}")
            b.quota(d, administrative=3)
            u = b.unit(d, "U1", "综合科")
            b.assign(b.person(d, f"N{i}", f"新人{i}"), b.position(d, u, "G1", "综合岗"))
        self.assertEqual(count(), before)

    def test_names_are_escaped_even_if_they_bypassed_validation(self) -> None:
        from qingdan.org.models import Person

        Person.objects.filter(pk=self.w.person_a.pk).update(name='<img src=x onerror="alert(1)">')
        self.client.force_login(self.w.bianban)
        html = self.client.get("/admin/org/department/tree/").content.decode()
        self.assertNotIn("<img src=x", html)
        self.assertIn("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;", html)

    def test_outsiders_and_anonymous(self) -> None:
        self.assertEqual(self.client.get("/admin/org/department/tree/").status_code, 302)


class DashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_dashboard_shows_the_figures_of_the_users_scope(self) -> None:
        self.client.force_login(self.w.bianban)
        html = self.client.get("/admin/").content.decode()
        self.assertIn("工作台", html)
        self.assertRegex(html, r'qd-kpi-value">4</div><div class="qd-muted">部门')
        self.client.force_login(self.w.clerk_a)
        html = self.client.get("/admin/").content.decode()
        self.assertRegex(html, r'qd-kpi-value">1</div><div class="qd-muted">部门')
        self.assertRegex(html, r'qd-kpi-value">5</div><div class="qd-muted">核定编制')

    def test_user_without_grants_is_told_so(self) -> None:
        from qingdan.core.models import User

        lonely = User.objects.create_user(
            "lonely", password="x", is_staff=True, home_region=self.w.city
        )
        self.client.force_login(lonely)
        self.assertContains(self.client.get("/admin/"), "尚未被授予任何数据范围")


class TreeCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_cached_tree_changes_after_any_write_and_differs_by_scope(self) -> None:
        from django.core.cache import cache

        cache.clear()
        self.client.force_login(self.w.bianban)
        first = self.client.get("/admin/org/department/tree/").content.decode()
        self.assertNotIn("督导室", first)
        b.unit(self.w.dept_a, "U03", "督导室")
        second = self.client.get("/admin/org/department/tree/").content.decode()
        self.assertIn("督导室", second)
        self.client.force_login(self.w.clerk_b)
        other = self.client.get("/admin/org/department/tree/").content.decode()
        self.assertNotIn("督导室", other)
        self.assertNotIn("东川市教育局", other)
