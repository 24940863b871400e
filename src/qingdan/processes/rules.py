"""Our own rules on a process draft, on top of the engine's ``validate``: every field well formed,
lanes and responsible units inside the department, responsible people holding a post there.

Problems use the engine's ``Problem`` type (Chinese message, the culprit step's key) so the
editor shows both lists the same way, beside the row at fault.
"""

from __future__ import annotations

import re
from decimal import Decimal

from qingdan.processes.aggregate import KEY_PATTERN, ProcessDraft, StepDraft
from qingdan.processes.choices import RiskLevel, StepKind
from qingdan.processes.flowchart import MAX_NODES, Problem
from qingdan.processes.flowchart import validate as engine_validate
from qingdan.processes.graph import draft_to_graph
from qingdan.processes.lanes import Directory

MAX_MATERIALS_PER_STEP = 50
MAX_RISKS_PER_STEP = 20
MAX_EXITS_PER_STEP = 20
MAX_DAYS = Decimal("3650")
_MARKUP = re.compile(r"[<>]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
STEP_KINDS = set(StepKind.values)
RISK_LEVELS = set(RiskLevel.values)


def _text_problem(value: str, limit: int, *, markup_ok: bool = False) -> str | None:
    if _CONTROL.search(value):
        return "不能包含控制字符"
    if not markup_ok and _MARKUP.search(value):
        return "不能包含“<”“>”等标记字符"
    if len(value) > limit:
        return f"不能超过{limit}字（当前{len(value)}字）"
    return None


def _days_problem(days: Decimal | None) -> str | None:
    if days is None:
        return None
    if days < 0 or days > MAX_DAYS:
        return f"应在0至{MAX_DAYS}个工作日之间"
    if days != days.quantize(Decimal("0.1")):
        return "最多保留一位小数"
    return None


def check_draft(draft: ProcessDraft, d: Directory) -> list[Problem]:
    """Problems the engine does not know about (all errors)."""
    out: list[Problem] = []

    def add(code: str, message: str, node: str | None = None) -> None:
        out.append(Problem(code, message, node))

    for field, label, limit in (("name", "流程名称", 200),):
        value = getattr(draft, field)
        if not value.strip():
            add("missing_process_name", f"{label}不能为空。")
        elif problem := _text_problem(value, limit):
            add("bad_text", f"{label}{problem}。")
    for field, label, limit in (
        ("supervision", "监督制约措施", 2000),
        ("complaint", "投诉渠道", 1000),
        ("rights", "相对人权利", 2000),
    ):
        if problem := _text_problem(getattr(draft, field), limit, markup_ok=True):
            add("bad_text", f"{label}{problem}。")
    if problem := _days_problem(draft.legal_limit_days):
        add("bad_legal_limit", f"法定时限{problem}。")
    if len(draft.steps) > MAX_NODES:
        add("too_large", f"流程环节数为{len(draft.steps)}个，超过上限{MAX_NODES}个。")
        return out
    seen: set[str] = set()
    for row, step in enumerate(draft.steps, start=1):
        _check_step(row, step, d, seen, add)
        seen.add(step.key)
    return out


def _check_step(row: int, s: StepDraft, d: Directory, seen: set[str], add) -> None:
    where = f"第{row}行环节「{(s.name or s.key)[:30]}」"
    key = s.key
    if not KEY_PATTERN.match(key):
        add(
            "bad_key",
            f"第{row}行的环节编号“{key[:40]}”无效：应以字母开头，只含字母、数字、下划线和连字符，"
            "最长32位。",
            key,
        )
    elif key in seen:
        add("duplicate_key", f"第{row}行的环节编号“{key}”与前面的环节重复。", key)
    if s.kind not in STEP_KINDS:
        add("bad_kind", f"{where}的类型无效。", key)
    if problem := _text_problem(s.name, 200):
        add("bad_text", f"{where}的名称{problem}。", key)
    if problem := _days_problem(s.days):
        add("bad_time_limit", f"{where}的办理时限{problem}。", key)
    lane = s.lane
    if lane.unit_id is not None and lane.unit_id not in d.units:
        add("lane_outside_department", f"{where}的泳道科室不是本部门在用的内设机构。", key)
    if lane.position_id is not None and lane.position_id not in d.positions:
        add("lane_outside_department", f"{where}的泳道岗位不是本部门在用的岗位。", key)
    if lane.label and (problem := _text_problem(lane.label, 50)):
        add("bad_text", f"{where}的泳道名称{problem}。", key)
    if s.unit_id is not None and s.unit_id not in d.units:
        add("unit_outside_department", f"{where}的责任科室不是本部门在用的内设机构。", key)
    if s.leader_id is not None:
        info = d.positions.get(s.leader_id)
        if info is None:
            add("leader_outside_department", f"{where}的责任领导岗位不属于本部门。", key)
        elif not info.leader_level:
            add(
                "leader_not_leadership",
                f"{where}的责任领导应为领导岗位（“{info.name}”不是）。",
                key,
            )
    if s.person_id is not None and not d.holds_position(s.person_id):
        add("person_outside_department", f"{where}的责任人未在本部门任职。", key)
    if len(s.materials) > MAX_MATERIALS_PER_STEP:
        add("too_many", f"{where}的办事材料超过{MAX_MATERIALS_PER_STEP}项。", key)
    for k, m in enumerate(s.materials, start=1):
        if not m.name.strip():
            add("missing_material_name", f"{where}的第{k}项材料没有名称。", key)
        elif problem := _text_problem(m.name, 200) or _text_problem(m.note, 200):
            add("bad_text", f"{where}的第{k}项材料{problem}。", key)
    if len(s.risks) > MAX_RISKS_PER_STEP:
        add("too_many", f"{where}的风险点超过{MAX_RISKS_PER_STEP}个。", key)
    for k, r in enumerate(s.risks, start=1):
        if r.level not in RISK_LEVELS:
            add("bad_risk_level", f"{where}的第{k}个风险点等级应为高、中、低。", key)
        if not r.description.strip():
            add("missing_risk_description", f"{where}的第{k}个风险点没有风险描述。", key)
        elif problem := _text_problem(r.description, 1000, markup_ok=True):
            add("bad_text", f"{where}的第{k}个风险点描述{problem}。", key)
        if problem := _text_problem(r.controls, 2000, markup_ok=True):
            add("bad_text", f"{where}的第{k}个风险点防控措施{problem}。", key)
        if r.person_id is not None and not d.holds_position(r.person_id):
            add("person_outside_department", f"{where}的第{k}个风险点责任人未在本部门任职。", key)
    if len(s.exits) > MAX_EXITS_PER_STEP:
        add("too_many", f"{where}的出口超过{MAX_EXITS_PER_STEP}个。", key)
    targets: set[str] = set()
    for e in s.exits:
        if not e.target:
            add("missing_target", f"{where}有一个出口没有选择目标环节。", key)
        elif e.target in targets:
            add("duplicate_edge", f"{where}有多个出口指向同一环节「{e.target}」。", key)
        targets.add(e.target)
        if problem := _text_problem(e.label, 50):
            add("bad_text", f"{where}的出口条件{problem}。", key)


def check_all(draft: ProcessDraft, d: Directory) -> list[Problem]:
    """The engine's problems (errors and warnings) and ours, engine first."""
    graph = draft_to_graph(draft, d)
    return [*engine_validate(graph), *check_draft(draft, d)]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
