"""Working state of one layout run: ranks, columns, node sizes and cell extents.

The drawing is a grid. Rows are ranks (top to bottom); columns are sub-columns (slots) of the
lanes, lanes left to right in the order given. Every node owns one cell and is centred on its
column's centre line and its row's centre line. Between rows run horizontal channels, between
columns vertical channels; edges only ever run in channels, in a node's own cell (port stubs), or
straight through cells that hold no node. That is what makes "no edge through a node" a guarantee
rather than a hope. This module fills the grid; `routing` draws the edges in it.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from .model import Graph, Lane, Node, check_size
from .text import text_em, wrap

# --- Geometry, in CSS px. One layout px prints at PRINT_MM_PER_PX (see layout.py).
FONT = 12.0  # step labels
LINE_H = 15.0
EDGE_FONT = 11.0  # condition labels on flows
EDGE_LINE_H = 13.0
MARK_FONT = 10.0  # time limit and risk markers
MARK_H = 13.0
# Baseline of a line of text below the middle of its line box, about 0.35 em. Kept dyadic (a
# multiple of 1/4) so that positions inside a node are exact offsets from its corner.
BASELINE_DROP = 4.25
HEADER_FONT = 13.0
HEADER_LINE_H = 16.0
TITLE_FONT = 16.0
TITLE_LINE_H = 21.0

PAD_X = 8.0  # text padding inside process boxes
PAD_Y = 5.0
PORT_GAP = 12.0  # distance between two flows leaving/entering the same side
TRACK_GAP = 8.0  # distance between parallel flows in a channel
MIN_H_CHANNEL = 18.0  # gap between rows
MIN_V_CHANNEL = 14.0  # gap between sub-columns of a lane
MIN_LANE_GAP = 18.0  # gap between lanes (holds the lane divider)
CELL_PAD = 4.0
ROW_PAD = 2.0
MARGIN = 6.0
LANE_MIN_W = 84.0
LANE_HEADER_MAX_EM = 10.0

ACTION_MAX_EM = 9.0
ACTION_MAX_LINES = 3
DECISION_MAX_EM = 7.0
DECISION_MAX_LINES = 3
TERMINAL_MAX_EM = 8.0
TERMINAL_MAX_LINES = 2
EDGE_MAX_EM = 6.0
EDGE_MAX_LINES = 2
BAR_H = 6.0

SHAPES = {
    "start": "terminal",
    "end": "terminal",
    "action": "process",
    "decision": "decision",
    "split": "bar",
    "join": "bar",
}

UNASSIGNED_LANE = Lane("__unassigned__", "未指定泳道")
DEFAULT_LANE = Lane("__default__", "流程")


def format_days(days: float) -> str:
    """'≤5个工作日'; whole numbers without a decimal point, 0 as 当场办结."""
    if days <= 0:
        return "当场办结"
    text = str(int(days)) if float(days).is_integer() else f"{days:.1f}".rstrip("0")
    return f"≤{text}个工作日"


Mark = tuple[str, str, str | None, float]  # kind, text, risk level, width
Sized = tuple[str, float, float, tuple[str, ...], bool, tuple[Mark, ...], bool, float, float]


@lru_cache(maxsize=16384)
def _size(kind: str, label: str, days: float | None, risk: str | None, ports: int) -> Sized:
    """Shape, w, h, lines, cut, marks, stacked, text w, text h of one node.

    Pure and cached: the same step (受理, 审查, 局长签发…) recurs across thousands of processes.
    """
    shape = SHAPES.get(kind, "process")
    marks: list[Mark] = []
    if kind in ("action", "decision"):
        if days is not None and (kind == "action" or days > 0):
            text = format_days(days)
            marks.append(("time", text, None, float(round(text_em(text) * MARK_FONT + 8.0))))
        if risk:
            text = f"风险点·{risk}"
            marks.append(("risk", text, risk, float(round(text_em(text) * MARK_FONT + 8.0))))
    if shape == "bar":
        lines, cut = wrap(label, EDGE_MAX_EM, 1)
        text_w = text_em(lines[0]) * MARK_FONT if lines else 0.0
        w = max(56.0, (ports + 1) * PORT_GAP)
        return (shape, w, BAR_H, lines, cut, (), False, text_w, 0.0)
    if shape == "terminal":
        max_em, max_lines = TERMINAL_MAX_EM, TERMINAL_MAX_LINES
    elif shape == "decision":
        max_em, max_lines = DECISION_MAX_EM, DECISION_MAX_LINES
    else:
        max_em, max_lines = ACTION_MAX_EM, ACTION_MAX_LINES
    lines, cut = wrap(label, max_em, max_lines)
    tw = max((text_em(x) for x in lines), default=0.0) * FONT
    mark_w = sum(m[3] for m in marks) + 4.0 * (len(marks) - 1) if marks else 0.0
    mark_h = MARK_H + 2.0 if marks else 0.0
    stacked = False
    if len(marks) == 2 and mark_w > tw + 24.0:
        # Side by side the two pills would widen a short step: stack them instead.
        stacked = True
        mark_w = max(m[3] for m in marks)
        mark_h = 2 * (MARK_H + 2.0)
    tw = max(tw, mark_w)
    th = len(lines) * LINE_H + mark_h
    if shape == "terminal":
        h = max(28.0, th + 2 * PAD_Y)
        w = max(64.0, tw + h, (ports + 1) * PORT_GAP + h)
    elif shape == "decision":
        # The text box (tw x th) fits exactly in a diamond of w = tw + k*th, h = th + tw/k.
        k = 2.5
        w = max(88.0, tw + k * th + 14.0, (ports + 1) * PORT_GAP * 2)
        h = max(44.0, th + tw / k + 10.0)
    else:
        w = max(72.0, tw + 2 * PAD_X, (ports + 1) * PORT_GAP)
        h = max(30.0, th + 2 * PAD_Y)
    return (shape, float(round(w)), float(round(h)), lines, cut, tuple(marks), stacked, tw, th)


class Plan:
    """Mutable per-run arrays, indexed by node number `i` and edge number `e`."""

    def __init__(self, graph: Graph) -> None:
        check_size(graph)
        self.graph = graph
        lanes: list[Lane] = []
        lane_ix: dict[str, int] = {}
        for lane in graph.lanes:
            if lane.id not in lane_ix:
                lane_ix[lane.id] = len(lanes)
                lanes.append(lane)
        nodes: list[Node] = []
        node_ix: dict[str, int] = {}
        for node in graph.nodes:
            if node.id not in node_ix:  # duplicates are reported by validate(), drawn once
                node_ix[node.id] = len(nodes)
                nodes.append(node)
        node_lane: list[int] = []
        for node in nodes:
            li = lane_ix.get(node.lane)
            if li is None:
                fallback = UNASSIGNED_LANE if lanes else DEFAULT_LANE
                li = lane_ix.get(fallback.id)
                if li is None:
                    li = lane_ix[fallback.id] = len(lanes)
                    lanes.append(fallback)
            node_lane.append(li)
        if not lanes:
            lanes.append(DEFAULT_LANE)
        self.lanes = lanes
        self.nodes = nodes
        self.node_lane = node_lane
        n = len(nodes)
        self.n = n
        src: list[int] = []
        dst: list[int] = []
        labels: list[str] = []
        out: list[list[int]] = [[] for _ in range(n)]
        inc: list[list[int]] = [[] for _ in range(n)]
        self.edge_objs = []
        for edge in graph.edges:
            a = node_ix.get(edge.source)
            b = node_ix.get(edge.target)
            if a is None or b is None:
                continue  # dangling flows are reported by validate() and not drawn
            e = len(src)
            src.append(a)
            dst.append(b)
            labels.append(edge.label)
            out[a].append(e)
            inc[b].append(e)
            self.edge_objs.append(edge)
        self.src = src
        self.dst = dst
        self.labels = labels
        self.out = out
        self.inc = inc
        self.m = len(src)
        self.back = [False] * self.m
        self.rank = [0] * n
        self.pre = [0] * n  # DFS preorder number
        self.parent = [-1] * n  # DFS tree parent
        self.col = [0] * n
        self.ncols = 0
        self.lane_cols: list[tuple[int, int]] = []  # first column, number of columns
        self.col_lane: list[int] = []
        self.nrows = 0
        # column -> node per row, filled by assign_columns
        self.cell: dict[tuple[int, int], int] = {}
        self.prev_above = [-1] * n
        self.next_below = [-1] * n
        self.height = [0] * n
        # Filled by size_nodes():
        self.shape: list[str] = []
        self.w: list[float] = []
        self.h: list[float] = []
        self.lines: list[tuple[str, ...]] = []
        self.cut: list[bool] = []
        self.marks: list[tuple[Mark, ...]] = []
        self.stacked: list[bool] = []
        self.text_w: list[float] = []
        self.text_h: list[float] = []
        # Filled by the routing module: exit side and port offsets per edge, cell extents per node.
        self.side: list[str] = []
        self.outer: list[int] = []
        self.main_b: list[int] = []
        self.out_off: list[float] = []
        self.in_off: list[float] = []
        self.straight: list[bool] = []
        self.label_lines: list[tuple[str, ...]] = []
        self.label_cut: list[bool] = []
        self.label_rel: list[tuple[float, float, float, float] | None] = []
        self.lext: list[float] = []
        self.rext: list[float] = []
        self.above: list[float] = []
        self.below: list[float] = []

    # ------------------------------------------------------------------ ranks
    def assign_ranks(self) -> None:
        """Rank = longest path from the start over the graph with back edges (loops) removed."""
        n, out, dst, back = self.n, self.out, self.dst, self.back
        nodes = self.nodes
        state = [0] * n  # 0 unseen, 1 on the DFS stack, 2 finished
        indeg = [len(x) for x in self.inc]
        roots = [i for i in range(n) if nodes[i].kind == "start"]
        roots += [i for i in range(n) if indeg[i] == 0 and nodes[i].kind != "start"]
        roots += range(n)
        post: list[int] = []
        pre = self.pre
        parent = self.parent
        counter = 0
        for root in roots:
            if state[root]:
                continue
            state[root] = 1
            pre[root] = counter
            counter += 1
            stack = [(root, iter(out[root]))]
            while stack:
                v, it = stack[-1]
                for e in it:
                    t = dst[e]
                    st = state[t]
                    if st == 0:
                        state[t] = 1
                        pre[t] = counter
                        counter += 1
                        parent[t] = v
                        stack.append((t, iter(out[t])))
                        break
                    if st == 1:
                        back[e] = True
                else:
                    state[v] = 2
                    post.append(v)
                    stack.pop()
        # Height: longest forward path below a node. The child with the most still to come is
        # the main line and continues straight down; short side branches go beside it.
        height = self.height
        for v in post:
            hv = 0
            for e in out[v]:
                if not back[e] and height[dst[e]] + 1 > hv:
                    hv = height[dst[e]] + 1
            height[v] = hv
        rank = self.rank
        for u in reversed(post):
            ru = rank[u] + 1
            for e in out[u]:
                if not back[e]:
                    t = dst[e]
                    if rank[t] < ru:
                        rank[t] = ru
        self.nrows = (max(rank) + 1) if n else 0

    # ---------------------------------------------------------------- columns
    def assign_columns(self) -> None:
        """Give each node a slot in its lane: children under their parent, branches beside it."""
        n = self.n
        rank, pre, parent, lane = self.rank, self.pre, self.parent, self.node_lane
        height = self.height
        out, dst, back = self.out, self.dst, self.back
        order = sorted(range(n), key=lambda i: (rank[i], pre[i]))
        slot = [0] * n
        used: dict[tuple[int, int], set[int]] = {}
        # How far right/left of its parent a same-lane child prefers to sit: the first exit
        # continues straight down, the next ones go beside it (right first, then left).
        offsets = (0, 1, -1, 2, -2, 3, -3)
        for v in order:
            p = parent[v]
            pref = 0
            if p >= 0 and lane[p] == lane[v]:
                kids = [
                    (-height[t], e, t)
                    for e in out[p]
                    if not back[e] and lane[(t := dst[e])] == lane[p] and parent[t] == p
                ]
                kids.sort()
                k = next(j for j, kid in enumerate(kids) if kid[2] == v)
                pref = slot[p] + (offsets[k] if k < len(offsets) else k)
            taken = used.setdefault((lane[v], rank[v]), set())
            s = pref
            step = 1
            while s in taken:
                s = pref + (step + 1) // 2 * (1 if step % 2 else -1)
                step += 1
            taken.add(s)
            slot[v] = s
        lane_slots: list[list[int]] = [[] for _ in self.lanes]
        for v in range(n):
            lane_slots[lane[v]].append(slot[v])
        col0 = 0
        lane_cols: list[tuple[int, int]] = []
        col_lane: list[int] = []
        maps: list[dict[int, int]] = []
        for li, slots in enumerate(lane_slots):
            distinct = sorted(set(slots))
            maps.append({s: col0 + j for j, s in enumerate(distinct)})
            count = max(1, len(distinct))
            lane_cols.append((col0, count))
            col_lane.extend([li] * count)
            col0 += count
        col = self.col
        cell = self.cell
        for v in range(n):
            c = maps[lane[v]][slot[v]]
            col[v] = c
            cell[(rank[v], c)] = v
        self.ncols = col0
        self.lane_cols = lane_cols
        self.col_lane = col_lane
        # Nearest node above/below in the same column: decides which straight drops are free.
        by_col: list[list[int]] = [[] for _ in range(col0)]
        for v in sorted(range(n), key=lambda i: rank[i]):
            by_col[col[v]].append(v)
        for members in by_col:
            for a, b in pairwise(members):
                self.next_below[a] = b
                self.prev_above[b] = a

    # ------------------------------------------------------------------ sizes
    def size_nodes(self) -> None:
        """Wrap labels and size each shape (GB/T 1526: terminal, process, decision, bar)."""
        n = self.n
        out, inc = self.out, self.inc
        sized = [
            _size(
                node.kind,
                node.label,
                node.time_limit_days,
                node.risk_level,
                max(len(out[i]), len(inc[i])),
            )
            for i, node in enumerate(self.nodes)
        ]
        (
            self.shape,
            self.w,
            self.h,
            self.lines,
            self.cut,
            self.marks,
            self.stacked,
            self.text_w,
            self.text_h,
        ) = (list(col) for col in zip(*sized, strict=True)) if n else ([] for _ in range(9))

    # ------------------------------------------------------------ port shapes
    def port_limit(self, i: int) -> float:
        """Largest |offset| from the centre at which a flow may meet the top/bottom side."""
        shape, w, h = self.shape[i], self.w[i], self.h[i]
        if shape == "decision":
            return w / 4
        if shape == "terminal":
            return max(0.0, w / 2 - h / 2)
        return max(0.0, w / 2 - 6.0)

    def side_dy(self, i: int, off: float) -> float:
        """Vertical distance from the centre to the top (or bottom) outline at x offset `off`."""
        shape, w, h = self.shape[i], self.w[i], self.h[i]
        half = h / 2
        if shape == "decision":
            return half * (1 - min(1.0, abs(off) / (w / 2)))
        if shape == "terminal":
            flat = w / 2 - half
            d = abs(off) - flat
            if d > 0:
                return max(0.0, (half * half - min(d * d, half * half)) ** 0.5)
        return half
