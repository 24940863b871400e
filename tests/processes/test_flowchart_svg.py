"""SVG output: standalone, well-formed, escaped, with Chinese fonts and the chart's parts."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from qingdan.processes.flowchart import Edge, Graph, Lane, Node, layout, render_svg, template
from qingdan.processes.flowchart.svg import FONT_FAMILY

SVG = "{http://www.w3.org/2000/svg}"


def _hostile() -> Graph:
    return Graph(
        'A&B <script>alert("x")</script> 流程',
        (Lane("a", "<b>办公室</b> & 财务"),),
        (
            Node("s", "start", "开始", "a"),
            Node("x", "action", '<script>alert("x")</script> & 审查', "a", 3, "高"),
            Node("d", "decision", "A<B & C>D?", "a", 0),
            Node("e", "end", "结束\x00\x07", "a"),
        ),
        (Edge("s", "x"), Edge("x", "d"), Edge("d", "e", '<是> & "ok"'), Edge("d", "x", "否&")),
    )


def _texts(svg: str) -> str:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return "".join(root.itertext())


def test_markup_in_labels_is_drawn_as_text_not_executed():
    svg = render_svg(layout(_hostile()))
    root = ET.fromstring(svg)  # noqa: S314 - our own output, must be well-formed
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    text = _texts(svg)
    assert '<script>alert("x")</script> & 审查' in text
    assert "<b>办公室</b>" in text
    assert "A<B & C>D?" in text


def test_characters_xml_cannot_carry_are_dropped():
    svg = render_svg(layout(_hostile()))
    assert "\x00" not in svg and "\x07" not in svg
    ET.fromstring(svg)  # noqa: S314 - parses


def test_svg_is_standalone_with_chinese_font_list():
    svg = render_svg(layout(template("行政许可")))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    for needle in ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "SimSun", "Microsoft YaHei"):
        assert needle in FONT_FAMILY and needle in svg
    assert "sans-serif" in svg
    for external in ("href=", "<image", "@import", "url(http", "<script"):
        assert external not in svg


def test_svg_has_lane_headers_arrows_steps_and_markers():
    graph = template("行政许可")
    svg = render_svg(layout(graph))
    text = _texts(svg)
    for lane in graph.lanes:
        assert lane.name in text
    assert 'marker-end="url(#qd-arrow)"' in svg
    assert svg.count("marker-end=") == len(graph.edges)
    assert "风险点·高" in text and "≤10个工作日" in text
    assert 'stroke-dasharray="5 3"' in svg  # the 补正 loop


def test_id_prefix_keeps_several_charts_apart_on_one_page():
    drawing = layout(template("行政征收"))
    a = render_svg(drawing, id_prefix="chart1")
    b = render_svg(drawing, id_prefix="chart2")
    assert 'id="chart1-arrow"' in a and "url(#chart1-arrow)" in a
    assert 'id="chart2-arrow"' in b
    assert 'id="x"onload' not in render_svg(drawing, id_prefix='x"onload')


def test_legend_is_optional_and_extends_the_canvas():
    drawing = layout(template("内部事务"))
    plain = render_svg(drawing)
    with_legend = render_svg(drawing, legend=True)
    assert 'class="legend"' not in plain
    assert 'class="legend"' in with_legend
    root = ET.fromstring(with_legend)  # noqa: S314
    assert float(root.get("height")) > drawing.height
    narrow = layout(template("行政处罚简易程序"))
    assert narrow.width < 600
    assert float(ET.fromstring(render_svg(narrow, legend=True)).get("width")) >= 600  # noqa: S314
