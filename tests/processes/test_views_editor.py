"""The step-table editor: redraw (valid, invalid, escaped, writes nothing), save (all or nothing,
CSRF), detail page, BPMN upload through the page, history and the new-process page."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from qingdan.core.models import ChangeLogEntry
from qingdan.processes import services
from qingdan.processes.graph import load_draft
from qingdan.processes.models import Process, Step
from qingdan.processes.payload import draft_payload
from tests.processes.helpers import build_process_world
from tests.processes.test_models_bpmn import LAUGHS, XXE


class EditorTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()

    def setUp(self) -> None:
        self.p = self.pw.process_a
        self.client.force_login(self.pw.w.clerk_a)
        self.payload = draft_payload(load_draft(self.p))

    def post(self, name: str, data, client: Client | None = None):
        return (client or self.client).post(
            reverse(f"processes:{name}", args=[self.p.pk]),
            data=json.dumps(data),
            content_type="application/json",
        )

    def step(self, key: str) -> dict:
        return next(s for s in self.payload["steps"] if s["key"] == key)

    def test_editor_page_has_the_table_data_and_the_drawing(self) -> None:
        response = self.client.get(reverse("processes:edit", args=[self.p.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="qd-payload"')
        self.assertContains(response, "processes/editor.js")
        self.assertContains(response, "<svg")
        self.assertContains(response, "接收申请材料")
        self.assertContains(response, "csrfmiddlewaretoken")

    def test_redraw_of_a_valid_table_returns_the_chart_and_figures(self) -> None:
        self.step("review")["name"] = "实质审查并现场核查"
        logs = ChangeLogEntry.objects.count()
        response = self.post("redraw", self.payload)
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertTrue(data["svg"].startswith("<svg"))
        self.assertIn("实质审查并现场核查", data["svg"])
        self.assertFalse([p for p in data["problems"] if p["severity"] == "error"])
        self.assertEqual(data["summary"]["steps"], 10)
        self.assertEqual(data["summary"]["path_days"], "35")
        self.assertFalse(data["summary"]["exceeds"])
        # Nothing was saved.
        self.assertEqual(
            Step.objects.get(process=self.p, code="review").name, "审查申请材料，必要时现场核查"
        )
        self.assertEqual(ChangeLogEntry.objects.count(), logs)

    def test_redraw_of_an_invalid_table_lists_the_problems_by_step(self) -> None:
        self.step("grant")["exits"] = [{"target": "deliver", "label": ""}]
        self.step("review")["days"] = ""
        self.step("review")["lane"] = ""
        self.payload["legal_limit_days"] = "10"
        self.payload["steps"].append(
            {"key": "s99", "kind": "action", "name": "孤立", "lane": "label:申请人", "days": "1"}
        )
        data = self.post("redraw", self.payload).json()
        by_step = {(p["step"], p["code"]) for p in data["problems"]}
        self.assertIn(("grant", "decision_exits"), by_step)
        self.assertIn(("review", "missing_time_limit"), by_step)
        self.assertIn(("review", "missing_lane"), by_step)
        self.assertIn(("s99", "orphan"), by_step)
        self.assertTrue(data["summary"]["exceeds"])
        self.assertTrue(data["svg"])  # still drawn

    def test_markup_in_labels_is_escaped_in_the_svg(self) -> None:
        self.step("review")["name"] = '<script>alert("x")</script>'
        self.step("grant")["exits"][0]["label"] = "<b>准予</b>"
        data = self.post("redraw", self.payload).json()
        self.assertNotIn("<script>", data["svg"])
        self.assertNotIn("<b>", data["svg"])
        self.assertIn("&lt;script&gt;", data["svg"])
        self.assertIn("不能包含“<”“>”等标记字符", "".join(p["message"] for p in data["problems"]))

    def test_malformed_and_oversize_requests(self) -> None:
        url = reverse("processes:redraw", args=[self.p.pk])
        response = self.client.post(url, data="{not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("不是有效的JSON", response.json()["problems"][0]["message"])
        self.assertEqual(
            self.post("redraw", ["a list"]).json()["problems"][0]["message"],
            "提交的数据格式不正确。",
        )
        big = {"name": "x" * (1024 * 1024 + 10), "steps": []}
        self.assertEqual(self.post("redraw", big).status_code, 413)
        weird = {
            "name": "流程",
            "steps": [
                {
                    "key": "a",
                    "kind": "start",
                    "days": {"x": 1},
                    "materials": "no",
                    "lane": "planet:3",
                }
            ],
        }
        messages = [p["message"] for p in self.post("redraw", weird).json()["problems"]]
        self.assertIn("第1行办理时限格式不正确。", messages)
        self.assertIn("第1行办事材料格式不正确。", messages)
        self.assertIn("第1行的泳道选择无效。", messages)

    def test_save_writes_the_whole_table_or_nothing(self) -> None:
        self.step("review")["name"] = "实质审查"
        self.step("review")["materials"] = [{"name": "现场核查记录", "note": "原件"}]
        self.payload["reason"] = "按再造方案调整"
        response = self.post("save", self.payload)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["url"], reverse("processes:detail", args=[self.p.pk]))
        review = Step.objects.get(process=self.p, code="review")
        self.assertEqual(review.name, "实质审查")
        self.assertEqual(
            list(review.materials.values_list("name", "note")), [("现场核查记录", "原件")]
        )
        entry = ChangeLogEntry.objects.filter(model="processes.process").order_by("-seq").first()
        self.assertEqual(entry.reason, "按再造方案调整")
        # Now an invalid table: 400 with the problems, nothing written.
        logs = ChangeLogEntry.objects.count()
        self.step("review")["name"] = "不会保存"
        self.step("grant")["exits"] = []
        response = self.post("save", self.payload)
        self.assertEqual(response.status_code, 400)
        self.assertIn("至少需要两个出口", json.dumps(response.json(), ensure_ascii=False))
        self.assertEqual(Step.objects.get(process=self.p, code="review").name, "实质审查")
        self.assertEqual(ChangeLogEntry.objects.count(), logs)

    def test_posts_need_the_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.pw.w.clerk_a)
        self.assertEqual(self.post("redraw", self.payload, client).status_code, 403)
        self.assertEqual(self.post("save", self.payload, client).status_code, 403)
        url = reverse("processes:new_version", args=[self.p.pk])
        self.assertEqual(client.post(url).status_code, 403)

    def test_a_historical_version_opens_read_only(self) -> None:
        fresh = services.new_version(self.p, acting_user=self.pw.w.clerk_a)
        response = self.client.get(reverse("processes:edit", args=[self.p.pk]))
        self.assertRedirects(response, reverse("processes:detail", args=[self.p.pk]))
        response = self.post("save", self.payload)
        self.assertEqual(response.status_code, 400)
        self.assertIn("历史版本", response.json()["problems"][0]["message"])
        self.assertTrue(Process.objects.get(pk=fresh.pk).is_current)


class DetailTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()

    def setUp(self) -> None:
        self.p = self.pw.process_a
        self.client.force_login(self.pw.w.clerk_a)

    def test_detail_shows_the_swimlane_chart_metadata_risks_and_downloads(self) -> None:
        response = self.client.get(reverse("processes:detail", args=[self.p.pk]))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('<g class="lanes">', html)
        for text in (
            "申请人",
            "基础教育科",
            "副局长",
            "作出许可决定",
            "法定时限",
            "风险点",
            "下载SVG",
            "下载BPMN",
            "导入BPMN",
        ):
            self.assertIn(text, html)
        self.assertContains(response, reverse("processes:svg", args=[self.p.pk]))

    def test_downloads(self) -> None:
        svg = self.client.get(reverse("processes:svg", args=[self.p.pk]))
        self.assertEqual(svg["Content-Type"], "image/svg+xml")
        self.assertIn("attachment", svg["Content-Disposition"])
        self.assertIn(f"A01_{self.p.code}_v1.svg", svg["Content-Disposition"])
        self.assertTrue(svg.content.startswith(b"<svg"))
        bpmn = self.client.get(reverse("processes:bpmn", args=[self.p.pk]))
        self.assertIn(b"bpmn:definitions", bpmn.content)

    def test_bpmn_upload_creates_a_new_version(self) -> None:
        xml = self.client.get(reverse("processes:bpmn", args=[self.p.pk])).content
        upload = SimpleUploadedFile("流程.bpmn", xml, content_type="application/xml")
        response = self.client.post(reverse("processes:import", args=[self.p.pk]), {"file": upload})
        fresh = Process.objects.get(code=self.p.code, department=self.p.department, version=2)
        self.assertRedirects(response, reverse("processes:detail", args=[fresh.pk]))
        self.assertEqual(load_draft(fresh), load_draft(self.p))

    def test_hostile_uploads_are_refused_in_chinese_and_write_nothing(self) -> None:
        url = reverse("processes:import", args=[self.p.pk])
        before = (Process.objects.count(), ChangeLogEntry.objects.count())
        for data, status, message in (
            (XXE, 400, "DTD 或实体声明"),
            (LAUGHS, 400, "DTD 或实体声明"),
            (b"<definitions", 400, "XML 格式错误"),
            (b"x" * (3 * 1024 * 1024), 413, "BPMN 文件过大"),
        ):
            upload = SimpleUploadedFile("evil.bpmn", data, content_type="application/xml")
            response = self.client.post(url, {"file": upload})
            self.assertEqual(response.status_code, status)
            self.assertContains(response, message, status_code=status)
        self.assertEqual((Process.objects.count(), ChangeLogEntry.objects.count()), before)

    def test_history_describes_each_save(self) -> None:
        draft = load_draft(self.p)
        draft.step("review").name = "实质审查"
        draft.step("review").unit_id = self.pw.legal_a.pk
        services.save_process(self.p, draft, acting_user=self.pw.w.clerk_a, reason="优化")
        response = self.client.get(reverse("processes:history", args=[self.p.pk]))
        self.assertContains(
            response, "环节「实质审查」名称：审查申请材料，必要时现场核查 → 实质审查"
        )
        self.assertContains(response, "责任科室：基础教育科 → 政策法规科")
        self.assertContains(response, "原因：优化")

    def test_new_version_and_pairing_from_the_page(self) -> None:
        response = self.client.post(reverse("processes:new_version", args=[self.p.pk]))
        fresh = Process.objects.get(code=self.p.code, department=self.p.department, is_current=True)
        self.assertRedirects(response, reverse("processes:edit", args=[fresh.pk]))
        self.client.post(reverse("processes:mark_after", args=[fresh.pk]), {"before": self.p.pk})
        fresh.refresh_from_db()
        self.assertEqual(fresh.before_id, self.p.pk)
        page = self.client.get(reverse("processes:detail", args=[fresh.pk]))
        self.assertContains(page, "再造后的版本")

    def test_new_process_from_a_template_for_a_task(self) -> None:
        url = reverse("processes:new")
        page = self.client.get(url + f"?task={self.pw.task_a.pk}")
        self.assertContains(page, self.pw.task_a.code)
        response = self.client.post(
            url, {"task_code": self.pw.task_a.code, "kind": "levy", "name": ""}
        )
        created = Process.objects.filter(task=self.pw.task_a, kind="levy").get()
        self.assertRedirects(response, reverse("processes:edit", args=[created.pk]))
        self.assertEqual(created.name, "受理审查：教师资格认定许可流程")
        # Only the user's own departments are offered; unknown task codes are reported.
        response = self.client.post(url, {"department": self.pw.w.dept_b.pk, "kind": "levy"})
        self.assertContains(response, "选择一个有效的选项", status_code=400)
        response = self.client.post(url, {"task_code": "ZZ999-99", "kind": "levy"})
        self.assertContains(response, "找不到该编码的工作任务", status_code=400)
