"""The issue's bad-input list through the editor's endpoints: a cycle with no exit, disconnected
steps, a 200-step process, a process over the cap, very long Chinese labels and markup — each
answered with a clear Chinese message (and a drawing where one is possible), never a crash, and
nothing saved unless the whole table is good. Hostile BPMN files: ``test_models_bpmn`` and
``test_views_editor``."""

from __future__ import annotations

import json
from typing import Any

from django.test import TestCase
from django.urls import reverse

from qingdan.core.models import ChangeLogEntry
from qingdan.processes.models import Step
from tests.processes.helpers import build_process_world

LANE = "label:申请人"


def step(key: str, kind: str, name: str, exits: list[tuple[str, str]], days: str = "1") -> dict:
    return {
        "key": key,
        "kind": kind,
        "name": name,
        "lane": LANE,
        "days": "" if kind in ("start", "end") else days,
        "exits": [{"target": t, "label": label} for t, label in exits],
    }


def chain(n: int, *, name: str = "办理第{i}步") -> list[dict]:
    """start → n actions → end."""
    steps = [step("s", "start", "开始", [("a1", "")])]
    for i in range(1, n + 1):
        nxt = f"a{i + 1}" if i < n else "e"
        steps.append(step(f"a{i}", "action", name.format(i=i), [(nxt, "")]))
    steps.append(step("e", "end", "办结", []))
    return steps


class BadInputTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()

    def setUp(self) -> None:
        self.p = self.pw.process_a
        self.client.force_login(self.pw.w.clerk_a)

    def post(self, endpoint: str, steps: list[dict], **extra: Any):
        payload = {"name": "测试流程", "legal_limit_days": "", "steps": steps, **extra}
        return self.client.post(
            reverse(f"processes:{endpoint}", args=[self.p.pk]),
            data=json.dumps(payload),
            content_type="application/json",
        )

    def problems(self, data: dict) -> dict[tuple[str, str | None], str]:
        return {(p["code"], p.get("step")): p["message"] for p in data["problems"]}

    def assert_not_saved(self, steps: list[dict]) -> dict:
        logs, names = ChangeLogEntry.objects.count(), list(Step.objects.values_list("name"))
        response = self.post("save", steps)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(ChangeLogEntry.objects.count(), logs)
        self.assertEqual(list(Step.objects.values_list("name")), names)
        return response.json()

    def test_a_cycle_with_no_exit_is_named_in_chinese_and_not_saved(self) -> None:
        steps = [
            step("s", "start", "开始", [("a", "")]),
            step("a", "action", "受理", [("b", "")]),
            step("b", "action", "补正", [("c", "")]),
            step("c", "action", "复核", [("a", "")]),
            step("e", "end", "办结", []),
        ]
        data = self.post("redraw", steps).json()
        messages = " ".join(self.problems(data).values())
        self.assertIn("循环没有出口", messages)
        self.assertIn("补正", messages)
        self.assertTrue(data["svg"].startswith("<svg"))  # still drawn, to see the loop
        self.assertIn("循环没有出口", json.dumps(self.assert_not_saved(steps), ensure_ascii=False))

    def test_disconnected_steps_are_reported_on_their_rows(self) -> None:
        steps = [
            *chain(2),
            step("x", "action", "孤立环节", []),
            step("y", "action", "断开的环节", [("z", "")]),
            step("z", "action", "断开的后续", [("e", "")]),
        ]
        data = self.post("redraw", steps).json()
        found = self.problems(data)
        self.assertIn(("orphan", "x"), found)
        self.assertIn(("unreachable", "y"), found)
        self.assertIn("断开的环节", found[("unreachable", "y")])
        self.assert_not_saved(steps)

    def test_a_two_hundred_step_process_is_drawn_and_saved(self) -> None:
        steps = chain(200)
        data = self.post("redraw", steps).json()
        self.assertFalse(
            [p for p in data["problems"] if p["severity"] == "error"], data["problems"]
        )
        self.assertEqual(data["svg"].count("<g transform="), 202)
        self.assertEqual(data["summary"]["steps"], 200)
        self.assertEqual(data["summary"]["path_days"], "200")
        response = self.post("save", steps)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Step.objects.filter(process=self.p).count(), 202)

    def test_a_process_over_the_cap_is_one_chinese_message_not_a_crash(self) -> None:
        steps = chain(600)
        response = self.post("redraw", steps)
        self.assertEqual(response.status_code, 200)
        data = response.json()
        messages = [p["message"] for p in data["problems"]]
        self.assertEqual(messages, ["流程环节数为602个，超过上限500个，请拆分为子流程。"])
        self.assertIsNone(data["svg"])
        self.assert_not_saved(steps)

    def test_very_long_chinese_labels_are_wrapped_and_too_long_ones_refused(self) -> None:
        long_name = "对申请人提交的全部申请材料进行实质审查并组织现场核查" * 7  # 175 characters
        steps = chain(2)
        steps[1]["name"] = long_name
        data = self.post("redraw", steps).json()
        self.assertFalse(
            [p for p in data["problems"] if p["severity"] == "error"], data["problems"]
        )
        self.assertIn(f"<title>{long_name}（时限", data["svg"])  # whole, as the tooltip
        self.assertEqual(self.post("save", steps).status_code, 200)
        steps[1]["name"] = "审" * 201
        data = self.post("redraw", steps).json()
        messages = " ".join(p["message"] for p in data["problems"])
        self.assertIn("200", messages)
        self.assert_not_saved(steps)

    def test_markup_in_every_label_is_escaped_and_refused(self) -> None:
        steps = chain(2)
        steps[1]["name"] = '<img src=x onerror="alert(1)">'
        steps[2]["exits"][0]["label"] = "<i>是</i>"
        data = self.post("redraw", steps, name="<b>流程</b>").json()
        self.assertNotIn("<img", data["svg"])
        self.assertNotIn("<b>", data["svg"])
        self.assertIn("&lt;img", data["svg"])
        self.assertIn("不能包含“<”“>”等标记字符", " ".join(p["message"] for p in data["problems"]))
        self.assert_not_saved(steps)
