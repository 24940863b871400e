"""Graphviz DOT export of a process graph (reference drawings for the benchmark, debugging).

Lanes become clusters, the flow runs top to bottom, and node labels are the same wrapped lines
(and time/risk markers) that our own layout draws, so both tools lay out the same text.
"""

from __future__ import annotations

from .model import Graph
from .plan import ACTION_MAX_EM, ACTION_MAX_LINES, DECISION_MAX_EM, DECISION_MAX_LINES, format_days
from .text import wrap

FONT = "Noto Sans CJK SC"
_SHAPES = {
    "start": "shape=box, style=rounded",
    "end": "shape=box, style=rounded",
    "action": "shape=box",
    "decision": "shape=diamond",
    "split": 'shape=box, style=filled, fillcolor=black, height=0.08, width=0.8, fixedsize=true, label=""',
    "join": 'shape=box, style=filled, fillcolor=black, height=0.08, width=0.8, fixedsize=true, label=""',
}


def _q(text: str) -> str:
    """A DOT double-quoted string; lines are joined with DOT's centred line break."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(lines: list[str]) -> str:
    return '"' + "\\n".join(x.replace("\\", "\\\\").replace('"', '\\"') for x in lines) + '"'


def to_dot(graph: Graph, *, name: str = "G") -> str:
    """DOT text for `graph`: clusters for lanes, rankdir=TB, our labels and markers."""
    ids = {}
    for node in graph.nodes:
        ids.setdefault(node.id, f"n{len(ids)}")
    out = [
        f"digraph {name} {{",
        f"rankdir=TB; fontname={_q(FONT)}; fontsize=13;",
        f'node [fontname={_q(FONT)}, fontsize=12, margin="0.1,0.04"];',
        f"edge [fontname={_q(FONT)}, fontsize=11];",
    ]
    by_lane: dict[str, list[str]] = {}
    seen: set[str] = set()
    node_lines = []
    for node in graph.nodes:
        if node.id in seen:
            continue
        seen.add(node.id)
        by_lane.setdefault(node.lane, []).append(ids[node.id])
        attrs = _SHAPES.get(node.kind, "shape=box")
        if node.kind in ("split", "join"):
            node_lines.append(f"{ids[node.id]} [{attrs}];")
            continue
        if node.kind == "decision":
            lines, _ = wrap(node.label, DECISION_MAX_EM, DECISION_MAX_LINES)
        else:
            lines, _ = wrap(node.label, ACTION_MAX_EM, ACTION_MAX_LINES)
        lines = list(lines)
        marks = []
        days = node.time_limit_days
        if (
            node.kind in ("action", "decision")
            and days is not None
            and (node.kind == "action" or days > 0)
        ):
            marks.append(format_days(days))
        if node.kind in ("action", "decision") and node.risk_level:
            marks.append(f"风险点·{node.risk_level}")
        if marks:
            lines.append(" ".join(marks))
        node_lines.append(f"{ids[node.id]} [{attrs}, label={_label(lines)}];")
    for k, lane in enumerate(graph.lanes):
        members = by_lane.pop(lane.id, [])
        out.append(f"subgraph cluster_{k} {{ label={_q(lane.name)}; {' '.join(members)} }}")
    for members in by_lane.values():  # nodes in unknown lanes
        out.append(" ".join(members) + ";")
    out.extend(node_lines)
    for edge in graph.edges:
        a, b = ids.get(edge.source), ids.get(edge.target)
        if a is None or b is None:
            continue
        if edge.label:
            lines, _ = wrap(edge.label, 6.0, 2)
            out.append(f"{a} -> {b} [label={_label(list(lines))}];")
        else:
            out.append(f"{a} -> {b};")
    out.append("}")
    return "\n".join(out) + "\n"
