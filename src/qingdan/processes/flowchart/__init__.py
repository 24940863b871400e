"""The flowchart engine (流程图引擎): validation, layout, SVG, BPMN 2.0 and DOT, in plain Python.

No Django here: the `processes` app converts its rows into a `Graph` and calls these functions.

    graph = Graph(title, lanes, nodes, edges, legal_limit_days)
    problems = validate(graph)        # every problem at once, messages in Chinese
    drawing = layout(graph)           # absolute coordinates for any renderer
    svg = render_svg(drawing)         # standalone SVG text
    xml = to_bpmn(graph, drawing)     # BPMN 2.0 with diagram interchange
    graph == from_bpmn(xml)           # round trip
"""

from .bpmn import MAX_BPMN_BYTES, BpmnImportError, from_bpmn, to_bpmn
from .dot import to_dot
from .layout import (
    A4_CONTENT_MM,
    PRINT_MM_PER_PX,
    EdgePath,
    LaneBox,
    Layout,
    Marker,
    NodeBox,
    TextLine,
    layout,
)
from .model import MAX_EDGES, MAX_NODES, Edge, FlowchartTooLarge, Graph, Lane, Node
from .svg import render_svg
from .templates import TEMPLATE_KINDS, template
from .validate import Problem, has_errors, longest_path, validate

__all__ = [
    "A4_CONTENT_MM",
    "MAX_BPMN_BYTES",
    "MAX_EDGES",
    "MAX_NODES",
    "PRINT_MM_PER_PX",
    "TEMPLATE_KINDS",
    "BpmnImportError",
    "Edge",
    "EdgePath",
    "FlowchartTooLarge",
    "Graph",
    "Lane",
    "LaneBox",
    "Layout",
    "Marker",
    "Node",
    "NodeBox",
    "Problem",
    "TextLine",
    "from_bpmn",
    "has_errors",
    "layout",
    "longest_path",
    "render_svg",
    "template",
    "to_bpmn",
    "to_dot",
    "validate",
]
