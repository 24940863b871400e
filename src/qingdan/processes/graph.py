"""The adapter between our rows and the flowchart engine's ``Graph`` — the only place that knows both.

rows → :func:`load_drafts` → ``ProcessDraft`` → :func:`draft_to_graph` → engine (validate, layout,
SVG, BPMN); engine ``Graph`` (a template, a BPMN file) → :func:`graph_to_draft` /
:func:`template_draft` → ``ProcessDraft`` → :func:`build_rows` → rows.

Lanes are not stored: they are the distinct lanes of the steps in table order, with ids derived
from what they are (``unit12``, ``pos5``, ``label1`` …), so the same rows always give the same
graph and a BPMN export imports back to the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from qingdan.processes.aggregate import (
    KEY_PATTERN,
    ExitDraft,
    LaneRef,
    MaterialDraft,
    ProcessDraft,
    RiskDraft,
    StepDraft,
    to_decimal,
)
from qingdan.processes.choices import RISK_RANK, ProcessKind
from qingdan.processes.flowchart import Edge, Graph, Lane, Node, template
from qingdan.processes.lanes import Directory, map_template_lane, responsibility
from qingdan.processes.texts import material_names, risk_text

SKELETON = Graph(
    "办理流程图",
    (Lane("biz", "承办科室"),),
    (
        Node("start", "start", "开始", "biz"),
        Node("handle", "action", "办理", "biz", 5.0),
        Node("end", "end", "办结", "biz"),
    ),
    (Edge("start", "handle"), Edge("handle", "end")),
    None,
)


# --- draft → graph -------------------------------------------------------------------------------


def lane_ids(draft: ProcessDraft) -> dict[LaneRef, str]:
    """The lanes of the steps in order of first use, with their graph ids."""
    out: dict[LaneRef, str] = {}
    labels = 0
    for step in draft.steps:
        lane = step.lane
        if lane.is_empty or lane in out:
            continue
        if lane.unit_id is not None:
            out[lane] = f"unit{lane.unit_id}"
        elif lane.position_id is not None:
            out[lane] = f"pos{lane.position_id}"
        else:
            labels += 1
            out[lane] = f"label{labels}"
    return out


def top_risk(risks: Iterable[RiskDraft]) -> str | None:
    return _top_level(r.level for r in risks)


def _top_level(levels: Iterable[str]) -> str | None:
    best = None
    for level in levels:
        if level in RISK_RANK and (best is None or RISK_RANK[level] > RISK_RANK[best]):
            best = level
    return best


def draft_to_graph(draft: ProcessDraft, d: Directory) -> Graph:
    """The engine's view of a draft: lanes named from the directory, one node per step."""
    ids = lane_ids(draft)
    lanes = tuple(Lane(lid, d.lane_name(lane)) for lane, lid in ids.items())
    nodes = tuple(
        Node(
            s.key,
            s.kind,  # type: ignore[arg-type]
            s.name,
            ids.get(s.lane, ""),
            None if s.days is None else float(s.days),
            top_risk(s.risks),  # type: ignore[arg-type]
            len(s.materials),
        )
        for s in draft.steps
    )
    edges = tuple(Edge(s.key, e.target, e.label) for s in draft.steps for e in s.exits)
    limit = draft.legal_limit_days
    return Graph(draft.name, lanes, nodes, edges, None if limit is None else float(limit))


# --- rows → draft --------------------------------------------------------------------------------


