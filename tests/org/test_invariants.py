"""Org invariants and bad input: refused with Chinese messages, nothing written."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase

from qingdan.core.models import ChangeLogEntry
from qingdan.org import services
from qingdan.org.models import Assignment, Department, Person, Position, Region, StaffingQuota, Unit
from qingdan.org.staffing import staffing_report
from tests import builders as b
from tests.builders import build_world


class NothingWrittenMixin:
    def assertRefused(self, fn, *args, field: str | None = None, contains: str = "", **kwargs):
        counts = {
            m: m.objects.count()
            for m in (Region, Department, Unit, StaffingQuota, Position, Person, Assignment)
        }
        log = ChangeLogEntry.objects.count()
        with self.assertRaises(ValidationError) as ctx:
            fn(*args, **kwargs)
        messages = (
            ctx.exception.message_dict
            if hasattr(ctx.exception, "error_dict")
            else {"__all__": ctx.exception.messages}
        )
        if field:
            self.assertIn(field, messages, messages)
        text = "".join(m for ms in messages.values() for m in ms)
        self.assertIn(contains, text)
        self.assertRegex(text, r"[\u4e00-\u9fff]")  # the message is Chinese
        self.assertEqual({m: m.objects.count() for m in counts}, counts)
        self.assertEqual(ChangeLogEntry.objects.count(), log)
        return messages


class QuotaInvariantTests(NothingWrittenMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_units_quotas_must_fit_in_the_departments(self) -> None:
        b.quota(self.w.dept_a, self.w.unit_a, administrative=3)
        other = b.unit(self.w.dept_a, "U02", "职业教育科")
        self.assertRefused(
            services.create_quota,
            StaffingQuota(
                department=self.w.dept_a,
                unit=other,
                administrative=3,
                doc_number="x",
                doc_date=dt.date(2019, 2, 20),
                effective_from=dt.date(2019, 3, 1),
            ),
            acting_user=self.w.bianban,
            field="administrative",
            contains="超过部门核定的5名",
        )

    def test_a_later_department_cut_must_still_hold_the_units(self) -> None:
        b.quota(self.w.dept_a, self.w.unit_a, administrative=4)
        self.assertRefused(
            services.create_quota,
            StaffingQuota(
                department=self.w.dept_a,
                administrative=3,
                leader_principal=1,
                leader_deputy=1,
                leader_unit=2,
                doc_number="东编〔2024〕3号",
                doc_date=dt.date(2024, 1, 1),
                effective_from=dt.date(2024, 1, 1),
            ),
            acting_user=self.w.bianban,
            contains="各科室行政编制合计4名",
        )

    def test_cut_below_people_in_post_needs_a_reason_which_is_logged(self) -> None:
        b.assign(b.person(self.w.dept_a, "P02", "李强"), self.w.position_a)
        cut = StaffingQuota(
            department=self.w.dept_a,
            administrative=1,
            leader_principal=1,
            leader_deputy=1,
            leader_unit=2,
            doc_number="东编〔2024〕9号",
            doc_date=dt.date(2024, 1, 1),
            effective_from=dt.date(2024, 1, 1),
        )
        self.assertRefused(
            services.create_quota, cut, acting_user=self.w.bianban, contains="请填写变更原因"
        )
        services.create_quota(cut, acting_user=self.w.bianban, reason="职能划出，人员逐步消化")
        self.assertEqual(ChangeLogEntry.objects.latest("seq").reason, "职能划出，人员逐步消化")
        report = staffing_report([self.w.dept_a.pk], dt.date(2024, 6, 1))
        bar = report.departments[self.w.dept_a.pk].bars["administrative"]
        self.assertEqual((bar.approved, bar.filled, bar.over), (1, 2, 1))

    def test_negative_quota_refused(self) -> None:
        self.assertRefused(
            services.create_quota,
            StaffingQuota(
                department=self.w.dept_b,
                administrative=-1,
                doc_number="x",
                doc_date=dt.date(2020, 1, 1),
                effective_from=dt.date(2020, 1, 1),
            ),
            acting_user=self.w.bianban,
            field="administrative",
        )


class AssignmentInvariantTests(NothingWrittenMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_overlapping_primary_assignments_refused(self) -> None:
        other = b.position(self.w.dept_a, self.w.unit_a, "G02", "学籍管理岗")
        self.assertRefused(
            services.create_assignment,
            Assignment(person=self.w.person_a, position=other, start_date=dt.date(2023, 5, 1)),
            acting_user=self.w.clerk_a,
            field="start_date",
            contains="同一时间只能有一个主要任职",
        )

    def test_consecutive_primary_assignments_allowed(self) -> None:
        a = self.w.assignment_a
        a.end_date = dt.date(2022, 12, 31)
        services.update_assignment(a, acting_user=self.w.clerk_a)
        other = b.position(self.w.dept_a, self.w.unit_a, "G02", "学籍管理岗")
        services.create_assignment(
            Assignment(person=self.w.person_a, position=other, start_date=dt.date(2023, 1, 1)),
            acting_user=self.w.clerk_a,
        )
        self.assertEqual(Assignment.objects.filter(person=self.w.person_a).count(), 2)

    def test_concurrent_posts_may_overlap(self) -> None:
        other = b.position(self.w.dept_b, self.w.unit_b, "G02", "信用监管岗")
        services.create_assignment(
            Assignment(
                person=self.w.person_a,
                position=other,
                kind="concurrent",
                start_date=dt.date(2024, 1, 1),
            ),
            acting_user=self.w.bianban,
        )

    def test_primary_post_must_be_in_the_persons_department(self) -> None:
        self.assertRefused(
            services.create_assignment,
            Assignment(
                person=b.person(self.w.dept_b, "P09", "赵磊"),
                position=self.w.position_a,
                start_date=dt.date(2024, 1, 1),
            ),
            acting_user=self.w.bianban,
            field="position",
            contains="兼职",
        )

    def test_appointment_beyond_quota_refused_without_reason(self) -> None:
        pos = b.position(
            self.w.dept_b, self.w.unit_b, "G05", "执法岗", headcount=5, category="enforcement"
        )
        for i in range(3):
            b.assign(b.person(self.w.dept_b, f"Q{i}", f"人员{i}"), pos)
        extra = b.person(self.w.dept_b, "Q9", "钱多")
        messages = self.assertRefused(
            services.create_assignment,
            Assignment(person=extra, position=pos, start_date=dt.date(2024, 1, 1)),
            acting_user=self.w.bianban,
            field="override_reason",
            contains="再任职将超编",
        )
        self.assertIn("请填写超编任职理由", "".join(messages["override_reason"]))

    def test_appointment_beyond_quota_with_reason_is_flagged_and_logged(self) -> None:
        pos = b.position(
            self.w.dept_b, self.w.unit_b, "G05", "执法岗", headcount=5, category="enforcement"
        )
        for i in range(3):
            b.assign(b.person(self.w.dept_b, f"Q{i}", f"人员{i}"), pos)
        extra = b.person(self.w.dept_b, "Q9", "钱多")
        a = services.create_assignment(
            Assignment(person=extra, position=pos, start_date=dt.date(2024, 1, 1)),
            acting_user=self.w.bianban,
            override_reason="军转安置，编办批复同意",
        )
        self.assertTrue(a.over_quota)
        entry = ChangeLogEntry.objects.latest("seq")
        self.assertEqual(entry.model, "org.assignment")
        self.assertIn("军转安置，编办批复同意", entry.reason)
        self.assertTrue(entry.after["over_quota"])

    def test_position_headcount_is_a_limit_too(self) -> None:
        b.assign(b.person(self.w.dept_a, "P03", "孙悦"), self.w.position_a)  # headcount 2: full now
        self.assertRefused(
            services.create_assignment,
            Assignment(
                person=b.person(self.w.dept_a, "P04", "周杰"),
                position=self.w.position_a,
                start_date=dt.date(2024, 1, 1),
            ),
            acting_user=self.w.clerk_a,
            contains="已有2人在岗",
        )

    def test_leadership_positions_within_leadership_quota(self) -> None:
        b.position(
            self.w.dept_a, None, "L01", "局长", category="leadership", leader_level="dept_principal"
        )
        self.assertRefused(
            services.create_position,
            Position(
                department=self.w.dept_a,
                code="L02",
                name="第二局长",
                category="leadership",
                leader_level="dept_principal",
            ),
            acting_user=self.w.bianban,
            field="headcount",
            contains="超过核定的正职领导职数1名",
        )

    def test_leader_level_requires_leadership_category_and_placement(self) -> None:
        self.assertRefused(
            services.create_position,
            Position(
                department=self.w.dept_a,
                unit=self.w.unit_a,
                code="L03",
                name="副局长",
                category="business",
                leader_level="dept_deputy",
            ),
            acting_user=self.w.bianban,
            contains="领导",
        )

    def test_end_before_start_refused(self) -> None:
        self.assertRefused(
            services.create_assignment,
            Assignment(
                person=b.person(self.w.dept_a, "P05", "吴敏"),
                position=self.w.position_a,
                start_date=dt.date(2024, 1, 1),
                end_date=dt.date(2023, 1, 1),
            ),
            acting_user=self.w.clerk_a,
            field="end_date",
        )


class BadInputTests(NothingWrittenMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_malformed_region_codes(self) -> None:
        cases = [
            ("12345", "county", "6位"),
            ("86010A", "county", "6位"),
            ("860100", "county", "县级区划代码后两位不能为00"),
            ("870102", "county", "上级区划"),
            ("860201", "county", "上级区划"),
            ("8601020", "town", "9位"),
        ]
        for code, level, message in cases:
            with self.subTest(code=code):
                self.assertRefused(
                    services.create_region,
                    Region(code=code, name="测试区", level=level, parent=self.w.city),
                    acting_user=self.w.bianban,
                    field="code",
                    contains=message,
                )

    def test_region_level_must_be_below_parent(self) -> None:
        self.assertRefused(
            services.create_region,
            Region(code="860200", name="西川市", level="city", parent=self.w.city),
            acting_user=self.w.bianban,
            field="level",
        )

    def test_bad_credit_codes(self) -> None:
        good = self.w.dept_a.credit_code
        wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
        for code, message in [
            ("12345", "18位"),
            ("11860100I8601000XX", "非法字符"),
            (wrong_check, "校验位"),
        ]:
            with self.subTest(code=code):
                self.assertRefused(
                    services.create_department,
                    Department(
                        region=self.w.city,
                        code="X1",
                        name="测试局",
                        kind="government",
                        rank="zhengchu",
                        credit_code=code,
                    ),
                    acting_user=self.w.bianban,
                    field="credit_code",
                    contains=message,
                )

    def test_duplicate_codes_and_names(self) -> None:
        self.assertRefused(
            services.create_department,
            Department(
                region=self.w.city, code="A01", name="另一个局", kind="government", rank="zhengchu"
            ),
            acting_user=self.w.bianban,
            contains="部门编码不能重复",
        )
        self.assertRefused(
            services.create_unit,
            Unit(department=self.w.dept_a, code="U77", name="基础教育科"),
            acting_user=self.w.bianban,
            contains="同名",
        )

    def test_markup_in_names_refused(self) -> None:
        for fn, obj, field in [
            (
                services.create_unit,
                Unit(department=self.w.dept_a, code="U50", name="<script>alert(1)</script>科"),
                "name",
            ),
            (
                services.create_person,
                Person(
                    department=self.w.dept_a,
                    code="P50",
                    name="<b>张三</b>",
                    gender="M",
                    birth_year=1990,
                    staffing_type="administrative",
                ),
                "name",
            ),
            (
                services.create_department,
                Department(
                    region=self.w.city,
                    code="D50",
                    name="局\x07",
                    kind="government",
                    rank="zhengchu",
                ),
                "name",
            ),
        ]:
            with self.subTest(field=field, value=getattr(obj, field)):
                self.assertRefused(fn, obj, acting_user=self.w.bianban, field=field)

    def test_oversized_fields_refused(self) -> None:
        self.assertRefused(
            services.create_unit,
            Unit(department=self.w.dept_a, code="U51", name="科" * 101),
            acting_user=self.w.bianban,
            field="name",
        )
        self.assertRefused(
            services.create_unit,
            Unit(department=self.w.dept_a, code="U52", name="大科", duties="职" * 20001),
            acting_user=self.w.bianban,
            field="duties",
            contains="不能超过20000字",
        )
        self.assertRefused(
            services.create_unit,
            Unit(department=self.w.dept_a, code="U 53!", name="小科"),
            acting_user=self.w.bianban,
            field="code",
        )

    def test_department_cannot_be_its_own_ancestor(self) -> None:
        dept = self.w.dept_a
        dept.parent = self.w.institution
        dept.parent_relation = "subordinate"
        self.assertRefused(
            services.update_department, dept, acting_user=self.w.bianban, field="parent"
        )

    def test_moving_a_department_moves_its_subtree_paths(self) -> None:
        inst = self.w.institution
        inst.parent = self.w.dept_b
        services.update_department(inst, acting_user=self.w.bianban)
        inst.refresh_from_db()
        self.assertTrue(inst.path.startswith(self.w.dept_b.path))
        self.assertEqual(
            set(
                Department.objects.restrict(self.w.dept_admin_a, "view").values_list(
                    "name", flat=True
                )
            ),
            {"东川市教育局"},
        )

    def test_referenced_rows_cannot_be_deleted(self) -> None:
        self.assertRefused(
            services.delete_department,
            self.w.dept_a,
            acting_user=self.w.bianban,
            contains="无法删除",
        )

    def test_admin_form_shows_service_errors_and_writes_nothing(self) -> None:
        self.client.force_login(self.w.clerk_a)
        other = b.position(self.w.dept_a, self.w.unit_a, "G02", "学籍管理岗")
        before = Assignment.objects.count()
        response = self.client.post(
            "/admin/org/assignment/add/",
            {
                "person": self.w.person_a.pk,
                "position": other.pk,
                "kind": "primary",
                "start_date": "2024-01-01",
                "override_reason": "",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "同一时间只能有一个主要任职")
        self.assertEqual(Assignment.objects.count(), before)

    def test_admin_refuses_rows_outside_scope_on_add(self) -> None:
        self.client.force_login(self.w.clerk_a)
        before = Position.objects.count()
        response = self.client.post(
            "/admin/org/position/add/",
            {
                "department": self.w.dept_b.pk,
                "unit": self.w.unit_b.pk,
                "code": "G77",
                "name": "越权岗",
                "category": "business",
                "headcount": 1,
                "order": 0,
                "status": "active",
            },
        )
        self.assertEqual(response.status_code, 200)  # the form refuses B's department as a choice
        self.assertEqual(Position.objects.count(), before)

    def test_api_errors_are_chinese_and_nothing_is_written(self) -> None:
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(self.w.bianban)
        before = Unit.objects.count()
        response = client.post(
            "/api/v1/units/",
            {"department": self.w.dept_a.pk, "code": "U60", "name": "<i>科</i>"},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("标记字符", str(response.json()))
        response = client.post(
            "/api/v1/units/",
            {"department": self.w.dept_b.pk, "code": "U01", "name": "登记注册科"},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("不能重复", str(response.json()))
        self.assertEqual(Unit.objects.count(), before)
