"""The gate's scopes: 全部, 本部门, 本部门及以下, 仅本人, 自定义; and who may grant what."""

from __future__ import annotations

from django.test import TestCase

from qingdan.core import accounts
from qingdan.core.choices import Role, Scope
from qingdan.core.models import RoleGrant, User
from qingdan.org import services
from qingdan.org.models import Department, Person, Position
from tests import builders as b
from tests.builders import build_world


class ScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def names(self, user: User) -> set[str]:
        return set(Department.objects.restrict(user, "view").values_list("name", flat=True))

    def test_custom_scope_reaches_exactly_the_chosen_departments(self) -> None:
        user = b.user("auditor", self.w.city)
        accounts.create_grant(
            RoleGrant(user=user, role=Role.SUPERVISOR, scope=Scope.CUSTOM, region=self.w.city),
            acting_user=self.w.bianban,
            custom_department_ids=[self.w.dept_b.pk, self.w.dept_c.pk],
        )
        self.assertEqual(self.names(user), {"东川市市场监督管理局", "河西区教育和体育局"})
        self.assertFalse(Position.objects.restrict(user, "change").exists())

    def test_self_scope_reaches_only_rows_the_user_created(self) -> None:
        user = b.user(
            "self_clerk", self.w.city, (Role.DEPT_CLERK, Scope.SELF, self.w.city, self.w.dept_a)
        )
        mine = services.create_person(
            Person(
                department=self.w.dept_a,
                code="S1",
                name="自建",
                gender="M",
                birth_year=1990,
                staffing_type="administrative",
            ),
            acting_user=user,
        )
        visible = set(Person.objects.restrict(user, "view").values_list("pk", flat=True))
        self.assertEqual(visible, {mine.pk})

    def test_grants_add_up(self) -> None:
        user = b.user(
            "two_hats",
            self.w.city,
            (Role.DEPT_CLERK, Scope.DEPT, self.w.city, self.w.dept_a),
            (Role.SUPERVISOR, Scope.DEPT, self.w.city, self.w.dept_b),
        )
        self.assertEqual(self.names(user), {"东川市教育局", "东川市市场监督管理局"})
        self.assertEqual(
            set(
                Position.objects.restrict(user, "change").values_list("department__name", flat=True)
            ),
            {"东川市教育局"},
        )

    def test_inactive_and_anonymous_users_reach_nothing(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        self.w.clerk_a.is_active = False
        self.assertFalse(Department.objects.restrict(self.w.clerk_a, "view").exists())
        self.assertFalse(Department.objects.restrict(AnonymousUser(), "view").exists())

    def test_department_roles_cannot_have_the_all_scope(self) -> None:
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError) as ctx:
            accounts.create_grant(
                RoleGrant(
                    user=self.w.clerk_b,
                    role=Role.DEPT_CLERK,
                    scope=Scope.ALL,
                    region=self.w.city,
                    department=self.w.dept_b,
                ),
                acting_user=self.w.bianban,
            )
        self.assertIn("不能为“全部”", str(ctx.exception))

    def test_county_bianban_cannot_grant_outside_the_county(self) -> None:
        self.client.force_login(self.w.county_bianban)
        before = RoleGrant.objects.count()
        response = self.client.post(
            "/admin/core/rolegrant/add/",
            {
                "user": self.w.county_bianban.pk,
                "role": Role.BIANBAN_ADMIN,
                "scope": Scope.ALL,
                "region": self.w.city.pk,
            },
        )
        self.assertEqual(response.status_code, 200)  # the city is not a choice for a county 编办
        self.assertEqual(RoleGrant.objects.count(), before)

    def test_clerks_cannot_manage_accounts(self) -> None:
        self.client.force_login(self.w.clerk_a)
        self.assertEqual(self.client.get("/admin/core/user/").status_code, 403)
        self.assertEqual(self.client.get("/admin/core/rolegrant/add/").status_code, 403)

    def test_bianban_creates_an_account_through_the_admin(self) -> None:
        self.client.force_login(self.w.bianban)
        response = self.client.post(
            "/admin/core/user/add/",
            {
                "username": "new_clerk",
                "full_name": "新填报员",
                "home_region": self.w.city.pk,
                "password1": "Qd-new-pass-2026!",
                "password2": "Qd-new-pass-2026!",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        user = User.objects.get(username="new_clerk")
        self.assertTrue(user.is_staff)
        self.assertFalse(user.is_superuser)
        from qingdan.core.models import ChangeLogEntry

        entry = ChangeLogEntry.objects.filter(model="core.user", object_id=str(user.pk)).get()
        self.assertNotIn("password", entry.after)