def load_drafts(processes: Iterable[Any]) -> dict[int, ProcessDraft]:
    """Drafts of several stored processes in four queries (steps, materials, risks, flows)."""
    from qingdan.processes.models import Flow, RiskPoint, Step, StepMaterial

    procs = {p.pk: p for p in processes}
    ids = list(procs)
    drafts = {
        pk: ProcessDraft(p.name, p.legal_limit_days, p.supervision, p.complaint, p.rights, steps=[])
        for pk, p in procs.items()
    }
    by_id: dict[int, StepDraft] = {}
    for row in (
        Step.objects.filter(process_id__in=ids)
        .order_by("process_id", "order", "id")
        .values_list(
            "id",
            "process_id",
            "code",
            "kind",
            "name",
            "lane_unit_id",
            "lane_position_id",
            "lane_label",
            "time_limit_days",
            "leader_position_id",
            "responsible_unit_id",
            "responsible_person_id",
        )
    ):
        sid, pid, code, kind, name, lu, lp, ll, days, leader, unit, person = row
        lane = LaneRef(lu, None, "") if lu else (LaneRef(None, lp, "") if lp else LaneRef(label=ll))
        step = StepDraft(code, kind, name, lane, days, leader, unit, person)
        by_id[sid] = step
        drafts[pid].steps.append(step)
    for step_id, name, note in (
        StepMaterial.objects.filter(process_id__in=ids)
        .order_by("order", "id")
        .values_list("step_id", "name", "note")
    ):
        by_id[step_id].materials.append(MaterialDraft(name, note))
    for step_id, level, description, controls, person in (
        RiskPoint.objects.filter(process_id__in=ids)
        .order_by("order", "id")
        .values_list("step_id", "level", "description", "controls", "responsible_person_id")
    ):
        by_id[step_id].risks.append(RiskDraft(level, description, controls, person))
    for source_id, target_code, label in (
        Flow.objects.filter(process_id__in=ids)
        .order_by("order", "id")
        .values_list("source_id", "target__code", "label")
    ):
        by_id[source_id].exits.append(ExitDraft(target_code, label))
    return drafts


def load_draft(process: Any) -> ProcessDraft:
    return load_drafts([process])[process.pk]


class Chart(NamedTuple):
    """A stored process as drawn for reading (the handbook): its graph, exactly what
    ``draft_to_graph(load_drafts(...))`` gives, and its risk points in step order as (step name,
    level, description, controls, responsible person id)."""

    graph: Graph
    risks: tuple[tuple[str, str, str, str, int | None], ...]


