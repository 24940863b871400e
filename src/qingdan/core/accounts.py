"""Services for accounts and role grants (who may see and do what)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from qingdan.core.changelog import record, snapshot
from qingdan.core.choices import ChangeKind, Role, Scope
from qingdan.core.models import RoleGrant, User
from qingdan.core.services import create_object, delete_object, update_object

DEPARTMENT_ROLES = {Role.DEPT_ADMIN, Role.DEPT_CLERK, Role.DEPT_LEADER}
DEPARTMENT_SCOPES = {Scope.DEPT, Scope.DEPT_TREE, Scope.SELF}


def validate_user(user: User) -> None:
    if not user.is_superuser and user.home_region_id is None:
        raise ValidationError({"home_region": "请选择账号所属的行政区划。"})


@transaction.atomic
def create_user(user: User, *, acting_user: Any, reason: str = "") -> User:
    validate_user(user)
    user.is_staff = True  # every account works in the back office; access comes from grants
    return create_object(user, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_user(user: User, *, acting_user: Any, reason: str = "") -> User:
    validate_user(user)
    return update_object(user, acting_user=acting_user, reason=reason)


def delete_user(user: User, *, acting_user: Any, reason: str = "") -> None:
    delete_object(user, acting_user=acting_user, reason=reason)


def record_password_change(user: User, *, acting_user: Any) -> None:
    record(
        ChangeKind.UPDATE,
        user,
        before={"password": "******"},
        after={"password": "已重置"},
        acting_user=acting_user,
        reason="修改密码",
    )


def validate_grant(grant: RoleGrant, custom_department_ids: list[int] | None = None) -> None:
    errors: dict[str, str] = {}
    if grant.department_id:
        grant.region_id = grant.department.region_id
    if grant.role in DEPARTMENT_ROLES:
        if not grant.department_id:
            errors["department"] = "部门角色必须指定部门。"
        if grant.scope == Scope.ALL:
            errors["scope"] = "部门角色的数据范围不能为“全部”。"
    if grant.scope in DEPARTMENT_SCOPES and not grant.department_id:
        errors["department"] = "数据范围为本部门、本部门及以下或仅本人时必须指定部门。"
    if not grant.region_id and not errors:
        errors["region"] = "请选择行政区划。"
    if (
        grant.scope == Scope.CUSTOM
        and custom_department_ids is not None
        and not custom_department_ids
    ):
        errors["custom_departments"] = "数据范围为“自定义”时请选择部门。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_grant(
    grant: RoleGrant,
    *,
    acting_user: Any,
    custom_department_ids: list[int] | None = None,
    reason: str = "",
) -> RoleGrant:
    validate_grant(grant, custom_department_ids)
    create_object(grant, acting_user=acting_user, reason=reason)
    if custom_department_ids:
        set_custom_departments(grant, custom_department_ids, acting_user=acting_user)
    return grant


@transaction.atomic
def update_grant(grant: RoleGrant, *, acting_user: Any, reason: str = "") -> RoleGrant:
    validate_grant(grant)
    return update_object(grant, acting_user=acting_user, reason=reason)


@transaction.atomic
def set_custom_departments(grant: RoleGrant, ids: list[int], *, acting_user: Any) -> None:
    before = sorted(grant.custom_departments.values_list("id", flat=True))
    after = sorted(set(ids))
    if before == after:
        return
    grant.custom_departments.set(after)
    record(
        ChangeKind.UPDATE,
        grant,
        before={**snapshot(grant), "custom_departments": before},
        after={**snapshot(grant), "custom_departments": after},
        acting_user=acting_user,
    )


def delete_grant(grant: RoleGrant, *, acting_user: Any, reason: str = "") -> None:
    delete_object(grant, acting_user=acting_user, reason=reason)
