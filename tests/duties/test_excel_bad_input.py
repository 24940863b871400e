"""Bad 履职清单 workbooks: each problem reported in Chinese with its location, nothing written."""

from __future__ import annotations

import io
import zipfile
from unittest import mock

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase, override_settings

from qingdan.core.models import ChangeLogEntry
from qingdan.duties import exporters, services
from qingdan.duties.importers import ImportOptions, annotated_workbook, import_list
from qingdan.duties.models import DutyItem, Task, TaskPosition
from qingdan.duties.services import validate_task_position
from qingdan.duties.spreadsheet import LIST_SPEC
from tests.duties.excel_helpers import (
    FIRST_DATA_ROW,
    NEW_ROW,
    build_excel_world,
    cell,
    edit_cells,
    export_a,
    fill,
)

R = FIRST_DATA_ROW
SHEET = f"工作表“{LIST_SPEC.sheet_name}”"


def at(row: int, key: str | None = None) -> str:
    """The Chinese location every per-cell message starts with: sheet, row and column."""
    if key is None:
        return f"{SHEET}第{row}行"
    header = next(c.header for c in LIST_SPEC.columns if c.key == key)
    return f"{SHEET}第{row}行 {LIST_SPEC.letter(key)}列（{header}）："


def rewrite(data: bytes, name: str, change: bytes | None = None) -> bytes:
    """Copy the xlsx zip, replacing or adding one member."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        if change is not None:
            target.writestr(name, change)
    return out.getvalue()


class BadWorkbookTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.ew = build_excel_world()
        cls.template = exporters.template(cls.ew.w.dept_a)

    def setUp(self) -> None:
        self.before = self.snapshot()

    def snapshot(self) -> tuple[int, ...]:
        return (
            DutyItem.objects.count(),
            Task.objects.count(),
            TaskPosition.objects.count(),
            ChangeLogEntry.objects.count(),
        )

    def refused(self, data: bytes, *, user=None, **options: object) -> list[str]:
        """Import, assert that nothing was written, return the Chinese messages."""
        result = import_list(
            data,
            self.ew.w.dept_a,
            acting_user=user or self.ew.w.clerk_a,
            options=ImportOptions(**options),
        )
        self.assertFalse(result.ok)
        self.assertFalse(result.written)
        self.assertEqual(self.snapshot(), self.before)
        return result.messages()

    def one(self, data: bytes) -> str:
        messages = self.refused(data)
        self.assertEqual(len(messages), 1, messages)
        return messages[0]

    def row(self, **values: object) -> bytes:
        return fill(self.template, [{**NEW_ROW, **values}])

    # -- the file ---------------------------------------------------------------------------

    def test_malformed_file(self) -> None:
        self.assertIn("文件已损坏或不完整", self.one(b"PK\x03\x04" + b"\x00" * 200))

    def test_encrypted_or_legacy_xls(self) -> None:
        ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000
        self.assertIn("文件已加密或为旧版 .xls 格式", self.one(ole))

    @override_settings(QINGDAN_MAX_UPLOAD_BYTES=4096)
    def test_oversized_file(self) -> None:
        self.assertIn("超过上限", self.one(self.template))

    def test_zip_bomb(self) -> None:
        bomb = rewrite(self.template, "xl/media/image1.bin", b"\x00" * (8 * 1024 * 1024))
        self.assertIn("疑似压缩炸弹", self.one(bomb))

    def test_wrong_or_missing_sheet(self) -> None:
        book = openpyxl.load_workbook(io.BytesIO(self.template))
        book[LIST_SPEC.sheet_name].title = "Sheet1"
        out = io.BytesIO()
        book.save(out)
        message = self.one(out.getvalue())
        self.assertIn("未找到工作表“履职清单”", message)
        self.assertIn("“Sheet1”", message)

    def test_moved_column_and_missing_header(self) -> None:
        def move(sheet) -> None:
            sheet.delete_cols(LIST_SPEC.position("description") + 1)

        message = " ".join(self.refused(fill(self.template, [NEW_ROW], edit=move)))
        self.assertIn("应在", message)
        self.assertIn("请勿插入、删除或移动列", message)

    # -- the data area ----------------------------------------------------------------------

    def test_merged_cells_in_the_data_area(self) -> None:
        a, b = cell("item_text", R), cell("item_text", R + 1)

        def merge(sheet) -> None:
            sheet.merge_cells(f"{a}:{b}")

        data = fill(self.template, [NEW_ROW, {**NEW_ROW, "task_name": "第二项"}], edit=merge)
        message = " ".join(self.refused(data))
        self.assertIn(at(R, "item_text"), message)
        self.assertIn("合并单元格", message)

    def test_hidden_rows(self) -> None:
        def hide(sheet) -> None:
            sheet.row_dimensions[R + 1].hidden = True

        data = fill(self.template, [NEW_ROW, {**NEW_ROW, "task_name": "隐藏的任务"}], edit=hide)
        message = " ".join(self.refused(data))
        self.assertIn(at(R + 1), message)
        self.assertIn("该行被隐藏", message)

    def test_formulas_in_cells(self) -> None:
        message = self.one(self.row(unit_hours="=2*3"))
        self.assertIn(at(R, "unit_hours"), message)
        self.assertIn("单元格含公式", message)

    def test_stray_spaces_and_full_width_digits_are_tolerated(self) -> None:
        data = self.row(lead_unit="\u3000基础教育科 ", unit_hours="６", task_name=" 审核申请\xa0")
        result = import_list(data, self.ew.w.dept_a, acting_user=self.ew.w.clerk_a)
        self.assertTrue(result.ok, result.messages())
        self.assertTrue(Task.objects.filter(name="审核申请", unit_hours=6).exists())

    def test_dictionary_mismatch_suggests_the_right_value(self) -> None:
        message = self.one(self.row(category="监督管理类"))
        self.assertIn(at(R, "category"), message)
        self.assertIn("不在可选项中：“监督管理类”，是否应为“监督管理”", message)

    def test_unknown_unit_and_position_are_refused_within_the_department(self) -> None:
        # 登记注册科 exists — in department B, which does not make it a unit of A.
        messages = self.refused(self.row(lead_unit="登记注册科", lead_position="登记注册审核岗"))
        self.assertEqual(len(messages), 2, messages)
        self.assertIn(at(R, "lead_unit") + "不在可选项中：“登记注册科”", messages[0])
        self.assertIn(at(R, "lead_position") + "不在可选项中：“登记注册审核岗”", messages[1])

    def test_ambiguous_position_name_must_name_its_unit(self) -> None:
        message = self.one(self.row(lead_position="综合岗"))
        self.assertIn(at(R, "lead_position") + "不在可选项中：“综合岗”", message)

    # -- codes and rows ---------------------------------------------------------------------

    def test_duplicate_task_codes_in_the_file(self) -> None:
        data = fill(
            self.template,
            [
                {**NEW_ROW, "task_code": "RW1"},
                {**NEW_ROW, "task_code": "RW1", "task_name": "另一项"},
            ],
        )
        messages = self.refused(data)
        self.assertEqual(len(messages), 2, messages)
        self.assertIn(at(R, "task_code") + "任务编码“RW1”在文件中重复，另见第5行", messages[0])
        self.assertIn(at(R + 1, "task_code"), messages[1])

    def test_codes_differing_only_by_stray_spaces_are_duplicates(self) -> None:
        data = fill(
            self.template,
            [
                {**NEW_ROW, "task_code": "RW1"},
                {**NEW_ROW, "task_code": "\u3000RW1 ", "task_name": "另一项"},
            ],
        )
        messages = self.refused(data)
        self.assertIn(at(R + 1, "task_code") + "任务编码“RW1”在文件中重复", " ".join(messages))

    def test_missing_list_sheet(self) -> None:
        book = openpyxl.load_workbook(io.BytesIO(self.template))
        del book[LIST_SPEC.sheet_name]
        out = io.BytesIO()
        book.save(out)
        self.assertIn(f"未找到工作表“{LIST_SPEC.sheet_name}”", self.one(out.getvalue()))

    def test_one_duty_item_written_differently_on_two_rows(self) -> None:
        data = fill(
            self.template,
            [
                {**NEW_ROW, "item_code": "ZZ050"},
                {**NEW_ROW, "item_code": "ZZ050", "item_text": "另一段内容", "task_name": "二"},
            ],
        )
        message = self.one(data)
        self.assertIn(at(R + 1, "item_text"), message)
        self.assertIn(f"同一职责事项在第{R}行", message)

    def test_renaming_to_a_code_in_use_is_refused_with_the_models_message(self) -> None:
        data = edit_cells(export_a(self.ew), {cell("task_code", R): "ZZ001-02"})
        messages = self.refused(data)
        self.assertIn("任务编码“ZZ001-02”在文件中重复", " ".join(messages))
        item_rename = edit_cells(
            export_a(self.ew), {cell("item_code", R + 2): "ZZ001"}
        )  # ZZ002's row claims ZZ001's code
        self.assertIn("同一部门内职责事项编码不能重复。", " ".join(self.refused(item_rename)))

    def test_rows_of_another_department_are_refused(self) -> None:
        other = exporters.export_department(self.ew.w.dept_b, self.ew.w.bianban)
        exported_b = fill(
            other, [{"item_text": "B的职责", "department_code": self.ew.w.dept_b.code}]
        )
        message = " ".join(self.refused(exported_b))
        self.assertIn("本行来自其他部门（部门编码“B01”）的清单", message)

    def test_system_ids_of_another_departments_rows_are_refused(self) -> None:
        from tests.duties.helpers import duty

        foreign = duty(self.ew.w.dept_b, "市场主体登记注册。", code="ZZ001")
        self.before = self.snapshot()
        data = edit_cells(
            export_a(self.ew),
            {cell("item_id", R + 2): foreign.pk, cell("department_code", R + 2): None},
        )
        message = " ".join(self.refused(data))
        self.assertIn("该职责事项属于“东川市市场监督管理局”", message)

    # -- the back office's rules ------------------------------------------------------------

    def test_service_rules_apply_as_in_the_back_office(self) -> None:
        data = fill(
            self.template,
            [
                {**NEW_ROW, "occurrences": None},  # 按件 needs a yearly count
                {**NEW_ROW, "task_name": "二", "coop_units": "基础教育科"},  # lead also cooperating
                {**NEW_ROW, "task_name": "名称<b>"},  # markup in a name
                {**NEW_ROW, "task_name": "四", "assist_positions": "基础教育业务岗"},  # twice
            ],
        )
        messages = self.refused(data)
        joined = "\n".join(messages)
        self.assertIn(
            f"第{R}行 {LIST_SPEC.letter('occurrences')}列（年次数）：按件（不定期）的任务必须填写年发生次数",
            joined,
        )
        self.assertIn(
            f"第{R + 1}行 {LIST_SPEC.letter('coop_units')}列（协办科室）：承办科室不能同时作为协办科室。",
            joined,
        )
        self.assertIn(
            f"第{R + 2}行 {LIST_SPEC.letter('task_name')}列（任务名称）：不能包含“<”“>”等标记字符。",
            joined,
        )
        self.assertIn(f"第{R + 3}行 {LIST_SPEC.letter('assist_positions')}列（协办岗位）", joined)
        self.assertIn("该岗位已分配到此任务。", joined)

    def test_a_position_assignment_rule_is_reported_on_every_row_it_concerns(self) -> None:
        # For new tasks the assignment rules are worked out once per position and the verdict
        # reused: every row that assigns the position must still carry the error, in its own
        # role column. (A position the file cannot assign at all — another department's, or
        # abolished — is already refused by the dropdown check; the rule here stands in for any
        # the service may add.)
        refused = self.ew.w.position_a
        calls: list[int] = []

        def rule(tp: TaskPosition, *, check_siblings: bool = True) -> None:
            calls.append(tp.position_id)
            validate_task_position(tp, check_siblings=check_siblings)
            if tp.position_id == refused.pk:
                raise ValidationError({"position": "该岗位本年度不再承担任务。"})

        data = fill(
            self.template,
            [
                {**NEW_ROW, "task_name": "一"},
                {**NEW_ROW, "task_name": "二", "lead_position": "综合岗（办公室）",
                 "assist_positions": "基础教育业务岗"},
                {**NEW_ROW, "task_name": "三"},
            ],
        )  # fmt: skip
        with mock.patch.object(services, "validate_task_position", rule):
            messages = self.refused(data)
        self.assertEqual(
            messages,
            [
                f"{at(R, 'lead_position')}该岗位本年度不再承担任务。",
                f"{at(R + 1, 'assist_positions')}该岗位本年度不再承担任务。",
                f"{at(R + 2, 'lead_position')}该岗位本年度不再承担任务。",
            ],
        )
        self.assertEqual(sorted(calls), sorted(set(calls)))  # once per position
        self.assertEqual(len(calls), 2)

    def test_task_columns_without_a_task_name(self) -> None:
        message = self.one(self.row(task_name=None))
        self.assertIn("（任务名称）：填写了工作任务或承办岗位的其他列时，任务名称不能为空", message)

    def test_every_error_is_reported_at_once_and_marked_in_the_workbook(self) -> None:
        data = fill(
            self.template,
            [
                {**NEW_ROW, "category": "错类"},
                {**NEW_ROW, "task_name": "二", "lead_unit": "错科"},
                {**NEW_ROW, "task_name": "三", "frequency": "每旬"},
            ],
        )
        result = import_list(data, self.ew.w.dept_a, acting_user=self.ew.w.clerk_a)
        self.assertEqual([e.row for e in result.errors], [R, R + 1, R + 2])
        annotated = openpyxl.load_workbook(io.BytesIO(annotated_workbook(data, result)))
        self.assertEqual(annotated.sheetnames[0], "错误清单")
        marked = annotated[LIST_SPEC.sheet_name][cell("lead_unit", R + 1)]
        self.assertIn("不在可选项中", marked.comment.text)

    def test_clerk_of_another_department_cannot_import(self) -> None:
        with self.assertRaises(PermissionDenied):
            import_list(self.row(), self.ew.w.dept_a, acting_user=self.ew.w.clerk_b)
        with self.assertRaises(PermissionDenied):
            import_list(self.row(), self.ew.w.dept_a, acting_user=self.ew.w.supervisor)
        self.assertEqual(self.snapshot(), self.before)
