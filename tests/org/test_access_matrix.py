"""Every persona × every org object type × view / change / delete, in the back office and the API.

Objects belong to department A (市教育局). Expected: 编办管理员 may do everything; A's clerk sees
everything of A and edits only positions, people and assignments; B's clerk sees none of A (404)
but may read the city region; 监督员 reads all and changes nothing (403); anonymous users are sent
to log in (admin) or refused (API).
"""

from __future__ import annotations

import io

from django.test import TestCase
from django.urls import reverse
from python_calamine import CalamineWorkbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.builders import build_world

TYPES = ["region", "department", "unit", "staffingquota", "position", "person", "assignment"]
API_NAMES = {
    "region": "region",
    "department": "department",
    "unit": "unit",
    "staffingquota": "quota",
    "position": "position",
    "person": "person",
    "assignment": "assignment",
}
STAFF_TYPES = {"position", "person", "assignment"}

# persona -> action -> {type: status}; "*" is the default for the persona and action.
EXPECTED = {
    "bianban": {"view": {"*": 200}, "change": {"*": 200}, "delete": {"*": 200}},
    "clerk_a": {
        "view": {"*": 200},
        "change": {"*": 403, **{t: 200 for t in STAFF_TYPES}},
        "delete": {"*": 403},
    },
    "clerk_b": {
        "view": {"*": 404, "region": 200},
        "change": {"*": 404, "region": 403},
        "delete": {"*": 404, "region": 403},
    },
    "supervisor": {"view": {"*": 200}, "change": {"*": 403}, "delete": {"*": 403}},
    "anonymous": {"view": {"*": 302}, "change": {"*": 302}, "delete": {"*": 302}},
}


def expected(persona: str, action: str, type_name: str) -> int:
    table = EXPECTED[persona][action]
    return table.get(type_name, table["*"])


class AccessMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()
        cls.objects = {
            "region": cls.w.city,
            "department": cls.w.dept_a,
            "unit": cls.w.unit_a,
            "staffingquota": cls.w.quota_a,
            "position": cls.w.position_a,
            "person": cls.w.person_a,
            "assignment": cls.w.assignment_a,
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

    def test_admin_matrix(self) -> None:
        for persona in self.personas:
            client = self._client(persona)
            for type_name, obj in self.objects.items():
                change_url = reverse(f"admin:org_{type_name}_change", args=[obj.pk])
                delete_url = reverse(f"admin:org_{type_name}_delete", args=[obj.pk])
                with self.subTest(persona=persona, type=type_name, action="view"):
                    self.assertEqual(
                        client.get(change_url).status_code, expected(persona, "view", type_name)
                    )
                with self.subTest(persona=persona, type=type_name, action="change"):
                    response = client.post(change_url, {})
                    self.assertEqual(response.status_code, expected(persona, "change", type_name))
                with self.subTest(persona=persona, type=type_name, action="delete"):
                    self.assertEqual(
                        client.get(delete_url).status_code, expected(persona, "delete", type_name)
                    )
                # Nothing above may have written anything (empty POSTs are invalid forms).
                self.assertTrue(type(obj).objects.filter(pk=obj.pk).exists())

    def test_admin_history_follows_the_view_rule(self) -> None:
        for persona in ("bianban", "clerk_a", "clerk_b", "supervisor"):
            client = self._client(persona)
            for type_name, obj in self.objects.items():
                url = reverse(f"admin:org_{type_name}_history", args=[obj.pk])
                with self.subTest(persona=persona, type=type_name):
                    self.assertEqual(
                        client.get(url).status_code, expected(persona, "view", type_name)
                    )

    def test_lists_show_only_rows_in_scope(self) -> None:
        url = reverse("admin:org_department_changelist")
        cases = {
            "bianban": {
                "东川市教育局",
                "东川市教育考试院",
                "东川市市场监督管理局",
                "河西区教育和体育局",
            },
            "clerk_a": {"东川市教育局"},
            "clerk_b": {"东川市市场监督管理局"},
            "supervisor": {
                "东川市教育局",
                "东川市教育考试院",
                "东川市市场监督管理局",
                "河西区教育和体育局",
            },
        }
        every = {"东川市教育局", "东川市教育考试院", "东川市市场监督管理局", "河西区教育和体育局"}
        for persona, visible in cases.items():
            html = self._client(persona).get(url).content.decode()
            for name in every:
                with self.subTest(persona=persona, name=name):
                    # The tree beside the list also names departments, so count the result rows.
                    self.assertEqual(
                        f">{name}</a></th>" in html or f">{name}</th>" in html, name in visible
                    )

    def test_export_contains_exactly_the_rows_in_scope(self) -> None:
        for persona, user in (
            ("bianban", self.w.bianban),
            ("clerk_a", self.w.clerk_a),
            ("supervisor", self.w.supervisor),
        ):
            for type_name in TYPES:
                client = self._client(persona)
                response = client.get(reverse(f"admin:org_{type_name}_export"))
                self.assertEqual(response.status_code, 200)
                rows = (
                    CalamineWorkbook.from_filelike(io.BytesIO(response.content))
                    .get_sheet_by_index(0)
                    .to_python()
                )
                model = type(self.objects[type_name])
                visible = model.objects.restrict(user, "view").count()
                with self.subTest(persona=persona, type=type_name):
                    self.assertEqual(len(rows) - 1, visible)
        self.assertEqual(
            self._client("anonymous").get(reverse("admin:org_unit_export")).status_code, 302
        )

    def test_department_subtree_scope_includes_entrusted_institution(self) -> None:
        from qingdan.org.models import Department

        names = set(
            Department.objects.restrict(self.w.dept_admin_a, "view").values_list("name", flat=True)
        )
        self.assertEqual(names, {"东川市教育局", "东川市教育考试院"})
        county = set(
            Department.objects.restrict(self.w.county_bianban, "view").values_list(
                "name", flat=True
            )
        )
        self.assertEqual(county, {"河西区教育和体育局"})

    def test_api_matrix(self) -> None:
        api_expected = {
            "bianban": {"get": {"*": 200}, "patch": {"*": 200}, "delete": None},
            "clerk_a": {
                "get": {"*": 200},
                "patch": {"*": 403, **{t: 200 for t in STAFF_TYPES}},
                "delete": {"*": 403},
            },
            "clerk_b": {
                "get": {"*": 404, "region": 200},
                "patch": {"*": 404, "region": 403},
                "delete": {"*": 404, "region": 403},
            },
            "supervisor": {"get": {"*": 200}, "patch": {"*": 403}, "delete": {"*": 403}},
            "anonymous": {"get": {"*": 401}, "patch": {"*": 401}, "delete": {"*": 401}},
        }
        for persona, table in api_expected.items():
            client = APIClient()
            user = self.personas[persona]
            if user is not None:
                token, _ = Token.objects.get_or_create(user=user)
                client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            for type_name, obj in self.objects.items():
                url = reverse(f"api:{API_NAMES[type_name]}-detail", args=[obj.pk])
                for method in ("get", "patch", "delete"):
                    if table[method] is None:
                        continue
                    want = table[method].get(type_name, table[method]["*"])
                    response = getattr(client, method)(url, {}, format="json")
                    with self.subTest(persona=persona, type=type_name, method=method):
                        self.assertEqual(response.status_code, want, response.content[:300])
                self.assertTrue(type(obj).objects.filter(pk=obj.pk).exists())

    def test_api_list_is_scoped(self) -> None:
        client = APIClient()
        client.force_authenticate(self.w.clerk_b)
        response = client.get(reverse("api:position-list"))
        self.assertEqual(response.status_code, 200)
        names = [row["name"] for row in response.json()["results"]]
        self.assertEqual(names, ["登记注册审核岗"])


class ExportEscapingTests(TestCase):
    def test_formula_like_names_are_exported_as_text(self) -> None:
        w = build_world()
        from qingdan.org.models import Unit

        Unit.objects.filter(pk=w.unit_a.pk).update(duties='=HYPERLINK("http://evil")')
        self.client.force_login(w.bianban)
        response = self.client.get(reverse("admin:org_unit_export"))
        sheet = (
            CalamineWorkbook.from_filelike(io.BytesIO(response.content))
            .get_sheet_by_index(0)
            .to_python()
        )
        duties = next(row[5] for row in sheet[1:] if row[3] == "基础教育科")
        self.assertEqual(duties, '\'=HYPERLINK("http://evil")')
