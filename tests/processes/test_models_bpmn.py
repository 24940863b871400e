"""BPMN through our adapter: schema-valid export, unchanged round trip, foreign lane names, and
hostile or broken files refused in Chinese with nothing written."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.test import TestCase
from lxml import etree

from qingdan.core.models import ChangeLogEntry
from qingdan.processes import services
from qingdan.processes.graph import load_draft
from qingdan.processes.history import aggregate_snapshot
from qingdan.processes.models import Process, Step
from tests.processes.helpers import bpmn_schema, build_process_world

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="p"><startEvent id="s" name="&xxe;"/></process>
</definitions>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">
<startEvent id="s" name="&lol4;"/></process></definitions>"""

FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="x">
  <process id="Process_9" name="教师资格认定（外部建模）">
    <laneSet id="ls">
      <lane id="Lane_A" name="基础教育科"><flowNodeRef>Start_1</flowNodeRef>
        <flowNodeRef>Activity_0abc</flowNodeRef><flowNodeRef>End_1</flowNodeRef></lane>
      <lane id="Lane_B" name="申请人"><flowNodeRef>Task_with_a_very_long_identifier_that_is_not_a_key</flowNodeRef></lane>
    </laneSet>
    <startEvent id="Start_1" name="开始"/>
    <task id="Task_with_a_very_long_identifier_that_is_not_a_key" name="提交申请"/>
    <userTask id="Activity_0abc" name="审核"/>
    <endEvent id="End_1" name="办结"/>
    <sequenceFlow id="f1" sourceRef="Start_1" targetRef="Task_with_a_very_long_identifier_that_is_not_a_key"/>
    <sequenceFlow id="f2" sourceRef="Task_with_a_very_long_identifier_that_is_not_a_key" targetRef="Activity_0abc"/>
    <sequenceFlow id="f3" sourceRef="Activity_0abc" targetRef="End_1"/>
  </process>
</definitions>"""


def counts() -> tuple[int, int, int]:
    return (Process.objects.count(), Step.objects.count(), ChangeLogEntry.objects.count())


class BpmnTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()

    def test_export_is_valid_bpmn_20(self) -> None:
        for process in (self.pw.process_a, self.pw.process_b):
            doc = etree.fromstring(services.export_bpmn(process).encode())
            schema = bpmn_schema()
            self.assertTrue(schema.validate(doc), schema.error_log)

    def test_export_imports_back_unchanged_as_a_new_version(self) -> None:
        old = self.pw.process_a
        xml = services.export_bpmn(old)
        fresh = services.import_bpmn(old, xml.encode(), acting_user=self.pw.w.clerk_a)
        self.assertEqual(fresh.version, 2)
        self.assertEqual(load_draft(fresh), load_draft(old))
        old.refresh_from_db()
        a, b = (
            aggregate_snapshot(old, load_draft(old)),
            aggregate_snapshot(fresh, load_draft(fresh)),
        )
        self.assertEqual(a["steps"], b["steps"])
        self.assertEqual(a["flows"], b["flows"])
        self.assertEqual(
            (fresh.step_count, fresh.material_count, fresh.path_days),
            (old.step_count, old.material_count, old.path_days),
        )

    def test_foreign_file_lanes_by_name_and_odd_ids_get_keys(self) -> None:
        pw = self.pw
        # A foreign modeler's file has no time limits: refused with the missing ones named.
        with self.assertRaises(ValidationError) as caught:
            services.import_bpmn(pw.process_a, FOREIGN.encode(), acting_user=pw.w.clerk_a)
        self.assertIn("没有设定办理时限", "\n".join(caught.exception.messages))
        # With time limits it imports; 基础教育科 is the department's unit, 申请人 a label.
        timed = FOREIGN.replace(
            '<userTask id="Activity_0abc" name="审核"/>',
            '<userTask id="Activity_0abc" name="审核"><extensionElements>'
            '<qd:step xmlns:qd="https://qingdan.example/bpmn" kind="action" lane="x" '
            'timeLimitDays="5"/></extensionElements></userTask>',
        ).replace(
            '<task id="Task_with_a_very_long_identifier_that_is_not_a_key" name="提交申请"/>',
            '<task id="Task_with_a_very_long_identifier_that_is_not_a_key" name="提交申请">'
            '<extensionElements><qd:step xmlns:qd="https://qingdan.example/bpmn" kind="action" '
            'lane="x" timeLimitDays="1"/></extensionElements></task>',
        )
        fresh = services.import_bpmn(pw.process_a, timed.encode(), acting_user=pw.w.clerk_a)
        draft = load_draft(fresh)
        self.assertEqual(fresh.name, "教师资格认定（外部建模）")
        lanes = {s.name: s.lane for s in draft.steps}
        self.assertEqual(lanes["审核"].unit_id, pw.w.unit_a.pk)
        self.assertEqual(lanes["提交申请"].label, "申请人")
        keys = [s.key for s in draft.steps]
        self.assertIn("Activity_0abc", keys)
        self.assertIn("s2", keys)  # the over-long id became a key of its own

    def assert_refused(self, data: bytes, message: str) -> None:
        before = counts()
        with self.assertRaises(ValidationError) as caught:
            services.import_bpmn(self.pw.process_a, data, acting_user=self.pw.w.clerk_a)
        self.assertIn(message, "\n".join(caught.exception.messages))
        self.assertEqual(counts(), before)

    def test_hostile_and_broken_files_are_refused_and_nothing_is_written(self) -> None:
        self.assert_refused(XXE, "DTD 或实体声明")
        self.assert_refused(LAUGHS, "DTD 或实体声明")
        self.assert_refused(b"<definitions", "XML 格式错误")
        self.assert_refused(b"<html><body>hi</body></html>", "不是 BPMN 2.0 文件")
        self.assert_refused(b" " * (3 * 1024 * 1024), "BPMN 文件过大")
        self.assert_refused(b"", "BPMN 文件为空")
