"""Word drawing (DrawingML): well-formed, one shape per step and one line per flow, inside the
公文 text width, every label escaped, and a python-docx document holding it saves, reopens and
(where LibreOffice is installed) prints the step labels."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from lxml import etree

from qingdan.processes.flowchart import Edge, Graph, Lane, Node, layout, template
from qingdan.processes.flowchart.drawingml import (
    EMU_PER_MM,
    GONGWEN_TEXT_MM,
    NS,
    add_flowchart,
    drawing_xml,
)
from qingdan.processes.flowchart.synth import generate_one

W = NS["w"]
A = NS["a"]
WPS = NS["wps"]
WP = NS["wp"]
PAGE_EMU = round(GONGWEN_TEXT_MM[0] * EMU_PER_MM)


def _hostile() -> Graph:
    return Graph(
        'A&B <script>alert("x")</script> 流程',
        (Lane("a", "<b>办公室</b> & 财务"), Lane("b", "申请人")),
        (
            Node("s", "start", "开始", "b"),
            Node("x", "action", '<w:t>注入</w:t> & "审查"', "a", 3, "高"),
            Node("d", "decision", "A<B & C>D?", "a", 0),
            Node("e", "end", "结束\x00\x07", "b"),
        ),
        (Edge("s", "x"), Edge("x", "d"), Edge("d", "e", '<是> & "ok"'), Edge("d", "x", "否&")),
    )


def _parse(xml: str) -> etree._Element:
    # Our own output; must be well-formed on its own (namespaces declared).
    return etree.fromstring(xml.encode("utf-8"))


def _shapes(root: etree._Element, prefix: str) -> list[etree._Element]:
    return [
        sp
        for sp in root.iter(f"{{{WPS}}}wsp")
        if sp.find(f"{{{WPS}}}cNvPr").get("name", "").startswith(prefix)
    ]


def _text(shape: etree._Element) -> str:
    return "".join(t.text or "" for t in shape.iter(f"{{{W}}}t"))


def test_one_shape_per_step_and_one_line_per_flow():
    for graph in (template("行政许可"), template("行政处罚一般程序"), generate_one(3, 5)):
        root = _parse(drawing_xml(layout(graph)))
        steps = _shapes(root, "环节：")
        assert len(steps) == len(graph.nodes), graph.title
        assert len(_shapes(root, "连线：")) == len(graph.edges), graph.title
        assert len(_shapes(root, "泳道：")) == len(graph.lanes), graph.title
        # Every line ends in an arrowhead; loops back are dashed.
        for line in _shapes(root, "连线："):
            assert line.find(f".//{{{A}}}tailEnd").get("type") == "triangle"
        # Shape ids are unique inside the drawing (Word repairs the file otherwise).
        ids = [e.get("id") for e in root.iter(f"{{{WPS}}}cNvPr")]
        assert len(ids) == len(set(ids))


def test_step_labels_are_inside_their_shapes():
    graph = template("行政许可")
    drawn = layout(graph)
    root = _parse(drawing_xml(drawn))
    texts = {_text(sp) for sp in _shapes(root, "环节：")}
    for node in drawn.nodes:
        if node.shape == "bar":
            continue
        assert "".join(line.text for line in node.lines) in " ".join(texts), node.label


def test_drawing_fits_the_gongwen_text_width_even_for_wide_charts():
    wide = Graph(
        "八个泳道的流程",
        tuple(Lane(f"l{i}", f"第{i}科室（负责很长名称的业务）") for i in range(8)),
        (
            Node("s", "start", "开始", "l0"),
            *(Node(f"a{i}", "action", f"第{i}步办理" * 3, f"l{i}", 1) for i in range(8)),
            Node("e", "end", "结束", "l7"),
        ),
        (
            Edge("s", "a0"),
            *(Edge(f"a{i}", f"a{i + 1}") for i in range(7)),
            Edge("a7", "e"),
        ),
    )
    for graph in (wide, template("行政许可"), generate_one(1, 2)):
        root = _parse(drawing_xml(layout(graph)))
        extent = root.find(f".//{{{WP}}}extent")
        cx, cy = int(extent.get("cx")), int(extent.get("cy"))
        assert 0 < cx <= PAGE_EMU
        assert 0 < cy <= round(GONGWEN_TEXT_MM[1] * EMU_PER_MM)
        # Every shape of the group lies inside the group's extent (1 EMU for rounding).
        for xfrm in root.iter(f"{{{A}}}xfrm"):
            off, ext = xfrm.find(f"{{{A}}}off"), xfrm.find(f"{{{A}}}ext")
            assert int(off.get("x")) >= 0 and int(off.get("y")) >= 0
            assert int(off.get("x")) + int(ext.get("cx")) <= cx + 1
            assert int(off.get("y")) + int(ext.get("cy")) <= cy + 1


def test_markup_in_labels_is_text_not_markup():
    root = _parse(drawing_xml(layout(_hostile())))
    # Nothing smuggled in: the only w:t elements are ours, and none holds a nested element.
    for t in root.iter(f"{{{W}}}t"):
        assert len(t) == 0
    texts = " ".join(_text(sp) for sp in _shapes(root, "环节："))
    assert "注入" in texts and "&" in texts and "<" in texts
    names = [e.get("name") for e in root.iter(f"{{{WPS}}}cNvPr")]
    assert any('<w:t>注入</w:t> & "审查"' in n for n in names)
    assert not [e for e in root.iter() if e.tag == "script" or e.tag.endswith("}script")]
    doc_pr = root.find(f".//{{{WP}}}docPr")
    assert doc_pr.get("name").startswith('流程图：A&B <script>alert("x")</script>')
    assert "\x00" not in etree.tostring(root, encoding="unicode")


def test_long_escaped_names_are_never_cut_inside_an_entity():
    # Shape names are capped in length; the cap must apply before escaping.
    for label in ("&" * 300, "<>" * 200, '"&' * 150, "审" * 600):
        graph = Graph(
            label,
            (Lane("a", label),),
            (
                Node("s", "start", "开始", "a"),
                Node("x", "action", label, "a", 1),
                Node("e", "end", "结束", "a"),
            ),
            (Edge("s", "x", label), Edge("x", "e")),
        )
        root = _parse(drawing_xml(layout(graph)))
        for e in root.iter(f"{{{WPS}}}cNvPr"):
            assert len(e.get("name")) <= 250


def test_python_docx_saves_and_reopens_a_document_with_the_drawing():
    docx = pytest.importorskip("docx")
    graph = template("行政许可")
    document = docx.Document()
    document.add_paragraph("流程图")
    add_flowchart(document.add_paragraph(), layout(graph), docpr_id=7)
    data = io.BytesIO()
    document.save(data)
    reopened = docx.Document(io.BytesIO(data.getvalue()))
    body = reopened.element.body
    drawings = body.findall(f".//{{{W}}}drawing")
    assert len(drawings) == 1
    steps = _shapes(drawings[0], "环节：")
    assert len(steps) == len(graph.nodes)
    assert reopened.paragraphs[0].text == "流程图"


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice and poppler-utils print the document",
)
def test_libreoffice_prints_the_step_labels():
    docx = pytest.importorskip("docx")
    graph = template("行政许可")
    document = docx.Document()
    add_flowchart(document.add_paragraph(), layout(graph))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        document.save(folder / "chart.docx")
        profile = (folder / "profile").as_uri()  # own profile: other soffice runs may be open
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                str(folder / "chart.docx"),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        text = subprocess.run(
            ["pdftotext", str(folder / "chart.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    flat = "".join(text.split())
    for label in ("接收申请材料", "作出许可决定", "申请人"):
        assert label in flat, label
