"""The state machine's rules: every step the table does not allow is refused (in Chinese, with
nothing written); the round rules of 二报二审; the preconditions on comments and on the list."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse

from qingdan.core.models import ChangeLogEntry
from qingdan.oversight import services
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import ReviewComment, Submission, SubmissionEvent
from tests.oversight.helpers import build_review_world, drive_to, duty_item, step, task


class DisallowedTransitionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world()

    def test_every_step_outside_the_table_is_refused_and_writes_nothing(self) -> None:
        sub = self.rw.sub_a
        checked = 0
        for source in S.values:
            for target in [*S.values, "bogus"]:
                if target in services.ALLOWED[source]:
                    continue
                Submission.objects.filter(pk=sub.pk).update(status=source, round=1)
                sub.refresh_from_db()
                events = SubmissionEvent.objects.count()
                log = ChangeLogEntry.objects.count()
                with self.subTest(source=source, target=target):
                    # The 编办 holds every action, so only the table can refuse.
                    with self.assertRaises(ValidationError) as ctx:
                        services.transition_submission(sub, target, acting_user=self.rw.w.bianban)
                    message = "".join(ctx.exception.messages)
                    self.assertIn("不能变更为", message)
                    self.assertIn(S(source).label, message)
                    self.assertEqual(SubmissionEvent.objects.count(), events)
                    self.assertEqual(ChangeLogEntry.objects.count(), log)
                    sub.refresh_from_db()
                    self.assertEqual(sub.status, source)
                checked += 1
        self.assertEqual(checked, 9 * 10 - sum(len(v) for v in services.ALLOWED.values()))

    def test_published_is_final(self) -> None:
        Submission.objects.filter(pk=self.rw.sub_a.pk).update(status=S.PUBLISHED, round=2)
        self.rw.sub_a.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "终态"):
            step(self.rw.sub_a, S.DRAFT, self.rw.w.bianban)

    def test_refusal_is_shown_on_the_page_in_chinese(self) -> None:
        client = self.client_class()
        client.force_login(self.rw.w.clerk_a)
        url = reverse("oversight:submission_transition", args=[self.rw.sub_a.pk])
        response = client.post(url, {"to": S.FINAL}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "清单当前为“草稿”，不能变更为“审定”")
        self.assertFalse(SubmissionEvent.objects.exists())


class RoundTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world()

    def test_first_approval_is_a_first_submission_only(self) -> None:
        sub = self.rw.sub_a
        step(sub, S.PENDING_APPROVAL, self.rw.w.clerk_a)
        with self.assertRaisesMessage(ValidationError, "尚未报送过编办"):
            step(sub, S.RESUBMITTED, self.rw.leader_a)
        step(sub, S.SUBMITTED, self.rw.leader_a)
        self.assertEqual(sub.round, 1)

    def test_a_returned_list_goes_up_again_as_resubmission(self) -> None:
        sub = self.rw.sub_a
        drive_to(sub, S.RETURNED, self.rw)
        for c in ReviewComment.objects.filter(submission=sub):
            services.reply_to_comment(c, text="已改。", acting_user=self.rw.w.clerk_a)
        step(sub, S.PENDING_APPROVAL, self.rw.w.clerk_a)
        with self.assertRaisesMessage(ValidationError, "已报送过编办"):
            step(sub, S.SUBMITTED, self.rw.leader_a)
        options = [o.to for o in services.allowed_transitions(sub, self.rw.leader_a)]
        self.assertEqual(options, [S.DRAFT, S.RESUBMITTED])

    def test_a_passed_first_review_still_needs_the_second_submission(self) -> None:
        sub = self.rw.sub_a
        drive_to(sub, S.SUBMITTED, self.rw)
        step(sub, S.PASSED, self.rw.w.bianban)
        self.assertEqual(services.ALLOWED[sub.status], {S.PENDING_APPROVAL})
        step(sub, S.PENDING_APPROVAL, self.rw.w.clerk_a)
        step(sub, S.RESUBMITTED, self.rw.leader_a)
        self.assertEqual((sub.status, sub.round, sub.extra_round), (S.RESUBMITTED, 2, False))

    def test_leader_returns_to_the_clerk_with_a_reason(self) -> None:
        sub = self.rw.sub_a
        step(sub, S.PENDING_APPROVAL, self.rw.w.clerk_a)
        with self.assertRaisesMessage(ValidationError, "退回理由"):
            step(sub, S.DRAFT, self.rw.leader_a)
        step(sub, S.DRAFT, self.rw.leader_a, "请补充工作量测算依据。")
        self.assertEqual((sub.status, sub.round), (S.DRAFT, 0))

    def test_a_third_round_is_allowed_but_flagged(self) -> None:
        sub, bianban, clerk = self.rw.sub_a, self.rw.w.bianban, self.rw.w.clerk_a
        drive_to(sub, S.RESUBMITTED, self.rw)
        services.add_comment(sub, text="仍有任务未落实到岗位。", acting_user=bianban)
        step(sub, S.RETURNED_AGAIN, bianban)
        comment = ReviewComment.objects.get(submission=sub, round=2)
        services.reply_to_comment(comment, text="已落实。", fixed=True, acting_user=clerk)
        step(sub, S.PENDING_APPROVAL, clerk)
        [option] = [
            o for o in services.allowed_transitions(sub, self.rw.leader_a) if o.to == S.RESUBMITTED
        ]
        self.assertIn("超出二报二审", option.label)
        step(sub, S.RESUBMITTED, self.rw.leader_a)
        self.assertEqual(sub.round, 3)
        self.assertTrue(sub.extra_round)
        event = SubmissionEvent.objects.filter(submission=sub).latest("id")
        self.assertTrue(event.extra_round)
        entry = ChangeLogEntry.objects.filter(model="oversight.submission").latest("seq")
        self.assertIn("超出二报二审：第3轮", entry.reason)
        client = self.client_class()
        client.force_login(bianban)
        page = client.get(reverse("oversight:submission", args=[sub.pk]))
        self.assertContains(page, "超出二报二审（第3轮）")
        overview = client.get(reverse("oversight:programme", args=[self.rw.programme.pk]))
        self.assertEqual(overview.context["overview"].extra_rounds, 1)
        # Round 3 is then reviewed like round 2.
        step(sub, S.FINAL, bianban)
        self.assertEqual(sub.status, S.FINAL)


class PreconditionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world()

    def test_returning_needs_an_unresolved_comment_of_the_round(self) -> None:
        sub, bianban = self.rw.sub_a, self.rw.w.bianban
        drive_to(sub, S.SUBMITTED, self.rw)
        with self.assertRaisesMessage(ValidationError, "至少提出一条未处理的审核意见"):
            step(sub, S.RETURNED, bianban)
        comment = services.add_comment(sub, text="请修改。", acting_user=bianban)
        services.resolve_comment(comment, acting_user=bianban, resolution="withdrawn")
        with self.assertRaisesMessage(ValidationError, "至少提出一条未处理的审核意见"):
            step(sub, S.RETURNED, bianban)
        self.assertEqual(SubmissionEvent.objects.filter(to_status=S.RETURNED).count(), 0)

    def test_resubmitting_needs_every_comment_of_the_round_answered(self) -> None:
        sub, bianban, clerk = self.rw.sub_a, self.rw.w.bianban, self.rw.w.clerk_a
        drive_to(sub, S.SUBMITTED, self.rw)
        first = services.add_comment(
            sub, text="依据不足。", target=self.rw.task1, acting_user=bianban
        )
        second = services.add_comment(
            sub, text="表述笼统。", target=self.rw.item2, acting_user=bianban
        )
        step(sub, S.RETURNED, bianban)
        services.reply_to_comment(first, text="已补充依据。", acting_user=clerk)
        with self.assertRaises(ValidationError) as ctx:
            step(sub, S.PENDING_APPROVAL, clerk)
        self.assertIn("还有1条未答复或未处理", ctx.exception.messages[0])
        self.assertIn("职责事项 ZZ002", ctx.exception.messages[1])
        services.reply_to_comment(second, text="", fixed=True, acting_user=clerk)
        step(sub, S.PENDING_APPROVAL, clerk)
        self.assertEqual(sub.status, S.PENDING_APPROVAL)

    def test_final_needs_the_round_settled(self) -> None:
        sub, bianban = self.rw.sub_a, self.rw.w.bianban
        drive_to(sub, S.RESUBMITTED, self.rw)
        comment = services.add_comment(sub, text="再核实一处。", acting_user=bianban)
        with self.assertRaisesMessage(ValidationError, "未处理，不能审定"):
            step(sub, S.FINAL, bianban)
        services.resolve_comment(comment, acting_user=bianban)
        step(sub, S.FINAL, bianban)

    def test_submission_is_blocked_while_tasks_lack_a_work_spec(self) -> None:
        rw = self.rw
        task(
            rw.item2,
            "ZZ002-02",
            "违规办学行为行政处罚",
            rw.w.unit_a,
            frequency="per_case",
            occurrences=12,
            is_enforcement=True,
            discretion="high",
        )
        client = self.client_class()
        client.force_login(rw.w.clerk_a)
        page = client.get(reverse("oversight:submission", args=[rw.sub_a.pk]))
        self.assertContains(page, "报送前检查")
        response = client.post(
            reverse("oversight:submission_transition", args=[rw.sub_a.pk]),
            {"to": S.PENDING_APPROVAL},
            follow=True,
        )
        self.assertContains(response, "须制定工作规范，但尚未填写")
        self.assertContains(response, "ZZ002-02 违规办学行为行政处罚（自由裁量程度高、执法事项）")
        rw.sub_a.refresh_from_db()
        self.assertEqual(rw.sub_a.status, S.DRAFT)
        self.assertFalse(SubmissionEvent.objects.exists())

    def test_coverage_gaps_are_shown_but_do_not_block(self) -> None:
        duty_item(self.rw.w.dept_a, "ZZ009", "完成市委市政府交办的其他任务。")
        client = self.client_class()
        client.force_login(self.rw.w.bianban)
        page = client.get(reverse("oversight:submission", args=[self.rw.sub_a.pk]))
        self.assertContains(page, "三定职责无任务1项")
        self.assertContains(page, "ZZ009")
        step(self.rw.sub_a, S.PENDING_APPROVAL, self.rw.w.clerk_a)
        self.assertEqual(self.rw.sub_a.status, S.PENDING_APPROVAL)

    def test_an_empty_list_cannot_go_up(self) -> None:
        with self.assertRaisesMessage(ValidationError, "还没有职责事项"):
            step(self.rw.sub_b, S.PENDING_APPROVAL, self.rw.w.clerk_b)


class CommentRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world()

    def test_comments_only_while_the_bianban_reviews(self) -> None:
        with self.assertRaisesMessage(ValidationError, "只有在编办审核期间"):
            services.add_comment(self.rw.sub_a, text="意见", acting_user=self.rw.w.bianban)

    def test_only_reviewers_comment_and_only_the_department_answers(self) -> None:
        sub = self.rw.sub_a
        drive_to(sub, S.SUBMITTED, self.rw)
        with self.assertRaises(PermissionDenied):
            services.add_comment(sub, text="意见", acting_user=self.rw.w.clerk_a)
        comment = services.add_comment(sub, text="意见", acting_user=self.rw.w.bianban)
        step(sub, S.RETURNED, self.rw.w.bianban)
        with self.assertRaises(PermissionDenied):
            services.reply_to_comment(comment, text="答复", acting_user=self.rw.leader_a)
        with self.assertRaises(PermissionDenied):
            services.resolve_comment(comment, acting_user=self.rw.w.clerk_a)

    def test_a_comment_targets_only_the_departments_own_rows(self) -> None:
        sub = self.rw.sub_b
        Submission.objects.filter(pk=sub.pk).update(status=S.SUBMITTED, round=1)
        sub.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "不属于该部门"):
            services.resolve_target(sub, "task", self.rw.task1.pk)
        with self.assertRaisesMessage(ValidationError, "须为该部门的职责事项或工作任务"):
            services.add_comment(
                sub, text="意见", target=self.rw.task1, acting_user=self.rw.w.bianban
            )
        client = self.client_class()
        client.force_login(self.rw.w.bianban)
        response = client.post(
            reverse("oversight:comment_add", args=[sub.pk]),
            {"target": f"dutyitem:{self.rw.item1.pk}", "text": "越界意见"},
            follow=True,
        )
        self.assertContains(response, "意见对象不存在或不属于该部门")
        self.assertFalse(ReviewComment.objects.exists())
