"""core.bulk: constructing and inserting rows at import scale, as the ORM would."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase

from qingdan.core import bulk
from qingdan.core.fieldvalues import getter
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


class RelateAndGetterTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_relate_leaves_the_instance_as_the_descriptor_does(self) -> None:
        ours, django = bulk.new(TaskPosition, {}), TaskPosition()
        bulk.relate(ours, "position", self.w.position_a)
        django.position = self.w.position_a
        self.assertEqual(state(ours), state(django))
        self.assertEqual(ours._state.fields_cache, django._state.fields_cache)
        self.assertEqual(ours._state.db, django._state.db)
        self.assertIs(ours.position, self.w.position_a)  # no query: the parent is cached
        with self.assertRaises(ValueError):
            bulk.relate(ours, "position", self.w.unit_a)
        with self.assertRaises(TypeError):
            bulk.relate(ours, "role", self.w.position_a)

    def test_relate_to_an_unsaved_parent_takes_its_id_at_insert(self) -> None:
        item = bulk.new(DutyItem, {"department_id": self.w.dept_a.pk, "code": "ZZ201"})
        task = bulk.new(Task, {"department_id": self.w.dept_a.pk})
        bulk.relate(task, "duty_item", item)
        self.assertIsNone(task.duty_item_id)
        self.assertIs(task.duty_item, item)

    def test_getter_reads_loaded_values_and_falls_back_for_deferred_ones(self) -> None:
        names = ["department_id", "code", "name"]
        get = getter(names)
        task = Task.objects.filter(department=self.w.dept_a).first() or self.make_task()
        self.assertEqual(get(task), (task.department_id, task.code, task.name))
        deferred = Task.objects.only("id", "code").get(pk=task.pk)
        with self.assertNumQueries(2):  # the two deferred fields load as attributes do
            self.assertEqual(get(deferred), (task.department_id, task.code, task.name))
        self.assertEqual(getter(["code"])(task), (task.code,))
        self.assertEqual(getter([])(task), ())

    def make_task(self) -> Task:
        item = DutyItem.objects.create(
            department=self.w.dept_a, region=self.w.dept_a.region, code="ZZ301", text="负责防汛"
        )
        return Task.objects.create(
            department=self.w.dept_a,
            region=self.w.dept_a.region,
            duty_item=item,
            code="ZZ301-01",
            name="汛期巡查",
            lead_unit=self.w.unit_a,
            frequency=c.Frequency.MONTHLY,
            occurrences=Decimal("12"),
            unit_hours=Decimal("2"),
        )
