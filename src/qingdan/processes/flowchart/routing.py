"""Orthogonal edge routing on the layout grid (see `plan` for the grid).

Every flow is made of pieces of four kinds only:

* port stubs: vertical lines inside the node's own cell, from its outline to the channel;
* decision side stubs: horizontal lines from a diamond's left/right vertex, inside its own cell;
* channel tracks: horizontal runs in the channels between rows, vertical runs in the channels
  between columns; each run gets its own track, so two flows never lie on top of each other;
* straight runs through cells that hold no node: down a column, or across a row from a
  diamond's vertex (each empty cell carries at most one such crossing run).

No node lies in a channel or in another node's cell, so no flow can cross a node. Two flows
could still overlap where one node's bottom stub meets the next node's top stub in the same
column; top ports are placed so that they never share an x with the bottom ports of the node
above, unless it is the same flow drawn as one straight line.
"""

from __future__ import annotations

from .plan import (
    EDGE_FONT,
    EDGE_LINE_H,
    EDGE_MAX_EM,
    EDGE_MAX_LINES,
    PORT_GAP,
    Plan,
)
from .text import text_em, wrap

# Coordinates are symbolic until channel sizes are known: each is (table, index, offset) and
# resolves to table[index] + offset, where for x table 0 is the node centres (index = node) and
# table 1 the vertical-channel runs (index = run); for y table 0 is the row centre line of a node
# and table 1 the horizontal-channel runs. Resolving is then one list comprehension.
Sym = tuple[int, int, float]


def _spread(n: int, gap: float, limit: float, shift: float = 0.0) -> list[float]:
    if n <= 1:
        return [shift]
    if (n - 1) * gap / 2 + abs(shift) > limit:
        gap = max(3.0, (2 * (limit - abs(shift))) / (n - 1))
    return [(k - (n - 1) / 2) * gap + shift for k in range(n)]


def assign_sides(p: Plan) -> None:
    """Choose where each flow leaves its source: bottom, or a diamond's left/right vertex."""
    m, col = p.m, p.col
    src, dst, back = p.src, p.dst, p.back
    side = ["b"] * m
    outer = [0] * m
    for e in range(m):
        if back[e] and src[e] != dst[e]:
            # Loops go round the outside of the steps they span, in the vertical channel just
            # beyond both ends, on the side the loop comes from (补正 beside the main line
            # loops back on its own side and crosses nothing).
            outer[e] = 1 if col[src[e]] > col[dst[e]] else -1
    main_b = [-1] * p.n
    rank = p.rank
    for i in range(p.n):
        exits = p.out[i]
        if p.nodes[i].kind != "decision" or not exits:
            continue
        wants = []
        for e in exits:
            t = dst[e]
            if back[e]:
                want = "l" if col[t] <= col[i] else "r"
                pri = 2
            elif col[t] > col[i]:
                want, pri = "r", 1
            elif col[t] < col[i]:
                want, pri = "l", 1
            else:
                want, pri = "b", 0
            wants.append((pri, abs(col[t] - col[i]), rank[t], e, want))
        wants.sort()
        free = {"b": True, "l": True, "r": True}
        for _pri, _d, _r, e, want in wants:
            if want == "b":
                order = ("b", "r", "l")
            elif want == "r":
                order = ("r", "b", "l")
            else:
                order = ("l", "b", "r")
            chosen = "b"
            for s in order:
                if free[s]:
                    chosen = s
                    free[s] = False
                    break
            side[e] = chosen
            if chosen == "b" and main_b[i] < 0:
                main_b[i] = e
    p.side = side
    p.outer = outer
    p.main_b = main_b


def _approach(p: Plan, e: int, far: int) -> float:
    """Sort key: roughly the x from which flow `e` arrives at (or leaves towards) node `far`."""
    if p.back[e]:
        if p.src[e] == p.dst[e]:
            return p.col[far] + 0.6
        if p.side[e] != "b":
            return p.col[p.src[e]] + (0.5 if p.side[e] == "r" else -0.5)
        a, b = p.col[p.src[e]], p.col[p.dst[e]]
        return min(a, b) - 0.5 if p.outer[e] < 0 else max(a, b) + 0.5
    if p.side[e] == "r":
        return p.col[p.src[e]] + 0.5
    if p.side[e] == "l":
        return p.col[p.src[e]] - 0.5
    return float(p.col[far])


