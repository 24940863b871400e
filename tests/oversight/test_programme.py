"""工作方案: the seed-000 template, participating departments, and who may edit in the back office."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from qingdan.core.models import ChangeLogEntry
from qingdan.oversight import services
from qingdan.oversight.choices import Milestone
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import Programme, ProgrammePhase, Submission
from qingdan.oversight.seed import create_seed_programme
from tests.oversight.helpers import build_review_world, drive_to


class SeedProgrammeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world(2019)

    def test_city_programme_has_the_four_phases_of_seed_000(self) -> None:
        phases = list(self.rw.programme.phases.order_by("order"))
        self.assertEqual(
            [(p.name, p.start, p.end, p.deadline, p.milestone) for p in phases],
            [
                (
                    "培训拟定",
                    dt.date(2019, 7, 26),
                    dt.date(2019, 8, 15),
                    dt.date(2019, 8, 15),
                    Milestone.FIRST_SUBMITTED,
                ),
                (
                    "评估完善",
                    dt.date(2019, 8, 16),
                    dt.date(2019, 9, 30),
                    dt.date(2019, 9, 30),
                    Milestone.FIRST_REVIEWED,
                ),
                (
                    "制定手册",
                    dt.date(2019, 10, 1),
                    dt.date(2019, 10, 20),
                    dt.date(2019, 10, 15),
                    Milestone.RESUBMITTED,
                ),
                (
                    "总结汇报",
                    dt.date(2019, 10, 21),
                    dt.date(2019, 10, 31),
                    dt.date(2019, 10, 31),
                    Milestone.PUBLISHED,
                ),
            ],
        )
        self.assertIn("定岗定责定流程", self.rw.programme.title)
        self.assertEqual(
            set(self.rw.programme.submissions.values_list("department__name", flat=True)),
            {"东川市教育局", "东川市市场监督管理局"},
        )
        self.assertEqual(
            ChangeLogEntry.objects.filter(model="oversight.submission", kind="create").count(), 2
        )

    def test_counties_follow_later(self) -> None:
        county = create_seed_programme(
            self.rw.w.county,
            2019,
            acting_user=self.rw.w.county_bianban,
            departments=[self.rw.w.dept_c],
        )
        handbook = county.phases.get(milestone=Milestone.RESUBMITTED)
        self.assertEqual(handbook.deadline, dt.date(2019, 11, 15))

    def test_phase_dates_are_checked(self) -> None:
        phase = ProgrammePhase(
            programme=self.rw.programme,
            name="补充阶段",
            start=dt.date(2019, 11, 1),
            end=dt.date(2019, 11, 10),
            deadline=dt.date(2019, 11, 20),
        )
        with self.assertRaisesMessage(ValidationError, "报送截止日期应在阶段起止日期之内"):
            services.create_phase(phase, acting_user=self.rw.w.bianban)

    def test_participants_outside_the_region_or_already_started_cannot_be_changed(self) -> None:
        rw = self.rw
        with self.assertRaisesMessage(ValidationError, "须属于本工作方案所在的行政区划"):
            services.set_participants(
                rw.programme, [rw.w.dept_a, rw.w.dept_c], acting_user=rw.w.bianban
            )
        drive_to(rw.sub_a, S.PENDING_APPROVAL, rw)
        with self.assertRaisesMessage(ValidationError, "已开始报送，不能移出"):
            services.set_participants(rw.programme, [rw.w.dept_b], acting_user=rw.w.bianban)
        created, removed = services.set_participants(
            rw.programme, [rw.w.dept_a, rw.w.institution], acting_user=rw.w.bianban
        )
        self.assertEqual([s.department for s in created], [rw.w.institution])
        self.assertEqual(removed, [rw.w.dept_b])
        self.assertFalse(Submission.objects.filter(pk=rw.sub_b.pk).exists())

    def test_a_programme_with_history_cannot_be_deleted(self) -> None:
        drive_to(self.rw.sub_a, S.PENDING_APPROVAL, self.rw)
        with self.assertRaisesMessage(ValidationError, "已有部门报送记录"):
            services.delete_programme(self.rw.programme, acting_user=self.rw.w.bianban)

    def test_a_programme_without_history_is_deleted_with_its_phases(self) -> None:
        spare = create_seed_programme(
            self.rw.w.city, 2021, acting_user=self.rw.w.bianban, departments=[self.rw.w.dept_b]
        )
        services.delete_programme(spare, acting_user=self.rw.w.bianban)
        self.assertFalse(Programme.objects.filter(pk=spare.pk).exists())
        self.assertFalse(ProgrammePhase.objects.filter(programme_id=spare.pk).exists())


class ProgrammeAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world(2019)

    def test_only_the_bianban_writes_programmes_and_phases(self) -> None:
        change = reverse("admin:oversight_programme_change", args=[self.rw.programme.pk])
        phase = self.rw.programme.phases.first()
        phase_change = reverse("admin:oversight_programmephase_change", args=[phase.pk])
        for user, get, post in (
            (self.rw.w.clerk_a, 200, 403),
            (self.rw.leader_a, 200, 403),
            (self.rw.w.supervisor, 200, 403),
        ):
            client = self.client_class()
            client.force_login(user)
            with self.subTest(user=user.username):
                page = client.get(change)
                self.assertEqual(page.status_code, get)
                self.assertContains(page, "东川市教育局")  # participants shown read-only
                self.assertEqual(client.post(change, {}).status_code, post)
                self.assertEqual(client.post(phase_change, {}).status_code, post)
                self.assertEqual(
                    client.get(reverse("admin:oversight_programme_add")).status_code, 403
                )
        county = self.client_class()
        county.force_login(self.rw.w.county_bianban)
        self.assertEqual(county.get(change).status_code, 404)

    def test_bianban_creates_a_programme_with_participants(self) -> None:
        client = self.client_class()
        client.force_login(self.rw.w.bianban)
        response = client.post(
            reverse("admin:oversight_programme_add"),
            {
                "region": self.rw.w.city.pk,
                "year": 2022,
                "title": "2022年履职清单动态调整工作方案",
                "doc_number": "东编办〔2022〕3号",
                "issued_on": "2022-03-01",
                "note": "",
                "participants": [self.rw.w.dept_a.pk, self.rw.w.dept_b.pk],
                "change_reason": "年度动态调整",
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        programme = Programme.objects.get(year=2022)
        self.assertEqual(programme.submissions.count(), 2)
        entry = ChangeLogEntry.objects.filter(model="oversight.programme").latest("seq")
        self.assertEqual(entry.reason, "年度动态调整")

    def test_changelists_and_exports_render_for_readers_and_the_bianban(self) -> None:
        drive_to(self.rw.sub_a, S.PUBLISHED, self.rw)
        models = [
            "programme",
            "programmephase",
            "submission",
            "submissionevent",
            "reviewcomment",
            "listversion",
        ]
        for user in (self.rw.w.bianban, self.rw.w.supervisor, self.rw.w.clerk_a):
            client = self.client_class()
            client.force_login(user)
            for name in models:
                with self.subTest(user=user.username, model=name):
                    self.assertEqual(
                        client.get(reverse(f"admin:oversight_{name}_changelist")).status_code, 200
                    )
                    self.assertEqual(
                        client.get(reverse(f"admin:oversight_{name}_export")).status_code, 200
                    )
        other = self.client_class()
        other.force_login(self.rw.w.clerk_b)
        page = other.get(reverse("admin:oversight_submissionevent_changelist"))
        self.assertEqual(page.context["cl"].result_count, 0)

    def test_sidebar_has_the_review_group(self) -> None:
        client = self.client_class()
        client.force_login(self.rw.w.clerk_a)
        html = client.get(reverse("oversight:index")).content.decode()
        self.assertIn("审核发布", html)
        self.assertIn(reverse("oversight:versions"), html)
        self.assertIn("本部门的清单报送", html)
