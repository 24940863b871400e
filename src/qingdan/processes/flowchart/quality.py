"""Drawing quality metrics, for our layouts and for Graphviz drawings of the same graphs.

Both kinds of drawing are reduced to the same `Drawing` (node outlines and edge polylines), so
the numbers compare like with like: node overlaps, edges through nodes (a segment entering the
inside of a node that is not one of its ends), edge crossings, collinear edge overlaps, and the
drawing area. Graphviz's Bezier edges are flattened into short segments first.
"""

from __future__ import annotations

import json
import math
import re
from itertools import pairwise
from typing import NamedTuple

from defusedxml import ElementTree as SafeET

from .layout import Layout

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


class DrawnNode(NamedTuple):
    id: str
    box: Box
    outline: tuple[Point, ...]  # convex outline; empty means "the box"


class DrawnEdge(NamedTuple):
    source: str
    target: str
    points: tuple[Point, ...]


class Drawing(NamedTuple):
    nodes: tuple[DrawnNode, ...]
    edges: tuple[DrawnEdge, ...]
    width: float
    height: float


class Quality(NamedTuple):
    nodes: int
    edges: int
    node_overlaps: int  # pairs of nodes whose boxes overlap
    edges_through_nodes: int  # (edge, node) pairs where the edge enters a node not its end
    edge_crossings: int  # pairs of segments of different edges that cross
    edge_overlaps: int  # pairs of collinear segments of different edges that overlap
    area: float
    width: float
    height: float


# ------------------------------------------------------------------------ our layouts
def drawing_from_layout(layout: Layout) -> Drawing:
    nodes = []
    for n in layout.nodes:
        box = (n.x, n.y, n.x + n.w, n.y + n.h)
        outline: tuple[Point, ...] = ()
        if n.shape == "decision":
            cx, cy = n.x + n.w / 2, n.y + n.h / 2
            outline = ((cx, n.y), (n.x + n.w, cy), (cx, n.y + n.h), (n.x, cy))
        nodes.append(DrawnNode(n.id, box, outline))
    edges = tuple(DrawnEdge(e.source, e.target, e.points) for e in layout.edges)
    return Drawing(tuple(nodes), edges, layout.width, layout.height)


def measure_layout(layout: Layout, *, crossings: bool = True, boxes: bool = False) -> Quality:
    """Quality of one of our layouts. `boxes=True` tests edges against bounding boxes."""
    return measure(drawing_from_layout(layout), crossings=crossings, boxes=boxes)


# ------------------------------------------------------------------------ geometry
def _halfplanes_box(b: Box, eps: float) -> list[tuple[float, float, float]]:
    x0, y0, x1, y1 = b
    return [
        (1.0, 0.0, x0 + eps),
        (-1.0, 0.0, -(x1 - eps)),
        (0.0, 1.0, y0 + eps),
        (0.0, -1.0, -(y1 - eps)),
    ]


def _halfplanes_poly(pts: tuple[Point, ...], eps: float) -> list[tuple[float, float, float]]:
    area = 0.0
    for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1], strict=True):
        area += ax * by - bx * ay
    sign = 1.0 if area > 0 else -1.0
    planes = []
    for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1], strict=True):
        dx, dy = bx - ax, by - ay
        # inward normal of a counter-clockwise polygon is (-dy, dx)
        nx, ny = -dy * sign, dx * sign
        length = (nx * nx + ny * ny) ** 0.5 or 1.0
        nx, ny = nx / length, ny / length
        planes.append((nx, ny, nx * ax + ny * ay + eps))
    return planes


def _enters(p0: Point, p1: Point, planes: list[tuple[float, float, float]]) -> bool:
    """Whether the segment p0-p1 meets the region where every n.x >= c (Cyrus-Beck)."""
    t0, t1 = 0.0, 1.0
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    for nx, ny, c in planes:
        num = nx * p0[0] + ny * p0[1] - c
        den = nx * dx + ny * dy
        if abs(den) < 1e-12:
            if num < 0:
                return False
            continue
        t = -num / den
        if den > 0:
            if t > t0:
                t0 = t
        elif t < t1:
            t1 = t
        if t0 > t1:
            return False
    return True


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Proper crossing of segments ab and cd (touching at an end does not count)."""
    o1, o2 = _orient(a, b, c), _orient(a, b, d)
    o3, o4 = _orient(c, d, a), _orient(c, d, b)
    eps = 1e-9
    return ((o1 > eps and o2 < -eps) or (o1 < -eps and o2 > eps)) and (
        (o3 > eps and o4 < -eps) or (o3 < -eps and o4 > eps)
    )


def _collinear_overlap(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Two axis-parallel segments on the same line sharing more than a point."""
    if a[0] == b[0] and c[0] == d[0] and abs(a[0] - c[0]) < 0.5:
        lo1, hi1 = sorted((a[1], b[1]))
        lo2, hi2 = sorted((c[1], d[1]))
        return min(hi1, hi2) - max(lo1, lo2) > 0.5
    if a[1] == b[1] and c[1] == d[1] and abs(a[1] - c[1]) < 0.5:
        lo1, hi1 = sorted((a[0], b[0]))
        lo2, hi2 = sorted((c[0], d[0]))
        return min(hi1, hi2) - max(lo1, lo2) > 0.5
    return False


