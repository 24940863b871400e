"""Every persona × every 履职清单 type × view / change / delete, in the back office and the API.

Rows belong to department A (市教育局). Lists are the departments' own work: A's clerk may do
everything with A's rows (but not publish), B's clerk sees none of them (404), the 监督员 reads
everything and changes nothing (403), anonymous users are sent to log in (admin) or refused (API).
"""

from __future__ import annotations

import io

from django.test import TestCase
from django.urls import reverse
from python_calamine import CalamineWorkbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from qingdan.core.models import ChangeLogEntry
from qingdan.duties import services
from qingdan.duties.models import DutyItem, Mandate, Task, TaskPosition
from tests import builders as b
from tests.builders import build_world
from tests.duties import helpers as h

TYPES = ["mandate", "dutyitem", "task", "taskposition"]
API_NAMES = {"dutyitem": "dutyitem", "task": "task", "taskposition": "taskposition"}

EXPECTED = {
    "bianban": {"view": 200, "change": 200, "delete": 200},
    "clerk_a": {"view": 200, "change": 200, "delete": 200},
    "clerk_b": {"view": 404, "change": 404, "delete": 404},
    "supervisor": {"view": 200, "change": 403, "delete": 403},
    "anonymous": {"view": 302, "change": 302, "delete": 302},
}


class DutiesAccessMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()
        cls.mandate = h.mandate(cls.w.dept_a)
        cls.item = h.duty(cls.w.dept_a, "负责基础教育管理。", mandate=cls.mandate)
        cls.task = h.task(cls.item, cls.w.unit_a, "审核办学许可")
        cls.tp = h.put(cls.task, cls.w.position_a)
        # Department B has rows too, which A's people must never see.
        other = h.duty(cls.w.dept_b, "负责市场主体登记。")
        h.put(h.task(other, cls.w.unit_b, "企业登记"), cls.w.position_b)
        h.mandate(cls.w.dept_b, "市场监管局三定规定")
        cls.objects = {
            "mandate": cls.mandate,
            "dutyitem": cls.item,
            "task": cls.task,
            "taskposition": cls.tp,
        }
        cls.personas = {
            "bianban": cls.w.bianban,
            "clerk_a": cls.w.clerk_a,
            "clerk_b": cls.w.clerk_b,
            "supervisor": cls.w.supervisor,
            "anonymous": None,
        }

    def _client(self, persona: str):
        client = self.client_class()
        if self.personas[persona] is not None:
            client.force_login(self.personas[persona])
        return client

    def _api(self, persona: str) -> APIClient:
        client = APIClient()
        user = self.personas[persona]
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    def test_admin_matrix(self) -> None:
        for persona in self.personas:
            client = self._client(persona)
            for type_name, obj in self.objects.items():
                change_url = reverse(f"admin:duties_{type_name}_change", args=[obj.pk])
                delete_url = reverse(f"admin:duties_{type_name}_delete", args=[obj.pk])
                history_url = reverse(f"admin:duties_{type_name}_history", args=[obj.pk])
                want = EXPECTED[persona]
                with self.subTest(persona=persona, type=type_name, action="view"):
                    self.assertEqual(client.get(change_url).status_code, want["view"])
                    if persona != "anonymous":
                        self.assertEqual(client.get(history_url).status_code, want["view"])
                with self.subTest(persona=persona, type=type_name, action="change"):
                    self.assertEqual(client.post(change_url, {}).status_code, want["change"])
                with self.subTest(persona=persona, type=type_name, action="delete"):
                    self.assertEqual(client.get(delete_url).status_code, want["delete"])
                self.assertTrue(type(obj).objects.filter(pk=obj.pk).exists())

    def test_every_list_and_add_page_renders(self) -> None:
        for persona, add_status in (("bianban", 200), ("clerk_a", 200), ("supervisor", 403)):
            client = self._client(persona)
            for type_name in TYPES:
                with self.subTest(persona=persona, type=type_name):
                    changelist = reverse(f"admin:duties_{type_name}_changelist")
                    self.assertEqual(client.get(changelist).status_code, 200)
                    self.assertEqual(client.get(changelist, {"q": "办学"}).status_code, 200)
                    add = reverse(f"admin:duties_{type_name}_add")
                    self.assertEqual(client.get(add).status_code, add_status)

    def test_published_rows_cannot_be_deleted_even_by_the_bianban(self) -> None:
        services.transition_status(self.item, "active", acting_user=self.w.bianban)
        client = self._client("bianban")
        url = reverse("admin:duties_dutyitem_delete", args=[self.item.pk])
        self.assertEqual(client.get(url).status_code, 403)
        self.assertEqual(client.post(url, {"post": "yes"}).status_code, 403)
        response = self._api("bianban").delete(reverse("api:dutyitem-detail", args=[self.item.pk]))
        self.assertEqual(response.status_code, 400)
        self.assertIn("请改为撤销", response.content.decode())
        self.assertTrue(DutyItem.objects.filter(pk=self.item.pk).exists())

    def test_lists_show_only_rows_in_scope(self) -> None:
        for persona, expected in (
            ("bianban", {"审核办学许可", "企业登记"}),
            ("clerk_a", {"审核办学许可"}),
            ("clerk_b", {"企业登记"}),
            ("supervisor", {"审核办学许可", "企业登记"}),
        ):
            html = (
                self._client(persona).get(reverse("admin:duties_task_changelist")).content.decode()
            )
            for name in ("审核办学许可", "企业登记"):
                with self.subTest(persona=persona, name=name):
                    self.assertEqual(name in html, name in expected)

    def test_export_contains_exactly_the_rows_in_scope(self) -> None:
        models = {
            "mandate": Mandate,
            "dutyitem": DutyItem,
            "task": Task,
            "taskposition": TaskPosition,
        }
        for persona in ("bianban", "clerk_a", "clerk_b", "supervisor"):
            client = self._client(persona)
            for type_name, model in models.items():
                response = client.get(reverse(f"admin:duties_{type_name}_export"))
                self.assertEqual(response.status_code, 200)
                rows = (
                    CalamineWorkbook.from_filelike(io.BytesIO(response.content))
                    .get_sheet_by_index(0)
                    .to_python()
                )
                visible = model.objects.restrict(self.personas[persona], "view").count()
                with self.subTest(persona=persona, type=type_name):
                    self.assertEqual(len(rows) - 1, visible)
                    self.assertGreater(visible, 0)
        anonymous = self._client("anonymous").get(reverse("admin:duties_task_export"))
        self.assertEqual(anonymous.status_code, 302)

    def test_api_matrix(self) -> None:
        table = {
            "bianban": {"get": 200, "patch": 200, "delete": None},
            "clerk_a": {"get": 200, "patch": 200, "delete": None},
            "clerk_b": {"get": 404, "patch": 404, "delete": 404},
            "supervisor": {"get": 200, "patch": 403, "delete": 403},
            "anonymous": {"get": 401, "patch": 401, "delete": 401},
        }
        for persona, expected in table.items():
            client = self._api(persona)
            for type_name, api_name in API_NAMES.items():
                obj = self.objects[type_name]
                url = reverse(f"api:{api_name}-detail", args=[obj.pk])
                for method, want in expected.items():
                    if want is None:
                        continue
                    response = getattr(client, method)(url, {}, format="json")
                    with self.subTest(persona=persona, type=type_name, method=method):
                        self.assertEqual(response.status_code, want, response.content[:300])
                self.assertTrue(type(obj).objects.filter(pk=obj.pk).exists())

    def test_api_delete_by_the_departments_clerk(self) -> None:
        client = self._api("clerk_a")
        response = client.delete(reverse("api:taskposition-detail", args=[self.tp.pk]))
        self.assertEqual(response.status_code, 204)
        response = client.delete(reverse("api:task-detail", args=[self.task.pk]))
        self.assertEqual(response.status_code, 204)
        self.assertFalse(Task.objects.filter(pk=self.task.pk).exists())
        self.assertTrue(ChangeLogEntry.objects.filter(model="duties.task", kind="delete").exists())

    def test_api_lists_are_scoped(self) -> None:
        client = self._api("clerk_b")
        names = [r["name"] for r in client.get(reverse("api:task-list")).json()["results"]]
        self.assertEqual(names, ["企业登记"])
        rows = client.get(reverse("api:taskposition-list")).json()["results"]
        self.assertEqual(len(rows), 1)
        self.assertEqual(
            client.get(reverse("api:dutyitem-list"), {"department": "x"}).json()["count"], 0
        )

    def test_api_create_derives_department_and_refuses_foreign_units(self) -> None:
        client = self._api("clerk_a")
        payload = {
            "duty_item": self.item.pk,
            "name": "编制年度计划",
            "lead_unit": self.w.unit_a.pk,
            "frequency": "yearly",
            "unit_hours": "8",
        }
        response = client.post(reverse("api:task-list"), payload, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["department"], body["code"], float(body["annual_hours"])),
            (self.w.dept_a.pk, "ZZ001-02", 8.0),
        )
        # B's unit is outside A's clerk's scope: it reads as not existing.
        response = client.post(
            reverse("api:task-list"), {**payload, "lead_unit": self.w.unit_b.pk}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        # B's clerk cannot create under A's duty item.
        response = self._api("clerk_b").post(reverse("api:task-list"), payload, format="json")
        self.assertEqual(response.status_code, 400)

    def test_api_revoke(self) -> None:
        services.transition_status(self.task, "active", acting_user=self.w.bianban)
        url = reverse("api:task-revoke", args=[self.task.pk])
        self.assertEqual(self._api("supervisor").post(url, {}).status_code, 403)
        self.assertEqual(self._api("clerk_b").post(url, {}).status_code, 404)
        response = self._api("clerk_a").post(url, {"change_reason": "任务取消"}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "revoked")

    def test_admin_revoke_action(self) -> None:
        services.transition_status(self.item, "active", acting_user=self.w.bianban)
        client = self._client("clerk_a")
        response = client.post(
            reverse("admin:duties_dutyitem_changelist"),
            {"action": "revoke_selected", "_selected_action": [self.item.pk]},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(DutyItem.objects.get(pk=self.item.pk).status, "revoked")
        self.assertEqual(Task.objects.get(pk=self.task.pk).status, "revoked")


class TaskAdminInlineTests(TestCase):
    """The 任务岗位 inline writes through the services (and the change log)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()
        cls.item = h.duty(cls.w.dept_a, "负责基础教育管理。")
        cls.task = h.task(cls.item, cls.w.unit_a, "审核办学许可")
        cls.second = b.position(cls.w.dept_a, cls.w.unit_a, "G02", "综合岗")

    def form(self, rows: list[dict], **overrides) -> dict:
        data = {
            "duty_item": self.item.pk,
            "code": self.task.code,
            "name": self.task.name,
            "description": "",
            "lead_unit": self.w.unit_a.pk,
            "frequency": "monthly",
            "occurrences": "",
            "unit_hours": "10",
            "order": "0",
            "discretion": "",
            "risk_level": "",
            "change_reason": "调整岗位",
            "assignments-TOTAL_FORMS": str(len(rows)),
            "assignments-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
            "assignments-MIN_NUM_FORMS": "0",
            "assignments-MAX_NUM_FORMS": "1000",
        }
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"assignments-{i}-{key}"] = value
            data[f"assignments-{i}-task"] = str(self.task.pk)
        data.update(overrides)
        return data

    def test_inline_rows_are_created_through_services(self) -> None:
        self.client.force_login(self.w.clerk_a)
        url = reverse("admin:duties_task_change", args=[self.task.pk])
        rows = [
            {"position": self.w.position_a.pk, "role": "lead"},
            {"position": self.second.pk, "role": "assist"},
        ]
        response = self.client.post(url, self.form(rows))
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        roles = dict(TaskPosition.objects.filter(task=self.task).values_list("position_id", "role"))
        self.assertEqual(roles, {self.w.position_a.pk: "lead", self.second.pk: "assist"})
        entries = ChangeLogEntry.objects.filter(model="duties.taskposition", kind="create")
        self.assertEqual(entries.count(), 2)
        self.assertEqual(set(entries.values_list("reason", flat=True)), {"调整岗位"})

    def test_two_leads_in_one_form_are_refused_and_nothing_saved(self) -> None:
        self.client.force_login(self.w.clerk_a)
        url = reverse("admin:duties_task_change", args=[self.task.pk])
        rows = [
            {"position": self.w.position_a.pk, "role": "lead"},
            {"position": self.second.pk, "role": "lead"},
        ]
        response = self.client.post(url, self.form(rows))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "每项任务只能有一个主办岗位")
        self.assertFalse(TaskPosition.objects.exists())

    def test_position_of_another_department_is_refused(self) -> None:
        self.client.force_login(self.w.bianban)
        url = reverse("admin:duties_task_change", args=[self.task.pk])
        response = self.client.post(
            url, self.form([{"position": self.w.position_b.pk, "role": "lead"}])
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "岗位必须属于本部门")
        self.assertFalse(TaskPosition.objects.exists())

    def test_swapping_the_lead_between_existing_rows(self) -> None:
        first = h.put(self.task, self.w.position_a, "lead")
        second = h.put(self.task, self.second, "assist")
        self.client.force_login(self.w.clerk_a)
        url = reverse("admin:duties_task_change", args=[self.task.pk])
        rows = [
            {"id": first.pk, "position": self.w.position_a.pk, "role": "assist"},
            {"id": second.pk, "position": self.second.pk, "role": "lead"},
        ]
        response = self.client.post(url, self.form(rows))
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.assertEqual(TaskPosition.objects.get(pk=second.pk).role, "lead")

    def test_occurrences_are_derived_in_the_form(self) -> None:
        self.client.force_login(self.w.clerk_a)
        url = reverse("admin:duties_task_change", args=[self.task.pk])
        response = self.client.post(url, self.form([], frequency="quarterly", unit_hours="5"))
        self.assertEqual(response.status_code, 302)
        task = Task.objects.get(pk=self.task.pk)
        self.assertEqual((task.occurrences, task.annual_hours), (4, 20))
        response = self.client.post(url, self.form([], frequency="per_case"))
        self.assertContains(response, "按件（不定期）的任务必须填写年发生次数")
