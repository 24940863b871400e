"""Synthetic 机构编制 for the demo region: regions, departments, units, quotas, positions, people
and tenure histories, deterministic by seed.

Rows are built consistent with the org invariants by construction (and the tests check them),
bulk-inserted, and each given its own change-log entry, so the history tab and ``verify-log`` work
on generated data exactly as on data entered by hand.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from qingdan.core.changelog import Change, record_many, snapshot
from qingdan.core.choices import ChangeKind
from qingdan.demo import names
from qingdan.org import services
from qingdan.org.codes import make_credit_code
from qingdan.org.models import (
    Assignment,
    Department,
    Person,
    Position,
    Region,
    StaffingQuota,
    Unit,
)

OVER_QUOTA_REASON = "机构改革人员转隶，暂时超编，按“只出不进”逐步消化（编办备案）。"


@dataclass
class Scale:
    city_departments: int
    counties: int
    towns_per_county: int
    institutions: int
    units_extra: tuple[int, int]  # field units per city department (min, max)


SCALES = {
    "small": Scale(
        city_departments=4, counties=1, towns_per_county=1, institutions=1, units_extra=(2, 4)
    ),
    "city": Scale(
        city_departments=28, counties=3, towns_per_county=2, institutions=3, units_extra=(6, 13)
    ),
}


@dataclass
class OrgResult:
    regions: list[Region] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    quotas: list[StaffingQuota] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "行政区划": len(self.regions),
            "部门": len(self.departments),
            "内设机构": len(self.units),
            "编制核定": len(self.quotas),
            "岗位": len(self.positions),
            "工作人员": len(self.people),
            "任职": len(self.assignments),
        }


def _bulk(model: type[models.Model], rows: list[Any], acting_user: Any) -> None:
    model.objects.bulk_create(rows, batch_size=500)
    record_many(
        (Change(ChangeKind.CREATE, r, None, snapshot(r)) for r in rows),
        acting_user=acting_user,
        reason="演示数据生成",
    )


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.n = 0

    def make(self, dept: Department, staffing_type: str, grade: str) -> Person:
        rng = self.rng
        self.n += 1
        given = rng.choice(names.GIVEN_CHARS) + (
            rng.choice(names.GIVEN_CHARS) if rng.random() < 0.7 else ""
        )
        return Person(
            department=dept,
            region_id=dept.region_id,
            code=f"P{self.n:05d}",
            name=rng.choice(names.SURNAMES) + given,
            gender=rng.choice("MF"),
            birth_year=rng.randint(1966, 2000),
            education=rng.choices(
                ["doctorate", "master", "bachelor", "college"], weights=[2, 25, 63, 10]
            )[0],
            major=rng.choice(names.MAJORS),
            staffing_type=staffing_type,
            grade=grade,
        )


def _make_regions(scale: Scale, acting_user: Any) -> tuple[Region, Region, list[Region]]:
    province = services.create_region(
        Region(code="860000", name="江海省", level="province"), acting_user=acting_user
    )
    city = services.create_region(
        Region(code="860100", name="东川市", level="city", parent=province), acting_user=acting_user
    )
    counties = []
    for code, name, _short, towns in names.COUNTIES[: scale.counties]:
        county = services.create_region(
            Region(code=code, name=name, level="county", parent=city), acting_user=acting_user
        )
        counties.append(county)
        for i, town in enumerate(towns[: scale.towns_per_county], start=1):
            services.create_region(
                Region(code=f"{code}{i:03d}", name=town, level="town", parent=county),
                acting_user=acting_user,
            )
    return province, city, counties


def _unit_name(dept_kind: str, field_word: str) -> str:
    if field_word.endswith(("部", "室", "中心", "委")):
        return field_word
    if field_word in ("机关党委",):
        return field_word
    return field_word + ("室" if dept_kind == "discipline" else "科")


class _PositionPlan:
    """The positions of one department, numbered in order."""

    def __init__(self, rng: random.Random, dept: Department) -> None:
        self.rng, self.dept = rng, dept
        self.positions: list[Position] = []

    def add(
        self,
        unit: Unit | None,
        name: str,
        category: str,
        leader_level: str = "",
        headcount: int = 1,
    ) -> None:
        rng, n = self.rng, len(self.positions) + 1
        if any(p.name == name and p.unit is unit for p in self.positions):
            name = name.removesuffix("岗") + "二岗"
        self.positions.append(
            Position(
                department=self.dept,
                unit=unit,
                region_id=self.dept.region_id,
                code=f"G{n:03d}",
                name=name,
                category=category,
                leader_level=leader_level,
                headcount=headcount,
                is_key=category == "enforcement"
                or (category == "business" and rng.random() < 0.25),
                risk_level=rng.choice(["", "low", "medium", "high"])
                if category != "general"
                else "",
                duty_statement=f"负责{name.removesuffix('岗')}相关工作，按照工作规范办理，完成领导交办的其他事项。",
                req_education=rng.choice(["bachelor", "master", "bachelor"]),
                order=n,
                status=unit.status if unit else "active",
                established_on=unit.established_on if unit else None,
                abolished_on=unit.abolished_on if unit else None,
            )
        )


def _plan_positions(
    rng: random.Random, dept: Department, units: list[Unit], *, is_city: bool
) -> list[Position]:
    """Leadership posts within 领导职数, a head (and often a deputy) per unit, 1–2 staff posts."""
    plan = _PositionPlan(rng, dept)
    head = (
        "主任"
        if "办公室" in dept.name or dept.kind in ("party", "congress", "institution")
        else "局长"
    )
    plan.add(None, f"{dept.short_name or dept.name}{head}", "leadership", "dept_principal")
    for k in range(rng.randint(2, 4) if is_city else 2):
        plan.add(None, f"副{head}（分管{'一二三四'[k]}）", "leadership", "dept_deputy")
    for unit in units:
        is_section = unit.name.endswith("科")
        plan.add(
            unit, f"{unit.name}{'科长' if is_section else '主任'}", "leadership", "unit_principal"
        )
        if rng.random() < 0.5:
            plan.add(
                unit,
                f"{unit.name}{'副科长' if is_section else '副主任'}",
                "leadership",
                "unit_deputy",
            )
        field_word = unit.name.removesuffix("科").removesuffix("室")[:6]
        enforcement = any(w in field_word for w in ("执法", "稽查", "监察", "监督", "监管"))
        for _ in range(rng.randint(1, 2)):
            general = {"办公室": "general", "财务科": "finance", "人事科": "personnel"}.get(
                unit.name
            )
            if general:
                name, category = rng.choice(names.POSITION_TEMPLATES[general]), "general"
            elif enforcement:
                name = rng.choice(names.POSITION_TEMPLATES["enforcement"]).format(f=field_word)
                category = "enforcement"
            else:
                name = rng.choice(names.POSITION_TEMPLATES["business"]).format(f=field_word)
                category = "business"
            plan.add(unit, name, category, headcount=rng.choices([1, 2, 3], weights=[5, 3, 1])[0])
    return plan.positions


@transaction.atomic
def generate_org(scale_name: str, seed: int, acting_user: Any = None) -> OrgResult:
    scale = SCALES[scale_name]
    rng = random.Random(seed)
    result = OrgResult()
    _province, city, counties = _make_regions(scale, acting_user)
    result.regions = list(Region.objects.order_by("path"))

    # Departments: city bodies, then each county's, then public institutions under their parents.
    specs: list[tuple[Region, str, str, str, list[str], str]] = []
    for name, short, kind, fields in names.CITY_DEPARTMENTS[: scale.city_departments]:
        specs.append((city, name, short, kind, fields, "zhengchu"))
    for county, (_code, cname, cshort, _towns) in zip(counties, names.COUNTIES, strict=False):
        for name, short, kind, fields in names.COUNTY_DEPARTMENTS:
            specs.append(
                (
                    county,
                    name.format(c=cname.removeprefix("东川市")),
                    short.format(s=cshort[:2]),
                    kind,
                    fields,
                    "zhengke",
                )
            )
    by_short: dict[str, Department] = {}
    for idx, (region, name, short, kind, fields, rank) in enumerate(specs, start=1):
        dept = services.create_department(
            Department(
                region=region,
                code=f"{region.code}-{idx:03d}",
                name=name,
                short_name=short,
                kind=kind,
                rank=rank,
                credit_code=make_credit_code("1", "1", region.code, f"{region.code[:4]}{idx:04d}"),
                order=idx,
            ),
            acting_user=acting_user,
        )
        dept._fields = fields  # type: ignore[attr-defined]
        by_short[short] = dept
        result.departments.append(dept)
    for j, (name, short, parent_short, relation) in enumerate(
        names.PUBLIC_INSTITUTIONS[: scale.institutions]
    ):
        parent = by_short.get(parent_short) or result.departments[j % len(result.departments)]
        idx = len(result.departments) + 1
        dept = services.create_department(
            Department(
                region=city,
                code=f"{city.code}-{idx:03d}",
                name=name,
                short_name=short,
                kind="institution",
                rank="fuchu" if scale_name == "city" else "zhengke",
                credit_code=make_credit_code("1", "2", city.code, f"{city.code[:4]}{idx:04d}"),
                parent=parent,
                parent_relation=relation,
                order=idx,
            ),
            acting_user=acting_user,
        )
        dept._fields = ["业务", "综合服务", "信息技术"]  # type: ignore[attr-defined]
        result.departments.append(dept)

    over_quota_depts = set(
        rng.sample(range(len(result.departments)), k=min(2, len(result.departments)))
    )
    people = _People(rng)

    all_units: list[Unit] = []
    all_positions: list[Position] = []
    plans: list[tuple[Department, int, list[tuple[Position, list[dt.date | None]]]]] = []
    unit_plan: dict[int, list[Unit]] = {}
    for dept in result.departments:
        is_city = dept.region_id == city.id
        lo, hi = scale.units_extra if is_city else (2, 4)
        fields = list(dept._fields)  # type: ignore[attr-defined]
        top = min(hi, len(fields))
        extra = fields[: rng.randint(min(lo, top), top)] if fields else []
        common = names.COMMON_UNITS[: (5 if is_city else 3)]
        if is_city and dept.kind == "government":
            common = [*common, *names.GOVERNMENT_UNITS]
        unit_words = [w for w in common if w not in extra] + extra
        units = []
        for u_idx, word in enumerate(unit_words, start=1):
            established = None
            status, abolished = "active", None
            roll = rng.random()
            if u_idx > 3 and roll < 0.06:
                established = dt.date(2021, 3, 1)
            elif u_idx > 3 and roll < 0.09:
                status, abolished = "abolished", dt.date(2022, 6, 30)
            unit = Unit(
                department=dept,
                region_id=dept.region_id,
                code=f"U{u_idx:02d}",
                name=_unit_name(dept.kind, word) if word not in ("办公室", "机关党委") else word,
                rank="zhengke" if is_city else "gu",
                duties="",
                order=u_idx,
                status=status,
                established_on=established,
                abolished_on=abolished,
            )
            units.append(unit)
        unit_plan[dept.pk] = units
        all_units.extend(units)
    _bulk(Unit, all_units, acting_user)
    result.units = all_units

    for d_index, dept in enumerate(result.departments):
        positions = _plan_positions(
            rng, dept, unit_plan[dept.pk], is_city=dept.region_id == city.id
        )
        all_positions.extend(positions)
        plans.append((dept, d_index, [(p, []) for p in positions]))
    _bulk(Position, all_positions, acting_user)
    result.positions = all_positions

    # People and tenure histories.
    persons: list[Person] = []
    assignment_specs: list[tuple[Person, Position, str, bool, dt.date, dt.date | None, bool]] = []
    quota_rows: list[StaffingQuota] = []
    for dept, d_index, pos_plan in plans:
        staffing_type = "institution" if dept.kind == "institution" else "administrative"
        current_by_position: dict[int, list[Person]] = {}
        filled_admin = filled_logistics = 0
        unit_filled: dict[int, int] = {}
        for pos, _ in pos_plan:
            if pos.status != "active":
                # An abolished unit's staff moved on when it closed.
                person = people.make(dept, staffing_type, "zrky4")
                person.status = "left"
                persons.append(person)
                start = _date(rng, dt.date(2012, 1, 1), dt.date(2018, 12, 31))
                assignment_specs.append(
                    (
                        person,
                        pos,
                        "primary",
                        False,
                        start,
                        pos.abolished_on - dt.timedelta(days=1),
                        False,
                    )
                )
                continue
            vacancy_rate = 0.02 if pos.leader_level else 0.08
            for _slot in range(pos.headcount):
                if rng.random() < vacancy_rate:
                    continue
                logistics = pos.name == "后勤保障岗"
                grade = {
                    "dept_principal": "xc_zz" if dept.region_id == city.id else "xk_zz",
                    "dept_deputy": "xc_fz" if dept.region_id == city.id else "xk_fz",
                    "unit_principal": "xk_zz",
                    "unit_deputy": "xk_fz",
                }.get(
                    pos.leader_level, rng.choice(["zrky1", "zrky2", "zrky3", "zrky4", "ky1", "ky2"])
                )
                person = people.make(
                    dept,
                    "logistics" if logistics else staffing_type,
                    "gqjn" if logistics else grade,
                )
                persons.append(person)
                current_by_position.setdefault(id(pos), []).append(person)
                earliest = pos.established_on or dt.date(2016, 1, 1)
                start = _date(rng, max(earliest, dt.date(2016, 1, 1)), dt.date(2025, 6, 30))
                assignment_specs.append((person, pos, "primary", False, start, None, False))
                if logistics:
                    filled_logistics += 1
                else:
                    filled_admin += 1
                    if pos.unit is not None:
                        unit_filled[id(pos.unit)] = unit_filled.get(id(pos.unit), 0) + 1
                # Earlier post in the same department (rotation history).
                if rng.random() < 0.4 and start > dt.date(2014, 1, 2):
                    others = [
                        p
                        for p, _ in pos_plan
                        if p is not pos and p.status == "active" and not p.established_on
                    ]
                    if others:
                        prev = rng.choice(others)
                        prev_start = _date(rng, dt.date(2009, 1, 1), start - dt.timedelta(days=400))
                        assignment_specs.append(
                            (
                                person,
                                prev,
                                "primary",
                                False,
                                prev_start,
                                start - dt.timedelta(days=1),
                                False,
                            )
                        )
                # A predecessor who has left or retired.
                if rng.random() < 0.3 and start > dt.date(2013, 1, 1):
                    gone = people.make(dept, staffing_type, grade)
                    gone.status = rng.choice(["left", "retired"])
                    if gone.status == "retired":
                        gone.birth_year = rng.randint(1950, 1962)
                    persons.append(gone)
                    g_start = _date(rng, dt.date(2005, 1, 1), start - dt.timedelta(days=365))
                    assignment_specs.append(
                        (gone, pos, "primary", False, g_start, start - dt.timedelta(days=1), False)
                    )

        # Acting heads for vacant unit principals; one concurrent post per department.
        for pos, _ in pos_plan:
            if (
                pos.leader_level == "unit_principal"
                and pos.status == "active"
                and id(pos) not in current_by_position
            ):
                deputies = [
                    p
                    for p, _ in pos_plan
                    if p.unit is pos.unit
                    and p.leader_level == "unit_deputy"
                    and id(p) in current_by_position
                ]
                if deputies:
                    who = current_by_position[id(deputies[0])][0]
                    assignment_specs.append(
                        (who, pos, "concurrent", True, dt.date(2025, 7, 1), None, False)
                    )
        staff = [
            p for p, _ in pos_plan if p.category != "leadership" and id(p) in current_by_position
        ]
        party = [
            p
            for p, _ in pos_plan
            if p.unit is not None and p.unit.name == "机关党委" and p.status == "active"
        ]
        if staff and party:
            who = current_by_position[id(staff[-1])][0]
            assignment_specs.append(
                (who, party[0], "concurrent", False, dt.date(2024, 1, 1), None, False)
            )

        # Quotas: 2019 reform document, and a 2023 adjustment for some departments.
        over = d_index in over_quota_depts
        admin_quota = filled_admin - 2 if over else filled_admin + rng.randint(0, 3)
        admin_field = "institution" if staffing_type == "institution" else "administrative"
        leaders = [p for p, _ in pos_plan if p.status == "active"]
        base = {
            admin_field: max(0, admin_quota),
            "logistics": filled_logistics + rng.randint(0, 1),
            "leader_principal": 1,
            "leader_deputy": sum(p.headcount for p in leaders if p.leader_level == "dept_deputy"),
            "leader_unit": sum(
                p.headcount for p in leaders if p.leader_level in ("unit_principal", "unit_deputy")
            )
            + rng.randint(0, 2),
        }
        doc_no = rng.randint(1, 60)
        adjusted = over or rng.random() < 0.3
        first = {
            **base,
            admin_field: max(0, base[admin_field] - (rng.randint(0, 2) if adjusted else 0)),
        }
        quota_rows.append(
            StaffingQuota(
                department=dept,
                region_id=dept.region_id,
                doc_number=f"东编〔2019〕{doc_no}号",
                doc_date=dt.date(2019, 2, 20),
                effective_from=dt.date(2019, 3, 1),
                **first,
            )
        )
        if adjusted:
            quota_rows.append(
                StaffingQuota(
                    department=dept,
                    region_id=dept.region_id,
                    doc_number=f"东编〔2023〕{doc_no + 7}号",
                    doc_date=dt.date(2023, 4, 10),
                    effective_from=dt.date(2023, 5, 1),
                    note="职能调整后重新核定。" if not over else "核减编制，超编人员逐步消化。",
                    **base,
                )
            )
        if not over:
            # Unit quotas for some units, always inside the department's (at both dates).
            budget = first[admin_field]
            for unit in unit_plan[dept.pk]:
                n = unit_filled.get(id(unit), 0)
                if unit.status == "active" and n and rng.random() < 0.6 and n <= budget:
                    budget -= n
                    quota_rows.append(
                        StaffingQuota(
                            department=dept,
                            unit=unit,
                            region_id=dept.region_id,
                            doc_number=f"东编〔2019〕{doc_no}号",
                            doc_date=dt.date(2019, 2, 20),
                            effective_from=dt.date(2019, 3, 1),
                            **{admin_field: n},
                        )
                    )
    _bulk(Person, persons, acting_user)
    result.people = persons
    _bulk(StaffingQuota, quota_rows, acting_user)
    result.quotas = quota_rows

    # Over-quota departments: the latest appointments there carry the override reason.
    over_ids = {result.departments[i].pk for i in over_quota_depts}
    latest_in_over: dict[int, list[int]] = {}
    for i, (person, pos, kind, acting, _start, end, _) in enumerate(assignment_specs):
        if (
            pos.department_id in over_ids
            and kind == "primary"
            and not acting
            and end is None
            and person.staffing_type != "logistics"
        ):
            latest_in_over.setdefault(pos.department_id, []).append(i)
    flagged = set()
    for idxs in latest_in_over.values():
        idxs.sort(key=lambda i: assignment_specs[i][4])
        flagged.update(idxs[-2:])
    rows = []
    for i, (person, pos, kind, acting, start, end, _) in enumerate(assignment_specs):
        rows.append(
            Assignment(
                person=person,
                position=pos,
                department_id=pos.department_id,
                region_id=pos.region_id,
                kind=kind,
                is_acting=acting,
                start_date=start,
                end_date=end,
                over_quota=i in flagged,
                override_reason=OVER_QUOTA_REASON if i in flagged else "",
            )
        )
    _bulk(Assignment, rows, acting_user)
    result.assignments = rows
    return result