def _raw(qs: Any) -> list[tuple]:
    """A ``values_list`` query's rows as the database returns them, without Django's per-value
    conversions (the callers take ids, strings and numbers): half the time for 10⁵ rows."""
    from django.db import connections

    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def load_charts(processes: Iterable[Any], d: Directory, *, among: Any = None) -> dict[int, Chart]:
    """The charts of several stored processes, for reading only, in four queries and without
    building editable drafts (a city's 25,000 processes: a few seconds instead of ~13).

    ``among``: a query of process ids holding those of ``processes`` (it may hold more; their
    rows are skipped) — a subquery instead of a list of thousands of ids."""
    from django.db.models import Count

    from qingdan.processes.models import Flow, RiskPoint, Step, StepMaterial

    procs = {p.pk: p for p in processes}
    scope = {"process_id__in": list(procs) if among is None else among}
    steps: dict[int, list[tuple]] = {pk: [] for pk in procs}
    code_of: dict[int, str] = {}
    for row in _raw(
        Step.objects.filter(**scope)
        .order_by("process_id", "order", "id")
        .values_list(
            "id",
            "process_id",
            "code",
            "kind",
            "name",
            "lane_unit_id",
            "lane_position_id",
            "lane_label",
            "time_limit_days",
        )
    ):
        rows = steps.get(row[1])
        if rows is not None:
            rows.append(row)
            code_of[row[0]] = row[2]
    materials = dict(
        _raw(
            StepMaterial.objects.filter(**scope)
            .order_by()
            .values_list("step_id")
            .annotate(n=Count("id"))
            .values_list("step_id", "n")
        )
    )
    risks: dict[int, list[tuple]] = defaultdict(list)
    for row in _raw(
        RiskPoint.objects.filter(**scope)
        .order_by("order", "id")
        .values_list("step_id", "level", "description", "controls", "responsible_person_id")
    ):
        risks[row[0]].append(row)
    exits: dict[int, list[Edge]] = defaultdict(list)
    for source, target, label in _raw(
        Flow.objects.filter(**scope)
        .order_by("order", "id")
        .values_list("source_id", "target_id", "label")
    ):
        if source in code_of and target in code_of:
            exits[source].append(Edge(code_of[source], code_of[target], label))
    out: dict[int, Chart] = {}
    for pk, p in procs.items():
        lanes: dict[tuple, Lane] = {}
        nodes: list[Node] = []
        edges: list[Edge] = []
        chart_risks: list[tuple[str, str, str, str, int | None]] = []
        for sid, _pid, code, kind, name, lu, lp, ll, days in steps[pk]:
            key = ("unit", lu) if lu else (("pos", lp) if lp else ("label", ll or ""))
            lane = lanes.get(key)
            if lane is None and (lu or lp or ll):
                ref = (
                    LaneRef(unit_id=lu)
                    if lu
                    else (LaneRef(position_id=lp) if lp else LaneRef(label=ll))
                )
                labels = sum(1 for k in lanes if k[0] == "label")
                lid = f"unit{lu}" if lu else (f"pos{lp}" if lp else f"label{labels + 1}")
                lane = lanes[key] = Lane(lid, d.lane_name(ref))
            step_risks = risks.get(sid, ())
            nodes.append(
                Node(
                    code,
                    kind,
                    name,
                    lane.id if lane is not None else "",
                    None if days is None else float(days),
                    _top_level(r[1] for r in step_risks),  # type: ignore[arg-type]
                    materials.get(sid, 0),
                )
            )
            edges.extend(exits.get(sid, ()))
            chart_risks.extend((name, *r[1:]) for r in step_risks)
        limit = p.legal_limit_days
        graph = Graph(
            p.name,
            tuple(lanes.values()),
            tuple(nodes),
            tuple(edges),
            None if limit is None else float(limit),
        )
        out[pk] = Chart(graph, tuple(chart_risks))
    return out


# --- graph → draft -------------------------------------------------------------------------------


def _lane_for(lane: Lane | None, d: Directory) -> LaneRef:
    """A lane of a foreign graph: our own ids first, then a unit or position of the same name."""
    if lane is None:
        return LaneRef()
    lid, name = lane.id, lane.name.strip()
    if lid.startswith("unit") and lid[4:].isdigit() and int(lid[4:]) in d.units:
        return LaneRef(unit_id=int(lid[4:]))
    if lid.startswith("pos") and lid[3:].isdigit() and int(lid[3:]) in d.positions:
        return LaneRef(position_id=int(lid[3:]))
    for uid, unit_name in d.units.items():
        if unit_name == name:
            return LaneRef(unit_id=uid)
    for pid, info in d.positions.items():
        if info.name == name:
            return LaneRef(position_id=pid)
    return LaneRef(label=name[:50])


def _keys(graph: Graph) -> dict[str, str]:
    """Our step key for every node id: kept when it is a valid key, else ``s1``, ``s2`` …"""
    out: dict[str, str] = {}
    used: set[str] = set()
    for node in graph.nodes:
        if node.id in out:
            continue
        key = node.id if KEY_PATTERN.match(node.id) and node.id not in used else ""
        n = len(out)
        while not key or key in used:
            n += 1
            key = f"s{n}"
        out[node.id] = key
        used.add(key)
    return out


