"""Validation: every structural and legal problem is reported at once, in Chinese."""

from __future__ import annotations

from qingdan.processes.flowchart import (
    MAX_NODES,
    TEMPLATE_KINDS,
    Edge,
    Graph,
    Lane,
    Node,
    has_errors,
    longest_path,
    template,
    validate,
)
from qingdan.processes.flowchart.synth import generate

LANES = (Lane("w", "受理窗口"), Lane("r", "审批科室"))


def _graph(nodes, edges, limit=None) -> Graph:
    return Graph("测试流程", LANES, tuple(nodes), tuple(edges), limit)


def _codes(graph: Graph) -> set[str]:
    return {p.code for p in validate(graph)}


def _simple(**override) -> Graph:
    nodes = [
        Node("s", "start", "开始", "w"),
        Node("a", "action", "受理", "w", 1),
        Node("b", "action", "审查", "r", 5),
        Node("e", "end", "办结", "w"),
    ]
    edges = [Edge("s", "a"), Edge("a", "b"), Edge("b", "e")]
    return _graph(override.get("nodes", nodes), override.get("edges", edges), override.get("limit"))


def test_well_formed_process_has_no_problems():
    assert validate(_simple()) == []


def test_every_template_passes_validation():
    for kind in TEMPLATE_KINDS:
        assert validate(template(kind)) == [], kind


def test_generated_processes_are_structurally_valid():
    for graph in generate(5, 400):
        codes = _codes(graph)
        assert codes <= {"exceeds_legal_limit"}, (graph.title, codes)


def test_missing_start_and_end_are_errors():
    nodes = [Node("a", "action", "受理", "w", 1)]
    codes = _codes(_graph(nodes, []))
    assert {"no_start", "no_end"} <= codes


def test_two_starts_are_reported():
    nodes = [*_simple().nodes, Node("s2", "start", "另一个开始", "w")]
    edges = [*_simple().edges, Edge("s2", "a")]
    problems = validate(_graph(nodes, edges))
    assert [p.node_id for p in problems if p.code == "multiple_starts"] == ["s2"]


def test_cycle_with_no_exit_is_reported_once_with_its_steps():
    nodes = [
        Node("s", "start", "开始", "w"),
        Node("a", "action", "受理", "w", 1),
        Node("b", "action", "补正", "w", 1),
        Node("c", "action", "复核", "w", 1),
        Node("e", "end", "办结", "w"),
    ]
    edges = [Edge("s", "a"), Edge("a", "b"), Edge("b", "c"), Edge("c", "a")]
    problems = validate(_graph(nodes, edges))
    cycles = [p for p in problems if p.code == "cycle_without_exit"]
    assert len(cycles) == 1
    assert "循环没有出口" in cycles[0].message and "补正" in cycles[0].message
    # the steps of the trapped loop are not reported a second time as "cannot reach the end"
    assert not [p for p in problems if p.code == "no_path_to_end" and p.node_id in "abc"]


def test_loop_with_an_exit_is_fine():
    nodes = [
        Node("s", "start", "开始", "w"),
        Node("a", "action", "受理", "w", 1),
        Node("d", "decision", "材料是否齐全", "w", 0),
        Node("f", "action", "补正", "w", 1),
        Node("e", "end", "办结", "w"),
    ]
    edges = [
        Edge("s", "a"),
        Edge("a", "d"),
        Edge("d", "f", "否"),
        Edge("f", "a", "补正后"),
        Edge("d", "e", "是"),
    ]
    assert validate(_graph(nodes, edges)) == []


def test_disconnected_and_orphan_steps_are_reported():
    nodes = [
        *_simple().nodes,
        Node("x", "action", "孤立环节", "w", 1),
        Node("y", "action", "断开的环节", "r", 1),
        Node("z", "action", "断开的后续", "r", 1),
    ]
    edges = [*_simple().edges, Edge("y", "z"), Edge("z", "e")]
    problems = validate(_graph(nodes, edges))
    by_node = {(p.code, p.node_id) for p in problems}
    assert ("orphan", "x") in by_node
    assert ("unreachable", "y") in by_node
    assert ("unreachable", "z") in by_node


