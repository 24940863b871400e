"""Validation of a process flowchart: every problem at once, in Chinese, never an exception.

A department drawing its 一事一流程 needs to hear everything that is wrong in one go (the same
rule as our importers), so `validate()` collects problems instead of stopping at the first one.
Errors make the process unfit to publish; warnings are worth a look.
"""

from __future__ import annotations

from typing import NamedTuple

from .model import KIND_NAMES, MAX_EDGES, MAX_NODES, NODE_KINDS, RISK_LEVELS, Graph, Node


class Problem(NamedTuple):
    """One finding. `node_id`/`edge_index` point at the culprit; `edge_id` is "源->目标"."""

    code: str
    message: str
    node_id: str | None = None
    edge_index: int | None = None
    edge_id: str | None = None
    severity: str = "error"  # "error" | "warning"


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def _name(node: Node) -> str:
    label = " ".join(node.label.split())
    if len(label) > 30:
        label = label[:29] + "…"
    return f"{KIND_NAMES.get(node.kind, '环节')}「{label or node.id}」"


def _fmt(days: float) -> str:
    return str(int(days)) if float(days).is_integer() else f"{days:g}"


class _Index:
    """First occurrence of every node id, and the flows between known nodes."""

    def __init__(self, graph: Graph) -> None:
        self.nodes: list[Node] = []
        self.ix: dict[str, int] = {}
        for node in graph.nodes:
            if node.id not in self.ix:
                self.ix[node.id] = len(self.nodes)
                self.nodes.append(node)
        n = len(self.nodes)
        self.out: list[list[tuple[int, int]]] = [[] for _ in range(n)]  # (edge index, target)
        self.inc: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for k, edge in enumerate(graph.edges):
            a, b = self.ix.get(edge.source), self.ix.get(edge.target)
            if a is not None and b is not None:
                self.out[a].append((k, b))
                self.inc[b].append((k, a))
        self.starts = [i for i, nd in enumerate(self.nodes) if nd.kind == "start"]
        if not self.starts:
            self.starts = [i for i in range(n) if not self.inc[i]]


def _back_edges(idx: _Index) -> set[int]:
    """Edges closing a loop, found by depth-first search from the start (same rule as layout)."""
    n = len(idx.nodes)
    state = [0] * n
    back: set[int] = set()
    for root in [*idx.starts, *range(n)]:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(idx.out[root]))]
        while stack:
            v, it = stack[-1]
            for k, t in it:
                if state[t] == 0:
                    state[t] = 1
                    stack.append((t, iter(idx.out[t])))
                    break
                if state[t] == 1:
                    back.add(k)
            else:
                state[v] = 2
                stack.pop()
    return back


def longest_path(graph: Graph) -> tuple[float, list[str]]:
    """The largest sum of step time limits on a path from the start to an end, loops removed.

    Loops (补正, 退回) are cut at their back edge: the time the applicant spends on corrections
    does not count towards the statutory limit. Returns (days, node ids along the path); (0, [])
    when no start reaches an end.
    """
    idx = _Index(graph)
    back = _back_edges(idx)
    n = len(idx.nodes)
    # Reverse topological order of the forward graph, by iterative post-order DFS.
    order: list[int] = []
    seen = [False] * n
    for root in range(n):
        if seen[root]:
            continue
        seen[root] = True
        stack = [(root, iter(idx.out[root]))]
        while stack:
            v, it = stack[-1]
            for k, t in it:
                if k not in back and not seen[t]:
                    seen[t] = True
                    stack.append((t, iter(idx.out[t])))
                    break
            else:
                order.append(v)
                stack.pop()
    neg = float("-inf")
    best = [neg] * n
    nxt = [-1] * n
    for v in order:  # successors come first in post-order
        node = idx.nodes[v]
        own = node.time_limit_days or 0.0
        if node.kind == "end":
            best[v] = own
            continue
        for k, t in idx.out[v]:
            if k in back or best[t] == neg:
                continue
            if own + best[t] > best[v]:
                best[v] = own + best[t]
                nxt[v] = t
    top, first = neg, -1
    for s in idx.starts:
        if best[s] > top:
            top, first = best[s], s
    if first < 0:
        return 0.0, []
    path = []
    v = first
    while v >= 0:
        path.append(idx.nodes[v].id)
        v = nxt[v]
    return top, path