def graph_to_draft(
    graph: Graph,
    d: Directory,
    *,
    previous: ProcessDraft | None = None,
    name: str | None = None,
) -> ProcessDraft:
    """A draft from a foreign graph (a BPMN import).

    Structure, labels, lanes, time limits and the legal limit come from the graph. What the graph
    only counts or does not carry — the names of materials, the text of risk points, the
    responsible people, the process notes — is kept from ``previous`` for steps with the same key,
    so exporting a process and importing the file gives the same process back.
    """
    lanes = {lane.id: lane for lane in graph.lanes}
    keys = _keys(graph)
    steps: list[StepDraft] = []
    seen: set[str] = set()
    for node in graph.nodes:
        if node.id in seen:
            continue
        seen.add(node.id)
        key = keys[node.id]
        old = previous.step(key) if previous is not None else None
        materials = [MaterialDraft(m.name, m.note) for m in (old.materials if old else [])]
        materials = materials[: node.materials_count]
        for extra in material_names(node.materials_count)[len(materials) :]:
            materials.append(MaterialDraft(extra))
        risks: list[RiskDraft] = []
        if node.risk_level:
            kept = [r for r in (old.risks if old else [])]
            if kept and top_risk(kept) == node.risk_level:
                risks = [RiskDraft(r.level, r.description, r.controls, r.person_id) for r in kept]
            else:
                description, controls = risk_text(len(steps))
                risks = [RiskDraft(node.risk_level, description, controls)]
        steps.append(
            StepDraft(
                key=key,
                kind=node.kind,
                name=node.label.strip()[:200],
                lane=_lane_for(lanes.get(node.lane), d),
                days=to_decimal(node.time_limit_days),
                leader_id=old.leader_id if old else None,
                unit_id=old.unit_id if old else None,
                person_id=old.person_id if old else None,
                materials=materials,
                risks=risks,
            )
        )
    by_key = {s.key: s for s in steps}
    for edge in graph.edges:
        source = by_key.get(keys.get(edge.source, ""))
        if source is not None and edge.target in keys:
            source.exits.append(ExitDraft(keys[edge.target], edge.label.strip()[:50]))
    return ProcessDraft(
        name=(name or graph.title).strip()[:200] or "导入的流程",
        legal_limit_days=to_decimal(graph.legal_limit_days),
        supervision=previous.supervision if previous else "",
        complaint=previous.complaint if previous else "",
        rights=previous.rights if previous else "",
        steps=steps,
    )


def template_graph(kind: str) -> Graph:
    from qingdan.processes.choices import TEMPLATE_FOR_KIND

    name = TEMPLATE_FOR_KIND.get(kind)
    return template(name) if name else SKELETON


def mapped_draft(
    graph: Graph,
    d: Directory,
    *,
    lead_unit_id: int | None,
    name: str,
    pick: int = 0,
    notes: tuple[str, str, str] = ("", "", ""),
) -> ProcessDraft:
    """A draft from a template-like graph whose lanes are role names (受理窗口, 分管领导 …): lanes
    mapped onto the department, each step given its default 责任领导/科室/人, material names and
    risk-point wording."""
    lane_of = {
        lane.id: map_template_lane(lane.name, d, lead_unit_id, pick=pick) for lane in graph.lanes
    }
    steps: list[StepDraft] = []
    for k, node in enumerate(graph.nodes):
        lane = lane_of.get(node.lane, LaneRef())
        leader = unit = person = None
        if node.kind in ("action", "decision"):
            leader, unit, person = responsibility(lane, d, lead_unit_id, pick=pick)
        risks = []
        if node.risk_level:
            description, controls = risk_text(pick + k)
            risks.append(RiskDraft(node.risk_level, description, controls, person))
        steps.append(
            StepDraft(
                key=node.id,
                kind=node.kind,
                name=node.label,
                lane=lane,
                days=to_decimal(node.time_limit_days),
                leader_id=leader,
                unit_id=unit,
                person_id=person,
                materials=[
                    MaterialDraft(m) for m in material_names(node.materials_count, pick + k)
                ],
                risks=risks,
            )
        )
    by_key = {s.key: s for s in steps}
    for edge in graph.edges:
        by_key[edge.source].exits.append(ExitDraft(edge.target, edge.label))
    supervision, complaint, rights = notes
    return ProcessDraft(
        name=name[:200],
        legal_limit_days=to_decimal(graph.legal_limit_days),
        supervision=supervision,
        complaint=complaint,
        rights=rights,
        steps=steps,
    )


