"""Deterministic swimlane layout of a process flowchart, in plain Python.

`layout(graph)` returns a `Layout` with absolute coordinates (CSS px, origin top left) for
lanes, nodes, flows and every line of text, so that each renderer (SVG here; Word DrawingML and
PDF later) draws the same picture without measuring or deciding anything itself.

Guarantees (checked on thousands of generated graphs in the tests): nodes never overlap, no flow
segment passes through a node other than its own two ends, every node lies inside its lane's
column, and the same graph always gives the same coordinates.

Printing: one layout px prints at `PRINT_MM_PER_PX` (0.2 mm), so the 12 px step labels are
2.4 mm (about 6.8 pt) high. At that scale nine in ten processes of up to 15 steps fit the A4
portrait text area of 170 x 257 mm (`A4_CONTENT_MM`) as drawn; the wide ones (four or five lanes
with side branches) are shrunk by `Layout.page_scale()`, which the tests hold at 0.16 mm/px or
more for every such process (labels at least 1.9 mm high).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from . import plan as P
from .model import Graph
from .plan import Plan
from .routing import (
    Routes,
    assign_bottom_ports,
    assign_sides,
    assign_top_ports,
    measure_labels,
    order_tracks,
    plan_routes,
)
from .text import text_em, wrap

PRINT_MM_PER_PX = 0.2
A4_CONTENT_MM = (170.0, 257.0)


class TextLine(NamedTuple):
    """One line of text: `x` is the anchor (centre for "middle"), `y` the baseline."""

    text: str
    x: float
    y: float
    size: float
    anchor: str  # "middle" | "start"


class Marker(NamedTuple):
    """A pill attached to a step: its time limit ("≤5个工作日") or risk point ("风险点·高")."""

    kind: str  # "time" | "risk"
    text: str
    level: str | None  # 高/中/低 for risk markers
    x: float
    y: float
    w: float
    h: float


class NodeBox(NamedTuple):
    """A placed step. (x, y) is the top left corner of the shape's bounding box."""

    id: str
    kind: str
    shape: str  # "terminal" | "process" | "decision" | "bar"
    x: float
    y: float
    w: float
    h: float
    lane: str
    label: str  # the full label, for tooltips when `truncated`
    lines: tuple[TextLine, ...]
    truncated: bool
    markers: tuple[Marker, ...]
    time_limit_days: float | None
    risk_level: str | None


class EdgePath(NamedTuple):
    """A routed flow: an orthogonal polyline from the source outline to the target outline."""

    source: str
    target: str
    label: str
    points: tuple[tuple[float, float], ...]
    label_lines: tuple[TextLine, ...]
    label_box: tuple[float, float, float, float] | None  # x, y, w, h
    back: bool  # a loop back to an earlier step (补正, 退回)


class LaneBox(NamedTuple):
    """A swimlane column, header included: x..x+w, y..y+h; the header is the top `header_h`."""

    id: str
    name: str
    x: float
    y: float
    w: float
    h: float
    header_h: float
    header_lines: tuple[TextLine, ...]


@dataclass(frozen=True)
class Layout:
    """A laid-out flowchart; all coordinates in px, origin at the top left."""

    title: str
    width: float
    height: float
    title_lines: tuple[TextLine, ...]
    lanes: tuple[LaneBox, ...]
    nodes: tuple[NodeBox, ...]
    edges: tuple[EdgePath, ...]

    def page_scale(
        self, width_mm: float = A4_CONTENT_MM[0], height_mm: float = A4_CONTENT_MM[1]
    ) -> float:
        """mm per px to print on a page area: `PRINT_MM_PER_PX`, or smaller so it fits."""
        if self.width <= 0 or self.height <= 0:
            return PRINT_MM_PER_PX
        return min(PRINT_MM_PER_PX, width_mm / self.width, height_mm / self.height)

    def fits_page(
        self,
        width_mm: float = A4_CONTENT_MM[0],
        height_mm: float = A4_CONTENT_MM[1],
        mm_per_px: float = PRINT_MM_PER_PX,
    ) -> bool:
        """Whether the chart fits the page area at `mm_per_px` without shrinking."""
        return self.width * mm_per_px <= width_mm and self.height * mm_per_px <= height_mm


