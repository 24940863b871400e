"""core.bulk: constructing and inserting rows at import scale, as the ORM would."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase

from qingdan.core import bulk
from qingdan.duties import choices as c
from qingdan.duties.models import DutyItem, Task, TaskPosition
from tests.builders import build_world


def state(obj: object) -> dict:
    return {k: v for k, v in vars(obj).items() if k != "_state"}


class NewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_new_leaves_the_instance_as_the_constructor_does(self) -> None:
        values = {
            "department_id": self.w.dept_a.pk,
            "region_id": self.w.dept_a.region_id,
            "code": "ZZ001-01",
            "name": "组织防汛检查",
            "frequency": c.Frequency.MONTHLY,
            "occurrences": Decimal("12"),
            "unit_hours": Decimal("4"),
            "lead_unit_id": self.w.unit_a.pk,
        }
        ours, django = bulk.new(Task, values), Task(**values)
        self.assertEqual(state(ours), state(django))
        self.assertTrue(ours._state.adding)
        self.assertIsNone(ours.pk)
        self.assertEqual(ours.lead_unit, self.w.unit_a)  # relations load as usual
        self.assertEqual(ours.status, c.ListStatus.DRAFT)  # the model's defaults
        tp = bulk.new(TaskPosition, {"role": c.TaskRole.LEAD})
        self.assertEqual(state(tp), state(TaskPosition(role=c.TaskRole.LEAD)))

    def test_new_refuses_names_that_are_not_fields(self) -> None:
        with self.assertRaisesMessage(TypeError, "department"):
            bulk.new(DutyItem, {"department": self.w.dept_a})

    def test_inserted_rows_get_their_ids_timestamps_and_computed_columns(self) -> None:
        item = bulk.new(
            DutyItem,
            {
                "department_id": self.w.dept_a.pk,
                "region_id": self.w.dept_a.region_id,
                "code": "ZZ101",
                "text": "负责防汛",
                "source": c.DutySource.MANDATE,
                "category": c.DutyCategory.OTHER,
            },
        )
        bulk.insert(
            [item],
            key=lambda i: i.code,
            lookup=DutyItem.objects.filter(department=self.w.dept_a),
            key_fields=["code"],
        )
        task = bulk.new(
            Task,
            {
                "department_id": self.w.dept_a.pk,
                "region_id": self.w.dept_a.region_id,
                "code": "ZZ101-01",
                "name": "汛期巡查",
                "frequency": c.Frequency.MONTHLY,
                "occurrences": Decimal("12"),
                "unit_hours": Decimal("2.5"),
                "lead_unit_id": self.w.unit_a.pk,
            },
        )
        task.duty_item = item  # a parent saved in the same batch: its id is taken at insert
        bulk.insert(
            [task],
            key=lambda t: t.code,
            lookup=Task.objects.filter(department=self.w.dept_a),
            key_fields=["code"],
            read_back=["annual_hours"],
        )
        stored = Task.objects.get(pk=task.pk)
        self.assertEqual(stored.duty_item_id, item.pk)
        self.assertEqual(stored.annual_hours, Decimal("30"))
        self.assertEqual(task.annual_hours, stored.annual_hours)
        self.assertEqual(stored.created_at, task.created_at)
        self.assertFalse(task._state.adding)