def template_draft(
    kind: str, d: Directory, *, lead_unit_id: int | None, name: str, pick: int = 0
) -> ProcessDraft:
    """The template of a power type (``ProcessKind``) instantiated for a department."""
    from qingdan.processes.texts import DEFAULT_COMPLAINT, DEFAULT_RIGHTS, DEFAULT_SUPERVISION

    rights = "" if kind == ProcessKind.INTERNAL else DEFAULT_RIGHTS
    complaint = "" if kind == ProcessKind.INTERNAL else DEFAULT_COMPLAINT
    return mapped_draft(
        template_graph(kind),
        d,
        lead_unit_id=lead_unit_id,
        name=name,
        pick=pick,
        notes=(DEFAULT_SUPERVISION, complaint, rights),
    )


# --- draft → rows --------------------------------------------------------------------------------


def fill_step(row: Any, s: StepDraft, order: int) -> None:
    row.code = s.key
    row.kind = s.kind
    row.name = s.name
    row.lane_unit_id = s.lane.unit_id
    row.lane_position_id = s.lane.position_id
    row.lane_label = s.lane.label if s.lane.unit_id is None and s.lane.position_id is None else ""
    row.time_limit_days = s.days
    row.leader_position_id = s.leader_id
    row.responsible_unit_id = s.unit_id
    row.responsible_person_id = s.person_id
    row.order = order


def build_parts(
    process: Any, draft: ProcessDraft, steps: dict[str, Any], user_id: int | None
) -> tuple[list[Any], list[Any], list[Any]]:
    """Unsaved materials, risk points and flows of ``draft``; ``steps`` maps keys to saved rows."""
    from qingdan.processes.models import Flow, RiskPoint, StepMaterial

    # Ids rather than instances: the demo builds hundreds of thousands of these.
    common = {
        "process_id": process.pk,
        "department_id": process.department_id,
        "region_id": process.region_id,
        "status": process.status,
        "created_by_id": user_id,
        "updated_by_id": user_id,
    }
    materials, risks, flows = [], [], []
    for s in draft.steps:
        step = steps[s.key]
        for k, m in enumerate(s.materials, start=1):
            materials.append(
                StepMaterial(
                    step_id=step.pk,
                    code=f"{s.key}.m{k}",
                    name=m.name,
                    note=m.note,
                    order=len(materials) + 1,
                    **common,
                )
            )
        for k, r in enumerate(s.risks, start=1):
            risks.append(
                RiskPoint(
                    step_id=step.pk,
                    code=f"{s.key}.r{k}",
                    level=r.level,
                    description=r.description,
                    controls=r.controls,
                    responsible_person_id=r.person_id,
                    order=len(risks) + 1,
                    **common,
                )
            )
        for e in s.exits:
            flows.append(
                Flow(
                    code=f"{s.key}>{e.target}",
                    source_id=step.pk,
                    target_id=steps[e.target].pk,
                    label=e.label,
                    order=len(flows) + 1,
                    **common,
                )
            )
    return materials, risks, flows


def counts(draft: ProcessDraft, graph: Graph) -> dict[str, Any]:
    """The figures kept on the process row: 办事环节, 办事材料, 风险点 and longest-path days."""
    from qingdan.processes.choices import COUNTED_KINDS
    from qingdan.processes.flowchart import longest_path

    days, _path = longest_path(graph)
    return {
        "step_count": sum(1 for s in draft.steps if s.kind in COUNTED_KINDS),
        "material_count": sum(len(s.materials) for s in draft.steps),
        "risk_count": sum(len(s.risks) for s in draft.steps),
        "path_days": to_decimal(days) or Decimal("0"),
    }


def group_by(rows: Iterable[Any], attr: str) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    for r in rows:
        out[getattr(r, attr)].append(r)
    return out
