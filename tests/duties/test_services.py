"""Invariants of the 履职清单 services: Chinese errors, nothing written on refusal, revocation."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from qingdan.core.models import ChangeLogEntry
from qingdan.duties import services
from qingdan.duties.models import DutyItem, Task, TaskPosition
from tests import builders as b
from tests.builders import build_world
from tests.duties import helpers as h


class ServiceTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()
        cls.unit_a2 = b.unit(cls.w.dept_a, "U02", "教育督导科")
        cls.item = h.duty(cls.w.dept_a, "负责全市教育督导评估工作。")
        cls.task = h.task(cls.item, cls.w.unit_a, "组织年度督导评估")

    def assertNothingWritten(self, before: int) -> None:
        self.assertEqual(ChangeLogEntry.objects.count(), before)

    def assertRefused(self, field: str, fragment: str, call, *args, **kwargs) -> None:
        before = ChangeLogEntry.objects.count()
        with self.assertRaises(ValidationError) as caught:
            call(*args, **kwargs)
        messages = caught.exception.message_dict.get(field, [])
        self.assertTrue(any(fragment in m for m in messages), caught.exception.message_dict)
        self.assertNothingWritten(before)


class DerivedFieldsTests(ServiceTestCase):
    def test_region_department_and_code_come_from_the_parent(self) -> None:
        self.assertEqual(self.item.region_id, self.w.city.pk)
        self.assertEqual(self.item.code, "ZZ001")
        self.assertEqual(self.task.department_id, self.w.dept_a.pk)
        self.assertEqual(self.task.region_id, self.w.city.pk)
        self.assertEqual(self.task.code, "ZZ001-01")
        second = h.duty(self.w.dept_a, "负责教师队伍建设。")
        self.assertEqual(second.code, "ZZ002")

    def test_occurrences_follow_the_frequency_and_annual_hours_are_generated(self) -> None:
        t = h.task(self.item, self.w.unit_a, "每周例会", frequency="weekly", unit_hours="2")
        self.assertEqual(t.occurrences, Decimal("50"))
        self.assertEqual(t.annual_hours, Decimal("100"))
        t.frequency = "daily"
        t.occurrences = Decimal("3")  # ignored: derived from the frequency
        services.update_task(t, acting_user=None)
        self.assertEqual(t.occurrences, Decimal("250"))
        self.assertEqual(t.annual_hours, Decimal("500"))

    def test_per_case_task_needs_a_positive_yearly_count(self) -> None:
        t = Task(
            duty_item=self.item,
            lead_unit=self.w.unit_a,
            name="受理投诉",
            frequency="per_case",
            occurrences=Decimal("0"),
            unit_hours=Decimal("1"),
        )
        self.assertRefused("occurrences", "按件", services.create_task, t, acting_user=None)
        self.assertFalse(Task.objects.filter(name="受理投诉").exists())
        t.occurrences = Decimal("120")
        services.create_task(t, acting_user=None)
        self.assertEqual(t.annual_hours, Decimal("120"))

    def test_duty_item_takes_its_department_from_the_mandate(self) -> None:
        m = h.mandate(self.w.dept_a)
        item = DutyItem(mandate=m, text="负责学校安全工作。")
        services.create_duty_item(item, acting_user=None)
        self.assertEqual(item.department_id, self.w.dept_a.pk)

    def test_mandate_versions_count_up_per_department(self) -> None:
        first, second = h.mandate(self.w.dept_a), h.mandate(self.w.dept_a, "第二版")
        other = h.mandate(self.w.dept_b, "市场监管局三定规定")
        self.assertEqual((first.version, second.version, other.version), (1, 2, 1))
        self.assertEqual((first.code, second.code), ("SD001", "SD002"))


class CrossDepartmentTests(ServiceTestCase):
    def test_lead_unit_must_belong_to_the_tasks_department(self) -> None:
        t = Task(
            duty_item=self.item,
            lead_unit=self.w.unit_b,
            name="跨部门任务",
            frequency="yearly",
            occurrences=Decimal("1"),
            unit_hours=Decimal("1"),
        )
        self.assertRefused("lead_unit", "本部门", services.create_task, t, acting_user=None)
        self.assertFalse(Task.objects.filter(name="跨部门任务").exists())

    def test_cooperating_units_must_belong_to_the_department_and_differ_from_lead(self) -> None:
        t = Task.objects.get(pk=self.task.pk)
        self.assertRefused(
            "cooperating_units",
            "本部门",
            services.update_task,
            t,
            acting_user=None,
            cooperating_units=[self.w.unit_b],
        )
        self.assertRefused(
            "cooperating_units",
            "承办科室不能同时",
            services.update_task,
            t,
            acting_user=None,
            cooperating_units=[self.w.unit_a],
        )
        services.update_task(t, acting_user=None, cooperating_units=[self.unit_a2])
        self.assertEqual(list(t.cooperating_units.all()), [self.unit_a2])
        self.assertTrue(
            ChangeLogEntry.objects.filter(
                model="duties.task", object_id=str(t.pk), after__cooperating_units=[self.unit_a2.pk]
            ).exists()
        )

    def test_task_cannot_move_to_another_departments_duty_item(self) -> None:
        other = h.duty(self.w.dept_b, "负责市场主体登记。")
        t = Task.objects.get(pk=self.task.pk)
        t.duty_item = other
        self.assertRefused("duty_item", "其他部门", services.update_task, t, acting_user=None)

    def test_duty_item_units_must_be_the_departments(self) -> None:
        item = DutyItem(department=self.w.dept_a, text="负责学籍管理。")
        self.assertRefused(
            "units",
            "本部门",
            services.create_duty_item,
            item,
            acting_user=None,
            units=[self.w.unit_b],
        )

    def test_task_position_must_be_an_active_position_of_the_department(self) -> None:
        tp = TaskPosition(task=self.task, position=self.w.position_b, role="lead")
        self.assertRefused(
            "position", "本部门", services.create_task_position, tp, acting_user=None
        )
        closed = b.position(self.w.dept_a, self.w.unit_a, "G09", "已撤销岗")
        closed.status, closed.abolished_on = "abolished", closed.created_at.date()
        from qingdan.org import services as org_services

        org_services.update_position(closed, acting_user=None)
        tp = TaskPosition(task=self.task, position=closed, role="assist")
        self.assertRefused(
            "position", "已撤销", services.create_task_position, tp, acting_user=None
        )
        self.assertFalse(TaskPosition.objects.exists())

    def test_one_lead_per_task_with_a_readable_message(self) -> None:
        h.put(self.task, self.w.position_a, "lead")
        second = b.position(self.w.dept_a, self.w.unit_a, "G02", "督导岗")
        tp = TaskPosition(task=self.task, position=second, role="lead")
        self.assertRefused(
            "role", "只能有一个主办", services.create_task_position, tp, acting_user=None
        )
        tp.role = "assist"
        services.create_task_position(tp, acting_user=None)
        self.assertEqual(tp.department_id, self.w.dept_a.pk)


class StatusTests(ServiceTestCase):
    def _publish(self, obj) -> None:
        services.transition_status(obj, "active", acting_user=None)

    def test_drafts_can_be_deleted_published_rows_cannot(self) -> None:
        draft = h.duty(self.w.dept_a, "负责草稿事项。")
        services.delete_duty_item(draft, acting_user=None)
        self.assertFalse(DutyItem.objects.filter(pk=draft.pk).exists())
        self._publish(self.item)
        before = ChangeLogEntry.objects.count()
        with self.assertRaisesMessage(ValidationError, "已发布的事项不能删除，请改为撤销"):
            services.delete_duty_item(self.item, acting_user=None)
        self.assertNothingWritten(before)
        self.assertTrue(DutyItem.objects.filter(pk=self.item.pk).exists())

    def test_deleting_a_draft_task_logs_its_position_assignments(self) -> None:
        tp = h.put(self.task, self.w.position_a)
        services.delete_task(self.task, acting_user=None)
        self.assertTrue(
            ChangeLogEntry.objects.filter(
                model="duties.taskposition", object_id=str(tp.pk), kind="delete"
            ).exists()
        )

    def test_revoking_a_duty_item_revokes_its_tasks(self) -> None:
        self._publish(self.item)
        services.revoke_duty_item(self.item, acting_user=self.w.clerk_a, reason="职责划出")
        self.item.refresh_from_db()
        self.assertEqual(self.item.status, "revoked")
        self.assertIsNotNone(self.item.valid_to)
        self.assertEqual(Task.objects.get(pk=self.task.pk).status, "revoked")

    def test_revoked_rows_are_frozen_and_status_is_not_editable(self) -> None:
        item = DutyItem.objects.get(pk=self.item.pk)
        item.status = "active"
        self.assertRefused(
            "status", "状态不能直接修改", services.update_duty_item, item, acting_user=None
        )
        services.revoke_duty_item(self.item, acting_user=None)
        item = DutyItem.objects.get(pk=self.item.pk)
        item.text = "改写"
        self.assertRefused("__all__", "已撤销", services.update_duty_item, item, acting_user=None)
        with self.assertRaises(ValidationError):
            services.transition_status(item, "active", acting_user=None)

    def test_transitions_check_the_users_permission(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.revoke_task(self.task, acting_user=self.w.supervisor)
        with self.assertRaises(PermissionDenied):  # publishing is for the 编办
            services.transition_status(self.task, "active", acting_user=self.w.clerk_a)
        services.transition_status(self.task, "active", acting_user=self.w.bianban)
        self.assertEqual(Task.objects.get(pk=self.task.pk).status, "active")

    def test_department_of_a_row_cannot_change(self) -> None:
        item = DutyItem.objects.get(pk=self.item.pk)
        item.department = self.w.dept_b
        self.assertRefused(
            "department", "不能更改所属部门", services.update_duty_item, item, acting_user=None
        )


class WorkSpecTests(ServiceTestCase):
    def test_lists_tasks_needing_a_work_specification(self) -> None:
        plain = self.task
        enforcement = h.task(self.item, self.w.unit_a, "执法检查", is_enforcement=True)
        risky = h.task(self.item, self.w.unit_a, "经费审批", risk_level="high", discretion="high")
        covered = h.task(
            self.item, self.w.unit_a, "日常监管", is_supervision=True, work_spec="按规范执行"
        )
        blank = h.task(self.item, self.w.unit_a, "专项监管", is_supervision=True, work_spec="  ")
        problems = services.work_spec_problems(
            Task.objects.filter(pk__in=[plain.pk, enforcement.pk, risky.pk, covered.pk, blank.pk])
        )
        by_task = {p.task.pk: p for p in problems}
        self.assertEqual(set(by_task), {enforcement.pk, risky.pk, blank.pk})
        self.assertEqual(by_task[risky.pk].reasons, ("自由裁量程度高", "廉政风险等级高"))
        self.assertIn("须制定工作规范", by_task[enforcement.pk].message)
        self.assertIn("执法事项", by_task[enforcement.pk].message)
