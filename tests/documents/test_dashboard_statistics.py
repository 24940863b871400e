"""统计分析 pages: the gate, drill-down, chart data in the page, Excel export, the 工作台."""

from __future__ import annotations

import io
import json
import re

import openpyxl
from django.test import TestCase

from qingdan.core.models import User
from qingdan.org.models import Department
from tests.documents.statistics_world import build_stats_world

URL = "/statistics/"


def chart_data(html: str) -> dict:
    match = re.search(r'<script id="qd-stat-charts" type="application/json">(.*?)</script>', html)
    assert match, "no chart data in the page"
    return json.loads(match.group(1))


class PageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sw = build_stats_world()
        cls.w = cls.sw.w

    def test_bianban_sees_the_region_with_charts(self) -> None:
        self.client.force_login(self.w.bianban)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("市县两级共梳理职责事项4项，分解细化为6项具体工作任务", html)
        self.assertIn("全市共减少办事环节1个、精简办事手续3项", html)
        for key in ("departments", "staffing", "saturation", "reengineering", "review"):
            self.assertIn(f'data-qd-chart="{key}"', html)
        self.assertIn("/static/documents/statistics.js", html)
        charts = chart_data(html)
        self.assertEqual(len(charts["departments"]["data"]["labels"]), 4)
        self.assertEqual(charts["departments"]["data"]["datasets"][1]["data"], [3, 0, 1, 2])
        self.assertIn("清单汇编", html)  # the 编办 may compile
        self.assertIn(f'href="/statistics/?department={self.w.dept_a.pk}"', html)
        self.assertIn("?level=county", html)

    def test_names_are_escaped_in_the_table_and_the_chart_data(self) -> None:
        Department.objects.filter(pk=self.w.dept_b.pk).update(short_name="</script><b>x</b>")
        self.client.force_login(self.w.bianban)
        html = self.client.get(URL).content.decode()
        self.assertNotIn("<b>x</b>", html)
        self.assertIn("\\u003C/script\\u003E\\u003Cb\\u003Ex\\u003C/b\\u003E", html)
        self.assertIn("</script><b>x</b>", chart_data(html)["departments"]["data"]["labels"])

    def test_clerk_sees_their_department_only(self) -> None:
        self.client.force_login(self.w.clerk_a)
        html = self.client.get(URL).content.decode()
        self.assertIn("东川市教育局共梳理职责事项2项", html)
        self.assertNotIn("东川市市场监督管理局", html)
        self.assertEqual(chart_data(html)["departments"]["data"]["labels"], ["市教育局"])
        self.assertNotIn("清单汇编", html)
        self.assertEqual(self.client.get(f"{URL}?department={self.w.dept_b.pk}").status_code, 404)
        self.assertEqual(self.client.get(f"{URL}?region={self.w.county.pk}").status_code, 404)
        self.assertEqual(self.client.get(f"{URL}?department={self.w.dept_a.pk}").status_code, 200)

    def test_supervisor_reads_the_region(self) -> None:
        self.client.force_login(self.w.supervisor)
        html = self.client.get(URL).content.decode()
        self.assertIn("河西区教育和体育局", html)
        self.assertIn("市县两级共梳理职责事项4项", html)
        self.assertNotIn("清单汇编", html)  # read-only: no compilation

    def test_drill_down_by_level_region_and_department(self) -> None:
        self.client.force_login(self.w.bianban)
        html = self.client.get(f"{URL}?level=county").content.decode()
        self.assertIn("各区县共梳理职责事项1项", html)
        self.assertEqual(chart_data(html)["departments"]["data"]["labels"], ["河西区教育和体育局"])
        html = self.client.get(f"{URL}?region={self.w.county.pk}").content.decode()
        self.assertIn("全区共梳理职责事项1项", html)
        html = self.client.get(f"{URL}?department={self.w.dept_a.pk}").content.decode()
        self.assertIn("东川市教育局共梳理职责事项2项，分解细化为3项具体工作任务", html)
        self.assertIn("统计分析 · 东川市教育局", html)

    def test_bad_parameters_and_outsiders(self) -> None:
        self.client.force_login(self.w.bianban)
        for query in ("?level=planet", "?region=abc", "?department=99999", "?region=1" + "0" * 20):
            self.assertEqual(self.client.get(URL + query).status_code, 404, query)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)
        lonely = User.objects.create_user("lonely", password="x", is_staff=True)
        self.client.force_login(lonely)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(self.client.get(URL + "export/").status_code, 403)

    def test_dashboard_shows_the_headline_and_the_sentence(self) -> None:
        self.client.force_login(self.w.bianban)
        html = self.client.get("/admin/").content.decode()
        self.assertIn("履职清单综述", html)
        self.assertIn("市县两级共梳理职责事项4项", html)
        self.assertIn("已报送编办2个", html)
        self.assertIn('href="/statistics/"', html)  # the sidebar item and the section's button
        self.assertIn("统计分析", html)
        self.client.force_login(self.w.clerk_b)
        html = self.client.get("/admin/").content.decode()
        self.assertIn("东川市市场监督管理局共梳理职责事项1项", html)
        self.assertRegex(html, r'qd-kpi-value">1</div><div class="qd-muted">部门')

    def test_dashboard_without_grants_has_no_statistics(self) -> None:
        lonely = User.objects.create_user("lonely2", password="x", is_staff=True)
        self.client.force_login(lonely)
        html = self.client.get("/admin/").content.decode()
        self.assertNotIn("履职清单综述", html)
        self.assertNotIn('href="/statistics/"', html)


class ExportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sw = build_stats_world()
        cls.w = cls.sw.w
        Department.objects.filter(pk=cls.w.dept_c.pk).update(name='=HYPERLINK("http://x","点我")')

    def workbook(self, query: str = "") -> openpyxl.Workbook:
        response = self.client.get(f"{URL}export/{query}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn("filename*=utf-8''", response["Content-Disposition"])
        return openpyxl.load_workbook(io.BytesIO(response.content))

    def test_export_has_every_department_the_totals_and_the_figures(self) -> None:
        self.client.force_login(self.w.bianban)
        book = self.workbook()
        sheet = book["统计表"]
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        self.assertTrue(values[0][0].startswith("东川市履职清单统计表（截至"))
        header = [low or top for top, low in zip(values[1], values[2], strict=True)]
        self.assertEqual(header[:6], ["序号", "部门", "层级", "行政区划", "职责事项", "工作任务"])
        self.assertEqual(values[1][header.index("行政编制核定")], "行政编制")  # group row
        data = {row[1]: row for row in values[3:]}
        a = data["东川市教育局"]
        col = header.index
        self.assertEqual(
            [a[col(h)] for h in ("职责事项", "工作任务", "工作规范", "流程图", "科室", "岗位")],
            [2, 3, 1, 1, 3, 4],
        )
        self.assertEqual(
            (a[col("行政编制核定")], a[col("减少办事环节")], a[col("精简办事手续")]), (5, 1, 3)
        )
        self.assertEqual(a[col("报送状态")], "初审退回")
        self.assertEqual(a[col("层级")], "市级")
        self.assertEqual(data["市级合计（3个部门）"][col("工作任务")], 4)
        self.assertEqual(data["县级合计（1个部门）"][col("工作规范")], 2)
        self.assertEqual(data["总计（4个部门）"][col("职责事项")], 4)
        notes = [c.value for row in book["填写说明"].iter_rows() for c in row if c.value]
        self.assertTrue(any("市县两级共梳理职责事项4项" in str(v) for v in notes))

    def test_formula_like_names_are_escaped(self) -> None:
        self.client.force_login(self.w.bianban)
        sheet = self.workbook()["统计表"]
        names = [row[1].value for row in sheet.iter_rows(min_row=4)]
        self.assertIn('\'=HYPERLINK("http://x","点我")', names)
        cell = next(
            row[1] for row in sheet.iter_rows(min_row=4) if "HYPERLINK" in str(row[1].value)
        )
        self.assertEqual(cell.data_type, "s")  # a string, never a formula

    def test_clerk_exports_their_department_only(self) -> None:
        self.client.force_login(self.w.clerk_a)
        sheet = self.workbook()["统计表"]
        names = [row[1].value for row in sheet.iter_rows(min_row=4)]
        self.assertEqual(names, ["东川市教育局"])
        self.client.force_login(self.w.bianban)
        sheet = self.workbook("?level=county")["统计表"]
        self.assertEqual(
            [row[1].value for row in sheet.iter_rows(min_row=4)],
            ['\'=HYPERLINK("http://x","点我")'],
        )