def _sccs(n: int, out: list[list[tuple[int, int]]]) -> list[list[int]]:
    """Strongly connected components (iterative Tarjan)."""
    index = [0] * n
    low = [0] * n
    on = [False] * n
    seen = [False] * n
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 1
    for root in range(n):
        if seen[root]:
            continue
        work = [(root, 0)]
        while work:
            v, pos = work.pop()
            if pos == 0:
                seen[v] = True
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on[v] = True
            edges = out[v]
            descended = False
            while pos < len(edges):
                t = edges[pos][1]
                pos += 1
                if not seen[t]:
                    work.append((v, pos))
                    work.append((t, 0))
                    descended = True
                    break
                if on[t]:
                    low[v] = min(low[v], index[t])
            if descended:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on[w] = False
                    comp.append(w)
                    if w == v:
                        break
                comps.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return comps


def validate(graph: Graph) -> list[Problem]:
    """All problems of `graph`, errors and warnings, in a stable order."""
    problems: list[Problem] = []
    add = problems.append
    if len(graph.nodes) > MAX_NODES:
        add(
            Problem(
                "too_large",
                f"流程环节数为{len(graph.nodes)}个，超过上限{MAX_NODES}个，请拆分为子流程。",
            )
        )
        return problems
    if len(graph.edges) > MAX_EDGES:
        add(Problem("too_large", f"流程连线数为{len(graph.edges)}条，超过上限{MAX_EDGES}条。"))
        return problems

    lane_ids: set[str] = set()
    for lane in graph.lanes:
        if lane.id in lane_ids:
            add(Problem("duplicate_lane", f"泳道编号「{lane.id}」重复。"))
        lane_ids.add(lane.id)
        if not lane.name.strip():
            add(Problem("missing_lane_name", f"泳道「{lane.id}」没有名称。"))

    seen_ids: set[str] = set()
    for node in graph.nodes:
        if node.id in seen_ids:
            add(Problem("duplicate_node", f"环节编号「{node.id}」重复。", node.id))
            continue
        seen_ids.add(node.id)
        _check_node(node, lane_ids, add)

    idx = _Index(graph)
    nodes = idx.nodes
    n = len(nodes)
    pairs: set[tuple[str, str]] = set()
    for k, edge in enumerate(graph.edges):
        eid = f"{edge.source}->{edge.target}"
        for end, which in ((edge.source, "起点"), (edge.target, "终点")):
            if end not in idx.ix:
                add(Problem("unknown_node", f"连线{eid}的{which}「{end}」不存在。", None, k, eid))
        if edge.source == edge.target:
            add(Problem("self_loop", f"连线{eid}指向环节自身。", edge.source, k, eid))
        if (edge.source, edge.target) in pairs:
            add(Problem("duplicate_edge", f"连线{eid}重复。", edge.source, k, eid, "warning"))
        pairs.add((edge.source, edge.target))

    starts = [i for i in range(n) if nodes[i].kind == "start"]
    ends = [i for i in range(n) if nodes[i].kind == "end"]
    if not starts:
        add(Problem("no_start", "流程没有开始环节。"))
    for i in starts[1:]:
        add(
            Problem(
                "multiple_starts", f"流程只能有一个开始环节，{_name(nodes[i])}多余。", nodes[i].id
            )
        )
    if not ends:
        add(Problem("no_end", "流程没有结束环节。"))

    for i, node in enumerate(nodes):
        outs, ins = idx.out[i], idx.inc[i]
        nm = _name(node)
        if node.kind == "start":
            if ins:
                add(Problem("start_has_incoming", f"{nm}不能有流入的连线。", node.id))
            if not outs:
                add(Problem("start_no_exit", f"{nm}没有流出的连线。", node.id))
        elif node.kind == "end":
            if outs:
                add(Problem("end_has_outgoing", f"{nm}不能有流出的连线。", node.id))
        elif node.kind == "decision":
            if len(outs) < 2:
                add(
                    Problem("decision_exits", f"{nm}至少需要两个出口，现有{len(outs)}个。", node.id)
                )
            labels: set[str] = set()
            for k, _t in outs:
                edge = graph.edges[k]
                eid = f"{edge.source}->{edge.target}"
                text = edge.label.strip()
                if not text:
                    add(
                        Problem(
                            "unlabelled_exit",
                            f"{nm}的出口{eid}没有标注条件（如“是/否”）。",
                            node.id,
                            k,
                            eid,
                        )
                    )
                elif text in labels:
                    add(
                        Problem(
                            "duplicate_exit_label",
                            f"{nm}有多个出口的条件都是“{text}”。",
                            node.id,
                            k,
                            eid,
                            "warning",
                        )
                    )
                labels.add(text)
        elif node.kind == "split" and len(outs) < 2:
            add(Problem("split_exits", f"{nm}至少需要两个并行分支，现有{len(outs)}个。", node.id))
        elif node.kind == "join" and len(ins) < 2:
            add(Problem("join_entries", f"{nm}至少需要汇合两个分支，现有{len(ins)}个。", node.id))
        elif node.kind == "action" and len(outs) > 1:
            add(
                Problem(
                    "action_exits",
                    f"{nm}有{len(outs)}个出口：有条件的分支请用判断，同时进行的请用并行网关。",
                    node.id,
                    severity="warning",
                )
            )

    _check_reachability(idx, problems)

    if graph.legal_limit_days is not None:
        if graph.legal_limit_days < 0:
            add(Problem("bad_legal_limit", "法定时限不能为负数。"))
        else:
            days, path = longest_path(graph)
            if days > graph.legal_limit_days + 1e-9:
                names = "→".join(
                    (nodes[idx.ix[p]].label.strip() or p)[:12]
                    for p in path
                    if nodes[idx.ix[p]].kind not in ("start", "end")
                )
                add(
                    Problem(
                        "exceeds_legal_limit",
                        f"最长办理路径的时限合计{_fmt(days)}个工作日，超过法定时限"
                        f"{_fmt(graph.legal_limit_days)}个工作日（{names}）。",
                        path[-1] if path else None,
                    )
                )
    return problems


