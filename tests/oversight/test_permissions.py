"""Personas on the review pages and the API: the clerk cannot review or publish (403); another
department's clerk cannot see the submission (404); the 监督员 sees but cannot act (403);
anonymous users are sent to log in (pages) or refused (API)."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from qingdan.oversight import services
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import ReviewComment, Submission, SubmissionEvent
from tests.oversight.helpers import assign, build_review_world, drive_to, duty_item, task


class PagePermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world()
        drive_to(cls.rw.sub_a, S.SUBMITTED, cls.rw)
        cls.comment = services.add_comment(
            cls.rw.sub_a, text="请补充依据。", target=cls.rw.task1, acting_user=cls.rw.w.bianban
        )
        cls.personas = {
            "bianban": cls.rw.w.bianban,
            "clerk_a": cls.rw.w.clerk_a,
            "leader_a": cls.rw.leader_a,
            "clerk_b": cls.rw.w.clerk_b,
            "supervisor": cls.rw.w.supervisor,
            "anonymous": None,
        }

    def client_as(self, persona: str):
        client = self.client_class()
        if self.personas[persona] is not None:
            client.force_login(self.personas[persona])
        return client

    def test_who_sees_the_submission_page(self) -> None:
        url = reverse("oversight:submission", args=[self.rw.sub_a.pk])
        expected = {
            "bianban": 200,
            "clerk_a": 200,
            "leader_a": 200,
            "clerk_b": 404,
            "supervisor": 200,
            "anonymous": 302,
        }
        for persona, status in expected.items():
            with self.subTest(persona=persona):
                response = self.client_as(persona).get(url)
                self.assertEqual(response.status_code, status)
                if status == 302:
                    self.assertIn(reverse("admin:login"), response["Location"])

    def test_buttons_follow_the_role(self) -> None:
        url = reverse("oversight:submission", args=[self.rw.sub_a.pk])
        for persona, shown in {
            "bianban": {"初审退回", "初审通过"},
            "clerk_a": set(),
            "leader_a": set(),
            "supervisor": set(),
        }.items():
            options = self.client_as(persona).get(url).context["options"]
            with self.subTest(persona=persona):
                self.assertEqual({o.label for o in options}, shown)

    def test_who_may_review(self) -> None:
        url = reverse("oversight:submission_transition", args=[self.rw.sub_a.pk])
        expected = {
            "clerk_a": 403,
            "leader_a": 403,
            "supervisor": 403,
            "clerk_b": 404,
            "anonymous": 302,
        }
        for persona, status in expected.items():
            with self.subTest(persona=persona):
                response = self.client_as(persona).post(url, {"to": S.PASSED})
                self.assertEqual(response.status_code, status)
        self.assertFalse(SubmissionEvent.objects.filter(to_status=S.PASSED).exists())
        response = self.client_as("bianban").post(url, {"to": S.PASSED})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(SubmissionEvent.objects.filter(to_status=S.PASSED).exists())

    def test_clerk_cannot_publish(self) -> None:
        Submission.objects.filter(pk=self.rw.sub_a.pk).update(status=S.FINAL, round=2)
        url = reverse("oversight:submission_transition", args=[self.rw.sub_a.pk])
        for persona in ("clerk_a", "leader_a", "supervisor"):
            with self.subTest(persona=persona):
                response = self.client_as(persona).post(url, {"to": S.PUBLISHED})
                self.assertEqual(response.status_code, 403)
        self.assertFalse(SubmissionEvent.objects.filter(to_status=S.PUBLISHED).exists())

    def test_comment_actions_follow_the_gate(self) -> None:
        add = reverse("oversight:comment_add", args=[self.rw.sub_a.pk])
        resolve = reverse("oversight:comment_resolve", args=[self.comment.pk])
        for persona, status in {"clerk_a": 403, "supervisor": 403, "clerk_b": 404}.items():
            with self.subTest(persona=persona, action="add"):
                response = self.client_as(persona).post(add, {"text": "越权意见"})
                self.assertEqual(response.status_code, status)
            with self.subTest(persona=persona, action="resolve"):
                response = self.client_as(persona).post(resolve, {"resolution": "accepted"})
                self.assertEqual(response.status_code, status)
        self.assertEqual(ReviewComment.objects.count(), 1)
        self.assertFalse(ReviewComment.objects.get().resolved)
        reply = reverse("oversight:comment_reply", args=[self.comment.pk])
        for persona, status in {"supervisor": 403, "clerk_b": 404, "leader_a": 403}.items():
            Submission.objects.filter(pk=self.rw.sub_a.pk).update(status=S.RETURNED)
            with self.subTest(persona=persona, action="reply"):
                response = self.client_as(persona).post(reply, {"text": "答复"})
                self.assertEqual(response.status_code, status)
        self.assertEqual(ReviewComment.objects.get().reply, "")

    def test_get_on_an_action_is_not_allowed(self) -> None:
        url = reverse("oversight:submission_transition", args=[self.rw.sub_a.pk])
        self.assertEqual(self.client_as("bianban").get(url).status_code, 405)

    def test_csrf_is_required(self) -> None:
        client = self.client_class(enforce_csrf_checks=True)
        client.force_login(self.rw.w.bianban)
        url = reverse("oversight:submission_transition", args=[self.rw.sub_a.pk])
        self.assertEqual(client.post(url, {"to": S.PASSED}).status_code, 403)
        page = client.get(reverse("oversight:submission", args=[self.rw.sub_a.pk]))
        self.assertContains(page, "csrfmiddlewaretoken")

    def test_overview_and_lists_show_only_what_is_in_scope(self) -> None:
        url = reverse("oversight:programme", args=[self.rw.programme.pk])
        expected = {
            "bianban": {"东川市教育局", "东川市市场监督管理局"},
            "supervisor": {"东川市教育局", "东川市市场监督管理局"},
            "clerk_a": {"东川市教育局"},
            "clerk_b": {"东川市市场监督管理局"},
        }
        for persona, names in expected.items():
            overview = self.client_as(persona).get(url).context["overview"]
            with self.subTest(persona=persona):
                self.assertEqual({r.submission.department.name for r in overview.rows}, names)
        # The county's 编办 does not see the city's programme.
        county = self.client_class()
        county.force_login(self.rw.w.county_bianban)
        self.assertEqual(county.get(url).status_code, 404)

    def test_submission_page_queries_do_not_grow_with_the_list(self) -> None:
        client = self.client_as("bianban")
        url = reverse("oversight:submission", args=[self.rw.sub_a.pk])
        client.get(url)  # warm the content-type cache and the session
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        for i in range(5):
            item = duty_item(self.rw.w.dept_a, f"ZZ1{i:02d}", f"新增职责{i}")
            t = task(item, f"ZZ1{i:02d}-01", f"新增任务{i}", self.rw.w.unit_a)
            assign(t, self.rw.w.position_a)
            services.add_comment(
                self.rw.sub_a, text="意见", target=t, acting_user=self.rw.w.bianban
            )
        with CaptureQueriesContext(connection) as after:
            response = client.get(url)
        self.assertEqual(len(response.context["items"]), 7)
        self.assertEqual(len(after), len(before))

    def test_comment_text_is_escaped(self) -> None:
        Submission.objects.filter(pk=self.rw.sub_a.pk).update(status=S.SUBMITTED)
        services.add_comment(
            self.rw.sub_a, text="<script>alert(1)</script>", acting_user=self.rw.w.bianban
        )
        page = self.client_as("clerk_a").get(
            reverse("oversight:submission", args=[self.rw.sub_a.pk])
        )
        self.assertNotContains(page, "<script>alert(1)</script>")
        self.assertContains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")


class ApiPermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world()
        drive_to(cls.rw.sub_a, S.SUBMITTED, cls.rw)

    def api(self, user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    def test_submission_reads_are_scoped_and_include_events(self) -> None:
        url = reverse("api:submission-detail", args=[self.rw.sub_a.pk])
        for user, status in (
            (self.rw.w.bianban, 200),
            (self.rw.w.clerk_a, 200),
            (self.rw.w.supervisor, 200),
            (self.rw.w.clerk_b, 404),
            (None, 401),
        ):
            with self.subTest(user=user):
                self.assertEqual(self.api(user).get(url).status_code, status)
        data = self.api(self.rw.w.clerk_a).get(url).json()
        self.assertEqual(data["status"], S.SUBMITTED)
        self.assertEqual(
            [e["to_status"] for e in data["events"]], [S.PENDING_APPROVAL, S.SUBMITTED]
        )
        self.assertEqual(data["available_transitions"], [])
        listed = self.api(self.rw.w.clerk_b).get(reverse("api:submission-list")).json()
        self.assertEqual([r["department"] for r in listed["results"]], [self.rw.w.dept_b.pk])
        programmes = self.api(self.rw.w.clerk_b).get(reverse("api:programme-list")).json()
        self.assertEqual(len(programmes["results"][0]["phases"]), 4)

    def test_transition_endpoint_uses_the_same_service(self) -> None:
        url = reverse("api:submission-transition", args=[self.rw.sub_a.pk])
        for user, status in (
            (self.rw.w.clerk_a, 403),
            (self.rw.w.supervisor, 403),
            (self.rw.w.clerk_b, 404),
            (None, 401),
        ):
            with self.subTest(user=user):
                response = self.api(user).post(url, {"to": S.PASSED}, format="json")
                self.assertEqual(response.status_code, status)
        response = self.api(self.rw.w.bianban).post(url, {"to": S.RETURNED}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("至少提出一条未处理的审核意见", str(response.json()))
        response = self.api(self.rw.w.bianban).post(
            url, {"to": S.PASSED, "comment": "初审通过。"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], S.PASSED)
        self.assertEqual(
            SubmissionEvent.objects.filter(to_status=S.PASSED).get().comment, "初审通过。"
        )

    def test_reads_cannot_write(self) -> None:
        client = self.api(self.rw.w.bianban)
        for name, pk in (("submission", self.rw.sub_a.pk), ("programme", self.rw.programme.pk)):
            url = reverse(f"api:{name}-detail", args=[pk])
            for method in ("put", "patch", "delete"):
                with self.subTest(name=name, method=method):
                    self.assertEqual(
                        getattr(client, method)(url, {}, format="json").status_code, 405
                    )
            with self.subTest(name=name, method="post"):
                self.assertEqual(
                    client.post(reverse(f"api:{name}-list"), {}, format="json").status_code, 405
                )
