"""``qingdan import FILE --department CODE [--skip-bad] [--dry-run]`` from the console."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from qingdan.core.models import ChangeLogEntry
from qingdan.duties import exporters
from qingdan.duties.models import Task
from tests.duties.excel_helpers import NEW_ROW, build_excel_world, fill


class ImportCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.ew = build_excel_world()
        cls.template = exporters.template(cls.ew.w.dept_a)

    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp())

    def write(self, data: bytes, name: str = "清单.xlsx") -> str:
        path = self.dir / name
        path.write_bytes(data)
        return str(path)

    def run_import(self, *args: str) -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        call_command("import", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_imports_and_logs_as_the_system(self) -> None:
        path = self.write(fill(self.template, [NEW_ROW]))
        out, _ = self.run_import(path, "--department", "A01")
        self.assertIn("东川市教育局：职责事项新增1项", out)
        task = Task.objects.get(name=NEW_ROW["task_name"])
        entry = ChangeLogEntry.objects.get(model="duties.task", object_id=str(task.pk))
        self.assertEqual((entry.username, entry.reason), ("system", "命令行导入：清单.xlsx"))

    def test_dry_run_writes_nothing(self) -> None:
        path = self.write(fill(self.template, [NEW_ROW]))
        out, _ = self.run_import(path, "--department", "A01", "--dry-run")
        self.assertIn("试导入（未写入）", out)
        self.assertFalse(Task.objects.filter(name=NEW_ROW["task_name"]).exists())

    def test_errors_are_printed_and_exit_non_zero(self) -> None:
        path = self.write(fill(self.template, [{**NEW_ROW, "lead_unit": "不存在科"}]))
        annotated = self.dir / "标注.xlsx"
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, "共1处问题，未写入任何数据。"):
            call_command(
                "import", path, "--department", "A01", "--annotate", str(annotated), stderr=err
            )
        self.assertIn("第4行 K列（承办科室）：不在可选项中：“不存在科”", err.getvalue())
        self.assertTrue(annotated.is_file())
        self.assertFalse(Task.objects.filter(name=NEW_ROW["task_name"]).exists())

    def test_skip_bad_imports_the_good_rows(self) -> None:
        rows = [{**NEW_ROW, "lead_unit": "不存在科"}, {**NEW_ROW, "task_name": "好行"}]
        path = self.write(fill(self.template, rows))
        out, err = self.run_import(path, "--department", "A01", "--skip-bad")
        self.assertIn("跳过有错误的行1行", out)
        self.assertIn("不存在科", err)
        self.assertTrue(Task.objects.filter(name="好行").exists())

    def test_user_option_applies_that_users_scope(self) -> None:
        path = self.write(fill(self.template, [NEW_ROW]))
        with self.assertRaisesMessage(CommandError, "您没有向“东川市教育局”导入履职清单的权限"):
            self.run_import(path, "--department", "A01", "--user", "clerk_b")
        self.assertFalse(Task.objects.filter(name=NEW_ROW["task_name"]).exists())
        self.run_import(path, "--department", "A01", "--user", "clerk_a")
        self.assertEqual(Task.objects.get(name=NEW_ROW["task_name"]).created_by, self.ew.w.clerk_a)

    def test_unknown_department_or_file(self) -> None:
        path = self.write(self.template)
        with self.assertRaisesMessage(CommandError, "部门编码“ZZZ”不存在"):
            self.run_import(path, "--department", "ZZZ")
        with self.assertRaisesMessage(CommandError, "不存在"):
            self.run_import(str(self.dir / "none.xlsx"), "--department", "A01")
