"""Layout guarantees, checked on thousands of generated processes and on edge cases."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

from qingdan.processes.flowchart import (
    MAX_NODES,
    PRINT_MM_PER_PX,
    TEMPLATE_KINDS,
    Edge,
    FlowchartTooLarge,
    Graph,
    Lane,
    Layout,
    Node,
    layout,
    render_svg,
    template,
)
from qingdan.processes.flowchart.quality import measure_layout
from qingdan.processes.flowchart.synth import generate, generate_one

PROPERTY_GRAPHS = 2000
SRC = Path(__file__).resolve().parents[2] / "src"


@cache
def _corpus() -> list[tuple[Graph, Layout]]:
    graphs = generate(20240601, PROPERTY_GRAPHS) + [template(k) for k in TEMPLATE_KINDS]
    return [(g, layout(g)) for g in graphs]


def _failures(check) -> list[str]:
    bad = []
    for graph, drawing in _corpus():
        problem = check(graph, drawing)
        if problem:
            bad.append(f"{graph.title}: {problem}")
    return bad


def test_nodes_never_overlap_on_generated_processes():
    def check(_g, drawing):
        q = measure_layout(drawing, crossings=False)
        return q.node_overlaps and f"{q.node_overlaps} overlaps"

    assert _failures(check) == []


def test_no_edge_passes_through_a_node_box_that_is_not_its_end():
    def check(_g, drawing):
        q = measure_layout(drawing, crossings=False, boxes=True)
        return q.edges_through_nodes and f"{q.edges_through_nodes} edges through nodes"

    assert _failures(check) == []


def test_edges_never_run_on_top_of_each_other():
    def check(_g, drawing):
        q = measure_layout(drawing)
        return q.edge_overlaps and f"{q.edge_overlaps} collinear overlaps"

    assert _failures(check) == []


def test_every_node_lies_inside_its_lane_column_below_the_header():
    def check(_g, drawing):
        lanes = {lane.id: lane for lane in drawing.lanes}
        for n in drawing.nodes:
            lane = lanes[n.lane]
            inside_x = lane.x <= n.x and n.x + n.w <= lane.x + lane.w
            inside_y = lane.y + lane.header_h <= n.y and n.y + n.h <= lane.y + lane.h
            if not (inside_x and inside_y):
                return f"{n.id} outside lane {lane.id}"
        return None

    assert _failures(check) == []


def test_edges_are_orthogonal_and_attach_to_their_nodes():
    def on_outline(pt, box) -> bool:
        x, y = pt
        inside = box.x - 0.6 <= x <= box.x + box.w + 0.6 and box.y - 0.6 <= y <= box.y + box.h + 0.6
        return inside

    def check(_g, drawing):
        nodes = {n.id: n for n in drawing.nodes}
        for e in drawing.edges:
            pts = e.points
            if len(pts) < 2:
                return f"edge {e.source}->{e.target} has no segment"
            for (ax, ay), (bx, by) in pairwise(pts):
                if ax != bx and ay != by:
                    return f"edge {e.source}->{e.target} has a diagonal segment"
            if not on_outline(pts[0], nodes[e.source]) or not on_outline(pts[-1], nodes[e.target]):
                return f"edge {e.source}->{e.target} does not touch its nodes"
        return None

    assert _failures(check) == []


def test_same_process_always_gives_identical_svg_bytes():
    for graph, drawing in _corpus()[:300]:
        assert render_svg(layout(graph)) == render_svg(drawing)


def test_svg_does_not_depend_on_what_was_rendered_before():
    # Node markup is cached per distinct step; a cold cache must give the very same bytes.
    from qingdan.processes.flowchart import svg as svg_module

    corpus = _corpus()[:200]
    warm = [render_svg(d) for _g, d in corpus]
    svg_module._GROUPS.clear()
    cold = [render_svg(d) for _g, d in reversed(corpus)]
    assert warm == list(reversed(cold))


def test_svg_is_identical_across_interpreter_runs_with_different_hash_seeds():
    # Set iteration order of strings changes with PYTHONHASHSEED; the output must not.
    code = (
        "import hashlib\n"
        "from qingdan.processes.flowchart import layout, render_svg\n"
        "from qingdan.processes.flowchart.synth import generate\n"
        "h = hashlib.sha256()\n"
        "for g in generate(7, 60):\n"
        "    h.update(render_svg(layout(g)).encode())\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(SRC)}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_two_hundred_step_process_lays_out_without_overlaps():
    graph = generate_one(99, 0, steps=200)
    assert graph.step_count == 200
    drawing = layout(graph)
    q = measure_layout(drawing, boxes=True)
    assert (q.node_overlaps, q.edges_through_nodes, q.edge_overlaps) == (0, 0, 0)
    assert len(drawing.nodes) == len(graph.nodes)


def test_graph_over_the_node_cap_is_refused_with_a_chinese_message():
    lane = Lane("a", "科室")
    nodes = [Node(f"n{k}", "action", "步骤", "a", 1) for k in range(MAX_NODES + 1)]
    with pytest.raises(FlowchartTooLarge, match="超过上限"):
        layout(Graph("大流程", (lane,), tuple(nodes), ()))


def test_very_long_label_is_wrapped_ellipsised_and_kept_whole_for_the_tooltip():
    long = (
        "依据《中华人民共和国行政许可法》第三十二条对申请材料的真实性、合法性、完整性进行实质审查"
        * 3
    )
    graph = Graph(
        "长标签",
        (Lane("a", "行政审批科"),),
        (
            Node("s", "start", "开始", "a"),
            Node("x", "action", long, "a", 5, "高"),
            Node("e", "end", "结束", "a"),
        ),
        (Edge("s", "x"), Edge("x", "e")),
    )
    drawing = layout(graph)
    box = next(n for n in drawing.nodes if n.id == "x")
    assert box.truncated
    assert box.label == long
    assert 1 < len(box.lines) <= 3
    assert box.lines[-1].text.endswith("…")
    svg = render_svg(drawing)
    assert long in svg  # the full text, in the <title> tooltip
    assert box.w < 200


def test_markers_show_time_limit_and_risk_level_on_the_step():
    drawing = layout(template("行政许可"))
    review = next(n for n in drawing.nodes if n.id == "review")
    kinds = {m.kind: m for m in review.markers}
    assert kinds["time"].text == "≤10个工作日"
    assert kinds["risk"].text == "风险点·高"
    assert kinds["risk"].level == "高"
    for m in review.markers:
        assert review.x <= m.x and m.x + m.w <= review.x + review.w
        assert review.y <= m.y and m.y + m.h <= review.y + review.h


def test_loop_back_to_an_earlier_step_is_marked_and_goes_upward():
    drawing = layout(template("行政许可"))
    loop = next(e for e in drawing.edges if e.source == "correct" and e.target == "accept")
    assert loop.back
    assert loop.points[-1][1] < loop.points[0][1]


def test_lanes_keep_the_given_order_left_to_right():
    graph = template("内部事务")
    drawing = layout(graph)
    assert [lane.id for lane in drawing.lanes] == [lane.id for lane in graph.lanes]
    xs = [lane.x for lane in drawing.lanes]
    assert xs == sorted(xs)


def test_shapes_follow_gb_t_1526():
    drawing = layout(template("内部事务"))
    shapes = {n.kind: n.shape for n in drawing.nodes}
    assert shapes == {
        "start": "terminal",
        "end": "terminal",
        "action": "process",
        "decision": "decision",
        "split": "bar",
        "join": "bar",
    }


def test_processes_up_to_fifteen_steps_fit_a4_portrait_at_a_legible_scale():
    # At PRINT_MM_PER_PX (0.2 mm/px, 12 px labels = 2.4 mm) most fit 170 x 257 mm as drawn; wide
    # many-lane ones are shrunk by page_scale(), which must keep labels at least 1.9 mm high.
    small = [(g, d) for g, d in _corpus() if g.step_count <= 15]
    assert len(small) > 500
    natural = sum(d.fits_page() for _g, d in small)
    assert natural / len(small) >= 0.9
    for graph, drawing in small:
        scale = drawing.page_scale()
        assert scale >= 0.16, graph.title
        assert drawing.width * scale <= 170.0 + 1e-6
        assert drawing.height * scale <= 257.0 + 1e-6
    assert all(d.page_scale() <= PRINT_MM_PER_PX for _g, d in small)


def test_invalid_graphs_still_lay_out_for_preview():
    graph = Graph(
        "草稿",
        (Lane("a", "办公室"),),
        (
            Node("a", "action", "无开始的环节", "zz", None),
            Node("a", "action", "重复编号", "a", 1),
            Node("b", "decision", "孤立判断", "a", 0),
        ),
        (Edge("a", "missing"), Edge("a", "a"), Edge("a", "b")),
    )
    drawing = layout(graph)
    assert {n.id for n in drawing.nodes} == {"a", "b"}
    assert any(lane.name == "未指定泳道" for lane in drawing.lanes)
    q = measure_layout(drawing, boxes=True)
    assert (q.node_overlaps, q.edges_through_nodes) == (0, 0)


def test_empty_graph_gives_an_empty_drawing():
    drawing = layout(Graph("空", (), (), ()))
    assert drawing.nodes == () and drawing.edges == ()
    assert drawing.width > 0 and drawing.height > 0
    assert hashlib.sha256(render_svg(drawing).encode()).hexdigest()


def test_graphs_pickle_to_equal_graphs() -> None:
    """Graphs travel to the compilation's worker processes; their records pickle as
    constructor calls, and come back equal, of the same types, with every field."""
    import pickle

    graph = Graph(
        "流程",
        (Lane("unit1", "综合科"),),
        (
            Node("start", "start", "开始", "unit1"),
            Node("a", "action", "审核", "unit1", 2.5, "高", 3),
            Node("end", "end", "办结", "unit1"),
        ),
        (Edge("start", "a"), Edge("a", "end", "通过")),
        15.0,
    )
    for g in [graph, *generate(7, 20)]:
        back = pickle.loads(pickle.dumps(g, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
        assert back == g
        assert [type(n) for n in back.nodes] == [Node] * len(g.nodes)
        assert [type(e) for e in back.edges] == [Edge] * len(g.edges)
        assert [type(x) for x in back.lanes] == [Lane] * len(g.lanes)
    assert pickle.loads(pickle.dumps(graph)).nodes[1].materials_count == 3  # noqa: S301
