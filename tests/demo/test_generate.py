"""The synthetic region is deterministic, consistent with every org invariant, and logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import defaultdict

from django.apps import apps
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.test import TestCase

from qingdan.core.changelog import verify_chain
from qingdan.core.models import ChangeLogEntry
from qingdan.demo.accounts import ensure_demo_accounts
from qingdan.demo.generator import generate
from qingdan.org import codes
from qingdan.org.models import Assignment, Department, Person, Position, Region, StaffingQuota, Unit
from qingdan.org.staffing import staffing_report
from qingdan.processes.models import Process


def digest() -> str:
    h = hashlib.sha256()
    for model, fields in (
        (Region, ("code", "name")),
        (Department, ("code", "name", "credit_code")),
        (Unit, ("code", "name", "status")),
        (Position, ("code", "name", "headcount", "leader_level")),
        (Person, ("code", "name", "birth_year", "staffing_type")),
        (
            Assignment,
            ("person__code", "position__code", "start_date", "end_date", "kind", "is_acting"),
        ),
        (StaffingQuota, ("department__code", "unit__code", "administrative", "effective_from")),
    ):
        for row in model.objects.order_by(*fields).values_list(*fields):
            h.update(repr(row).encode())
    return h.hexdigest()


class Rollback(Exception):
    pass


def wipe_lists() -> None:
    """Delete everything the lists (duties, review, processes) hold, in an order PROTECT allows."""
    Process.objects.update(before=None)
    pending = [
        model
        for label in ("processes", "oversight", "duties")
        for model in apps.get_app_config(label).get_models()
    ]
    while pending:
        left = []
        for model in pending:
            try:
                with transaction.atomic():
                    model.objects.all().delete()
            except ProtectedError:
                left.append(model)
        if len(left) == len(pending):
            raise AssertionError(f"cannot delete {left}")
        pending = left


class GenerateTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.report = generate("small", 7)

    def test_same_seed_same_region_and_different_seed_differs(self) -> None:
        first = digest()
        for seed, same in ((7, True), (8, False)):
            try:
                with transaction.atomic():
                    wipe_lists()
                    for model in (Assignment, StaffingQuota, Person, Position, Unit):
                        model.objects.all().delete()
                    Department.objects.update(parent=None)
                    Department.objects.all().delete()
                    for r in Region.objects.order_by("-path"):
                        r.delete()
                    generate("small", seed)
                    self.assertEqual(digest() == first, same)
                    raise Rollback
            except Rollback:
                pass

    def test_refuses_a_database_that_has_data(self) -> None:
        with self.assertRaises(CommandError):
            generate("small", 7)

    def test_codes_are_valid(self) -> None:
        for r in Region.objects.all():
            self.assertIsNone(codes.region_code_problem(r.code, r.level), r.code)
        for d in Department.objects.all():
            self.assertIsNone(codes.credit_code_problem(d.credit_code), d.credit_code)

    def test_no_person_holds_two_primary_posts_at_once(self) -> None:
        by_person = defaultdict(list)
        for a in Assignment.objects.filter(kind="primary").order_by("start_date"):
            by_person[a.person_id].append(a)
        for items in by_person.values():
            for prev, nxt in itertools.pairwise(items):
                self.assertIsNotNone(prev.end_date)
                self.assertLess(prev.end_date, nxt.start_date)

    def test_primary_posts_are_in_the_persons_department(self) -> None:
        self.assertFalse(
            Assignment.objects.filter(kind="primary")
            .exclude(person__department_id=F("department_id"))
            .exists()
        )

    def test_unit_quotas_fit_and_over_quota_is_explained(self) -> None:
        today = dt.date.today()
        report = staffing_report(None, today)
        over_departments = set()
        for dept_id, s in report.departments.items():
            self.assertIsNotNone(s.quota, dept_id)
            if any(bar.over for bar in s.bars.values()):
                over_departments.add(dept_id)
        flagged = set(
            Assignment.objects.filter(over_quota=True).values_list("department_id", flat=True)
        )
        self.assertTrue(over_departments)
        self.assertEqual(over_departments, flagged)
        self.assertFalse(Assignment.objects.filter(over_quota=True, override_reason="").exists())
        for dept_id in report.departments:
            dept_q = report.departments[dept_id].quota
            unit_total = sum(
                s.quota.administrative + s.quota.institution
                for uid, s in report.units.items()
                if s.quota is not None and s.quota.department_id == dept_id
            )
            self.assertLessEqual(unit_total, dept_q.administrative + dept_q.institution)

    def test_there_are_vacancies_histories_and_abolished_units(self) -> None:
        self.assertTrue(Assignment.objects.filter(end_date__isnull=False).exists())
        self.assertTrue(Person.objects.exclude(status="active").exists())
        self.assertTrue(
            Assignment.objects.filter(is_acting=True).exists()
            or Assignment.objects.filter(kind="concurrent").exists()
        )
        report = staffing_report(None, dt.date.today())
        self.assertTrue(
            any(bar.vacant for s in report.departments.values() for bar in s.bars.values())
        )

    def test_every_generated_row_is_in_the_verified_change_log(self) -> None:
        logged = ChangeLogEntry.objects.filter(model="org.position").count()
        self.assertEqual(logged, Position.objects.count())
        self.assertTrue(verify_chain().ok)

    def test_demo_accounts_see_their_scope(self) -> None:
        accounts = {a.username: a for a in ensure_demo_accounts()}
        self.assertEqual(
            set(accounts),
            {
                "bianban",
                "supervisor",
                "dept_admin",
                "clerk",
                "leader",
                "other_clerk",
                "county_bianban",
            },
        )
        from qingdan.core.models import User

        def seen(username):
            return set(
                Department.objects.restrict(
                    User.objects.get(username=username), "view"
                ).values_list("id", flat=True)
            )

        all_ids = set(Department.objects.values_list("id", flat=True))
        self.assertEqual(seen("bianban"), all_ids)
        self.assertEqual(seen("supervisor"), all_ids)
        county = Region.objects.get(level="county")
        self.assertEqual(
            seen("county_bianban"),
            set(Department.objects.filter(region=county).values_list("id", flat=True)),
        )
        clerk = seen("clerk")
        self.assertEqual(len(clerk), 1)
        self.assertTrue(clerk < seen("dept_admin") or clerk == seen("dept_admin"))
        self.assertFalse(clerk & seen("other_clerk"))
        # Passwords are new on every call and work.
        again = {a.username: a for a in ensure_demo_accounts()}
        self.assertNotEqual(again["clerk"].password, accounts["clerk"].password)
        self.assertTrue(User.objects.get(username="clerk").check_password(again["clerk"].password))