def assign_bottom_ports(p: Plan) -> None:
    m, n = p.m, p.n
    out_off = [0.0] * m
    side, dst, rank = p.side, p.dst, p.rank
    for i in range(n):
        es = [e for e in p.out[i] if side[e] == "b"]
        if not es:
            continue
        es.sort(key=lambda e: (_approach(p, e, dst[e]), -rank[dst[e]], e))
        limit = p.port_limit(i)
        main = p.main_b[i]
        if main >= 0 and len(es) > 1:
            # A diamond's main exit leaves from the bottom vertex; extra exits leave from its
            # lower edges, left or right of the vertex by where they are heading.
            k0 = es.index(main)
            left = es[:k0]
            right = es[k0 + 1 :]
            gap = PORT_GAP
            span = max(len(left), len(right))
            if span * gap > limit:
                gap = max(3.0, limit / span)
            for j, e in enumerate(reversed(left)):
                out_off[e] = -(j + 1) * gap
            for j, e in enumerate(right):
                out_off[e] = (j + 1) * gap
            continue
        for e, off in zip(es, _spread(len(es), PORT_GAP, limit), strict=True):
            out_off[e] = off
    p.out_off = out_off


def measure_labels(p: Plan) -> None:
    """Wrap condition labels; each is drawn at its flow's start, inside the source's cell."""
    m = p.m
    p.label_lines = [()] * m
    p.label_cut = [False] * m
    p.label_rel = [None] * m
    n = p.n
    lext = [p.w[i] / 2 for i in range(n)]
    rext = lext[:]
    above = [p.h[i] / 2 for i in range(n)]
    below = above[:]
    for i in range(n):
        if p.shape[i] == "bar" and p.lines[i]:
            rext[i] = p.w[i] / 2 + 4 + p.text_w[i]
            above[i] = max(above[i], 8.0)
            below[i] = max(below[i], 8.0)
    for e in range(m):
        label = p.labels[e]
        if not label:
            continue
        lines, cut = wrap(label, EDGE_MAX_EM, EDGE_MAX_LINES)
        if not lines:
            continue
        p.label_lines[e] = lines
        p.label_cut[e] = cut
        lw = max(text_em(x) for x in lines) * EDGE_FONT + 2
        lh = len(lines) * EDGE_LINE_H
        i = p.src[e]
        half_w = p.w[i] / 2
        s = p.side[e]
        if s == "r":
            x0, y0 = half_w + 3, -2 - lh
        elif s == "l":
            x0, y0 = -half_w - 3 - lw, -2 - lh
        else:
            off = p.out_off[e]
            dy = p.side_dy(i, off)
            x0 = off + 3 if off >= 0 else off - 3 - lw
            y0 = dy + 2
        p.label_rel[e] = (x0, y0, lw, lh)
        lext[i] = max(lext[i], -x0 + 1)
        rext[i] = max(rext[i], x0 + lw + 1)
        above[i] = max(above[i], -y0 + 1)
        below[i] = max(below[i], y0 + lh + 1)
    p.lext, p.rext, p.above, p.below = lext, rext, above, below


def assign_top_ports(p: Plan) -> None:
    m = p.m
    in_off = [0.0] * m
    straight = [False] * m
    src, back, side, out_off = p.src, p.back, p.side, p.out_off
    for v in range(p.n):
        ins = p.inc[v]
        if not ins:
            continue
        limit = p.port_limit(v)
        ustar = p.prev_above[v]
        forbidden: list[float] = []
        fixed: list[int] = []
        if ustar >= 0:
            for e in p.out[ustar]:
                if side[e] != "b":
                    continue
                if (
                    src[e] == ustar
                    and p.dst[e] == v
                    and not back[e]
                    and abs(out_off[e]) <= limit
                    and not any(abs(out_off[e] - in_off[f]) < 1 for f in fixed)
                ):
                    # Same flow, same x: drawn as one straight vertical line.
                    in_off[e] = out_off[e]
                    straight[e] = True
                    fixed.append(e)
                else:
                    forbidden.append(out_off[e])
        rest = [e for e in ins if not straight[e]]
        if not rest:
            continue
        rest.sort(key=lambda e: (_approach(p, e, src[e]), e))
        blocked = forbidden + [in_off[e] for e in fixed]
        if fixed:
            anchor = in_off[fixed[0]]
            key0 = float(p.col[v])
            left = [e for e in rest if _approach(p, e, src[e]) < key0]
            right = [e for e in rest if _approach(p, e, src[e]) >= key0]
            _place_run(in_off, left, anchor, -1, blocked, limit)
            _place_run(in_off, right, anchor, 1, blocked, limit)
            continue
        chosen: list[float] | None = None
        for shift in (0.0, PORT_GAP / 2, -PORT_GAP / 2, PORT_GAP / 4, -PORT_GAP / 4):
            offs = _spread(len(rest), PORT_GAP, limit, shift)
            if all(not _near(o, blocked) for o in offs) and all(
                abs(o) <= limit + 0.01 for o in offs
            ):
                chosen = offs
                break
        if chosen is None:
            chosen = _greedy_offsets(len(rest), blocked, limit)
        for e, off in zip(rest, chosen, strict=True):
            in_off[e] = off
    p.in_off = in_off
    p.straight = straight


