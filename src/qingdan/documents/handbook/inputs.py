"""What a 部门管理手册 is made from, as plain data (no Django).

The Django adapter (``data.py``) fills these from the live lists or from a published version's
snapshot; tests and benchmarks build them by hand. The content builder (``content.py``) only ever
sees these records, so the handbook's content is a pure function of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from qingdan.processes.flowchart import Graph


@dataclass(frozen=True)
class DepartmentIn:
    """The department on the cover and in the 三定 summary: 机构性质 and 规格 as their labels."""

    code: str
    name: str
    short_name: str = ""
    kind: str = ""  # 政府工作部门 …
    rank: str = ""  # 正处级 …
    region: str = ""  # 东川市
    issuer: str = ""  # who files it: the department itself, or the 编办 for a compilation


@dataclass(frozen=True)
class MandateIn:
    """The 三定规定 in force: its title, 文号, date, nature sentence and main duties (主要职责)."""

    title: str = ""
    doc_number: str = ""
    effective_date: dt.date | None = None
    nature: str = ""  # "东川市教育局是市人民政府工作部门，为正处级。"
    main_duties: tuple[str, ...] = ()


@dataclass(frozen=True)
class PositionIn:
    """A 岗位 of a unit: category label, approved headcount and holders today."""

    code: str
    name: str
    category: str = ""
    headcount: int = 1
    holders: int = 0
    is_key: bool = False


@dataclass(frozen=True)
class UnitIn:
    """A 内设机构 with its 编制 (approved, None when no quota is on record) and 实有 people."""

    code: str
    name: str
    rank: str = ""
    duties: str = ""
    approved: int | None = None
    filled: int = 0
    positions: tuple[PositionIn, ...] = ()


@dataclass(frozen=True)
class StaffingIn:
    """The department's own 编制 line: approved and 实有 by type, and the 领导职数."""

    administrative: int | None = None
    institution: int | None = None
    logistics: int | None = None
    filled_administrative: int = 0
    filled_institution: int = 0
    filled_logistics: int = 0
    leader_principal: int | None = None
    leader_deputy: int | None = None
    leader_unit: int | None = None
    doc_number: str = ""


@dataclass(frozen=True)
class DutyIn:
    """A 职责事项 by its stable code."""

    code: str
    text: str
    clause: str = ""
    is_core: bool = False
    units: tuple[str, ...] = ()  # unit codes


@dataclass(frozen=True)
class TaskPositionIn:
    """A position on a task with its role label (主办/协办/AB角（备岗）)."""

    role: str  # lead | assist | backup
    position: str
    unit: str = ""


@dataclass(frozen=True)
class TaskIn:
    """A 具体工作任务 with everything its task card (任务说明) shows."""

    code: str
    name: str
    duty_code: str
    lead_unit: str  # unit code
    lead_unit_name: str
    cooperating_units: tuple[str, ...] = ()  # names
    description: str = ""
    frequency: str = ""  # label: 每月 …
    annual_hours: float | None = None
    time_limit_days: int | None = None
    time_limit_note: str = ""
    legal_basis: str = ""
    work_spec: str = ""
    output_templates: str = ""
    positions: tuple[TaskPositionIn, ...] = ()


@dataclass(frozen=True)
class RiskIn:
    """A 风险点 on a step of a process, with its controls (防控措施) and who answers for them."""

    step: str
    level: str  # 高/中/低
    description: str
    controls: str = ""
    person: str = ""


@dataclass(frozen=True)
class ProcessIn:
    """A task's 办理流程 as the engine's graph, with the notes printed beside the chart."""

    code: str
    task_code: str
    name: str
    graph: Graph
    version: int = 1
    kind: str = ""
    legal_limit_days: float | None = None
    supervision: str = ""
    complaint: str = ""
    rights: str = ""
    risks: tuple[RiskIn, ...] = ()


@dataclass(frozen=True)
class BoundaryIn:
    """A 职责边界事项 the department takes part in (the boundaries app supplies these once it exists):
    the matter, this department's role (主办/协办), the other departments, its division of work
    (职责分工) and the coordination mechanism (协调配合机制)."""

    matter: str
    role: str
    partners: tuple[str, ...] = ()
    division: str = ""
    mechanism: str = ""
    field: str = ""


@dataclass(frozen=True)
class HandbookInput:
    """Everything one department's handbook is built from."""

    department: DepartmentIn
    on: dt.date  # the date printed on the cover
    mandate: MandateIn = field(default_factory=MandateIn)
    staffing: StaffingIn = field(default_factory=StaffingIn)
    units: tuple[UnitIn, ...] = ()
    leaders: tuple[PositionIn, ...] = ()  # department-level posts (局长, 副局长 …)
    duties: tuple[DutyIn, ...] = ()
    tasks: tuple[TaskIn, ...] = ()
    processes: tuple[ProcessIn, ...] = ()
    boundaries: tuple[BoundaryIn, ...] = ()
    version: int | None = None  # published version number; None: the live (working) lists
    published_on: dt.date | None = None
