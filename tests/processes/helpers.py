"""A world for process tests: ``build_world()`` plus leaders, units, a task per department and a
process drawn from the 行政许可 template — all through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from lxml import etree

from qingdan.duties.models import Task
from qingdan.org.models import Person, Position, Unit
from qingdan.processes import services
from qingdan.processes.models import Process
from tests import builders as b
from tests.duties import helpers as dh


@dataclass
class ProcessWorld:
    w: b.World
    office_a: Unit
    legal_a: Unit
    head_a: Position
    deputy_a: Position
    unit_head_a: Position
    leader_person_a: Person
    task_a: Task
    task_b: Task
    process_a: Process
    process_b: Process
    person_b: Person


def build_process_world() -> ProcessWorld:
    w = b.build_world()
    office = b.unit(w.dept_a, "U02", "办公室")
    legal = b.unit(w.dept_a, "U03", "政策法规科")
    head = b.position(
        w.dept_a, None, "L01", "局长", category="leadership", leader_level="dept_principal"
    )
    deputy = b.position(
        w.dept_a, None, "L02", "副局长", category="leadership", leader_level="dept_deputy"
    )
    unit_head = b.position(
        w.dept_a,
        w.unit_a,
        "L03",
        "基础教育科科长",
        category="leadership",
        leader_level="unit_principal",
    )
    leader_person = b.person(w.dept_a, "P02", "李强")
    b.assign(leader_person, deputy, dt.date(2021, 1, 1))
    person_b = b.person(w.dept_b, "P01", "赵敏")
    b.assign(person_b, w.position_b, dt.date(2021, 1, 1))
    item_a = dh.duty(w.dept_a, "负责教师资格认定工作。")
    task_a = dh.task(item_a, w.unit_a, "受理审查：教师资格认定许可", frequency="per_case")
    item_b = dh.duty(w.dept_b, "负责市场主体登记注册。")
    task_b = dh.task(item_b, w.unit_b, "受理审查：食品经营许可", frequency="per_case")
    process_a = services.create_from_template(kind="licensing", task=task_a, acting_user=w.bianban)
    process_b = services.create_from_template(kind="licensing", task=task_b, acting_user=w.bianban)
    return ProcessWorld(
        w,
        office,
        legal,
        head,
        deputy,
        unit_head,
        leader_person,
        task_a,
        task_b,
        process_a,
        process_b,
        person_b,
    )


_SCHEMA: list[etree.XMLSchema] = []


def bpmn_schema() -> etree.XMLSchema:
    """The OMG BPMN 2.0 XSD set shipped by SpiffWorkflow (a dev dependency)."""
    if not _SCHEMA:
        spec = find_spec("SpiffWorkflow")
        assert spec is not None and spec.submodule_search_locations, "pip install -e '.[dev]'"
        folder = Path(spec.submodule_search_locations[0]) / "bpmn" / "parser" / "schema"
        _SCHEMA.append(etree.XMLSchema(etree.parse(str(folder / "BPMN20.xsd"))))
    return _SCHEMA[0]