def test_step_that_cannot_reach_an_end_is_reported():
    nodes = [*_simple().nodes, Node("d", "action", "死胡同", "r", 1)]
    edges = [*_simple().edges, Edge("a", "d")]
    problems = validate(_graph(nodes, edges))
    assert ("no_path_to_end", "d") in {(p.code, p.node_id) for p in problems}


def test_decision_needs_two_labelled_exits():
    nodes = [
        Node("s", "start", "开始", "w"),
        Node("d", "decision", "是否符合条件", "w", 0),
        Node("a", "action", "审查", "r", 1),
        Node("b", "action", "退回", "w", 1),
        Node("e", "end", "办结", "w"),
    ]
    edges = [
        Edge("s", "d"),
        Edge("d", "a", "是"),
        Edge("d", "b"),
        Edge("a", "e"),
        Edge("b", "e"),
    ]
    problems = validate(_graph(nodes, edges))
    unlabelled = [p for p in problems if p.code == "unlabelled_exit"]
    assert len(unlabelled) == 1
    assert unlabelled[0].edge_index == 2 and unlabelled[0].edge_id == "d->b"
    assert "没有标注条件" in unlabelled[0].message

    one_exit = _graph(nodes[:3] + nodes[4:], [Edge("s", "d"), Edge("d", "a", "是"), Edge("a", "e")])
    assert "decision_exits" in _codes(one_exit)


def test_lane_and_time_limit_are_required():
    nodes = [
        Node("s", "start", "开始", "w"),
        Node("a", "action", "受理", "nowhere", None),
        Node("e", "end", "办结", "w"),
    ]
    problems = validate(_graph(nodes, [Edge("s", "a"), Edge("a", "e")]))
    codes = {(p.code, p.node_id) for p in problems}
    assert ("unknown_lane", "a") in codes
    assert ("missing_time_limit", "a") in codes
    # start and end need no time limit
    assert not any(p.node_id in ("s", "e") for p in problems)


def test_duplicate_ids_and_dangling_edges_are_reported():
    nodes = [*_simple().nodes, Node("a", "action", "又一个受理", "w", 1)]
    edges = [*_simple().edges, Edge("b", "ghost")]
    problems = validate(_graph(nodes, edges))
    codes = {p.code for p in problems}
    assert {"duplicate_node", "unknown_node"} <= codes
    dangling = next(p for p in problems if p.code == "unknown_node")
    assert "ghost" in dangling.message and dangling.edge_index == 3


def test_exceeding_the_legal_limit_gives_both_numbers():
    problems = validate(_simple(limit=5))
    over = [p for p in problems if p.code == "exceeds_legal_limit"]
    assert len(over) == 1
    assert "6个工作日" in over[0].message and "法定时限5个工作日" in over[0].message


def test_longest_path_ignores_correction_loops_and_takes_the_slowest_branch():
    days, path = longest_path(template("行政许可"))
    assert days == 35
    assert path[0] == "start" and path[-1] == "end"
    assert "correct" not in path  # the 补正 loop does not count towards the limit
    days, path = longest_path(template("行政处罚一般程序"))
    assert days == 90
    assert "hearing" in path and "collective" in path


def test_process_over_the_node_cap_is_one_clear_error():
    nodes = tuple(Node(f"n{k}", "action", "步骤", "w", 1) for k in range(MAX_NODES + 1))
    problems = validate(Graph("过大", LANES, nodes, ()))
    assert [p.code for p in problems] == ["too_large"]
    assert has_errors(problems)


def test_action_with_two_exits_is_only_a_warning():
    nodes = [*_simple().nodes]
    edges = [*_simple().edges, Edge("a", "e")]
    problems = validate(_graph(nodes, edges))
    assert [(p.code, p.severity) for p in problems] == [("action_exits", "warning")]
    assert not has_errors(problems)