def measure(drawing: Drawing, *, crossings: bool = True, boxes: bool = False) -> Quality:
    """Count overlaps, edges through nodes, crossings and area of a drawing.

    `crossings=False` skips the quadratic crossing count (reported as -1).
    """
    nodes = drawing.nodes
    eps = 1.0
    overlaps = 0
    order = sorted(range(len(nodes)), key=lambda i: nodes[i].box[0])
    for a_pos, i in enumerate(order):
        ax0, ay0, ax1, ay1 = nodes[i].box
        for j in order[a_pos + 1 :]:
            bx0, by0, bx1, by1 = nodes[j].box
            if bx0 >= ax1 - 0.01:
                break
            if min(ay1, by1) - max(ay0, by0) > 0.01 and min(ax1, bx1) - max(ax0, bx0) > 0.01:
                overlaps += 1
    planes = [
        _halfplanes_box(n.box, eps) if boxes or not n.outline else _halfplanes_poly(n.outline, eps)
        for n in nodes
    ]
    through = 0
    segs: list[tuple[int, Point, Point, Box]] = []
    for k, edge in enumerate(drawing.edges):
        pts = edge.points
        ends = (edge.source, edge.target)
        hit: set[int] = set()
        for p0, p1 in pairwise(pts):
            sb = (min(p0[0], p1[0]), min(p0[1], p1[1]), max(p0[0], p1[0]), max(p0[1], p1[1]))
            segs.append((k, p0, p1, sb))
            for j, node in enumerate(nodes):
                if j in hit or node.id in ends:
                    continue
                x0, y0, x1, y1 = node.box
                if sb[2] <= x0 + eps or sb[0] >= x1 - eps or sb[3] <= y0 + eps or sb[1] >= y1 - eps:
                    continue
                if _enters(p0, p1, planes[j]):
                    hit.add(j)
        through += len(hit)
    cross = 0
    overl = 0
    if crossings:
        segs.sort(key=lambda s: s[3][0])
        for a_pos, (ka, a0, a1, ab) in enumerate(segs):
            for kb, b0, b1, bb in segs[a_pos + 1 :]:
                if bb[0] > ab[2]:
                    break
                if ka == kb or bb[1] > ab[3] or bb[3] < ab[1]:
                    continue
                if _cross(a0, a1, b0, b1):
                    cross += 1
                elif _collinear_overlap(a0, a1, b0, b1):
                    overl += 1
    else:
        cross = overl = -1
    return Quality(
        len(nodes),
        len(drawing.edges),
        overlaps,
        through,
        cross,
        overl,
        round(drawing.width * drawing.height, 1),
        drawing.width,
        drawing.height,
    )


# ------------------------------------------------------------------------ Graphviz
_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SVG_NS = "{http://www.w3.org/2000/svg}"


def _bezier_points(coords: list[Point], steps: int = 8) -> list[Point]:
    """Flatten a Graphviz spline (start point, then 3 points per cubic) into a polyline."""
    if not coords:
        return []
    out = [coords[0]]
    for k in range(1, len(coords) - 2, 3):
        p0, p1, p2, p3 = coords[k - 1], coords[k], coords[k + 1], coords[k + 2]
        for s in range(1, steps + 1):
            t = s / steps
            u = 1 - t
            a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
            out.append(
                (
                    a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                    a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
                )
            )
    return out


def _pairs(text: str) -> list[Point]:
    nums = [float(x) for x in _NUM.findall(text)]
    return list(zip(nums[0::2], nums[1::2], strict=False))


def _box_of(pts: list[Point]) -> Box:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def _ellipse(cx: float, cy: float, rx: float, ry: float) -> tuple[Point, ...]:
    return tuple(
        (cx + rx * math.cos(2 * math.pi * k / 16), cy + ry * math.sin(2 * math.pi * k / 16))
        for k in range(16)
    )