def layout(graph: Graph) -> Layout:
    """Lay out `graph` top to bottom in swimlane columns. Raises FlowchartTooLarge over caps."""
    p = Plan(graph)
    p.assign_ranks()
    p.assign_columns()
    p.size_nodes()
    assign_sides(p)
    assign_bottom_ports(p)
    measure_labels(p)
    assign_top_ports(p)
    routes = plan_routes(p)
    return _place(p, routes)


def _place(p: Plan, routes: Routes) -> Layout:
    n, ncols, nrows = p.n, p.ncols, p.nrows
    col, rank = p.col, p.rank

    # --- vertical channel tracks (only need logical rows)
    vsegs = routes.vsegs
    vtrack = [0] * len(vsegs)
    vcount = [0] * (ncols + 1)
    by_k: dict[int, list[int]] = {}
    for sid, seg in enumerate(vsegs):
        by_k.setdefault(seg[0], []).append(sid)
    for k, sids in by_k.items():
        tracks = order_tracks([(vsegs[s][1], vsegs[s][2], vsegs[s][3]) for s in sids], 0.5)
        for s, t in zip(sids, tracks, strict=True):
            vtrack[s] = t
        vcount[k] = max(tracks) + 1

    # --- column widths from the cells' extents
    col_l = [0.0] * ncols
    col_r = [0.0] * ncols
    for i in range(n):
        c = col[i]
        if p.lext[i] > col_l[c]:
            col_l[c] = p.lext[i]
        if p.rext[i] > col_r[c]:
            col_r[c] = p.rext[i]
    for c in range(ncols):
        if col_l[c] == 0 and col_r[c] == 0:
            col_l[c] = col_r[c] = P.LANE_MIN_W / 2 - P.CELL_PAD
        col_l[c] += P.CELL_PAD
        col_r[c] += P.CELL_PAD
    boundary = [False] * (ncols + 1)
    for first, _count in p.lane_cols[1:]:
        boundary[first] = True
    vw = [0.0] * (ncols + 1)
    for k in range(ncols + 1):
        cnt = vcount[k]
        if boundary[k]:
            vw[k] = max(P.MIN_LANE_GAP, P.TRACK_GAP * (cnt + 2))
        elif k in (0, ncols):
            vw[k] = P.TRACK_GAP * (cnt + 1) if cnt else 2.0
        else:
            vw[k] = max(P.MIN_V_CHANNEL, P.TRACK_GAP * (cnt + 1))

    def x_positions() -> tuple[list[float], list[float], float]:
        vx = [0.0] * (ncols + 1)
        colx = [0.0] * ncols
        x = P.MARGIN
        for k in range(ncols + 1):
            vx[k] = x
            x += vw[k]
            if k < ncols:
                colx[k] = x
                x += col_l[k] + col_r[k]
        return vx, colx, x + P.MARGIN

    def slot_x(k: int, track: int, vx: list[float]) -> float:
        cnt = vcount[k]
        if boundary[k]:
            mid = cnt // 2
            slot = track if track < mid else track + 1
            return vx[k] + vw[k] * (slot + 1) / (cnt + 2)
        return vx[k] + vw[k] * (track + 1) / (cnt + 1)

    def divider(k: int, vx: list[float]) -> float:
        cnt = vcount[k]
        return vx[k] + vw[k] * (cnt // 2 + 1) / (cnt + 2)

    def lane_span(li: int, vx: list[float], total: float) -> tuple[float, float]:
        first, count = p.lane_cols[li]
        left = P.MARGIN if li == 0 else divider(first, vx)
        right = total - P.MARGIN if li == len(p.lanes) - 1 else divider(first + count, vx)
        return left, right

    # --- widen lanes whose header needs more room than their steps
    vx, colx, total_w = x_positions()
    widened = False
    for li, lane in enumerate(p.lanes):
        name_w = min(text_em(lane.name) * P.HEADER_FONT, P.LANE_HEADER_MAX_EM * P.HEADER_FONT)
        need = max(P.LANE_MIN_W, name_w + 14.0)
        left, right = lane_span(li, vx, total_w)
        deficit = need - (right - left)
        if deficit > 0.05:
            first, count = p.lane_cols[li]
            for c in range(first, first + count):
                col_l[c] += deficit / count / 2
                col_r[c] += deficit / count / 2
            widened = True
    if widened:
        vx, colx, total_w = x_positions()
    # Node centres sit on a half-pixel grid; with integer sizes and dyadic text offsets, every
    # position inside a node is then an exact offset from its corner (see svg._node_group).
    cx_col = [round((colx[c] + col_l[c]) * 2) / 2 for c in range(ncols)]
    cx = [cx_col[col[i]] for i in range(n)]
    vseg_x = [slot_x(vsegs[s][0], vtrack[s], vx) for s in range(len(vsegs))]
    xtab = (cx, vseg_x)

    # --- horizontal channel tracks, now that x is known
    hsegs = routes.hsegs
    htrack = [0] * len(hsegs)
    hcount = [0] * (nrows + 1)
    by_r: dict[int, list[tuple[int, float, float, tuple]]] = {}
    for sid, (r, xa, xb, da, db) in enumerate(hsegs):
        a = xtab[xa[0]][xa[1]] + xa[2]
        b = xtab[xb[0]][xb[1]] + xb[2]
        lo, hi = (a, b) if a <= b else (b, a)
        by_r.setdefault(r, []).append((sid, lo, hi, ((a, da), (b, db))))
    for r, items in by_r.items():
        tracks = order_tracks([(lo, hi, ends) for _s, lo, hi, ends in items], 4.0)
        for (sid, _lo, _hi, _e), t in zip(items, tracks, strict=True):
            htrack[sid] = t
        hcount[r] = max(tracks) + 1
    hh = [0.0] * (nrows + 1)
    for r in range(nrows + 1):
        cnt = hcount[r]
        if r in (0, nrows):
            hh[r] = P.TRACK_GAP * (cnt + 1) if cnt else 4.0
        else:
            hh[r] = max(P.MIN_H_CHANNEL, P.TRACK_GAP * (cnt + 1))

    # --- rows
    row_a = [0.0] * nrows
    row_b = [0.0] * nrows
    for i in range(n):
        r = rank[i]
        if p.above[i] > row_a[r]:
            row_a[r] = p.above[i]
        if p.below[i] > row_b[r]:
            row_b[r] = p.below[i]
    title = p.graph.title.strip()
    y = P.MARGIN
    title_lines: list[TextLine] = []
    if title:
        max_em = max(4.0, (total_w - 2 * P.MARGIN) / P.TITLE_FONT)
        tl, _cut = wrap(title, max_em, 2)
        for j, line in enumerate(tl):
            base = y + j * P.TITLE_LINE_H + P.TITLE_LINE_H * 0.5 + P.TITLE_FONT * 0.36
            title_lines.append(TextLine(line, total_w / 2, base, P.TITLE_FONT, "middle"))
        y += len(tl) * P.TITLE_LINE_H + 6
    header_top = y
    headers = []
    for li, lane in enumerate(p.lanes):
        left, right = lane_span(li, vx, total_w)
        lines, _cut = wrap(lane.name, max(2.0, (right - left - 10) / P.HEADER_FONT), 2)
        headers.append((left, right, lines))
    header_h = max(1, max(len(h[2]) for h in headers)) * P.HEADER_LINE_H + 10
    y += header_h
    hy = [0.0] * (nrows + 1)
    cy_row = [0.0] * nrows
    for r in range(nrows + 1):
        hy[r] = y
        y += hh[r]
        if r < nrows:
            cy_row[r] = round((y + row_a[r] + P.ROW_PAD) * 2) / 2
            y += row_a[r] + row_b[r] + 2 * P.ROW_PAD
    total_h = y + P.MARGIN
    hseg_y = [
        hy[r] + hh[r] * (htrack[s] + 1) / (hcount[r] + 1) for s, (r, *_rest) in enumerate(hsegs)
    ]
    cy = [cy_row[rank[i]] for i in range(n)]
    ytab = (cy, hseg_y)
    return _build(
        p, routes, cx, cy, xtab, ytab, total_w, total_h, title_lines, header_top, header_h, headers
    )


def _build(
    p: Plan,
    routes: Routes,
    cx: list[float],
    cy: list[float],
    xtab: tuple[list[float], list[float]],
    ytab: tuple[list[float], list[float]],
    total_w: float,
    total_h: float,
    title_lines: list[TextLine],
    header_top: float,
    header_h: float,
    headers: list[tuple[float, float, tuple[str, ...]]],
) -> Layout:
    lanes_out = []
    lane_h = total_h - P.MARGIN - header_top
    base0 = header_top + 5 + P.HEADER_LINE_H * 0.5 + P.HEADER_FONT * 0.36
    for lane, (left, right, lines) in zip(p.lanes, headers, strict=True):
        mid = (left + right) / 2
        tl = tuple(
            TextLine(line, mid, base0 + j * P.HEADER_LINE_H, P.HEADER_FONT, "middle")
            for j, line in enumerate(lines)
        )
        lanes_out.append(
            LaneBox(lane.id, lane.name, left, header_top, right - left, lane_h, header_h, tl)
        )
    nodes_out = []
    lane_ids = [p.lanes[li].id for li in p.node_lane]
    line_h, font, mark_h = P.LINE_H, P.FONT, P.MARK_H
    first_base = line_h * 0.5 + P.BASELINE_DROP
    for i in range(p.n):
        node = p.nodes[i]
        w, h = p.w[i], p.h[i]
        x, y = cx[i], cy[i]
        lines = p.lines[i]
        marks = p.marks[i]
        tls: tuple[TextLine, ...]
        mks: tuple[Marker, ...] = ()
        if p.shape[i] == "bar":
            tls = ()
            if lines:
                tls = (TextLine(lines[0], x + w / 2 + 4, y + 3.5, P.MARK_FONT, "start"),)
        else:
            stacked = p.stacked[i]
            block_h = len(lines) * line_h + ((mark_h + 2) * (2 if stacked else 1) if marks else 0)
            top = y - block_h / 2
            tls = tuple(
                TextLine(line, x, top + j * line_h + first_base, font, "middle")
                for j, line in enumerate(lines)
            )
            if marks:
                my = top + len(lines) * line_h + 2
                out_marks = []
                if stacked:
                    for kind, text, level, mw in marks:
                        out_marks.append(Marker(kind, text, level, x - mw / 2, my, mw, mark_h))
                        my += mark_h + 2
                else:
                    mx = x - (sum(m[3] for m in marks) + 4.0 * (len(marks) - 1)) / 2
                    for kind, text, level, mw in marks:
                        out_marks.append(Marker(kind, text, level, mx, my, mw, mark_h))
                        mx += mw + 4.0
                mks = tuple(out_marks)
        nodes_out.append(
            NodeBox(
                node.id,
                node.kind,
                p.shape[i],
                x - w / 2,
                y - h / 2,
                w,
                h,
                lane_ids[i],
                node.label,
                tls,
                p.cut[i],
                mks,
                node.time_limit_days,
                node.risk_level,
            )
        )
    edges_out = []
    xa, xb = xtab
    ya, yb = ytab
    for e in range(p.m):
        pts = _simplify(
            [
                ((xb if xt else xa)[xi] + xo, (yb if yt else ya)[yi] + yo)
                for (xt, xi, xo), (yt, yi, yo) in routes.points[e]
            ]
        )
        rel = p.label_rel[e]
        label_box = None
        lab: tuple[TextLine, ...] = ()
        if rel is not None:
            u = p.src[e]
            lx, ly = cx[u] + rel[0], cy[u] + rel[1]
            label_box = (lx, ly, rel[2], rel[3])
            lab = tuple(
                TextLine(line, lx + 1, ly + (j + 1) * P.EDGE_LINE_H - 3, P.EDGE_FONT, "start")
                for j, line in enumerate(p.label_lines[e])
            )
        edge = p.edge_objs[e]
        edges_out.append(
            EdgePath(edge.source, edge.target, edge.label, tuple(pts), lab, label_box, p.back[e])
        )
    return Layout(
        p.graph.title,
        total_w,
        total_h,
        tuple(title_lines),
        tuple(lanes_out),
        tuple(nodes_out),
        tuple(edges_out),
    )


def _simplify(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and the middle point of three collinear ones."""
    out: list[tuple[float, float]] = []
    for pt in pts:
        if out and out[-1] == pt:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (ax == bx == pt[0]) or (ay == by == pt[1]):
                out[-1] = pt
                continue
        out.append(pt)
    return out