def _near(x: float, values: list[float]) -> bool:
    return any(abs(x - y) < 2.0 for y in values)


def _place_run(
    in_off: list[float], es: list[int], anchor: float, sign: int, blocked: list[float], limit: float
) -> None:
    """Place ports on one side of a straight flow's port, nearest first, skipping blocked x."""
    if not es:
        return
    if sign < 0:
        es = list(reversed(es))
    gap = PORT_GAP
    room = limit - sign * anchor
    if len(es) * gap > room:
        gap = max(3.0, room / max(1, len(es)))
    step = gap / 2
    pos = anchor
    for e in es:
        pos += sign * gap
        guard = 0
        while _near(pos, blocked) and guard < 8:
            pos += sign * step
            guard += 1
        in_off[e] = pos
        blocked = [*blocked, pos]


def _greedy_offsets(count: int, blocked: list[float], limit: float) -> list[float]:
    offs: list[float] = []
    k = 0
    step = 3.0
    while len(offs) < count and k < 400:
        for cand in (k * step,) if k == 0 else (k * step, -k * step):
            if len(offs) < count and not _near(cand, blocked + offs):
                offs.append(cand)
        k += 1
    while len(offs) < count:
        offs.append(0.0)
    return sorted(offs)


# ---------------------------------------------------------------------- route planning
class Routes:
    """Symbolic polylines plus the channel runs that still need tracks."""

    def __init__(self, m: int) -> None:
        self.points: list[list[tuple[Sym, Sym]]] = [[] for _ in range(m)]
        # vertical runs: (channel k, lo, hi, ends[(y, dir)]) in logical rows (H[r] = 2r, row r = 2r+1)
        self.vsegs: list[tuple[int, int, int, tuple[tuple[int, int], ...]]] = []
        # horizontal runs: (channel r, x symbol a, x symbol b, dir at a, dir at b); dir -1 up, +1 down
        self.hsegs: list[tuple[int, Sym, Sym, int, int]] = []

    def v(self, k: int, lo: int, hi: int, ends: tuple[tuple[int, int], ...]) -> int:
        self.vsegs.append((k, lo, hi, ends))
        return len(self.vsegs) - 1

    def h(self, r: int, xa: Sym, xb: Sym, da: int, db: int) -> int:
        self.hsegs.append((r, xa, xb, da, db))
        return len(self.hsegs) - 1


