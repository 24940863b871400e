"""Synthetic processes and templates: deterministic, realistic, valid."""

from __future__ import annotations

from collections import Counter

from qingdan.processes.flowchart import TEMPLATE_KINDS, template
from qingdan.processes.flowchart.synth import ROLE_NAMES, generate, generate_one


def test_same_seed_gives_the_same_processes():
    assert generate(42, 50) == generate(42, 50)
    assert generate(42, 50) != generate(43, 50)
    assert generate(42, 10)[7] == generate_one(42, 7)


def test_processes_have_five_to_twenty_five_steps_and_one_to_five_lanes():
    graphs = generate(1, 1000)
    steps = [g.step_count for g in graphs]
    lanes = Counter(len(g.lanes) for g in graphs)
    assert min(steps) == 5 and max(steps) == 25
    assert set(lanes) == {1, 2, 3, 4, 5}


def test_processes_use_the_real_structures_of_government_workflows():
    graphs = generate(2, 500)
    kinds = Counter(n.kind for g in graphs for n in g.nodes)
    assert kinds["decision"] > 300 and kinds["split"] > 20 and kinds["split"] == kinds["join"]
    loops = sum(1 for g in graphs for e in g.edges if e.label in ("补正后", "重新提交", "整改后"))
    assert loops > 50
    names = {lane.name for g in graphs for lane in g.lanes}
    known = {n for pool in ROLE_NAMES.values() for n in pool}
    assert names <= known and {"办公室", "分管领导"} & names
    risky = sum(1 for g in graphs for n in g.nodes if n.risk_level)
    timed = [n.time_limit_days for g in graphs for n in g.nodes if n.kind == "action"]
    assert risky > 500 and all(t is not None and t > 0 for t in timed)
    with_limit = sum(1 for g in graphs if g.legal_limit_days is not None)
    assert 0.7 * len(graphs) < with_limit < len(graphs)


def test_labels_are_chinese_and_of_realistic_length():
    graphs = generate(3, 300)
    lengths = [len(n.label) for g in graphs for n in g.nodes if n.kind == "action"]
    assert min(lengths) >= 2 and max(lengths) >= 20
    assert 5 <= sum(lengths) / len(lengths) <= 16


def test_fixed_step_count_for_large_processes():
    graph = generate_one(5, 0, steps=200)
    assert graph.step_count == 200


def test_templates_cover_the_power_types():
    assert set(TEMPLATE_KINDS) == {
        "行政许可",
        "行政处罚一般程序",
        "行政处罚简易程序",
        "行政征收",
        "内部事务",
    }
    permit = template("行政许可")
    labels = {n.label for n in permit.nodes}
    assert "一次性告知需要补正的全部内容" in labels
    assert any(e.source == "correct" and e.target == "accept" for e in permit.edges)
    assert any(n.kind == "end" and "不予受理" in n.label for n in permit.nodes)
    penalty = template("行政处罚一般程序")
    assert any("集体讨论" in n.label for n in penalty.nodes)
    assert any("听证" in n.label for n in penalty.nodes)
    assert template("行政许可", title="食品经营许可流程图").title == "食品经营许可流程图"
