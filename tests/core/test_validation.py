"""core.validation.clean_fields accepts, converts and rejects exactly as Model.full_clean does."""

from __future__ import annotations

import copy
import random
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.test import TestCase

from qingdan.core.validation import clean_fields, clean_fields_many
from qingdan.duties import choices as c
from qingdan.duties.models import DutyItem, Task
from tests.builders import build_world

# For each field: values that pass and values that break a rule (or need converting).
TEXT_VALUES = [
    "",
    "  ",
    "负责全市防汛工作",
    "含<标记>",
    "控制\x07字符",
    "长" * 301,
    "长" * 5001,
    7,
    None,
]
VALUES: dict[str, list[Any]] = {
    "code": ["ZZ001", "ZZ001-01", "", "含空格 的编码", "A" * 33, "编码", 12, None],
    "clause": ["第三条（一）", "", "<b>", "条" * 51, None],
    "text": TEXT_VALUES,
    "name": TEXT_VALUES,
    "description": TEXT_VALUES,
    "legal_basis": TEXT_VALUES,
    "work_spec": TEXT_VALUES,
    "time_limit_note": ["", "5个工作日", "说" * 201],
    "source": [*c.DutySource.values, "", "unknown", None],
    "category": [*c.DutyCategory.values, "", "nope"],
    "frequency": [*c.Frequency.values, "", "hourly", c.Frequency.MONTHLY],
    "discretion": [*c.Level.values, "", "x"],
    "risk_level": [*c.Level.values, "", "x"],
    "is_core": [True, False, None, 1, "是"],
    "is_supervision": [True, False, None, 0],
    "time_limit_days": [None, 0, 15, 3650, 3651, -1, "20", True, 2.5],
    "occurrences": [
        Decimal("12"),
        Decimal("0.5"),
        Decimal("-1"),
        Decimal("100001"),
        Decimal("NaN"),
        Decimal("-Infinity"),
        "3",
        2.5,
        None,
    ],
    "unit_hours": [Decimal("2"), Decimal("1.234567"), Decimal("2001"), "x", None],
    "order": [0, 5, -3, "7", None],
    "status": ["draft", "active", "gone", ""],
}


def outcome(obj: Any, run: Any) -> tuple[dict[str, list[str]] | None, dict[str, Any]]:
    try:
        run(obj)
        errors = None
    except ValidationError as exc:
        errors = exc.message_dict
    values = {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if not f.generated
    }
    return errors, values


class CleanFieldsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def _compare(self, template: Any, exclude: list[str], rounds: int, seed: int) -> int:
        rng = random.Random(seed)
        names = [n for n in VALUES if hasattr(template, n)]
        rejected = 0
        for _ in range(rounds):
            obj = copy.copy(template)
            obj._state = copy.copy(template._state)
            for name in rng.sample(names, rng.randint(1, 4)):
                setattr(obj, name, rng.choice(VALUES[name]))
            twin = copy.copy(obj)
            twin._state = copy.copy(obj._state)
            ours = outcome(obj, lambda o: clean_fields(o, exclude))
            django = outcome(
                twin,
                lambda o: o.full_clean(
                    exclude=exclude, validate_unique=False, validate_constraints=False
                ),
            )
            self.assertEqual(ours, django)
            rejected += ours[0] is not None
        return rejected

    def _compare_many(self, template: Any, exclude: list[str], count: int, seed: int) -> int:
        """clean_fields_many over a batch of random rows (most valid, as in a real import)
        against full_clean on each row's twin."""
        rng = random.Random(seed)
        names = [n for n in VALUES if hasattr(template, n)]
        ours, twins = [], []
        for _ in range(count):
            obj = copy.copy(template)
            obj._state = copy.copy(template._state)
            if rng.random() < 0.3:
                for name in rng.sample(names, rng.randint(1, 3)):
                    setattr(obj, name, rng.choice(VALUES[name]))
            twin = copy.copy(obj)
            twin._state = copy.copy(obj._state)
            ours.append(obj)
            twins.append(twin)
        errors = clean_fields_many(ours, exclude)
        for i, (obj, twin) in enumerate(zip(ours, twins, strict=True)):
            mine = errors[i].message_dict if i in errors else None
            expected = outcome(
                twin,
                lambda o: o.full_clean(
                    exclude=exclude, validate_unique=False, validate_constraints=False
                ),
            )
            self.assertEqual((mine, outcome(obj, lambda o: None)[1]), expected, i)
        return len(errors)

    def test_many_rows_at_once_as_full_clean(self) -> None:
        item = DutyItem(
            department=self.w.dept_a, code="ZZ001", text="负责全市基础教育工作", source="mandate"
        )
        exclude = ["department", "region", "mandate", "created_by", "updated_by"]
        rejected = self._compare_many(item, exclude, 600, 4)
        self.assertGreater(rejected, 20)
        self.assertLess(rejected, 300)
        task = Task(
            department=self.w.dept_a,
            duty_item=item,
            code="ZZ001-01",
            name="组织防汛检查",
            frequency=c.Frequency.MONTHLY,
            occurrences=Decimal("12"),
            unit_hours=Decimal("4"),
            lead_unit=self.w.unit_a,
            status=c.ListStatus.DRAFT,
        )
        exclude = ["duty_item", "department", "region", "created_by", "updated_by"]
        rejected = self._compare_many(task, [*exclude, "lead_unit"], 600, 5)
        self.assertGreater(rejected, 20)
        self.assertLess(rejected, 300)
        self.assertEqual(clean_fields_many([], exclude), {})

    def test_duty_items_as_full_clean(self) -> None:
        item = DutyItem(
            department=self.w.dept_a, code="ZZ001", text="负责全市基础教育工作", source="mandate"
        )
        rejected = self._compare(
            item, ["department", "region", "mandate", "created_by", "updated_by"], 400, 1
        )
        self.assertGreater(rejected, 50)  # the random values do break rules
        self.assertLess(rejected, 400)

    def test_tasks_as_full_clean_with_and_without_the_lead_unit(self) -> None:
        item = DutyItem(department=self.w.dept_a, code="ZZ001", text="负责", source="mandate")
        task = Task(
            department=self.w.dept_a,
            duty_item=item,
            code="ZZ001-01",
            name="组织防汛检查",
            frequency=c.Frequency.MONTHLY,
            occurrences=Decimal("12"),
            unit_hours=Decimal("4"),
            lead_unit=self.w.unit_a,
        )
        exclude = ["duty_item", "department", "region", "created_by", "updated_by"]
        rejected = self._compare(task, [*exclude, "lead_unit"], 400, 2)
        self.assertGreater(rejected, 50)
        task.lead_unit = None
        self.assertEqual(self._compare(task, exclude, 50, 3), 50)  # 承办科室 is required

    def test_a_valid_row_is_left_as_it_was(self) -> None:
        task = Task(
            department=self.w.dept_a,
            code="RW00001",
            name="组织防汛检查",
            frequency=c.Frequency.MONTHLY,
            occurrences=Decimal("12"),
            unit_hours=Decimal("4"),
            lead_unit=self.w.unit_a,
        )
        clean_fields(task, ["duty_item", "department", "region", "created_by", "updated_by"])
        self.assertEqual((task.name, task.unit_hours), ("组织防汛检查", Decimal("4")))
