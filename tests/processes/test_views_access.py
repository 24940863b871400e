"""Personas × process pages, downloads, admin and API: 编办管理员 and the own-department clerk
work, another department's clerk gets 404, the 监督员 reads but gets 403 on every edit, the
anonymous visitor is sent to log in."""

from __future__ import annotations

import json

from django.test import TestCase
from django.urls import reverse

from qingdan.processes.graph import load_draft
from qingdan.processes.models import Process
from qingdan.processes.payload import draft_payload
from tests.processes.helpers import build_process_world

READS = ("detail", "svg", "bpmn", "history")
EDIT_GET = ("edit",)
EDIT_POST = ("redraw", "save", "new_version", "import", "mark_after")


class AccessTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()
        cls.payload = json.dumps(draft_payload(load_draft(cls.pw.process_a)))

    def status(self, name: str, user=None, pk: int | None = None) -> int:
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        url = reverse(f"processes:{name}", args=[pk or self.pw.process_a.pk])
        if name in ("redraw", "save"):
            return self.client.post(url, self.payload, content_type="application/json").status_code
        if name in EDIT_POST:
            return self.client.post(url).status_code
        return self.client.get(url).status_code

    def test_bianban_and_own_department_clerk_may_read_and_edit(self) -> None:
        for user in (self.pw.w.bianban, self.pw.w.clerk_a, self.pw.w.dept_admin_a):
            for name in READS + EDIT_GET + ("redraw", "save"):
                with self.subTest(user=user.username, view=name):
                    self.assertEqual(self.status(name, user), 200)

    def test_other_department_clerk_and_county_bianban_get_404(self) -> None:
        for user in (self.pw.w.clerk_b, self.pw.w.county_bianban):
            for name in READS + EDIT_GET + EDIT_POST:
                with self.subTest(user=user.username, view=name):
                    self.assertEqual(self.status(name, user), 404)

    def test_supervisor_reads_but_every_edit_is_403(self) -> None:
        for name in READS:
            with self.subTest(view=name):
                self.assertEqual(self.status(name, self.pw.w.supervisor), 200)
        for name in EDIT_GET + EDIT_POST:
            with self.subTest(view=name):
                self.assertEqual(self.status(name, self.pw.w.supervisor), 403)
        self.assertEqual(self.client.get(reverse("processes:new")).status_code, 403)
        page = self.client.get(reverse("processes:detail", args=[self.pw.process_a.pk]))
        self.assertNotContains(page, "编辑环节")
        self.assertNotContains(page, "导入为新版本")

    def test_anonymous_is_sent_to_log_in(self) -> None:
        for name in READS + EDIT_GET + EDIT_POST:
            with self.subTest(view=name):
                self.assertEqual(self.status(name), 302)
        self.assertEqual(self.client.get(reverse("processes:metrics")).status_code, 302)

    def test_metrics_page_is_scoped(self) -> None:
        self.client.force_login(self.pw.w.clerk_b)
        page = self.client.get(reverse("processes:metrics"))
        self.assertContains(page, "东川市市场监督管理局")
        self.assertNotContains(page, "东川市教育局")
        url = reverse("processes:metrics") + f"?department={self.pw.w.dept_a.pk}"
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_admin_list_and_read_only_change_page(self) -> None:
        changelist = reverse("admin:processes_process_changelist")
        self.client.force_login(self.pw.w.clerk_b)
        page = self.client.get(changelist)
        self.assertContains(page, self.pw.process_b.name)
        self.assertNotContains(page, "受理审查：教师资格认定许可流程")
        change = reverse("admin:processes_process_change", args=[self.pw.process_a.pk])
        self.assertEqual(self.client.get(change).status_code, 404)
        self.client.force_login(self.pw.w.supervisor)
        page = self.client.get(change)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "接收申请材料")  # the steps, read-only
        self.assertNotContains(page, 'name="_save"')
        delete = reverse("admin:processes_process_delete", args=[self.pw.process_a.pk])
        self.assertEqual(self.client.get(delete).status_code, 403)
        export = reverse("admin:processes_process_export")
        self.assertEqual(self.client.get(export).status_code, 200)

    def test_clerk_deletes_a_draft_through_the_admin(self) -> None:
        self.client.force_login(self.pw.w.clerk_b)
        url = reverse("admin:processes_process_delete", args=[self.pw.process_b.pk])
        self.client.post(url, {"post": "yes"})
        self.assertFalse(Process.objects.filter(pk=self.pw.process_b.pk).exists())


class ApiTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()

    def test_list_is_scoped_and_carries_steps_and_flows(self) -> None:
        self.client.force_login(self.pw.w.clerk_a)
        data = self.client.get("/api/v1/processes/").json()
        self.assertEqual([p["id"] for p in data["results"]], [self.pw.process_a.pk])
        process = data["results"][0]
        self.assertEqual(len(process["steps"]), 14)
        accept = next(s for s in process["steps"] if s["code"] == "accept")
        self.assertEqual(len(accept["materials"]), 3)
        self.assertEqual(accept["risks"][0]["level"], "中")
        self.assertIn({"source": "scope", "target": "reject", "label": "否"}, process["flows"])

    def test_list_needs_a_fixed_number_of_queries(self) -> None:
        from qingdan.processes import services

        self.client.force_login(self.pw.w.bianban)
        self.client.get("/api/v1/processes/")
        for _ in range(3):
            services.create_from_template(kind="internal", task=self.pw.task_a, acting_user=None)
        with self.assertNumQueries(10):
            self.client.get("/api/v1/processes/")

    def test_detail_and_downloads_follow_the_gate(self) -> None:
        pk = self.pw.process_a.pk
        self.client.force_login(self.pw.w.clerk_b)
        for suffix in ("", "svg/", "bpmn/"):
            self.assertEqual(self.client.get(f"/api/v1/processes/{pk}/{suffix}").status_code, 404)
        self.client.force_login(self.pw.w.supervisor)
        svg = self.client.get(f"/api/v1/processes/{pk}/svg/")
        self.assertEqual(svg.status_code, 200)
        self.assertTrue(svg.content.startswith(b"<svg"))
        self.assertIn(b"BPMNDiagram", self.client.get(f"/api/v1/processes/{pk}/bpmn/").content)
        self.assertEqual(self.client.delete(f"/api/v1/processes/{pk}/").status_code, 405)
        self.client.logout()
        self.assertIn(self.client.get(f"/api/v1/processes/{pk}/").status_code, (401, 403))
