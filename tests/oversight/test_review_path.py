"""The whole 二报二审 path in the test client, as the people involved would click through it:
clerk drafts and submits → leader approves → 编办 returns with comments → clerk answers and
resubmits → leader approves → second review → 审定 → 发布 (version 1); then the list changes and
a later programme publishes version 2, whose diff shows exactly what was added, removed, changed.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from qingdan.core.changelog import verify_chain
from qingdan.core.models import ChangeLogEntry
from qingdan.duties import services as duties
from qingdan.duties.choices import ListStatus
from qingdan.duties.models import DutyItem, Task
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import ListVersion, ReviewComment, SubmissionEvent
from qingdan.oversight.seed import create_seed_programme
from tests.oversight.helpers import assign, build_review_world, drive_to, duty_item, task


class ReviewPathTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world()
        cls.w = cls.rw.w

    def client_for(self, user):
        client = self.client_class()
        client.force_login(user)
        return client

    def post_transition(self, client, to: str, comment: str = ""):
        url = reverse("oversight:submission_transition", args=[self.rw.sub_a.pk])
        return client.post(url, {"to": to, "comment": comment}, follow=True)

    def status(self) -> str:
        self.rw.sub_a.refresh_from_db()
        return self.rw.sub_a.status

    def test_whole_path_to_version_two_and_the_diff(self) -> None:
        clerk = self.client_for(self.w.clerk_a)
        leader = self.client_for(self.rw.leader_a)
        bianban = self.client_for(self.w.bianban)
        page = reverse("oversight:submission", args=[self.rw.sub_a.pk])

        # 1. The clerk sees the draft and the button to send it to the leader.
        html = clerk.get(page).content.decode()
        self.assertIn("提交部门负责人审批", html)
        self.assertNotIn("初审退回", html)
        self.post_transition(clerk, S.PENDING_APPROVAL, "请审批。")
        self.assertEqual(self.status(), S.PENDING_APPROVAL)

        # 2. The leader approves: 一报 to the 编办 (round 1).
        self.assertIn("审批通过，报送编办", leader.get(page).content.decode())
        self.post_transition(leader, S.SUBMITTED)
        self.assertEqual((self.status(), self.rw.sub_a.round), (S.SUBMITTED, 1))

        # 3. The 编办 comments on a task and on the list, then returns it.
        add = reverse("oversight:comment_add", args=[self.rw.sub_a.pk])
        bianban.post(
            add, {"target": f"task:{self.rw.task1.pk}", "text": "请补充规划编制的法律依据。"}
        )
        bianban.post(add, {"target": "", "text": "请统一任务命名。"})
        comments = list(ReviewComment.objects.filter(submission=self.rw.sub_a).order_by("id"))
        self.assertEqual(len(comments), 2)
        self.assertEqual(comments[0].target_type, ContentType.objects.get_for_model(Task))
        self.assertEqual(comments[0].round, 1)
        response = self.post_transition(bianban, S.RETURNED, "请按意见修改。")
        self.assertContains(response, "初审退回")
        self.assertEqual(self.status(), S.RETURNED)

        # 4. The clerk sees the comment beside the task; resubmitting before answering is refused.
        html = clerk.get(page).content.decode()
        self.assertIn("请补充规划编制的法律依据。", html)
        response = self.post_transition(clerk, S.PENDING_APPROVAL)
        self.assertContains(response, "未答复或未处理")
        self.assertEqual(self.status(), S.RETURNED)
        clerk.post(
            reverse("oversight:comment_reply", args=[comments[0].pk]),
            {"text": "已补充《教育法》第十四条。", "fixed": "1"},
        )
        clerk.post(
            reverse("oversight:comment_reply", args=[comments[1].pk]),
            {"text": "任务命名已按“动词+对象”统一。"},
        )
        self.post_transition(clerk, S.PENDING_APPROVAL, "已按意见修改。")
        self.assertEqual(self.status(), S.PENDING_APPROVAL)

        # 5. The leader approves again: 二报 (round 2).
        self.assertIn("审批通过，再次报送编办", leader.get(page).content.decode())
        self.post_transition(leader, S.RESUBMITTED)
        self.assertEqual((self.status(), self.rw.sub_a.round), (S.RESUBMITTED, 2))

        # 6. Second review: the 编办 accepts the explanation and settles the list.
        bianban.post(
            reverse("oversight:comment_resolve", args=[comments[1].pk]), {"resolution": "accepted"}
        )
        comments[1].refresh_from_db()
        self.assertTrue(comments[1].resolved)
        self.assertEqual(comments[1].resolved_by, self.w.bianban)
        self.post_transition(bianban, S.FINAL)
        self.assertEqual(self.status(), S.FINAL)

        # 7. Publish: version 1, the drafts are now active.
        self.post_transition(bianban, S.PUBLISHED)
        self.assertEqual(self.status(), S.PUBLISHED)
        v1 = ListVersion.objects.get(department=self.w.dept_a)
        self.assertEqual((v1.number, v1.duty_item_count, v1.task_count), (1, 2, 2))
        self.assertFalse(
            DutyItem.objects.filter(department=self.w.dept_a, status=ListStatus.DRAFT).exists()
        )
        self.assertFalse(
            Task.objects.filter(department=self.w.dept_a, status=ListStatus.DRAFT).exists()
        )

        # The timeline has every step, in order, each with its actor.
        events = list(SubmissionEvent.objects.filter(submission=self.rw.sub_a).order_by("id"))
        self.assertEqual(
            [(e.from_status, e.to_status, e.round) for e in events],
            [
                (S.DRAFT, S.PENDING_APPROVAL, 0),
                (S.PENDING_APPROVAL, S.SUBMITTED, 1),
                (S.SUBMITTED, S.RETURNED, 1),
                (S.RETURNED, S.PENDING_APPROVAL, 1),
                (S.PENDING_APPROVAL, S.RESUBMITTED, 2),
                (S.RESUBMITTED, S.FINAL, 2),
                (S.FINAL, S.PUBLISHED, 2),
            ],
        )
        self.assertEqual(
            [e.actor.username for e in events],
            ["clerk_a", "leader_a", "bianban", "clerk_a", "leader_a", "bianban", "bianban"],
        )
        self.assertEqual(events[0].comment, "请审批。")
        logged = ChangeLogEntry.objects.filter(model="oversight.submissionevent").count()
        self.assertEqual(logged, 7)
        self.assertTrue(verify_chain().ok)

        # 8. The list changes: a task renamed, a duty item added, another revoked.
        t1 = Task.objects.get(pk=self.rw.task1.pk)
        t1.name = "编制全市教育事业发展五年规划"
        duties.update_task(t1, acting_user=self.w.clerk_a)
        item3 = duty_item(self.w.dept_a, "ZZ003", "负责教师队伍建设。", category="service")
        t3 = task(
            item3,
            "ZZ003-01",
            "组织教师资格认定",
            self.w.unit_a,
            frequency="per_case",
            occurrences=200,
        )
        assign(t3, self.w.position_a)
        duties.revoke_duty_item(
            DutyItem.objects.get(pk=self.rw.item2.pk), acting_user=self.w.clerk_a, reason="职能划转"
        )

        # A later programme (动态调整) takes the list through review again: version 2.
        later = create_seed_programme(
            self.w.city, 2020, acting_user=self.w.bianban, departments=[self.w.dept_a]
        )
        sub2 = later.submissions.get()
        drive_to(sub2, S.PUBLISHED, self.rw)
        v2 = ListVersion.objects.get(department=self.w.dept_a, number=2)
        self.assertNotEqual(v1.sha256, v2.sha256)

        # 9. The diff page shows exactly the three kinds of change.
        url = reverse("oversight:version_diff") + f"?old={v1.pk}&new={v2.pk}"
        response = self.client_for(self.w.supervisor).get(url)
        self.assertEqual(response.status_code, 200)
        sections = {s["name"]: s for s in response.context["sections"]}
        self.assertEqual(list(sections["duty_items"]["added"]), ["ZZ003 负责教师队伍建设。"])
        self.assertEqual(
            list(sections["duty_items"]["removed"]), ["ZZ002 负责全市中小学校办学行为的监督管理。"]
        )
        self.assertEqual(sections["duty_items"]["changed"], [])
        self.assertEqual(list(sections["tasks"]["added"]), ["ZZ003-01 组织教师资格认定"])
        self.assertEqual(list(sections["tasks"]["removed"]), ["ZZ002-01 中小学办学行为专项检查"])
        self.assertEqual(
            sections["tasks"]["changed"],
            [
                {
                    "label": "ZZ001-01 编制全市教育事业发展五年规划",
                    "fields": [
                        ("工作任务", "编制教育事业发展五年规划", "编制全市教育事业发展五年规划")
                    ],
                }
            ],
        )
        self.assertEqual(len(sections["task_positions"]["added"]), 1)
        self.assertEqual(len(sections["task_positions"]["removed"]), 1)
        self.assertEqual(sections["task_positions"]["changed"], [])
        self.assertContains(response, "组织教师资格认定")

        # The API gives the same diff.
        api = APIClient()
        api.force_authenticate(self.w.clerk_a)
        data = api.get(reverse("api:version-diff", args=[v2.pk]), {"against": v1.pk}).json()
        tasks = next(s for s in data["sections"] if s["name"] == "tasks")
        self.assertEqual([r["code"] for r in tasks["added"]], ["ZZ003-01"])
        self.assertEqual([r["code"] for r in tasks["removed"]], ["ZZ002-01"])
        self.assertEqual(
            [(r["key"], [f["field"] for f in r["fields"]]) for r in tasks["changed"]],
            [("ZZ001-01", ["name"])],
        )
