"""Quality metrics and the Graphviz reference path used by the benchmark."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from qingdan.processes.flowchart import Edge, Graph, Lane, Node, layout, template, to_dot
from qingdan.processes.flowchart.quality import (
    Drawing,
    DrawnEdge,
    DrawnNode,
    drawing_from_graphviz_json,
    drawing_from_graphviz_svg,
    measure,
    measure_layout,
    split_svg_documents,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def _node(name: str, x0: float, y0: float, x1: float, y1: float) -> DrawnNode:
    return DrawnNode(name, (x0, y0, x1, y1), ())


def test_metrics_count_overlaps_edges_through_nodes_crossings_and_area():
    drawing = Drawing(
        (
            _node("a", 0, 0, 10, 10),
            _node("b", 5, 5, 15, 15),  # overlaps a
            _node("c", 100, 0, 110, 10),
            _node("m", 100, 40, 110, 60),  # in the way of c->d
            _node("d", 100, 100, 110, 110),
        ),
        (
            DrawnEdge("c", "d", ((105, 10), (105, 100))),  # straight through m
            DrawnEdge("c", "a", ((60, 80), (140, 80))),  # crosses c->d
            DrawnEdge("d", "c", ((106, 100), (106, 95), (105, 95), (105, 85))),  # runs along c->d
        ),
        200,
        120,
    )
    q = measure(drawing)
    assert q.node_overlaps == 1
    assert q.edges_through_nodes == 1
    assert q.edge_crossings == 1
    assert q.edge_overlaps == 1
    assert q.area == 24000


def test_edge_touching_a_node_outline_does_not_count_as_through():
    drawing = Drawing(
        (_node("a", 0, 0, 10, 10), _node("b", 0, 40, 10, 50), _node("c", 10, 20, 30, 30)),
        (DrawnEdge("a", "b", ((10, 10), (10, 40))),),  # grazes c's left side
        60,
        60,
    )
    assert measure(drawing).edges_through_nodes == 0


def test_diamond_outline_is_used_for_decisions():
    diamond = DrawnNode("d", (0, 0, 40, 20), ((20, 0), (40, 10), (20, 20), (0, 10)))
    corner = DrawnEdge("x", "y", ((-2, 6), (6, -2)))  # cuts the empty corner of the box
    centre = DrawnEdge("x", "y", ((20, -5), (20, 25)))
    assert measure(Drawing((diamond,), (corner,), 50, 50)).edges_through_nodes == 0
    assert measure(Drawing((diamond,), (centre,), 50, 50)).edges_through_nodes == 1
    assert measure(Drawing((diamond,), (corner,), 50, 50), boxes=True).edges_through_nodes == 1


def test_our_template_layouts_are_clean():
    q = measure_layout(layout(template("行政处罚一般程序")), boxes=True)
    assert (q.node_overlaps, q.edges_through_nodes, q.edge_overlaps) == (0, 0, 0)
    assert q.nodes == 17 and q.edges == 18


GRAPHVIZ_LIKE_SVG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg width="120pt" height="200pt" viewBox="0.00 0.00 120.00 200.00" xmlns="http://www.w3.org/2000/svg">
<g id="graph0" class="graph" transform="translate(4 196)">
<g id="clust1" class="cluster"><title>cluster_0</title><polygon points="0,0 100,0 100,-190 0,-190 0,0"/></g>
<g id="node1" class="node"><title>n0</title><path d="M50,-180C50,-180 20,-180 20,-180 14,-180 10,-176 10,-170 10,-164 14,-160 20,-160 50,-160"/></g>
<g id="node2" class="node"><title>n1</title><polygon points="50,-120 20,-100 50,-80 80,-100 50,-120"/></g>
<g id="node3" class="node"><title>n2</title><ellipse cx="50" cy="-30" rx="30" ry="12"/></g>
<g id="edge1" class="edge"><title>n0&#45;&gt;n1</title><path d="M45,-160C45,-150 45,-135 45,-122"/><polygon points="48,-122 45,-118 42,-122 48,-122"/></g>
<g id="edge2" class="edge"><title>n1&#45;&gt;n2</title><path d="M50,-80C50,-70 50,-55 50,-42"/></g>
</g>
</svg>
"""


