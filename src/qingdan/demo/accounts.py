"""One demo account per role, each over a scope that shows what the role sees."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from qingdan.core import accounts
from qingdan.core.choices import Role, Scope
from qingdan.core.models import RoleGrant, User
from qingdan.org.models import Department, Region


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: str
    anchor: str


def _pick(short_names: list[str], city: Region, skip: set[int]) -> Department:
    for short in short_names:
        d = Department.objects.filter(short_name=short, region=city).exclude(pk__in=skip).first()
        if d:
            return d
    return (
        Department.objects.filter(region=city, kind="government")
        .exclude(pk__in=skip)
        .order_by("order")
        .first()
        or Department.objects.filter(region=city).exclude(pk__in=skip).order_by("order").first()
    )


@transaction.atomic
def ensure_demo_accounts(acting_user: Any = None) -> list[DemoAccount]:
    """Create or reset the demo accounts; passwords are new and random on every call."""
    city = Region.objects.get(level="city")
    county = Region.objects.filter(level="county").order_by("code").first()
    own = _pick(["市教育局", "市市场监管局"], city, set())
    other = _pick(["市市场监管局", "市卫健委"], city, {own.pk})
    plan: list[tuple[str, str, str, Region, Department | None, str]] = [
        ("bianban", "市委编办管理员", Role.BIANBAN_ADMIN, city, None, Scope.ALL),
        ("supervisor", "市纪委监委监督员", Role.SUPERVISOR, city, None, Scope.ALL),
        ("dept_admin", f"{own.short_name}部门管理员", Role.DEPT_ADMIN, city, own, Scope.DEPT_TREE),
        ("clerk", f"{own.short_name}填报员", Role.DEPT_CLERK, city, own, Scope.DEPT),
        ("leader", f"{own.short_name}负责人", Role.DEPT_LEADER, city, own, Scope.DEPT),
        ("other_clerk", f"{other.short_name}填报员", Role.DEPT_CLERK, city, other, Scope.DEPT),
    ]
    if county is not None:
        plan.append(
            (
                "county_bianban",
                f"{county.name}编办管理员",
                Role.BIANBAN_ADMIN,
                county,
                None,
                Scope.ALL,
            )
        )
    result = []
    for username, full_name, role, region, dept, scope in plan:
        password = secrets.token_urlsafe(9)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, home_region=region)
            user.set_password(password)
            accounts.create_user(user, acting_user=acting_user, reason="演示账号")
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
            accounts.record_password_change(user, acting_user=acting_user)
        if not RoleGrant.objects.filter(user=user, role=role).exists():
            accounts.create_grant(
                RoleGrant(user=user, role=role, scope=scope, region=region, department=dept),
                acting_user=acting_user,
                reason="演示账号",
            )
        result.append(
            DemoAccount(
                username,
                password,
                Role(role).label,
                Scope(scope).label,
                dept.name if dept else region.name,
            )
        )
    return result
