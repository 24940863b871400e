"""The editor's JSON: the step table as the browser sends it, to a draft and back.

``parse_payload`` never raises on bad input: whatever cannot be read becomes a ``Problem`` (in
Chinese, pointing at the row) and a best-effort draft, so the flowchart keeps redrawing while the
user types.

    {"name": "…", "legal_limit_days": "20", "supervision": "…", "complaint": "…", "rights": "…",
     "steps": [{"key": "accept", "kind": "action", "name": "受理", "lane": "unit:12",
                "days": "5", "leader": 7, "unit": 12, "person": 31,
                "materials": [{"name": "申请书", "note": ""}],
                "risks": [{"level": "中", "description": "…", "controls": "…", "person": 31}],
                "exits": [{"target": "review", "label": ""}]}]}
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from qingdan.processes.aggregate import (
    ExitDraft,
    LaneRef,
    MaterialDraft,
    ProcessDraft,
    RiskDraft,
    StepDraft,
    days_text,
)
from qingdan.processes.flowchart import MAX_NODES, Problem

MAX_PAYLOAD_BYTES = 1024 * 1024
MAX_LIST = 200  # materials, risks or exits on one step, before the rules' own limits


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, message: str, node: str | None = None) -> None:
        self.problems.append(Problem("bad_payload", message, node))

    def text(self, data: dict, name: str, where: str, node: str | None = None) -> str:
        value = data.get(name, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            self.bad(f"{where}格式不正确（应为文字）。", node)
            return ""
        return value.strip()

    def days(self, value: Any, where: str, node: str | None = None) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.bad(f"{where}格式不正确。", node)
            return None
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            self.bad(f"{where}“{str(value)[:10]}”不是数字。", node)
            return None
        if not d.is_finite():
            self.bad(f"{where}不是有效的数字。", node)
            return None
        return d

    def ident(self, value: Any, where: str, node: str | None = None) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**18:
            return value
        if isinstance(value, str) and value.isdigit() and len(value) <= 18:
            return int(value)
        self.bad(f"{where}的选择无效。", node)
        return None

    def items(self, data: dict, name: str, where: str, node: str | None = None) -> list:
        value = data.get(name) or []
        if not isinstance(value, list):
            self.bad(f"{where}格式不正确。", node)
            return []
        if len(value) > MAX_LIST:
            self.bad(f"{where}过多（{len(value)}项）。", node)
            return value[:MAX_LIST]
        return value


def parse_payload(data: Any) -> tuple[ProcessDraft, list[Problem]]:
    """The draft the table describes, and what could not be read."""
    r = _Reader()
    if not isinstance(data, dict):
        r.bad("提交的数据格式不正确。")
        return ProcessDraft(name=""), r.problems
    draft = ProcessDraft(
        name=r.text(data, "name", "流程名称"),
        legal_limit_days=r.days(data.get("legal_limit_days"), "法定时限"),
        supervision=r.text(data, "supervision", "监督制约措施"),
        complaint=r.text(data, "complaint", "投诉渠道"),
        rights=r.text(data, "rights", "相对人权利"),
    )
    rows = data.get("steps") or []
    if not isinstance(rows, list):
        r.bad("环节表格式不正确。")
        rows = []
    if len(rows) > MAX_NODES:
        # One message, no drawing: checking a truncated table would only add false problems
        # ("终点不存在", "没有结束环节") about rows the user did not remove.
        r.problems.append(
            Problem(
                "too_large",
                f"流程环节数为{len(rows)}个，超过上限{MAX_NODES}个，请拆分为子流程。",
            )
        )
        return draft, r.problems
    for row_no, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            r.bad(f"第{row_no}行格式不正确。")
            continue
        draft.steps.append(_step(r, row, row_no))
    return draft, r.problems


def _step(r: _Reader, row: dict, row_no: int) -> StepDraft:
    where = f"第{row_no}行"
    key = r.text(row, "key", f"{where}环节编号")
    node = key or None
    lane_token = r.text(row, "lane", f"{where}泳道", node)
    try:
        lane = LaneRef.from_token(lane_token)
    except ValueError:
        r.bad(f"{where}的泳道选择无效。", node)
        lane = LaneRef()
    step = StepDraft(
        key=key,
        kind=r.text(row, "kind", f"{where}类型", node),
        name=r.text(row, "name", f"{where}名称", node),
        lane=lane,
        days=r.days(row.get("days"), f"{where}办理时限", node),
        leader_id=r.ident(row.get("leader"), f"{where}责任领导", node),
        unit_id=r.ident(row.get("unit"), f"{where}责任科室", node),
        person_id=r.ident(row.get("person"), f"{where}责任人", node),
    )
    for item in r.items(row, "materials", f"{where}办事材料", node):
        if isinstance(item, str):
            step.materials.append(MaterialDraft(item.strip()))
        elif isinstance(item, dict):
            step.materials.append(
                MaterialDraft(
                    r.text(item, "name", f"{where}材料名称", node),
                    r.text(item, "note", f"{where}材料说明", node),
                )
            )
        else:
            r.bad(f"{where}办事材料格式不正确。", node)
    for item in r.items(row, "risks", f"{where}风险点", node):
        if not isinstance(item, dict):
            r.bad(f"{where}风险点格式不正确。", node)
            continue
        step.risks.append(
            RiskDraft(
                level=r.text(item, "level", f"{where}风险等级", node),
                description=r.text(item, "description", f"{where}风险描述", node),
                controls=r.text(item, "controls", f"{where}防控措施", node),
                person_id=r.ident(item.get("person"), f"{where}风险点责任人", node),
            )
        )
    for item in r.items(row, "exits", f"{where}出口", node):
        if not isinstance(item, dict):
            r.bad(f"{where}出口格式不正确。", node)
            continue
        step.exits.append(
            ExitDraft(
                r.text(item, "target", f"{where}出口目标", node),
                r.text(item, "label", f"{where}出口条件", node),
            )
        )
    return step


def draft_payload(draft: ProcessDraft) -> dict[str, Any]:
    """The JSON the editor starts from (the inverse of ``parse_payload``)."""
    return {
        "name": draft.name,
        "legal_limit_days": days_text(draft.legal_limit_days),
        "supervision": draft.supervision,
        "complaint": draft.complaint,
        "rights": draft.rights,
        "steps": [
            {
                "key": s.key,
                "kind": s.kind,
                "name": s.name,
                "lane": s.lane.token(),
                "days": days_text(s.days),
                "leader": s.leader_id,
                "unit": s.unit_id,
                "person": s.person_id,
                "materials": [{"name": m.name, "note": m.note} for m in s.materials],
                "risks": [
                    {
                        "level": r.level,
                        "description": r.description,
                        "controls": r.controls,
                        "person": r.person_id,
                    }
                    for r in s.risks
                ],
                "exits": [{"target": e.target, "label": e.label} for e in s.exits],
            }
            for s in draft.steps
        ],
    }