def test_graphviz_svg_is_read_into_nodes_and_flattened_edges():
    drawing = drawing_from_graphviz_svg(GRAPHVIZ_LIKE_SVG)
    assert [n.id for n in drawing.nodes] == ["n0", "n1", "n2"]
    assert drawing.nodes[1].outline  # the diamond polygon
    assert [(e.source, e.target) for e in drawing.edges] == [("n0", "n1"), ("n1", "n2")]
    assert len(drawing.edges[0].points) == 9  # one cubic, eight steps
    assert (drawing.width, drawing.height) == (120, 200)
    q = measure(drawing)
    assert (q.node_overlaps, q.edges_through_nodes, q.edge_crossings) == (0, 0, 0)


def test_multi_graph_output_is_split_per_document():
    assert len(split_svg_documents(GRAPHVIZ_LIKE_SVG * 3)) == 3


def test_graphviz_json_is_read_into_nodes_and_edges():
    doc = {
        "bb": "0,0,100,200",
        "objects": [
            {"_gvid": 0, "name": "cluster_0", "bb": "0,0,100,200", "nodes": [1, 2]},
            {
                "_gvid": 1,
                "name": "n0",
                "pos": "50,170",
                "width": "1",
                "height": "0.5",
                "_draw_": [{"op": "p", "points": [[20, 160], [80, 160], [80, 180], [20, 180]]}],
            },
            {
                "_gvid": 2,
                "name": "n1",
                "pos": "50,30",
                "width": "1",
                "height": "0.5",
                "_draw_": [{"op": "e", "rect": [50, 30, 30, 12]}],
            },
        ],
        "edges": [
            {
                "tail": 1,
                "head": 2,
                "_draw_": [{"op": "b", "points": [[50, 160], [50, 120], [50, 80], [50, 42]]}],
            }
        ],
    }
    drawing = drawing_from_graphviz_json(json.dumps(doc))
    assert [n.id for n in drawing.nodes] == ["n0", "n1"]
    assert drawing.edges[0][:2] == ("n0", "n1")
    assert measure(drawing).edges_through_nodes == 0


def test_dot_export_has_clusters_for_lanes_and_our_labels():
    graph = Graph(
        't"itle',
        (Lane("a", '科"室'), Lane("b", "领导")),
        (
            Node("s", "start", "开始", "a"),
            Node("x", "action", 'say "hi" \\ 审查', "a", 5, "高"),
            Node("d", "decision", "是否通过", "b", 0),
            Node("e", "end", "结束", "b"),
        ),
        (Edge("s", "x"), Edge("x", "d"), Edge("d", "e", "是"), Edge("d", "x", "否")),
    )
    dot = to_dot(graph)
    assert "rankdir=TB" in dot
    assert 'subgraph cluster_0 { label="科\\"室"; n0 n1 }' in dot
    assert 'say \\"hi\\" \\\\ 审查\\n≤5个工作日 风险点·高' in dot
    assert 'n2 -> n3 [label="是"]' in dot
    assert "shape=diamond" in dot


@needs_dot
def test_live_graphviz_drawing_can_be_measured():
    dot = to_dot(template("行政许可"))
    svg = subprocess.run(
        ["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=True
    ).stdout
    drawing = drawing_from_graphviz_svg(svg)
    assert len(drawing.nodes) == len(template("行政许可").nodes)
    assert len(drawing.edges) == len(template("行政许可").edges)
    out = subprocess.run(
        ["dot", "-Tjson"], input=dot, capture_output=True, text=True, check=True
    ).stdout
    assert len(drawing_from_graphviz_json(out).nodes) == len(drawing.nodes)
