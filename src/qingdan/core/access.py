"""The one data-scope gate: ``restrict(queryset, user, action)``.

Every view, admin page, export, import, API endpoint and background job narrows its querysets here.
A model takes part by declaring:

- ``access_group``: which row of the role × group permission matrix applies to it;
- ``scope_region_field`` / ``scope_department_field``: the column holding the row's region and owning
  department (``"id"`` for Region and Department themselves; ``None`` when the model has none);
- optionally ``scope_owner_field`` (for the 仅本人 scope) and ``scope_owner_always``.

Outsiders get 404 (the row is invisible), users who may see but not change get 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from qingdan.core.choices import Action, Role, Scope

M = TypeVar("M", bound=models.Model)

A = Action
VIEW_ONLY = frozenset({A.VIEW})
READ_WRITE = frozenset({A.VIEW, A.ADD, A.CHANGE})
FULL = frozenset({A.VIEW, A.ADD, A.CHANGE, A.DELETE})
NONE: frozenset[Action] = frozenset()

# Access groups: the org structure (regions, departments, quotas) belongs to the 编办; a department
# keeps its own units, positions and people, and its lists.
GROUPS = (
    "org.structure",
    "org.units",
    "org.staff",
    "lists",
    "core.accounts",
    "core.changelog",
    "core.jobs",
)

ROLE_PERMISSIONS: dict[str, dict[str, frozenset[Action]]] = {
    Role.BIANBAN_ADMIN: {
        group: FULL | {A.SUBMIT, A.APPROVE, A.REVIEW, A.PUBLISH} for group in GROUPS
    },
    Role.DEPT_ADMIN: {
        "org.structure": VIEW_ONLY,
        "org.units": FULL,
        "org.staff": FULL,
        "lists": FULL | {A.SUBMIT},
        "core.accounts": NONE,
        "core.changelog": VIEW_ONLY,
        "core.jobs": VIEW_ONLY,
    },
    Role.DEPT_CLERK: {
        "org.structure": VIEW_ONLY,
        "org.units": VIEW_ONLY,
        "org.staff": READ_WRITE,
        "lists": FULL | {A.SUBMIT},
        "core.accounts": NONE,
        "core.changelog": VIEW_ONLY,
        "core.jobs": NONE,
    },
    Role.DEPT_LEADER: {
        "org.structure": VIEW_ONLY,
        "org.units": VIEW_ONLY,
        "org.staff": VIEW_ONLY,
        "lists": VIEW_ONLY | {A.APPROVE},
        "core.accounts": NONE,
        "core.changelog": VIEW_ONLY,
        "core.jobs": NONE,
    },
    Role.SUPERVISOR: {
        "org.structure": VIEW_ONLY,
        "org.units": VIEW_ONLY,
        "org.staff": VIEW_ONLY,
        "lists": VIEW_ONLY,
        "core.accounts": NONE,
        "core.changelog": VIEW_ONLY,
        "core.jobs": VIEW_ONLY,
    },
}


@dataclass(frozen=True)
class ResolvedGrant:
    role: str
    scope: str
    region_id: int
    region_path: str
    department_id: int | None
    department_path: str
    custom_department_ids: tuple[int, ...] = field(default=())


def grants_for(user: Any) -> list[ResolvedGrant]:
    """The user's grants, read once per user object (one query) and cached on it."""
    cached = getattr(user, "_qingdan_grants", None)
    if cached is not None:
        return cached
    from qingdan.core.models import RoleGrant

    rows = (
        RoleGrant.objects.filter(user_id=user.pk)
        .select_related("region", "department")
        .prefetch_related("custom_departments")
    )
    resolved = [
        ResolvedGrant(
            role=g.role,
            scope=g.scope,
            region_id=g.region_id,
            region_path=g.region.path,
            department_id=g.department_id,
            department_path=g.department.path if g.department else "",
            custom_department_ids=tuple(d.pk for d in g.custom_departments.all()),
        )
        for g in rows
    ]
    user._qingdan_grants = resolved
    return resolved


def _region_subtree(path: str) -> models.QuerySet:
    from qingdan.org.models import Region

    return Region.objects.filter(path__startswith=path).values("id")


def _department_subtree(path: str) -> models.QuerySet:
    from qingdan.org.models import Department

    return Department.objects.filter(path__startswith=path).values("id")


