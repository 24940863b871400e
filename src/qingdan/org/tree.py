"""Context builders for the department tree beside lists and the org tree page.

Pure functions of (user, date) returning plain data, in a fixed number of queries whatever the
size of the region (asserted in tests): regions, departments, units, positions, assignments, and
the three staffing queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from qingdan.core.access import restrict
from qingdan.core.choices import Action
from qingdan.org.choices import AssignmentKind, PositionCategory
from qingdan.org.models import Assignment, Department, Position, Region, Unit
from qingdan.org.staffing import Staffing, staffing_report


def tree_order(depts: list[Any]) -> list[tuple[Any, int]]:
    """Departments in display order: by ``order`` among siblings, each followed by its
    下属/代管 children (materialised paths sort as strings, which is not this order)."""
    ids = {d.id for d in depts}
    children: dict[int | None, list[Any]] = defaultdict(list)
    for d in depts:
        children[d.parent_id if d.parent_id in ids else None].append(d)
    for group in children.values():
        group.sort(key=lambda d: (d.order, d.id))
    out: list[tuple[Any, int]] = []
    stack = [(d, 0) for d in reversed(children[None])]
    while stack:
        d, depth = stack.pop()
        out.append((d, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(d.id, [])))
    return out


def department_tree(user: Any, selected: str | None) -> dict[str, Any]:
    """The departments the user may see, grouped by region, indented by the 下属/代管 chain."""
    depts = (
        restrict(Department.objects.all(), user, Action.VIEW)
        .filter(status="active")
        .select_related("region")
        .only("id", "name", "short_name", "parent_id", "order", "region__name", "region__code")
    )
    regions: dict[int, dict[str, Any]] = {}
    for d, depth in tree_order(list(depts)):
        group = regions.setdefault(
            d.region_id, {"name": d.region.name, "code": d.region.code, "departments": []}
        )
        group["departments"].append(
            {"id": d.id, "name": d.name, "short_name": d.short_name, "indent": depth}
        )
    try:
        chosen = int(selected) if selected else None
    except ValueError:
        chosen = None
    # GB/T 2260 codes sort a region before its subdivisions, which is tree order.
    return {"regions": sorted(regions.values(), key=lambda r: r["code"]), "selected": chosen}


@dataclass
class PersonNode:
    id: int
    name: str
    tag: str  # "" for primary, "兼" for concurrent, "代" for acting
    over_quota: bool


@dataclass
class PositionNode:
    id: int
    name: str
    category: str
    headcount: int
    is_key: bool
    people: list[PersonNode] = field(default_factory=list)

    @property
    def holders(self) -> int:
        return sum(1 for p in self.people if p.tag != "兼")

    @property
    def vacant(self) -> int:
        return max(0, self.headcount - self.holders)

    @property
    def over(self) -> int:
        return max(0, self.holders - self.headcount)


@dataclass
class UnitNode:
    id: int | None
    name: str
    staffing: Staffing | None
    positions: list[PositionNode] = field(default_factory=list)

    @property
    def people_count(self) -> int:
        return sum(len(p.people) for p in self.positions)


@dataclass
class DepartmentNode:
    id: int
    name: str
    kind: str
    rank: str
    indent: int
    staffing: Staffing
    units: list[UnitNode] = field(default_factory=list)

    @property
    def position_count(self) -> int:
        return sum(len(u.positions) for u in self.units)


@dataclass
class RegionNode:
    id: int
    name: str
    level: str
    indent: int
    departments: list[DepartmentNode] = field(default_factory=list)


@dataclass
class OrgTree:
    on: dt.date
    regions: list[RegionNode]
    totals: dict[str, int]


def build_org_tree(user: Any, on: dt.date, *, region_id: int | None = None) -> OrgTree:
    regions_qs = restrict(Region.objects.all(), user, Action.VIEW).order_by("code")
    if region_id is not None:
        root = regions_qs.filter(pk=region_id).values_list("path", flat=True).first()
        regions_qs = regions_qs.filter(path__startswith=root) if root else regions_qs.none()
    regions = list(regions_qs.only("id", "name", "level", "path", "code"))
    region_ids = [r.id for r in regions]

    depts = list(
        restrict(Department.objects.all(), user, Action.VIEW)
        .valid_on(on)
        .filter(region_id__in=region_ids)
        .only("id", "name", "kind", "rank", "path", "region_id", "order", "parent_id")
    )
    dept_ids = [d.id for d in depts]
    # Plain tuples, not model instances: this page reads thousands of rows.
    units = list(
        Unit.objects.valid_on(on)
        .filter(department_id__in=dept_ids)
        .order_by("order", "id")
        .values_list("id", "name", "department_id")
    )
    positions = (
        Position.objects.valid_on(on).filter(department_id__in=dept_ids).order_by("order", "id")
    )
    held = (
        Assignment.objects.active_on(on)
        .filter(department_id__in=dept_ids)
        .order_by("kind", "start_date")
        .values_list("position_id", "kind", "is_acting", "over_quota", "person_id", "person__name")
    )
    report = staffing_report(dept_ids, on)

    people_by_position: dict[int, list[PersonNode]] = defaultdict(list)
    for position_id, kind, is_acting, over_quota, person_id, person_name in held:
        tag = "代" if is_acting else ("兼" if kind == AssignmentKind.CONCURRENT else "")
        people_by_position[position_id].append(PersonNode(person_id, person_name, tag, over_quota))
    category_label = dict(PositionCategory.choices)
    positions_by_unit: dict[tuple[int, int | None], list[PositionNode]] = defaultdict(list)
    for pid, name, category, headcount, is_key, unit_id, dept_id in positions.values_list(
        "id", "name", "category", "headcount", "is_key", "unit_id", "department_id"
    ):
        positions_by_unit[(dept_id, unit_id)].append(
            PositionNode(
                pid,
                name,
                category_label[category],
                headcount,
                is_key,
                people_by_position.get(pid, []),
            )
        )
    units_by_dept: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for u in units:
        units_by_dept[u[2]].append(u)

    depts_by_region: dict[int, list[DepartmentNode]] = defaultdict(list)
    totals = defaultdict(int)
    for d, depth in tree_order(depts):
        staffing = report.departments.get(d.id) or Staffing()
        node = DepartmentNode(
            d.id, d.name, d.get_kind_display(), d.get_rank_display(), depth, staffing
        )
        leaders = positions_by_unit.get((d.id, None))
        if leaders:
            node.units.append(UnitNode(None, "部门领导", None, leaders))
        for unit_id, unit_name, _ in units_by_dept.get(d.id, []):
            node.units.append(
                UnitNode(
                    unit_id,
                    unit_name,
                    report.units.get(unit_id),
                    positions_by_unit.get((d.id, unit_id), []),
                )
            )
        depts_by_region[d.region_id].append(node)
        total = staffing.total
        totals["departments"] += 1
        totals["approved"] += total.approved or 0
        totals["filled"] += total.filled
        totals["over"] += sum(b.over for b in staffing.bars.values())
        totals["vacant"] += sum(b.vacant for b in staffing.bars.values())
    totals["units"] = len(units)
    totals["positions"] = sum(len(v) for v in positions_by_unit.values())
    totals["people"] = sum(len(v) for v in people_by_position.values())

    base_depth = min((r.path.count("/") for r in regions), default=0)
    region_nodes = [
        RegionNode(
            r.id,
            r.name,
            r.get_level_display(),
            r.path.count("/") - base_depth,
            depts_by_region.get(r.id, []),
        )
        for r in regions
    ]
    return OrgTree(on, region_nodes, dict(totals))


def cached_tree_body(user: Any, on: dt.date, region_id: int | None) -> SafeString:
    """The rendered tree, cached until the next write anywhere.

    Every write appends to the change log, so the chain head's hash is a version of the whole
    database: the key holds it, together with what decides the content (the user's scope, the date
    and the region), and a stale tree can never be served.
    """
    from qingdan.core.access import grants_for
    from qingdan.core.models import ChainHead

    head = ChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first() or ""
    scope = sorted(
        (g.role, g.scope, g.region_id, g.department_id or 0, g.custom_department_ids)
        for g in grants_for(user)
    )
    owner = user.pk if user.is_superuser or any(g.scope == "self" for g in grants_for(user)) else 0
    digest = hashlib.sha256(repr((scope, owner, on, region_id, head)).encode()).hexdigest()
    key = f"qingdan:orgtree:{digest}"
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "org/_tree_body.html", {"tree": build_org_tree(user, on, region_id=region_id)}
        )
        cache.set(key, body, 3600)
    return mark_safe(body)  # noqa: S308 - rendered by our template, every value escaped there
