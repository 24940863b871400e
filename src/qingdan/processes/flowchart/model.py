"""The flowchart data model: a process (流程) as lanes, steps and flows.

Pure data, no Django: the `processes` app turns its Process/Step/Flow rows into a `Graph`, and the
engine (validation, layout, SVG, BPMN) only ever sees these frozen records. Being frozen and made of
tuples, a `Graph` compares by value, which the BPMN round-trip tests rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NodeKind = Literal["start", "end", "action", "decision", "split", "join"]
RiskLevel = Literal["高", "中", "低"]

NODE_KINDS: tuple[str, ...] = ("start", "end", "action", "decision", "split", "join")
RISK_LEVELS: tuple[str, ...] = ("高", "中", "低")

# Chinese names of the node kinds, for messages shown to users.
KIND_NAMES: dict[str, str] = {
    "start": "开始",
    "end": "结束",
    "action": "办理环节",
    "decision": "判断",
    "split": "并行开始",
    "join": "并行汇合",
}

# A flowchart with more steps than this is refused: the layout is near-linear, but a drawing that
# size is no longer readable, and the cap keeps a hostile upload from tying up a worker.
MAX_NODES = 500
MAX_EDGES = 2000


@dataclass(frozen=True, slots=True)
class Lane:
    """A swimlane (泳道): the unit or position (科室/岗位/领导) that carries out steps.

    Lanes are given in organisational order and drawn left to right in that order.
    """

    id: str
    name: str

    def __reduce__(self) -> tuple:
        return (Lane, (self.id, self.name))


@dataclass(frozen=True, slots=True)
class Node:
    """A step of the process (环节): start/end terminal, an action, a decision or a parallel gateway.

    `time_limit_days` is the step's time limit in working days (工作日), `risk_level` its integrity
    risk point (廉政风险点) level, `materials_count` the number of documents (办事材料) it needs.
    """

    id: str
    kind: NodeKind
    label: str
    lane: str
    time_limit_days: float | None = None
    risk_level: RiskLevel | None = None
    materials_count: int = 0

    def __reduce__(self) -> tuple:
        # Pickled as a constructor call: a handbook's graphs go to the compilation's worker
        # processes, and the generic state of a slotted dataclass is several times slower.
        return (
            Node,
            (
                self.id,
                self.kind,
                self.label,
                self.lane,
                self.time_limit_days,
                self.risk_level,
                self.materials_count,
            ),
        )


@dataclass(frozen=True, slots=True)
class Edge:
    """A flow between two steps (流转); on a decision's exits the label is the condition (是/否…)."""

    source: str
    target: str
    label: str = ""

    def __reduce__(self) -> tuple:
        return (Edge, (self.source, self.target, self.label))


@dataclass(frozen=True)
class Graph:
    """One process flowchart (一事一流程): lanes, steps, flows and the legal time limit (法定时限).

    Lists given to the constructor are stored as tuples so the graph stays immutable and hashable.
    """

    title: str
    lanes: tuple[Lane, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    legal_limit_days: float | None = None

    def __post_init__(self) -> None:
        # Accept lists for convenience; freeze them so equality and hashing work.
        for name in ("lanes", "nodes", "edges"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    def node(self, node_id: str) -> Node | None:
        """The first node with this id, or None."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        return None

    @property
    def step_count(self) -> int:
        """Number of steps that are not start/end terminals."""
        return sum(1 for n in self.nodes if n.kind not in ("start", "end"))


class FlowchartTooLarge(ValueError):
    """Raised when a graph exceeds `MAX_NODES`/`MAX_EDGES`; the message is user-facing Chinese."""


def check_size(graph: Graph) -> None:
    """Refuse graphs beyond the hard caps before any super-linear work is done on them."""
    if len(graph.nodes) > MAX_NODES:
        raise FlowchartTooLarge(
            f"流程环节数为{len(graph.nodes)}个，超过上限{MAX_NODES}个，请拆分为子流程。"
        )
    if len(graph.edges) > MAX_EDGES:
        raise FlowchartTooLarge(f"流程连线数为{len(graph.edges)}条，超过上限{MAX_EDGES}条。")
