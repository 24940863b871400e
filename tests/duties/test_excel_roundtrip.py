"""履职清单 Excel: template layout, export, import, and the round trip that changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import python_calamine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from qingdan.core.models import ChangeLogEntry
from qingdan.documents.xlsx import DICTIONARY_SHEET, INSTRUCTIONS_SHEET
from qingdan.duties import exporters, services
from qingdan.duties.importers import ImportOptions, OnExisting, import_list
from qingdan.duties.models import DutyItem, Task, TaskPosition
from qingdan.duties.spreadsheet import LIST_SPEC
from tests.duties.excel_helpers import (
    FIRST_DATA_ROW,
    NEW_ROW,
    build_excel_world,
    cell,
    edit_cells,
    export_a,
    fill,
    sheet_values,
)


def counts() -> tuple[int, int, int]:
    return DutyItem.objects.count(), Task.objects.count(), TaskPosition.objects.count()


class TemplateTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.ew = build_excel_world()
        cls.data = exporters.template(cls.ew.w.dept_a)
        cls.book = openpyxl.load_workbook(io.BytesIO(cls.data))

    def test_template_has_title_grouped_header_and_instructions(self) -> None:
        sheet = self.book[LIST_SPEC.sheet_name]
        self.assertEqual(sheet["A1"].value, "东川市教育局履职清单")
        self.assertEqual(sheet["A2"].value, "序号")
        groups = {sheet.cell(row=2, column=i).value for i in range(1, 30)}
        self.assertTrue({"职责事项", "工作任务", "承办岗位"} <= groups)
        self.assertIn("事项编码", str(sheet[cell("item_code", 3)].value))
        self.assertIn("主办岗位", str(sheet[cell("lead_position", 3)].value))
        self.assertIn(INSTRUCTIONS_SHEET, self.book.sheetnames)
        notes = " ".join(
            str(c.value)
            for row in self.book[INSTRUCTIONS_SHEET].iter_rows()
            for c in row
            if c.value
        )
        self.assertIn("每一行是一项工作任务", notes)

    def test_id_columns_are_hidden(self) -> None:
        sheet = self.book[LIST_SPEC.sheet_name]
        for key in ("department_code", "item_id", "task_id"):
            self.assertTrue(sheet.column_dimensions[LIST_SPEC.letter(key)].hidden, key)

    def test_dropdowns_list_the_departments_own_units_and_positions(self) -> None:
        dictionary = self.book[DICTIONARY_SHEET]
        values = {c.value for row in dictionary.iter_rows() for c in row if c.value}
        self.assertTrue({"办公室", "基础教育科", "教育督导科"} <= values)
        # Two positions named 综合岗: each is shown with its unit.
        self.assertTrue({"综合岗（办公室）", "综合岗（基础教育科）", "基础教育业务岗"} <= values)
        self.assertNotIn("登记注册科", values)  # department B's unit
        validations = self.book[LIST_SPEC.sheet_name].data_validations.dataValidation
        lead = [v for v in validations if LIST_SPEC.letter("lead_unit") in str(v.sqref)]
        self.assertTrue(lead and lead[0].formula1 == "qd_lead_unit")


class RoundTripTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.ew = build_excel_world()

    def importer(self, data: bytes, **options: object):
        return import_list(
            data, self.ew.w.dept_a, acting_user=self.ew.w.clerk_a, options=ImportOptions(**options)
        )

    def test_export_shows_one_row_per_task_and_items_without_tasks_once(self) -> None:
        rows = sheet_values(export_a(self.ew))
        self.assertEqual(
            [(r["item_code"], r["task_code"]) for r in rows],
            [("ZZ001", "ZZ001-01"), ("ZZ001", "ZZ001-02"), ("ZZ002", None)],
        )
        second = rows[1]
        self.assertEqual(second["coop_units"], "办公室")
        self.assertEqual(second["assist_positions"], "综合岗（办公室）")
        self.assertEqual(second["frequency"], "每季度")
        self.assertEqual(second["is_supervision"], "是")
        self.assertEqual(second["item_id"], self.ew.item1.pk)

    def test_reimporting_an_unchanged_export_writes_nothing(self) -> None:
        before, log = counts(), ChangeLogEntry.objects.count()
        result = self.importer(export_a(self.ew))
        self.assertTrue(result.ok, result.messages())
        self.assertEqual(result.counts["items_unchanged"], 2)
        self.assertEqual(result.counts["tasks_unchanged"], 2)
        self.assertEqual((counts(), ChangeLogEntry.objects.count()), (before, log))

    def test_template_fill_import_export_reimport_round_trip(self) -> None:
        template = exporters.template(self.ew.w.dept_a)
        second = {
            **NEW_ROW,
            "task_name": "检查幼儿园办园行为",
            "lead_position": "综合岗（基础教育科）",
        }
        item_only = {"item_text": "承担学前教育统计工作。", "source": "上级交办"}
        data = fill(template, [NEW_ROW, second, item_only])
        result = self.importer(data)
        self.assertTrue(result.ok, result.messages())
        self.assertEqual((result.counts["items_created"], result.counts["tasks_created"]), (2, 2))
        item = DutyItem.objects.get(text=NEW_ROW["item_text"])
        self.assertEqual((item.code, item.category, item.status), ("ZZ003", "regulation", "draft"))
        task = Task.objects.get(name=NEW_ROW["task_name"])
        self.assertEqual(task.code, "ZZ003-01")
        self.assertEqual((task.occurrences, task.annual_hours), (Decimal("20"), Decimal("120")))
        roles = set(task.assignments.values_list("position__code", "role"))
        self.assertEqual(roles, {("G01", "lead"), ("G02", "assist")})
        self.assertTrue(DutyItem.objects.filter(code="ZZ004", source="assigned").exists())
        # Every new row is in the change log, with the acting user.
        logged = ChangeLogEntry.objects.filter(model="duties.task", object_id=str(task.pk)).get()
        self.assertEqual((logged.kind, logged.username), ("create", "clerk_a"))

        exported = export_a(self.ew)
        again = self.importer(exported)
        self.assertTrue(again.ok, again.messages())
        self.assertEqual(again.counts["tasks_unchanged"], 4)
        self.assertEqual(again.counts["items_unchanged"], 4)
        self.assertEqual(sheet_values(export_a(self.ew)), sheet_values(exported))

    def test_update_by_hidden_id_changes_the_row_and_logs_before_and_after(self) -> None:
        data = edit_cells(
            export_a(self.ew),
            {
                cell("task_name", FIRST_DATA_ROW): "编制教育事业发展五年规划（修订）",
                cell("task_code", FIRST_DATA_ROW): "ZZ001-09",
                cell("frequency", FIRST_DATA_ROW): "每半年",
            },
        )
        result = self.importer(data)
        self.assertTrue(result.ok, result.messages())
        self.assertEqual(result.counts["tasks_updated"], 1)
        task = Task.objects.get(pk=self.ew.task1.pk)
        self.assertEqual(
            (task.code, task.frequency, task.occurrences), ("ZZ001-09", "half_yearly", 2)
        )
        self.assertEqual(task.annual_hours, Decimal("20"))
        entry = ChangeLogEntry.objects.filter(model="duties.task", object_id=str(task.pk)).first()
        self.assertEqual(entry.kind, "update")
        self.assertEqual(entry.before["code"], "ZZ001-01")
        self.assertEqual(entry.after["annual_hours"], "20.000")

    def test_update_by_code_without_ids(self) -> None:
        template = exporters.template(self.ew.w.dept_a)
        row = {
            "item_code": "ZZ002",
            "item_text": "负责教育系统信访工作。",
            "category": "公共服务",
            "task_code": "ZZ001-02",
            "task_name": "督促检查规划实施情况",
            "lead_unit": "基础教育科",
            "coop_units": "办公室、教育督导科",
            "frequency": "每月",
            "unit_hours": 16,
            "is_supervision": "是",
            "work_spec": "按月检查。",
            "lead_position": "G03",  # by code: 综合岗 of 基础教育科
            "backup_positions": "基础教育业务岗",
        }
        result = self.importer(fill(template, [row]))
        self.assertTrue(result.ok, result.messages())
        self.assertEqual(result.counts["tasks_updated"], 1)
        task = Task.objects.get(pk=self.ew.task2.pk)
        self.assertEqual(task.duty_item_id, self.ew.item2.pk)  # moved to the other duty item
        self.assertEqual(task.frequency, "monthly")
        self.assertEqual(
            set(task.cooperating_units.values_list("name", flat=True)), {"办公室", "教育督导科"}
        )
        self.assertEqual(
            set(task.assignments.values_list("position__code", "role")),
            {("G03", "lead"), ("G01", "backup")},
        )
        kinds = set(
            ChangeLogEntry.objects.filter(model="duties.taskposition").values_list(
                "kind", flat=True
            )
        )
        self.assertEqual(kinds, {"create", "update", "delete"})

    def test_existing_rows_can_be_skipped_or_refused(self) -> None:
        data = edit_cells(export_a(self.ew), {cell("task_name", FIRST_DATA_ROW): "改名"})
        skipped = self.importer(data, on_existing=OnExisting.SKIP)
        self.assertTrue(skipped.ok)
        self.assertEqual(skipped.counts["tasks_skipped"], 1)
        self.assertEqual(Task.objects.get(pk=self.ew.task1.pk).name, "编制教育事业发展五年规划")
        stopped = self.importer(data, on_existing=OnExisting.STOP)
        self.assertFalse(stopped.ok)
        self.assertIn("已存在，本行对其有改动", stopped.messages()[0])
        self.assertIn(f"第{FIRST_DATA_ROW}行", stopped.messages()[0])
        self.assertEqual(Task.objects.get(pk=self.ew.task1.pk).name, "编制教育事业发展五年规划")

    def test_skip_bad_rows_writes_the_good_rows_only(self) -> None:
        template = exporters.template(self.ew.w.dept_a)
        bad = {**NEW_ROW, "task_name": "坏行", "lead_unit": "不存在科"}
        good = {**NEW_ROW, "task_name": "好行"}
        data = fill(template, [bad, good])
        refused = self.importer(data)
        self.assertFalse(refused.ok)
        self.assertFalse(Task.objects.filter(name__in=["坏行", "好行"]).exists())
        result = self.importer(data, skip_bad=True)
        self.assertTrue(result.written)
        self.assertEqual(result.skipped_rows, [FIRST_DATA_ROW])
        self.assertTrue(Task.objects.filter(name="好行").exists())
        self.assertFalse(Task.objects.filter(name="坏行").exists())
        self.assertIn("跳过有错误的行1行", result.summary())

    def test_import_runs_a_fixed_number_of_queries_whatever_the_row_count(self) -> None:
        template = exporters.template(self.ew.w.dept_a)
        one = fill(template, [NEW_ROW])
        six = fill(
            template,
            [{**NEW_ROW, "item_text": f"职责{i}", "task_name": f"任务{i}"} for i in range(6)],
        )
        self.importer(one, dry_run=True)  # the user's grants are read once and kept
        counts_ = []
        for data in (one, six):
            with CaptureQueriesContext(connection) as queries:
                result = self.importer(data, dry_run=True)
            self.assertTrue(result.ok, result.messages())
            counts_.append(len(queries))
        self.assertEqual(counts_[0], counts_[1])

    def test_dry_run_checks_everything_and_writes_nothing(self) -> None:
        data = fill(exporters.template(self.ew.w.dept_a), [NEW_ROW])
        before = counts()
        result = self.importer(data, dry_run=True)
        self.assertTrue(result.ok)
        self.assertFalse(result.written)
        self.assertEqual(result.counts["tasks_created"], 1)
        self.assertEqual(counts(), before)

    def test_revoked_rows_are_frozen_but_an_unchanged_copy_is_fine(self) -> None:
        services.revoke_task(self.ew.task1, acting_user=None)
        exported = exporters.export_department(
            self.ew.w.dept_a, self.ew.w.clerk_a, include_revoked=True
        )
        self.assertTrue(self.importer(exported).ok)
        changed = edit_cells(exported, {cell("task_name", FIRST_DATA_ROW): "改名"})
        result = self.importer(changed)
        self.assertIn("已撤销的事项不能修改。", " ".join(result.messages()))

    def test_csv_export_carries_grouped_headers_and_escapes_formulas(self) -> None:
        item = self.ew.item2
        item.text = '=HYPERLINK("http://x")负责信访'
        services.update_duty_item(item, acting_user=None)
        data = exporters.export_department(self.ew.w.dept_a, self.ew.w.clerk_a, fmt="csv")
        text = data.decode("utf-8-sig")
        self.assertIn("职责事项-事项编码", text.splitlines()[0])
        self.assertIn("'=HYPERLINK", text)
        xlsx = exporters.export_department(self.ew.w.dept_a, self.ew.w.clerk_a)
        sheet = python_calamine.CalamineWorkbook.from_object(io.BytesIO(xlsx)).get_sheet_by_name(
            LIST_SPEC.sheet_name
        )
        texts = [row[LIST_SPEC.position("item_text")] for row in sheet.to_python()]
        self.assertIn('\'=HYPERLINK("http://x")负责信访', texts)
        self.assertTrue(self.importer(xlsx).ok)  # the escape is undone on import: unchanged


class AdminListExportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.ew = build_excel_world()

    def test_filtered_task_list_exports_only_its_rows_in_the_template_layout(self) -> None:
        self.client.force_login(self.ew.w.clerk_a)
        response = self.client.get("/duties/excel/list/task.xlsx?is_supervision__exact=1")
        self.assertEqual(response.status_code, 200)
        rows = sheet_values(response.content)
        self.assertEqual([r["task_code"] for r in rows], ["ZZ001-02"])

    def test_outsider_gets_only_rows_in_scope(self) -> None:
        self.client.force_login(self.ew.w.clerk_b)
        response = self.client.get("/duties/excel/list/dutyitem.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(sheet_values(response.content), [])
