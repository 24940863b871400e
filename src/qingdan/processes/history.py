"""The change-log snapshot of a whole process, and a readable diff of two snapshots.

One save of a process is one change-log entry. Its before/after is the process row (as
``core.changelog.snapshot`` gives it) plus ``steps`` and ``flows``: each step a compact dict
(empty values left out) with its materials and risk points, each flow ``[from, to, label]``. The
history page turns two snapshots into sentences (新增环节…, 环节「受理」：办理时限 5 → 3).
"""

from __future__ import annotations

from typing import Any

from qingdan.core.changelog import snapshot
from qingdan.processes.aggregate import ProcessDraft, StepDraft, days_text
from qingdan.processes.choices import StepKind

PROCESS_LABELS = {
    "name": "流程名称",
    "legal_limit_days": "法定时限",
    "supervision": "监督制约措施",
    "complaint": "投诉渠道",
    "rights": "相对人权利",
    "status": "状态",
    "is_current": "当前版本",
    "before_id": "再造前流程",
    "kind": "流程类型",
    "task_id": "工作任务",
    "version": "版本",
    "step_count": "办事环节数",
    "material_count": "办事材料数",
    "risk_count": "风险点数",
    "path_days": "最长路径时限",
}
STEP_LABELS = {
    "kind": "类型",
    "name": "名称",
    "lane": "泳道",
    "days": "办理时限",
    "leader": "责任领导",
    "unit": "责任科室",
    "person": "责任人",
    "materials": "办事材料",
    "risks": "风险点",
}
IGNORED = {"updated_at", "updated_by_id", "created_at", "created_by_id", "id", "order"}


def step_snapshot(s: StepDraft) -> dict[str, Any]:
    data: dict[str, Any] = {"key": s.key, "kind": s.kind, "name": s.name, "lane": s.lane.token()}
    if s.days is not None:
        data["days"] = days_text(s.days)
    for name, value in (("leader", s.leader_id), ("unit", s.unit_id), ("person", s.person_id)):
        if value is not None:
            data[name] = value
    if s.materials:
        data["materials"] = [[m.name, m.note] if m.note else m.name for m in s.materials]
    if s.risks:
        data["risks"] = [
            {
                k: v
                for k, v in (
                    ("level", r.level),
                    ("description", r.description),
                    ("controls", r.controls),
                    ("person", r.person_id),
                )
                if v not in ("", None)
            }
            for r in s.risks
        ]
    return data


def aggregate_snapshot(process: Any, draft: ProcessDraft) -> dict[str, Any]:
    """The full structured snapshot of one process version (JSON-safe, hash-stable)."""
    data = snapshot(process)
    data["steps"] = [step_snapshot(s) for s in draft.steps]
    data["flows"] = [[s.key, e.target, e.label] for s in draft.steps for e in s.exits]
    return data


def same_content(before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    if before is None:
        return False
    keys = (set(before) | set(after)) - {"updated_at", "updated_by_id"}
    return all(before.get(k) == after.get(k) for k in keys)


def _fmt(value: Any, names: dict[str, str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(_fmt(v, names) for v in value) or "—"
    if isinstance(value, dict):
        return value.get("description", "") or str(value)
    text = str(value)
    return names.get(text, text)


def describe(
    before: dict[str, Any] | None, after: dict[str, Any] | None, names: dict[str, str]
) -> list[str]:
    """Readable changes between two process snapshots; ``names`` maps lane tokens and ids
    (``unit:3``, ``person:7`` …) to names."""
    before, after = before or {}, after or {}
    lines: list[str] = []
    for key, label in PROCESS_LABELS.items():
        if key in IGNORED:
            continue
        old, new = before.get(key), after.get(key)
        if old != new and (old not in (None, "") or new not in (None, "")):
            lines.append(f"{label}：{_fmt(old, {})} → {_fmt(new, {})}")
    old_steps = {s["key"]: s for s in before.get("steps", [])}
    new_steps = {s["key"]: s for s in after.get("steps", [])}
    kinds = dict(StepKind.choices)

    def by_prefix(prefix: str) -> dict[str, str]:
        return {k.split(":", 1)[1]: v for k, v in names.items() if k.startswith(prefix)}

    lookups = {
        "lane": names,
        "leader": by_prefix("position:"),
        "unit": by_prefix("unit:"),
        "person": by_prefix("person:"),
        "kind": kinds,
    }
    for key, step in new_steps.items():
        title = f"「{step.get('name') or key}」"
        if key not in old_steps:
            lines.append(f"新增环节{title}（{kinds.get(step.get('kind', ''), '')}）")
            continue
        old = old_steps[key]
        for field, label in STEP_LABELS.items():
            a, b = old.get(field), step.get(field)
            if a == b:
                continue
            lookup = lookups.get(field, {})
            lines.append(f"环节{title}{label}：{_fmt(a, lookup)} → {_fmt(b, lookup)}")
    for key, step in old_steps.items():
        if key not in new_steps:
            lines.append(f"删除环节「{step.get('name') or key}」")
    old_order = [s["key"] for s in before.get("steps", []) if s["key"] in new_steps]
    new_order = [s["key"] for s in after.get("steps", []) if s["key"] in old_steps]
    if old_order != new_order:
        lines.append("调整了环节顺序")
    old_flows = {(f[0], f[1]): f[2] for f in before.get("flows", [])}
    new_flows = {(f[0], f[1]): f[2] for f in after.get("flows", [])}

    def step_name(key: str) -> str:
        s = new_steps.get(key) or old_steps.get(key) or {}
        return s.get("name") or key

    for pair, label in new_flows.items():
        cond = f"（{label}）" if label else ""
        if pair not in old_flows:
            lines.append(f"新增连线：{step_name(pair[0])} → {step_name(pair[1])}{cond}")
        elif old_flows[pair] != label:
            lines.append(
                f"连线 {step_name(pair[0])} → {step_name(pair[1])} 的条件："
                f"{old_flows[pair] or '—'} → {label or '—'}"
            )
    for pair in old_flows:
        if pair not in new_flows:
            lines.append(f"删除连线：{step_name(pair[0])} → {step_name(pair[1])}")
    return lines
