"""The demo's 三定 regulations and 履职清单: read back by the parser, gaps for the coverage
analysis to find, departments at several stages of review, deterministic by seed."""

from __future__ import annotations

import hashlib
from collections import Counter

from django.db import transaction
from django.test import TestCase

from qingdan.core.changelog import verify_chain
from qingdan.core.models import ChangeLogEntry
from qingdan.demo.duties import _field_of, domain_of, generate_duties
from qingdan.demo.generator import generate
from qingdan.demo.org import generate_org
from qingdan.duties import coverage_data, services
from qingdan.duties.choices import DutySource
from qingdan.duties.models import DutyItem, Mandate, Task, TaskPosition
from qingdan.duties.sanding import FORM_2018, parse_sanding
from qingdan.duties.sanding.parser import _DUTY_VERBS
from qingdan.org.models import StaffingQuota, Unit
from qingdan.oversight.models import Submission


def digest() -> str:
    h = hashlib.sha256()
    for model, fields in (
        (Mandate, ("department__code", "full_text")),
        (DutyItem, ("department__code", "code", "source", "clause", "text", "category")),
        (
            Task,
            ("department__code", "code", "name", "lead_unit__code", "occurrences", "unit_hours"),
        ),
        (TaskPosition, ("task__department__code", "task__code", "position__code", "role")),
    ):
        for row in model.objects.order_by(*fields).values_list(*fields):
            h.update(repr(row).encode())
    return h.hexdigest()


class Rollback(Exception):
    pass


class DutiesDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        org = generate_org("small", 11)
        cls.org = org
        cls.result = generate_duties(org, "small", 11)

    def test_every_department_has_a_2018_form_regulation_the_parser_reads_back(self) -> None:
        self.assertEqual(Mandate.objects.count(), len(self.org.departments))
        for mandate in Mandate.objects.select_related("department"):
            dept = mandate.department
            with self.subTest(department=dept.name):
                doc = parse_sanding(mandate.full_text)
                self.assertEqual(doc.form, FORM_2018)
                self.assertEqual(doc.warnings, [])
                self.assertEqual(
                    doc.title.text, f"{dept.name}职能配置、内设机构和人员编制规定".replace(" ", "")
                )
                # Every 主要职责 clause is a duty item of the department, in order.
                items = DutyItem.objects.filter(
                    department=dept, clause__startswith="主要职责"
                ).order_by("order")
                self.assertEqual([d.text for d in doc.main_duties], [i.text for i in items])
                # Every unit in force at the 2019 reform, with the duties the text gives it.
                # The parser does not take a name starting with a duty verb (组织科, 研究室) for a
                # unit; it lists such a unit as unread rather than dropping it.
                units = Unit.objects.filter(department=dept, duties__gt="").order_by("order")
                unread = [u for u in units if _DUTY_VERBS.match(u.name)]
                units = [u for u in units if not _DUTY_VERBS.match(u.name)]
                self.assertEqual([u.name for u in doc.units], [u.name for u in units])
                self.assertEqual(
                    [(i.text.split("。")[0], i.reason) for i in doc.unparsed],
                    [(u.name, "未能识别内设机构名称") for u in unread],
                )
                for parsed, unit in zip(doc.units, units, strict=True):
                    self.assertEqual(
                        [d.text for d in parsed.duties],
                        list(
                            DutyItem.objects.filter(
                                department=dept, clause__startswith=f"{unit.name}职责"
                            )
                            .order_by("order")
                            .values_list("text", flat=True)
                        ),
                    )
                # The staffing figures are the 2019 quota's.
                quota = (
                    StaffingQuota.objects.filter(department=dept, unit=None)
                    .order_by("effective_from")
                    .first()
                )
                staffing = doc.to_json()["staffing"]
                figure = staffing["administrative"] or staffing["public_institution"]
                self.assertEqual(figure, quota.administrative or quota.institution)
                posts = [p["count"] for p in doc.to_json()["leadership_posts"]]
                expected = [quota.leader_principal]
                if quota.leader_deputy:
                    expected.append(quota.leader_deputy)
                self.assertEqual(posts, [*expected, quota.leader_unit])

    def test_units_carry_their_regulation_duties(self) -> None:
        office = Unit.objects.filter(name="办公室").first()
        self.assertTrue(office.duties.startswith("（一）负责机关日常运转工作。"))

    def test_the_list_has_the_gaps_and_loads_coverage_exists_to_find(self) -> None:
        report = coverage_data.coverage_report(None)
        gaps = report.gaps
        self.assertGreater(gaps.duties_without_tasks, 0)
        self.assertGreater(gaps.tasks_without_lead, 0)
        self.assertGreater(gaps.positions_without_tasks, 0)
        bands = Counter(u.load.band for d in report.departments for u in d.units if u.id)
        self.assertGreater(bands["over"], 0)
        self.assertGreater(bands["low"], 0)
        self.assertGreater(bands["full"] + bands["fair"], bands["over"] + bands["low"])
        # Most 监管/执法 tasks have a 工作规范, some do not (the submission check finds them).
        needing = [t for t in Task.objects.all() if t.needs_work_spec]
        missing = services.work_spec_problems(needing)
        self.assertTrue(0 < len(missing) < len(needing) / 3)

    def test_rows_are_drafts_logged_one_entry_each(self) -> None:
        self.assertFalse(DutyItem.objects.exclude(status="draft").exists())
        for model, label in ((DutyItem, "duties.dutyitem"), (Task, "duties.task")):
            self.assertEqual(
                ChangeLogEntry.objects.filter(model=label, kind="create").count(),
                model.objects.count(),
            )
        self.assertTrue(verify_chain().ok)

    def test_power_list_items_and_realistic_frequencies(self) -> None:
        sources = Counter(DutyItem.objects.values_list("source", flat=True))
        self.assertGreater(sources[DutySource.MANDATE], 0)
        self.assertGreater(sources[DutySource.POWER_LIST], 0)
        frequencies = Counter(Task.objects.values_list("frequency", flat=True))
        self.assertGreaterEqual(len(frequencies), 5)
        self.assertTrue(1.3 < Task.objects.count() / DutyItem.objects.count() < 2.2)

    def test_same_seed_same_lists_and_a_different_seed_differs(self) -> None:
        first = digest()
        for seed, same in ((11, True), (12, False)):
            try:
                with transaction.atomic():
                    for model in (TaskPosition, Task, DutyItem, Mandate):
                        model.objects.all().delete()
                    Unit.objects.update(duties="")
                    generate_duties(self.org, "small", seed)
                    self.assertEqual(digest() == first, same)
                    raise Rollback
            except Rollback:
                pass

    def test_names_of_fields_and_domains(self) -> None:
        self.assertEqual(domain_of("东川市市场监督管理局"), "市场监督管理")
        self.assertEqual(domain_of("中共东川市委组织部"), "组织")
        self.assertEqual(_field_of(Unit(name="基础教育科")), "基础教育")


class GeneratedRegionReviewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.report = generate("small", 5)

    def test_departments_stand_at_different_stages_of_review(self) -> None:
        states = set(Submission.objects.values_list("status", flat=True))
        self.assertGreaterEqual(len(states), 4)
        self.assertEqual(Submission.objects.count(), self.report.counts["部门"])
        self.assertIn("职责事项", self.report.counts)
        self.assertIn("三定规定与履职清单", self.report.seconds)
