"""BPMN 2.0 XML export and import, with diagram interchange (DI) taken from our layout.

Export writes one `process` with a `laneSet` (one lane per `Lane`), start/end events, user
tasks, exclusive and parallel gateways and named sequence flows, inside a `collaboration`
participant so modelers (bpmn.io, Camunda Modeler) show the swimlanes. Time limits, risk levels
and material counts live in `extensionElements` under our own namespace, so `from_bpmn` gets
back exactly the graph that was exported. The output validates against the OMG BPMN 2.0 XSD.

Import accepts files from other modelers too (tasks of any type become actions, inclusive and
event-based gateways decisions). It refuses DTDs and entities (XXE, "billion laughs"), oversize
input, malformed XML and files that are not BPMN, with a message in Chinese.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from lxml import etree

from .layout import Layout, layout
from .model import MAX_EDGES, MAX_NODES, Edge, Graph, Lane, Node

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
QD_NS = "https://qingdan.example/bpmn"
NSMAP = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS, "qd": QD_NS}

# Largest BPMN file we parse: a 500-step process with full DI is well under 2 MB.
MAX_BPMN_BYTES = 5 * 1024 * 1024

_TAGS = {
    "start": "startEvent",
    "end": "endEvent",
    "action": "userTask",
    "decision": "exclusiveGateway",
    "split": "parallelGateway",
    "join": "parallelGateway",
}
_ACTION_TAGS = {
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "scriptTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "subProcess",
    "callActivity",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
}
_DECISION_TAGS = {"exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EVENT_SIZE = 36.0


class BpmnImportError(ValueError):
    """A BPMN file that cannot be imported; the message is user-facing Chinese."""


def _b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _text(value: str) -> str:
    return _INVALID_XML.sub("", value)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class _Ids:
    """One XML id space for the whole document: BPMN ids must be unique NCNames."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str, fallback: str) -> str:
        xid = wanted if _NCNAME.match(wanted) else fallback
        while xid in self.used:
            xid += "_"
        self.used.add(xid)
        return xid

    def map(self, items: list[str], prefix: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, ident in enumerate(items):
            if ident not in out:
                out[ident] = self.take(ident, f"{prefix}_{k + 1}")
        return out


def to_bpmn(graph: Graph, drawing: Layout | None = None) -> str:
    """BPMN 2.0 XML (with DI) for `graph`; `drawing` defaults to `layout(graph)`."""
    drawing = drawing or layout(graph)
    lanes: list[Lane] = []
    for lane in graph.lanes:
        if all(lane.id != x.id for x in lanes):
            lanes.append(lane)
    nodes: list[Node] = []
    seen: set[str] = set()
    for node in graph.nodes:
        if node.id not in seen:
            seen.add(node.id)
            nodes.append(node)
    space = _Ids()
    ids = {
        "process": space.take("Process_1", "Process_1"),
        "collab": space.take("Collaboration_1", "Collaboration_1"),
        "part": space.take("Participant_1", "Participant_1"),
        "defs": space.take("Definitions_1", "Definitions_1"),
        "laneset": space.take("LaneSet_1", "LaneSet_1"),
        "diagram": space.take("BPMNDiagram_1", "BPMNDiagram_1"),
        "plane": space.take("BPMNPlane_1", "BPMNPlane_1"),
    }
    # Steps keep their ids first: flows and modelers refer to them far more than to lanes.
    node_ix = space.map([x.id for x in nodes], "Node")
    lane_ix = space.map([x.id for x in lanes], "Lane")
    edges = [e for e in graph.edges if e.source in node_ix and e.target in node_ix]
    flow_ids = [space.take(f"Flow_{k + 1}", f"Flow_{k + 1}") for k in range(len(edges))]

    E = etree.Element
    S = etree.SubElement
    root = E(_b("definitions"), nsmap=NSMAP)
    root.set("id", ids["defs"])
    root.set("targetNamespace", QD_NS)
    root.set("exporter", "qingdan")
    root.set("exporterVersion", "1")
    collab = S(root, _b("collaboration"), id=ids["collab"])
    S(collab, _b("participant"), id=ids["part"], name=_text(graph.title), processRef=ids["process"])
    proc = S(root, _b("process"), id=ids["process"], name=_text(graph.title), isExecutable="false")
    ext = S(proc, _b("extensionElements"))
    qd_proc = S(ext, f"{{{QD_NS}}}process")
    if graph.legal_limit_days is not None:
        qd_proc.set("legalLimitDays", _num(graph.legal_limit_days))
    lane_set = S(proc, _b("laneSet"), id=ids["laneset"])
    for lane in lanes:
        el = S(lane_set, _b("lane"), id=lane_ix[lane.id], name=_text(lane.name))
        if lane_ix[lane.id] != lane.id:
            el.set(f"{{{QD_NS}}}id", _text(lane.id))
        for node in nodes:
            if node.lane == lane.id:
                S(el, _b("flowNodeRef")).text = node_ix[node.id]
    outgoing: dict[str, list[str]] = {}
    incoming: dict[str, list[str]] = {}
    for fid, edge in zip(flow_ids, edges, strict=True):
        outgoing.setdefault(edge.source, []).append(fid)
        incoming.setdefault(edge.target, []).append(fid)
    for node in nodes:
        el = S(proc, _b(_TAGS.get(node.kind, "task")), id=node_ix[node.id], name=_text(node.label))
        if node.kind == "split":
            el.set("gatewayDirection", "Diverging")
        elif node.kind == "join":
            el.set("gatewayDirection", "Converging")
        ext = S(el, _b("extensionElements"))
        step = S(ext, f"{{{QD_NS}}}step", kind=node.kind, lane=_text(node.lane))
        if node_ix[node.id] != node.id:
            step.set("id", _text(node.id))
        if node.time_limit_days is not None:
            step.set("timeLimitDays", _num(node.time_limit_days))
        if node.risk_level is not None:
            step.set("riskLevel", _text(node.risk_level))
        if node.materials_count:
            step.set("materialsCount", str(node.materials_count))
        for fid in incoming.get(node.id, []):
            S(el, _b("incoming")).text = fid
        for fid in outgoing.get(node.id, []):
            S(el, _b("outgoing")).text = fid
    for fid, edge in zip(flow_ids, edges, strict=True):
        el = S(
            proc,
            _b("sequenceFlow"),
            id=fid,
            sourceRef=node_ix[edge.source],
            targetRef=node_ix[edge.target],
        )
        if edge.label:
            el.set("name", _text(edge.label))
    _diagram(root, drawing, ids, lane_ix, node_ix, flow_ids, space)
    return etree.tostring(root, encoding="unicode", pretty_print=True)


def _bounds(parent: etree._Element, x: float, y: float, w: float, h: float) -> None:
    etree.SubElement(
        parent,
        f"{{{DC_NS}}}Bounds",
        x=f"{x:.1f}",
        y=f"{y:.1f}",
        width=f"{w:.1f}",
        height=f"{h:.1f}",
    )


def _diagram(
    root: etree._Element,
    drawing: Layout,
    ids: dict[str, str],
    lane_ix: dict[str, str],
    node_ix: dict[str, str],
    flow_ids: list[str],
    space: _Ids,
) -> None:
    S = etree.SubElement
    dia = S(root, f"{{{BPMNDI_NS}}}BPMNDiagram", id=ids["diagram"])
    plane = S(dia, f"{{{BPMNDI_NS}}}BPMNPlane", id=ids["plane"], bpmnElement=ids["collab"])

    def di(of: str) -> str:
        return space.take(f"{of}_di", f"{of}_di")

    lane_boxes = [lb for lb in drawing.lanes if lb.id in lane_ix]
    if lane_boxes:
        x0 = min(lb.x for lb in lane_boxes)
        x1 = max(lb.x + lb.w for lb in lane_boxes)
        y0 = min(lb.y for lb in lane_boxes)
        y1 = max(lb.y + lb.h for lb in lane_boxes)
    else:
        x0, y0, x1, y1 = 0.0, 0.0, drawing.width, drawing.height
    # Vertical pool and lanes: the pool's own header sits above the lane headers.
    pool = S(
        plane,
        f"{{{BPMNDI_NS}}}BPMNShape",
        id=di(ids["part"]),
        bpmnElement=ids["part"],
        isHorizontal="false",
    )
    _bounds(pool, x0, y0 - 30, x1 - x0, y1 - y0 + 30)
    for lb in lane_boxes:
        shape = S(
            plane,
            f"{{{BPMNDI_NS}}}BPMNShape",
            id=di(lane_ix[lb.id]),
            bpmnElement=lane_ix[lb.id],
            isHorizontal="false",
        )
        _bounds(shape, lb.x, lb.y, lb.w, lb.h)
    shift: dict[str, tuple[float, float, float, float]] = {}
    for nb in drawing.nodes:
        if nb.id not in node_ix:
            continue
        shape = S(
            plane, f"{{{BPMNDI_NS}}}BPMNShape", id=di(node_ix[nb.id]), bpmnElement=node_ix[nb.id]
        )
        x, y, w, h = nb.x, nb.y, nb.w, nb.h
        if nb.kind in ("start", "end"):
            # Modelers draw events as circles; keep ours centred, the name as an outside label.
            size = max(EVENT_SIZE, min(w, 2 * h))
            cx, cy = x + w / 2, y + h / 2
            shift[nb.id] = (cx, cy, size / 2, h / 2)
            _bounds(shape, cx - size / 2, cy - size / 2, size, size)
            label = S(shape, f"{{{BPMNDI_NS}}}BPMNLabel")
            _bounds(label, cx + size / 2 + 4, cy - 10, max(40.0, w), 20)
        else:
            _bounds(shape, x, y, w, h)
    for fid, ep in zip(
        flow_ids,
        [e for e in drawing.edges if e.source in node_ix and e.target in node_ix],
        strict=False,
    ):
        el = S(plane, f"{{{BPMNDI_NS}}}BPMNEdge", id=di(fid), bpmnElement=fid)
        pts = list(ep.points)
        if pts and ep.source in shift:
            pts[0] = _onto_circle(pts[0], shift[ep.source])
        if pts and ep.target in shift:
            pts[-1] = _onto_circle(pts[-1], shift[ep.target])
        for px, py in pts:
            S(el, f"{{{DI_NS}}}waypoint", x=f"{px:.1f}", y=f"{py:.1f}")
        if ep.label_box is not None:
            label = S(el, f"{{{BPMNDI_NS}}}BPMNLabel")
            _bounds(label, *ep.label_box)


def _onto_circle(
    pt: tuple[float, float], geo: tuple[float, float, float, float]
) -> tuple[float, float]:
    """Move a flow end from our terminal's outline onto the event circle, keeping it vertical."""
    cx, cy, r, _half_h = geo
    dx = max(-r * 0.9, min(r * 0.9, pt[0] - cx))
    dy = (r * r - dx * dx) ** 0.5
    return (pt[0], cy - dy if pt[1] <= cy else cy + dy)


# ------------------------------------------------------------------------------- import
def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _float(value: str | None, what: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        out = float(value)
    except ValueError:
        raise BpmnImportError(f"{what}“{value[:20]}”不是有效的数字。") from None
    if out != out or out in (float("inf"), float("-inf")):
        raise BpmnImportError(f"{what}“{value[:20]}”不是有效的数字。")
    return out


def _parse(data: bytes | str) -> Element:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_BPMN_BYTES:
        raise BpmnImportError(
            f"BPMN 文件过大（{len(raw) // 1024} KB），上限为 {MAX_BPMN_BYTES // 1024 // 1024} MB。"
        )
    if not raw.strip():
        raise BpmnImportError("BPMN 文件为空。")
    try:
        # No DTD at all: BPMN never needs one, and refusing it stops external entities (XXE)
        # and entity-expansion bombs before anything is expanded or fetched.
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BpmnImportError(
            "BPMN 文件包含 DTD 或实体声明（可能是外部实体或实体扩展攻击），出于安全原因拒绝导入。"
        ) from exc
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise BpmnImportError(f"XML 格式错误（第{line}行第{col + 1}列），无法解析。") from exc


def from_bpmn(data: bytes | str) -> Graph:
    """Read a BPMN 2.0 file back into a `Graph`. Raises BpmnImportError with a Chinese message."""
    root = _parse(data)
    if root.tag != _b("definitions"):
        raise BpmnImportError("不是 BPMN 2.0 文件：根元素应为 BPMN 命名空间下的 definitions。")
    processes = root.findall(_b("process"))
    if not processes:
        raise BpmnImportError("BPMN 文件中没有流程（process）。")
    participants = {
        p.get("processRef"): p.get("name") or ""
        for c in root.findall(_b("collaboration"))
        for p in c.findall(_b("participant"))
    }
    # The first process that a participant shows, else the first with any flow elements.
    proc = next((p for p in processes if p.get("id") in participants), None)
    if proc is None:
        proc = next((p for p in processes if len(p)), processes[0])
    title = proc.get("name") or participants.get(proc.get("id"), "") or "导入的流程"

    legal: float | None = None
    ext = proc.find(_b("extensionElements"))
    if ext is not None:
        qp = ext.find(f"{{{QD_NS}}}process")
        if qp is not None:
            legal = _float(qp.get("legalLimitDays"), "法定时限")

    lanes: list[Lane] = []
    node_lane: dict[str, str] = {}
    for lane_set in proc.findall(_b("laneSet")):
        for el in lane_set.iter(_b("lane")):
            if el.find(_b("childLaneSet")) is not None:
                continue  # nested lanes: the leaves are the swimlanes
            xid = el.get("id") or f"Lane_{len(lanes) + 1}"
            lid = el.get(f"{{{QD_NS}}}id") or xid
            lanes.append(Lane(lid, el.get("name") or lid))
            for ref in el.findall(_b("flowNodeRef")):
                if ref.text:
                    node_lane.setdefault(ref.text.strip(), lid)

    nodes: list[Node] = []
    ids: dict[str, str] = {}  # BPMN id -> our id
    flows: list[Element] = []
    default_lane: Lane | None = None
    for el in proc:
        tag = _local(el.tag)
        if tag == "sequenceFlow":
            flows.append(el)
            continue
        kind = _kind(el, tag)
        if kind is None:
            continue
        xid = el.get("id")
        if not xid:
            raise BpmnImportError(f"流程元素 {tag} 缺少 id 属性。")
        if xid in ids:
            raise BpmnImportError(f"流程元素编号“{xid[:40]}”重复。")
        step = None
        sext = el.find(_b("extensionElements"))
        if sext is not None:
            step = sext.find(f"{{{QD_NS}}}step")
        nid = (step.get("id") if step is not None else None) or xid
        ids[xid] = nid
        if step is not None and step.get("kind") in _TAGS:
            kind = step.get("kind")  # type: ignore[assignment]
        lane = node_lane.get(xid) or (step.get("lane") if step is not None else None)
        if not lane:
            if default_lane is None:
                default_lane = Lane("__default__", "流程")
            lane = default_lane.id
        days = _float(step.get("timeLimitDays"), "办理时限") if step is not None else None
        risk = step.get("riskLevel") if step is not None else None
        mats_raw = step.get("materialsCount") if step is not None else None
        try:
            mats = int(mats_raw) if mats_raw else 0
        except ValueError:
            raise BpmnImportError(f"材料数量“{mats_raw[:20]}”不是整数。") from None
        nodes.append(Node(nid, kind, el.get("name") or "", lane, days, risk, mats))  # type: ignore[arg-type]
        if len(nodes) > MAX_NODES:
            raise BpmnImportError(f"流程环节超过上限{MAX_NODES}个。")
    if default_lane is not None:
        lanes.append(default_lane)
    if not nodes:
        raise BpmnImportError("流程中没有任何环节。")

    edges: list[Edge] = []
    for el in flows:
        fid = el.get("id") or "?"
        src, dst = el.get("sourceRef"), el.get("targetRef")
        if not src or src not in ids:
            raise BpmnImportError(f"连线“{fid[:40]}”的起点“{(src or '')[:40]}”不存在。")
        if not dst or dst not in ids:
            raise BpmnImportError(f"连线“{fid[:40]}”的终点“{(dst or '')[:40]}”不存在。")
        edges.append(Edge(ids[src], ids[dst], el.get("name") or ""))
        if len(edges) > MAX_EDGES:
            raise BpmnImportError(f"流程连线超过上限{MAX_EDGES}条。")
    return Graph(title, tuple(lanes), tuple(nodes), tuple(edges), legal)


def _kind(el: Element, tag: str) -> str | None:
    if tag == "startEvent":
        return "start"
    if tag == "endEvent":
        return "end"
    if tag in _ACTION_TAGS:
        return "action"
    if tag in _DECISION_TAGS:
        return "decision"
    if tag == "parallelGateway":
        direction = el.get("gatewayDirection", "")
        if direction == "Converging":
            return "join"
        if direction == "Diverging":
            return "split"
        outs = len(el.findall(_b("outgoing")))
        return "split" if outs > 1 else "join"
    return None
