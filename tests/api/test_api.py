"""The REST API: schema, token auth, writes through services, errors in Chinese."""

from __future__ import annotations

from django.test import TestCase
from rest_framework.test import APIClient

from qingdan.core.models import ChangeLogEntry
from qingdan.org.models import Assignment, Position
from tests.builders import PASSWORD, build_world


class ApiTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def client_for(self, user) -> APIClient:
        client = APIClient()
        token = client.post(
            "/api/token/", {"username": user.username, "password": PASSWORD}
        ).json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    def test_openapi_schema_lists_the_org_endpoints(self) -> None:
        self.client.force_login(self.w.bianban)
        response = self.client.get("/api/schema/", HTTP_ACCEPT="application/json")
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        self.assertTrue(schema["openapi"].startswith("3."))
        for path in (
            "/api/v1/departments/",
            "/api/v1/units/{id}/",
            "/api/v1/assignments/",
            "/api/v1/quotas/",
        ):
            self.assertIn(path, schema["paths"])

    def test_docs_page_uses_no_cdn(self) -> None:
        self.client.force_login(self.w.bianban)
        html = self.client.get("/api/docs/").content.decode()
        self.assertIn("swagger-ui", html)
        self.assertNotIn("cdn.jsdelivr", html)
        self.assertNotIn("unpkg.com", html)

    def test_token_auth_and_scoped_list(self) -> None:
        client = self.client_for(self.w.clerk_a)
        rows = client.get("/api/v1/departments/").json()["results"]
        self.assertEqual([r["name"] for r in rows], ["东川市教育局"])

    def test_create_through_the_service_is_logged(self) -> None:
        client = self.client_for(self.w.clerk_a)
        response = client.post(
            "/api/v1/positions/",
            {
                "department": self.w.dept_a.pk,
                "unit": self.w.unit_a.pk,
                "code": "G09",
                "name": "学籍管理岗",
                "category": "business",
                "headcount": 1,
                "change_reason": "新增岗位",
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        position = Position.objects.get(code="G09")
        self.assertEqual(position.region_id, self.w.city.pk)  # derived by the service
        entry = ChangeLogEntry.objects.latest("seq")
        self.assertEqual(
            (entry.model, entry.kind, entry.reason, entry.username),
            ("org.position", "create", "新增岗位", "clerk_a"),
        )

    def test_cannot_create_in_another_department(self) -> None:
        client = self.client_for(self.w.clerk_a)
        before = Position.objects.count()
        response = client.post(
            "/api/v1/positions/",
            {
                "department": self.w.dept_b.pk,
                "code": "G09",
                "name": "越权岗",
                "category": "business",
                "headcount": 1,
            },
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("department", response.json())
        self.assertEqual(Position.objects.count(), before)

    def test_over_quota_appointment_needs_a_reason(self) -> None:
        client = self.client_for(self.w.bianban)
        from tests import builders as b

        pos = b.position(self.w.dept_c, None, "G1", "综合岗", headcount=5, category="general")
        people = [b.person(self.w.dept_c, f"C{i}", f"县员{i}") for i in range(3)]
        for p in people[:2]:
            b.assign(p, pos)
        payload = {
            "person": people[2].pk,
            "position": pos.pk,
            "kind": "primary",
            "start_date": "2024-01-01",
        }
        response = client.post("/api/v1/assignments/", payload, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("超编", str(response.json()["override_reason"]))
        response = client.post(
            "/api/v1/assignments/", {**payload, "override_reason": "编委会议定"}, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(Assignment.objects.get(pk=response.json()["id"]).over_quota)

    def test_malformed_json_and_oversized_values(self) -> None:
        client = self.client_for(self.w.bianban)
        response = client.generic(
            "POST", "/api/v1/units/", "{not json", content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        response = client.post(
            "/api/v1/units/",
            {"department": self.w.dept_a.pk, "code": "U9", "name": "科" * 500},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("name", response.json())

    def test_anonymous_is_refused(self) -> None:
        self.assertEqual(APIClient().get("/api/v1/units/").status_code, 401)


class ApiFilterTests(TestCase):
    def test_malformed_id_filters_are_a_400_not_a_crash(self) -> None:
        w = build_world()
        client = APIClient()
        client.force_authenticate(w.bianban)
        response = client.get("/api/v1/units/?department=abc")
        self.assertEqual(response.status_code, 400)
        self.assertIn("整数", str(response.json()))
        self.assertEqual(client.get(f"/api/v1/units/?department={w.dept_a.pk}").json()["count"], 1)