def _check_node(node: Node, lane_ids: set[str], add) -> None:
    nm = _name(node)
    if node.kind not in NODE_KINDS:
        add(Problem("bad_kind", f"环节「{node.id}」的类型“{node.kind}”无效。", node.id))
    if not node.lane:
        add(Problem("missing_lane", f"{nm}没有指定泳道（承办科室或岗位）。", node.id))
    elif node.lane not in lane_ids:
        add(Problem("unknown_lane", f"{nm}的泳道「{node.lane}」不存在。", node.id))
    if node.kind in ("action", "decision") and not node.label.strip():
        add(Problem("missing_label", f"环节「{node.id}」没有名称。", node.id))
    days = node.time_limit_days
    if days is None:
        # Gateways only route; the time is spent in the steps around them.
        if node.kind in ("action", "decision"):
            add(Problem("missing_time_limit", f"{nm}没有设定办理时限。", node.id))
    elif days < 0:
        add(Problem("bad_time_limit", f"{nm}的办理时限不能为负数。", node.id))
    if node.risk_level is not None and node.risk_level not in RISK_LEVELS:
        add(
            Problem(
                "bad_risk_level",
                f"{nm}的风险等级“{node.risk_level}”无效，应为高、中、低。",
                node.id,
            )
        )
    if node.materials_count < 0:
        add(Problem("bad_materials", f"{nm}的材料数量不能为负数。", node.id))


def _check_reachability(idx: _Index, problems: list[Problem]) -> None:
    nodes = idx.nodes
    n = len(nodes)
    add = problems.append
    # Forward from the start.
    reach = [False] * n
    todo = [i for i in range(n) if nodes[i].kind == "start"]
    for i in todo:
        reach[i] = True
    while todo:
        v = todo.pop()
        for _k, t in idx.out[v]:
            if not reach[t]:
                reach[t] = True
                todo.append(t)
    # Backward from the ends.
    live = [False] * n
    todo = [i for i in range(n) if nodes[i].kind == "end"]
    for i in todo:
        live[i] = True
    while todo:
        v = todo.pop()
        for _k, s in idx.inc[v]:
            if not live[s]:
                live[s] = True
                todo.append(s)
    trapped: set[int] = set()
    for comp in _sccs(n, idx.out):
        members = set(comp)
        cyclic = len(comp) > 1 or any(t == comp[0] for _k, t in idx.out[comp[0]])
        if not cyclic:
            continue
        exits = any(t not in members for v in comp for _k, t in idx.out[v])
        if not exits:
            comp.sort()
            trapped.update(comp)
            names = "、".join(_name(nodes[v]) for v in comp[:5])
            more = "等" if len(comp) > 5 else ""
            add(
                Problem(
                    "cycle_without_exit",
                    f"循环没有出口，流程无法结束：{names}{more}。",
                    nodes[comp[0]].id,
                )
            )
    has_start = any(nd.kind == "start" for nd in nodes)
    has_end = any(nd.kind == "end" for nd in nodes)
    for i, node in enumerate(nodes):
        if not idx.out[i] and not idx.inc[i] and n > 1:
            add(Problem("orphan", f"{_name(node)}是孤立环节，没有任何连线。", node.id))
            continue
        if has_start and not reach[i]:
            add(Problem("unreachable", f"从开始无法到达{_name(node)}。", node.id))
        if has_end and not live[i] and i not in trapped and node.kind != "end":
            add(Problem("no_path_to_end", f"从{_name(node)}无法到达任何结束环节。", node.id))
