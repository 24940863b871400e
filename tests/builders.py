"""Small builders that create test data through the services, as the UI would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from qingdan.core import accounts
from qingdan.core.choices import Role, Scope
from qingdan.core.models import RoleGrant, User
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

PASSWORD = "Qd-test-pass-2026!"


def region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    return services.create_region(
        Region(code=code, name=name, level=level, parent=parent), acting_user=None
    )


def department(region: Region, code: str, name: str, **kw: Any) -> Department:
    kw.setdefault("kind", "government")
    kw.setdefault("rank", "zhengchu")
    return services.create_department(
        Department(region=region, code=code, name=name, **kw), acting_user=None
    )


def unit(dept: Department, code: str, name: str, **kw: Any) -> Unit:
    return services.create_unit(Unit(department=dept, code=code, name=name, **kw), acting_user=None)


def quota(
    dept: Department, unit: Unit | None = None, *, reason: str = "", **kw: Any
) -> StaffingQuota:
    kw.setdefault("doc_number", "东编〔2019〕1号")
    kw.setdefault("doc_date", dt.date(2019, 2, 20))
    kw.setdefault("effective_from", dt.date(2019, 3, 1))
    return services.create_quota(
        StaffingQuota(department=dept, unit=unit, **kw), acting_user=None, reason=reason
    )


def position(dept: Department, unit: Unit | None, code: str, name: str, **kw: Any) -> Position:
    kw.setdefault("category", "business")
    return services.create_position(
        Position(department=dept, unit=unit, code=code, name=name, **kw), acting_user=None
    )


def person(dept: Department, code: str, name: str, **kw: Any) -> Person:
    kw.setdefault("gender", "F")
    kw.setdefault("birth_year", 1988)
    kw.setdefault("staffing_type", "administrative")
    return services.create_person(
        Person(department=dept, code=code, name=name, **kw), acting_user=None
    )


def assign(p: Person, pos: Position, start: dt.date = dt.date(2020, 1, 1), **kw: Any) -> Assignment:
    override = kw.pop("override_reason", "")
    return services.create_assignment(
        Assignment(person=p, position=pos, start_date=start, **kw),
        acting_user=None,
        override_reason=override,
    )


def user(username: str, home: Region, *grants: tuple[str, str, Region, Department | None]) -> User:
    u = User(username=username, full_name=username, home_region=home)
    u.set_password(PASSWORD)
    accounts.create_user(u, acting_user=None)
    for role, scope, reg, dept in grants:
        accounts.create_grant(
            RoleGrant(user=u, role=role, scope=scope, region=reg, department=dept), acting_user=None
        )
    return u


@dataclass
class World:
    """Two city departments (A with a 代管 institution under it, B), one county department (C),
    one object of every org type in A, and the five personas."""

    city: Region
    county: Region
    dept_a: Department
    institution: Department
    dept_b: Department
    dept_c: Department
    unit_a: Unit
    quota_a: StaffingQuota
    position_a: Position
    person_a: Person
    assignment_a: Assignment
    unit_b: Unit
    position_b: Position
    bianban: User
    clerk_a: User
    clerk_b: User
    supervisor: User
    county_bianban: User
    dept_admin_a: User


def build_world() -> World:
    province = region("860000", "江海省", "province")
    city = region("860100", "东川市", "city", province)
    county = region("860102", "河西区", "county", city)
    dept_a = department(
        city,
        "A01",
        "东川市教育局",
        short_name="市教育局",
        credit_code=make_credit_code("1", "1", "860100", "86010001"),
    )
    institution = department(
        city,
        "A02",
        "东川市教育考试院",
        kind="institution",
        parent=dept_a,
        parent_relation="entrusted",
    )
    dept_b = department(city, "B01", "东川市市场监督管理局", short_name="市市场监管局")
    dept_c = department(county, "C01", "河西区教育和体育局", rank="zhengke")
    quota_a = quota(dept_a, administrative=5, leader_principal=1, leader_deputy=1, leader_unit=2)
    quota(dept_b, administrative=3, leader_principal=1, leader_deputy=1, leader_unit=1)
    quota(institution, institution=2)
    quota(dept_c, administrative=2)
    unit_a = unit(dept_a, "U01", "基础教育科")
    unit_b = unit(dept_b, "U01", "登记注册科")
    position_a = position(dept_a, unit_a, "G01", "基础教育业务岗", headcount=2)
    position_b = position(dept_b, unit_b, "G01", "登记注册审核岗")
    person_a = person(dept_a, "P01", "王芳")
    assignment_a = assign(person_a, position_a)
    bianban = user("bianban", city, (Role.BIANBAN_ADMIN, Scope.ALL, city, None))
    clerk_a = user("clerk_a", city, (Role.DEPT_CLERK, Scope.DEPT, city, dept_a))
    clerk_b = user("clerk_b", city, (Role.DEPT_CLERK, Scope.DEPT, city, dept_b))
    supervisor = user("supervisor", city, (Role.SUPERVISOR, Scope.ALL, city, None))
    county_bianban = user("county_bianban", county, (Role.BIANBAN_ADMIN, Scope.ALL, county, None))
    dept_admin_a = user("dept_admin_a", city, (Role.DEPT_ADMIN, Scope.DEPT_TREE, city, dept_a))
    return World(
        city,
        county,
        dept_a,
        institution,
        dept_b,
        dept_c,
        unit_a,
        quota_a,
        position_a,
        person_a,
        assignment_a,
        unit_b,
        position_b,
        bianban,
        clerk_a,
        clerk_b,
        supervisor,
        county_bianban,
        dept_admin_a,
    )