def _region_ancestors(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _grant_q(grant: ResolvedGrant, model: type[models.Model], user: Any, action: str) -> Q | None:
    region_field: str | None = getattr(model, "scope_region_field", None)
    dept_field: str | None = getattr(model, "scope_department_field", None)
    owner_field: str | None = getattr(model, "scope_owner_field", None)

    if grant.scope == Scope.CUSTOM:
        if dept_field is None:
            return None
        return Q(**{f"{dept_field}__in": grant.custom_department_ids})
    if grant.scope == Scope.ALL or grant.department_id is None:
        if region_field is None:
            return None
        return Q(**{f"{region_field}__in": _region_subtree(grant.region_path)})

    if dept_field is None:
        # Rows above departments (regions): a department's people may read their own region and
        # the regions above it, nothing more.
        if region_field is None or action != Action.VIEW:
            return None
        return Q(**{f"{region_field}__in": _region_ancestors(grant.region_path)})

    if grant.scope == Scope.DEPT:
        q = Q(**{dept_field: grant.department_id})
    elif grant.scope == Scope.DEPT_TREE:
        q = Q(**{f"{dept_field}__in": _department_subtree(grant.department_path)})
    elif grant.scope == Scope.SELF:
        if owner_field is None:
            return None
        q = Q(**{dept_field: grant.department_id, owner_field: user.pk})
    else:  # pragma: no cover - guarded by choices
        return None
    return q


def _action_allowed(grant: ResolvedGrant, model: type[models.Model], action: str) -> bool:
    group = getattr(model, "access_group", None)
    if group is None:
        return False
    return action in ROLE_PERMISSIONS.get(grant.role, {}).get(group, NONE)


def scope_q(user: Any, model: type[models.Model], action: Action | str) -> Q | None:
    """The filter giving the rows of ``model`` on which ``user`` may perform ``action``.

    ``None`` means "no rows"; an empty ``Q()`` means "all rows" (superusers).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Q()
    custom = getattr(model, "restrict_q", None)
    if custom is not None:
        return custom(user, action, grants_for(user))
    combined: Q | None = None
    for grant in grants_for(user):
        if not _action_allowed(grant, model, action):
            continue
        q = _grant_q(grant, model, user, action)
        if q is not None:
            combined = q if combined is None else combined | q
    owner_field = getattr(model, "scope_owner_field", None)
    if getattr(model, "scope_owner_always", False) and owner_field:
        own = Q(**{owner_field: user.pk})
        combined = own if combined is None else combined | own
    return combined


def restrict(queryset: models.QuerySet[M], user: Any, action: Action | str) -> models.QuerySet[M]:
    """Narrow ``queryset`` to the rows ``user`` may perform ``action`` on."""
    q = scope_q(user, queryset.model, action)
    if q is None:
        return queryset.none()
    return queryset.filter(q) if q else queryset


def can(user: Any, action: Action | str, model: type[models.Model]) -> bool:
    """Whether the user may perform ``action`` on at least some rows of ``model`` (menus, buttons).

    Asked dozens of times per page (sidebar, app list, buttons), so answered once per user object
    (one request) and model.
    """
    if user is None or not user.is_authenticated:
        return False
    memo = user.__dict__.setdefault("_qingdan_can", {})
    key = (model._meta.label_lower, str(action))
    if key not in memo:
        memo[key] = scope_q(user, model, action) is not None
    return memo[key]


def get_for_user(
    queryset: models.QuerySet[M], user: Any, action: Action | str = Action.VIEW, **lookup: Any
) -> M:
    """Fetch one row: 404 when the user cannot see it, 403 when they see it but may not act."""
    obj = restrict(queryset, user, Action.VIEW).filter(**lookup).first()
    if obj is None:
        raise Http404("对象不存在或不在您的数据范围内。")
    if action != Action.VIEW and not restrict(queryset, user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("您没有执行此操作的权限。")
    return obj


def ensure_in_scope(user: Any, obj: models.Model, action: Action | str = Action.CHANGE) -> None:
    """Re-check after a save that the row is still inside the user's scope (else roll back)."""
    model = type(obj)
    if not restrict(model._default_manager.all(), user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("保存后的对象超出了您的数据范围，操作已撤销。")