def plan_routes(p: Plan) -> Routes:
    m = p.m
    R = Routes(m)
    col, rank, cell = p.col, p.rank, p.cell
    src, dst, back, side = p.src, p.dst, p.back, p.side
    out_off, in_off = p.out_off, p.in_off
    prev_above, next_below = p.prev_above, p.next_below
    side_dy, width = p.side_dy, p.w
    l_taken: set[tuple[int, int]] = set()
    for e in range(m):
        u, v = src[e], dst[e]
        ru, rv, cu, cv = rank[u], rank[v], col[u], col[v]
        s = side[e]
        xq = (0, v, in_off[e])
        top = (0, v, -side_dy(v, in_off[e]))
        if s != "b":
            sign = 1 if s == "r" else -1
            vx = (0, u, sign * width[u] / 2)
            mid = (0, u, 0.0)
            k = cu + 1 if sign > 0 else cu
            if not back[e] and rv > ru and (cv - cu) * sign > 0:
                # Shortcut: straight across empty cells of this row, then down into the target.
                cells = [(ru, c) for c in range(cu + sign, cv + sign, sign)]
                pa = prev_above[v]
                if (pa < 0 or rank[pa] < ru) and all(
                    c not in cell and c not in l_taken for c in cells
                ):
                    l_taken.update(cells)
                    R.points[e] = [(vx, mid), (xq, (0, u, 0.0)), (xq, top)]
                    continue
            # Out of the vertex into the neighbouring vertical channel, along it to the channel
            # above the target, across, and down into the target's top.
            upward = back[e] or rv <= ru
            lo, hi = (2 * rv, 2 * ru + 1) if upward else (2 * ru + 1, 2 * rv)
            seg = R.v(k, lo, hi, ((2 * ru + 1, -sign), (2 * rv, 1 if cv >= k else -1)))
            vxk = (1, seg, 0.0)
            # A forward run arrives in H[rv] from above, a loop from below.
            hy = (1, R.h(rv, vxk, xq, 1 if upward else -1, 1), 0.0)
            R.points[e] = [(vx, mid), (vxk, mid), (vxk, hy), (xq, hy), (xq, top)]
            continue
        xp = (0, u, out_off[e])
        bot = (0, u, side_dy(u, out_off[e]))
        if u == v or back[e] or rv <= ru:
            # Loop: down into the channel below, out to the side, up, across, into the top.
            if u == v:
                k = cu + 1
            else:
                k = min(cu, cv) if p.outer[e] < 0 else max(cu, cv) + 1
            seg = R.v(
                k,
                2 * rv,
                2 * ru + 2,
                ((2 * ru + 2, 1 if cu >= k else -1), (2 * rv, 1 if cv >= k else -1)),
            )
            vxk = (1, seg, 0.0)
            y1 = (1, R.h(ru + 1, xp, vxk, -1, -1), 0.0)
            y2 = (1, R.h(rv, vxk, xq, 1, 1), 0.0)
            R.points[e] = [(xp, bot), (xp, y1), (vxk, y1), (vxk, y2), (xq, y2), (xq, top)]
            continue
        if p.straight[e]:
            R.points[e] = [(xp, bot), (xq, top)]
            continue
        pa = prev_above[v]
        nb = next_below[u]
        if rv == ru + 1 or pa < 0 or rank[pa] <= ru:
            # Jog in the channel just below the source, then drop in the target's column.
            y1 = (1, R.h(ru + 1, xp, xq, -1, 1), 0.0)
            R.points[e] = [(xp, bot), (xp, y1), (xq, y1), (xq, top)]
            continue
        if nb < 0 or rank[nb] >= rv:
            # Drop in the source's column, jog in the channel just above the target.
            y1 = (1, R.h(rv, xp, xq, -1, 1), 0.0)
            R.points[e] = [(xp, bot), (xp, y1), (xq, y1), (xq, top)]
            continue
        # Both columns are blocked: go down a vertical channel beside the target's column.
        if cv > cu:
            k = cv
        elif cv < cu:
            k = cv + 1
        else:
            k = cu + 1
        seg = R.v(
            k,
            2 * ru + 2,
            2 * rv,
            ((2 * ru + 2, -1 if cu < k else 1), (2 * rv, -1 if cv < k else 1)),
        )
        vxk = (1, seg, 0.0)
        y1 = (1, R.h(ru + 1, xp, vxk, -1, 1), 0.0)
        y2 = (1, R.h(rv, vxk, xq, -1, 1), 0.0)
        R.points[e] = [(xp, bot), (xp, y1), (vxk, y1), (vxk, y2), (xq, y2), (xq, top)]
    return R


# ---------------------------------------------------------------------- track allocation
def order_tracks(
    segs: list[tuple[float, float, tuple[tuple[float, int], ...]]], sep: float
) -> list[int]:
    """Give each run a track so that overlapping runs never share one.

    `segs` are (lo, hi, ends) where each end is (position, dir): dir -1 when the flow continues
    towards lower track numbers (up / left), +1 towards higher ones. Runs are inserted one by one
    where they cause the fewest crossings with the runs already placed, then packed: a run goes
    on the first track below every earlier run it overlaps.
    """
    count = len(segs)
    if count == 0:
        return []
    if count == 1:
        return [0]
    idx = sorted(range(count), key=lambda i: (segs[i][0], segs[i][1], i))

    def overlap(a: int, b: int) -> bool:
        return segs[a][1] + sep > segs[b][0] and segs[b][1] + sep > segs[a][0]

    def cost(a: int, b: int) -> int:
        """Crossings if `a` is on a lower-numbered track than `b`."""
        alo, ahi, aends = segs[a]
        blo, bhi, bends = segs[b]
        c = 0
        for pos, d in bends:
            if d < 0 and alo <= pos <= ahi:
                c += 1
        for pos, d in aends:
            if d > 0 and blo <= pos <= bhi:
                c += 1
        return c

    order: list[int] = []
    for s in idx:
        ov = [overlap(o, s) for o in order]
        if not any(ov):
            order.append(s)
            continue
        below_cost = [cost(s, o) if f else 0 for o, f in zip(order, ov, strict=True)]
        above_cost = [cost(o, s) if f else 0 for o, f in zip(order, ov, strict=True)]
        # position k: order[:k] above s, order[k:] below s
        best_k, best = 0, sum(below_cost)
        running = best
        for k in range(len(order)):
            running += above_cost[k] - below_cost[k]
            if running < best:
                best, best_k = running, k + 1
        order.insert(best_k, s)
    track = [0] * count
    for j, s in enumerate(order):
        t = 0
        for o in order[:j]:
            if track[o] + 1 > t and overlap(o, s):
                t = track[o] + 1
        track[s] = t
    return track
