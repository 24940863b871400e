"""Process aggregate services: templates, validation (Chinese, nothing written), one log entry per
save with the full snapshot, versions, re-engineering pairing, deletion and status."""

from __future__ import annotations

import copy
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import TestCase

from qingdan.core.models import ChangeLogEntry
from qingdan.processes import services
from qingdan.processes.aggregate import ExitDraft, LaneRef, MaterialDraft, RiskDraft, StepDraft
from qingdan.processes.choices import TEMPLATE_FOR_KIND, ProcessKind
from qingdan.processes.flowchart import TEMPLATE_KINDS, template
from qingdan.processes.flowchart import validate as engine_validate
from qingdan.processes.graph import draft_to_graph, load_draft
from qingdan.processes.history import describe
from qingdan.processes.lanes import directory
from qingdan.processes.models import Flow, Process, RiskPoint, Step, StepMaterial
from tests.processes.helpers import build_process_world


def log_count() -> int:
    return ChangeLogEntry.objects.filter(model="processes.process").count()


def rows_digest(process: Process) -> tuple:
    return (
        list(Step.objects.filter(process=process).order_by("id").values_list("id", "code", "name")),
        list(Flow.objects.filter(process=process).values_list("code", "label")),
        StepMaterial.objects.filter(process=process).count(),
        RiskPoint.objects.filter(process=process).count(),
    )


class TemplateTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()

    def test_every_engine_template_has_a_process_kind(self) -> None:
        self.assertEqual(set(TEMPLATE_FOR_KIND.values()), set(TEMPLATE_KINDS))

    def test_each_kind_instantiates_as_a_valid_process_of_the_department(self) -> None:
        pw = self.pw
        d = directory(pw.w.dept_a.pk)
        for kind in ProcessKind.values:
            with self.subTest(kind=kind):
                p = services.create_from_template(
                    kind=kind, task=pw.task_a, acting_user=pw.w.clerk_a
                )
                draft = load_draft(p)
                problems = engine_validate(draft_to_graph(draft, d))
                self.assertFalse([x for x in problems if x.severity == "error"], problems)
                self.assertEqual(p.department_id, pw.w.dept_a.pk)
                self.assertEqual(p.region_id, pw.w.city.pk)
                self.assertTrue(p.code.startswith("LC"))
                for s in draft.steps:
                    self.assertFalse(s.lane.is_empty, s)
                    if s.lane.unit_id:
                        self.assertIn(s.lane.unit_id, d.units)
                if kind in TEMPLATE_FOR_KIND:
                    graph = template(TEMPLATE_FOR_KIND[kind])
                    self.assertEqual([s.key for s in draft.steps], [n.id for n in graph.nodes])
                    self.assertEqual(p.legal_limit_days, Decimal(str(graph.legal_limit_days)))

    def test_licensing_lanes_map_to_lead_unit_leader_and_applicant(self) -> None:
        pw = self.pw
        draft = load_draft(pw.process_a)
        lanes = {s.key: s.lane for s in draft.steps}
        self.assertEqual(lanes["start"], LaneRef(label="申请人"))
        self.assertEqual(lanes["review"], LaneRef(unit_id=pw.w.unit_a.pk))  # 审批科室 → lead unit
        self.assertEqual(lanes["decide"], LaneRef(position_id=pw.deputy_a.pk))  # 分管领导
        review = draft.step("review")
        self.assertEqual(review.unit_id, pw.w.unit_a.pk)
        self.assertEqual(review.leader_id, pw.deputy_a.pk)
        accept = draft.step("accept")
        self.assertEqual(len(accept.materials), 3)
        self.assertEqual(accept.risks[0].level, "中")
        self.assertEqual(pw.process_a.step_count, 10)
        self.assertEqual(pw.process_a.path_days, Decimal("35.0"))


class SaveTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()

    def setUp(self) -> None:
        self.p = Process.objects.get(pk=self.pw.process_a.pk)
        self.draft = load_draft(self.p)

    def save(self, draft, user=None):
        return services.save_process(self.p, draft, acting_user=user or self.pw.w.clerk_a)

    def test_one_log_entry_per_save_with_the_full_structured_snapshot(self) -> None:
        before = log_count()
        draft = copy.deepcopy(self.draft)
        draft.step("review").name = "实质审查"
        draft.step("review").materials.append(MaterialDraft("现场核查记录"))
        self.save(draft)
        self.assertEqual(log_count(), before + 1)
        entry = ChangeLogEntry.objects.filter(model="processes.process").order_by("-seq").first()
        self.assertEqual(entry.kind, "update")
        self.assertEqual(entry.object_id, str(self.p.pk))
        self.assertEqual(entry.department_id_snapshot, self.pw.w.dept_a.pk)
        steps = {s["key"]: s for s in entry.after["steps"]}
        self.assertEqual(len(steps), Step.objects.filter(process=self.p).count())
        self.assertEqual(steps["review"]["name"], "实质审查")
        self.assertEqual(steps["review"]["materials"], ["现场核查记录"])
        self.assertEqual(
            {s["key"]: s for s in entry.before["steps"]}["review"]["name"],
            "审查申请材料，必要时现场核查",
        )
        self.assertIn(["complete", "review", "齐全"], entry.after["flows"])
        lines = describe(entry.before, entry.after, {})
        self.assertIn("环节「实质审查」名称：审查申请材料，必要时现场核查 → 实质审查", lines)

    def test_saving_unchanged_content_logs_nothing(self) -> None:
        before = log_count()
        self.save(copy.deepcopy(self.draft))
        self.assertEqual(log_count(), before)

    def test_steps_keep_their_ids_across_saves(self) -> None:
        ids = dict(Step.objects.filter(process=self.p).values_list("code", "id"))
        draft = copy.deepcopy(self.draft)
        draft.steps.reverse()
        draft.step("accept").days = Decimal("3")
        self.save(draft)
        self.assertEqual(dict(Step.objects.filter(process=self.p).values_list("code", "id")), ids)
        self.assertEqual(Step.objects.get(process=self.p, code="accept").time_limit_days, 3)
        self.assertEqual(Step.objects.get(process=self.p, code="end_refuse").order, 1)

    def test_invalid_aggregate_reports_every_problem_in_chinese_and_writes_nothing(self) -> None:
        snapshot, logs = rows_digest(self.p), log_count()
        draft = copy.deepcopy(self.draft)
        draft.steps.append(StepDraft("start2", "start", "另一个开始", LaneRef(label="申请人")))
        draft.step("grant").exits = draft.step("grant").exits[:1]  # a decision with one exit
        draft.step("review").days = None
        draft.step("review").lane = LaneRef()
        draft.steps.append(
            StepDraft("lost", "action", "孤立环节", LaneRef(label="申请人"), Decimal(1))
        )
        with self.assertRaises(services.ProcessInvalid) as caught:
            self.save(draft)
        text = "\n".join(caught.exception.messages)
        for expected in (
            "流程只能有一个开始环节",
            "至少需要两个出口",
            "没有设定办理时限",
            "没有指定泳道",
            "孤立环节",
        ):
            self.assertIn(expected, text)
        self.assertEqual(rows_digest(self.p), snapshot)
        self.assertEqual(log_count(), logs)

    def test_lanes_and_responsible_people_must_be_in_the_department(self) -> None:
        pw = self.pw
        draft = copy.deepcopy(self.draft)
        review = draft.step("review")
        review.lane = LaneRef(unit_id=pw.w.unit_b.pk)
        review.person_id = pw.person_b.pk
        review.leader_id = pw.w.position_a.pk  # not a leadership post
        review.risks = [RiskDraft("高", "越权审批", "", pw.person_b.pk)]
        with self.assertRaises(services.ProcessInvalid) as caught:
            self.save(draft)
        text = "\n".join(caught.exception.messages)
        self.assertIn("泳道科室不是本部门在用的内设机构", text)
        self.assertIn("责任人未在本部门任职", text)
        self.assertIn("责任领导应为领导岗位", text)
        self.assertIn("第1个风险点责任人未在本部门任职", text)

    def test_markup_and_bad_keys_are_refused(self) -> None:
        draft = copy.deepcopy(self.draft)
        draft.step("review").name = "<script>alert(1)</script>"
        draft.steps[0].key = "1-bad key"
        with self.assertRaises(services.ProcessInvalid) as caught:
            self.save(draft)
        text = "\n".join(caught.exception.messages)
        self.assertIn("不能包含“<”“>”等标记字符", text)
        self.assertIn("环节编号“1-bad key”无效", text)

    def test_longest_path_over_the_legal_limit_is_an_error(self) -> None:
        draft = copy.deepcopy(self.draft)
        draft.legal_limit_days = Decimal("10")
        with self.assertRaises(services.ProcessInvalid) as caught:
            self.save(draft)
        self.assertIn("超过法定时限10个工作日", "\n".join(caught.exception.messages))

    def test_decision_exits_are_saved_with_their_conditions(self) -> None:
        draft = copy.deepcopy(self.draft)
        draft.step("grant").exits = [ExitDraft("deliver", "同意"), ExitDraft("refuse", "不同意")]
        self.save(draft)
        labels = dict(
            Flow.objects.filter(process=self.p, source__code="grant").values_list(
                "target__code", "label"
            )
        )
        self.assertEqual(labels, {"deliver": "同意", "refuse": "不同意"})


class VersionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()

    def test_new_version_copies_the_aggregate_and_becomes_current(self) -> None:
        old = self.pw.process_a
        fresh = services.new_version(old, acting_user=self.pw.w.clerk_a)
        old.refresh_from_db()
        self.assertEqual((fresh.version, fresh.is_current, fresh.code), (2, True, old.code))
        self.assertFalse(old.is_current)
        self.assertEqual(load_draft(fresh), load_draft(old))
        with self.assertRaisesMessage(ValidationError, "这是历史版本，不能修改"):
            services.save_process(old, load_draft(old), acting_user=self.pw.w.clerk_a)

    def test_pairing_an_after_with_its_before(self) -> None:
        pw = self.pw
        old = pw.process_a
        fresh = services.new_version(old, acting_user=pw.w.clerk_a)
        draft = load_draft(fresh)
        draft.step("review").materials = []
        services.save_process(fresh, draft, acting_user=pw.w.clerk_a)
        services.mark_as_after(fresh, old, acting_user=pw.w.clerk_a)
        fresh.refresh_from_db()
        self.assertEqual(fresh.before_id, old.pk)
        with self.assertRaisesMessage(ValidationError, "必须属于同一部门"):
            services.mark_as_after(fresh, pw.process_b, acting_user=pw.w.bianban)
        with self.assertRaisesMessage(ValidationError, "不能形成循环"):
            services.mark_as_after(old, fresh, acting_user=pw.w.clerk_a)
        third = services.new_version(fresh, acting_user=pw.w.clerk_a)
        with self.assertRaisesMessage(ValidationError, "已是"):
            services.mark_as_after(third, old, acting_user=pw.w.clerk_a)

    def test_deleting_a_draft_version_restores_the_previous_one(self) -> None:
        old = self.pw.process_a
        fresh = services.new_version(old, acting_user=self.pw.w.clerk_a)
        services.delete_process(fresh, acting_user=self.pw.w.clerk_a)
        old.refresh_from_db()
        self.assertTrue(old.is_current)
        self.assertFalse(Step.objects.filter(process_id=fresh.pk).exists())
        entry = ChangeLogEntry.objects.filter(object_id=str(fresh.pk), kind="delete").get()
        self.assertTrue(entry.before["steps"])

    def test_published_processes_are_revoked_not_deleted(self) -> None:
        p = self.pw.process_b
        services.transition_process(p, "active", acting_user=self.pw.w.bianban)
        with self.assertRaisesMessage(ValidationError, "请改为撤销"):
            services.delete_process(p, acting_user=self.pw.w.bianban)
        services.revoke_process(p, acting_user=self.pw.w.bianban)
        self.assertEqual(
            set(Step.objects.filter(process=p).values_list("status", flat=True)), {"revoked"}
        )
        with self.assertRaisesMessage(ValidationError, "已撤销的流程不能修改"):
            services.save_process(p, load_draft(p), acting_user=self.pw.w.bianban)

    def test_supervisor_cannot_publish(self) -> None:
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            services.transition_process(
                self.pw.process_a, "active", acting_user=self.pw.w.supervisor
            )
