"""The handbook's content read from the database: chapters, counts, published versions, and a
fixed number of queries whatever the size of the department."""

from __future__ import annotations

from django.test import TestCase
from django.utils import timezone

from qingdan.documents.handbook import handbook_content
from qingdan.documents.handbook.content import Card, Figure, Table
from qingdan.org.models import Position
from qingdan.oversight.models import ListVersion
from qingdan.oversight.versions import build_snapshot
from tests.documents.handbook_world import build_handbook_world
from tests.duties import helpers as dh


class HandbookContentFromDatabaseTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.hw = build_handbook_world()

    def test_chapters_follow_the_department(self) -> None:
        hb = handbook_content(self.hw.w.dept_a)
        keys = [c.key for c in hb.chapters]
        self.assertEqual(keys, ["profile", "staffing", "tasks", "cards", "flowcharts", "risks"])
        self.assertEqual(hb.cover.department, "东川市教育局")
        self.assertEqual(hb.cover.region, "东川市")
        self.assertEqual(hb.cover.version_text, "工作稿（未发布）")
        text = hb.text()
        self.assertIn("东川市教育局是市人民政府工作部门，为正处级。", text)
        self.assertIn("东编发〔2019〕12号", text)
        self.assertIn("校园安全检查", text)
        self.assertIn("《中小学幼儿园安全管理办法》", text)

    def test_counts_match_the_rows(self) -> None:
        hb = handbook_content(self.hw.w.dept_a)
        c = hb.counts
        self.assertEqual(c.units, 3)  # 基础教育科, 办公室, 政策法规科
        self.assertEqual(c.tasks, 2)
        self.assertEqual(c.duty_items, 2)
        self.assertEqual(c.flowcharts, 1)
        self.assertEqual(c.positions, Position.objects.filter(department=self.hw.w.dept_a).count())
        self.assertGreater(c.risks, 0)
        cards = [b for ch in hb.chapters for b in ch.blocks if isinstance(b, Card)]
        self.assertEqual(len(cards), 2)
        figures = [b for ch in hb.chapters for b in ch.blocks if isinstance(b, Figure)]
        self.assertEqual(len(figures), 1)
        self.assertEqual(len(figures[0].layout.nodes), self.hw.pw.process_a.steps.count())

    def test_task_card_carries_positions_and_cooperating_unit(self) -> None:
        hb = handbook_content(self.hw.w.dept_a)
        cards = [b for ch in hb.chapters for b in ch.blocks if isinstance(b, Card)]
        rows = dict(
            next(c for c in cards if ("工作规范", "每学期开学前完成全面检查。") in c.rows).rows
        )
        self.assertEqual(rows["协办科室"], "基础教育科")
        self.assertIn("基础教育业务岗", rows["协办岗位"])
        self.assertEqual(rows["履职频次"], "每月")

    def test_staffing_table_has_a_row_per_unit_and_a_total(self) -> None:
        hb = handbook_content(self.hw.w.dept_a)
        staffing = next(c for c in hb.chapters if c.key == "staffing")
        table = next(b for b in staffing.blocks if isinstance(b, Table))
        self.assertEqual(len(table.rows), 3)
        self.assertEqual(table.total[1], "合计")

    def test_revoked_tasks_are_left_out(self) -> None:
        from qingdan.duties.models import Task

        Task.objects.filter(pk=self.hw.second.pk).update(status="revoked")
        hb = handbook_content(self.hw.w.dept_a)
        self.assertNotIn("校园安全检查", hb.text())

    def test_published_version_uses_its_snapshot(self) -> None:
        from qingdan.duties.models import Task

        Task.objects.filter(department=self.hw.w.dept_a).update(status="active")
        from qingdan.duties.models import DutyItem

        DutyItem.objects.filter(department=self.hw.w.dept_a).update(status="active")
        version = ListVersion(
            department=self.hw.w.dept_a,
            region=self.hw.w.dept_a.region,
            number=3,
            published_at=timezone.now(),
            snapshot=build_snapshot(self.hw.w.dept_a),
        )
        # Changed after publication: the handbook of version 3 still shows the old name.
        Task.objects.filter(pk=self.hw.second.pk).update(name="改名后的任务")
        hb = handbook_content(self.hw.w.dept_a, version=version)
        self.assertTrue(hb.cover.version_text.startswith("第3版"))
        self.assertIn("校园安全检查", hb.text())
        self.assertNotIn("改名后的任务", hb.text())
        self.assertEqual(hb.counts.flowcharts, 1)  # processes matched by task code

    def test_queries_do_not_grow_with_the_number_of_tasks(self) -> None:
        dept = self.hw.w.dept_a
        with self.assertNumQueries(QUERIES):
            handbook_content(dept)
        item = dh.duty(dept, "负责教育统计工作。")
        for i in range(5):
            t = dh.task(
                item, self.hw.pw.office_a, f"统计报表{i}", cooperating_units=[self.hw.w.unit_a]
            )
            dh.put(t, self.hw.w.position_a)
        dept.refresh_from_db()
        with self.assertNumQueries(QUERIES):
            hb = handbook_content(dept)
        self.assertEqual(hb.counts.tasks, 7)


QUERIES = 20