def split_svg_documents(text: str) -> list[str]:
    """Split the output of `dot -Tsvg` run on several graphs into one document per graph."""
    parts = re.split(r"(?=<\?xml )", text)
    return [p for p in parts if "<svg" in p]


def drawing_from_graphviz_svg(svg: str) -> Drawing:
    """Node outlines and edge polylines from `dot -Tsvg` output (a single graph)."""
    root = SafeET.fromstring(svg.encode("utf-8"))
    width = float(_NUM.findall(root.get("width", "0"))[0] or 0)
    height = float(_NUM.findall(root.get("height", "0"))[0] or 0)
    nodes: list[DrawnNode] = []
    edges: list[DrawnEdge] = []
    for g in root.iter(f"{_SVG_NS}g"):
        cls = g.get("class")
        if cls not in ("node", "edge"):
            continue
        title_el = g.find(f"{_SVG_NS}title")
        title = title_el.text if title_el is not None and title_el.text else ""
        if cls == "node":
            outline: tuple[Point, ...] = ()
            pts: list[Point] = []
            for child in g:
                tag = child.tag.replace(_SVG_NS, "")
                if tag == "polygon":
                    pts = _pairs(child.get("points", ""))
                    outline = tuple(pts[:-1]) if len(pts) > 3 and pts[0] == pts[-1] else tuple(pts)
                    break
                if tag == "ellipse":
                    cx, cy = float(child.get("cx", 0)), float(child.get("cy", 0))
                    rx, ry = float(child.get("rx", 0)), float(child.get("ry", 0))
                    outline = _ellipse(cx, cy, rx, ry)
                    pts = list(outline)
                    break
                if tag == "path":
                    pts = _pairs(child.get("d", ""))
                    break
            if pts:
                nodes.append(DrawnNode(title, _box_of(pts), outline if len(outline) >= 3 else ()))
        else:
            path = g.find(f"{_SVG_NS}path")
            if path is None or "->" not in title:
                continue
            src, dst = title.split("->", 1)
            coords = _pairs(path.get("d", ""))
            edges.append(DrawnEdge(src, dst, tuple(_bezier_points(coords))))
    return Drawing(tuple(nodes), tuple(edges), width, height)


def drawing_from_graphviz_json(data: str | dict) -> Drawing:
    """Node outlines and edge polylines from `dot -Tjson` output (a single graph)."""
    doc = json.loads(data) if isinstance(data, str) else data
    bb = [float(x) for x in str(doc.get("bb", "0,0,0,0")).split(",")]
    names: dict[int, str] = {}
    nodes: list[DrawnNode] = []
    for obj in doc.get("objects", []):
        if "pos" not in obj:
            continue  # a cluster (subgraph) has a bounding box, not a position
        names[obj["_gvid"]] = obj["name"]
        outline: tuple[Point, ...] = ()
        pts: list[Point] = []
        for op in obj.get("_draw_", []):
            if op.get("op") in ("p", "P"):
                pts = [tuple(p) for p in op["points"]]
                outline = tuple(pts)
                break
            if op.get("op") in ("e", "E"):
                cx, cy, rx, ry = op["rect"]
                outline = _ellipse(cx, cy, rx, ry)
                pts = list(outline)
                break
            if op.get("op") in ("b", "B"):
                pts = [tuple(p) for p in op["points"]]
                break
        if not pts:
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = float(obj.get("width", 0)) * 72, float(obj.get("height", 0)) * 72
            pts = [(x - w / 2, y - h / 2), (x + w / 2, y + h / 2)]
        nodes.append(DrawnNode(obj["name"], _box_of(pts), outline if len(outline) >= 3 else ()))
    edges: list[DrawnEdge] = []
    for edge in doc.get("edges", []):
        coords: list[Point] = []
        for op in edge.get("_draw_", []):
            if op.get("op") in ("b", "B"):
                coords = [tuple(p) for p in op["points"]]
        edges.append(
            DrawnEdge(
                names.get(edge["tail"], str(edge["tail"])),
                names.get(edge["head"], str(edge["head"])),
                tuple(_bezier_points(coords)),
            )
        )
    return Drawing(tuple(nodes), tuple(edges), bb[2] - bb[0], bb[3] - bb[1])


def measure_graphviz_svg(svg: str, *, crossings: bool = True) -> Quality:
    return measure(drawing_from_graphviz_svg(svg), crossings=crossings)


def measure_graphviz_json(data: str | dict, *, crossings: bool = True) -> Quality:
    return measure(drawing_from_graphviz_json(data), crossings=crossings)
