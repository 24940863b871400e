"""The demo seeding puts departments at every stage with histories the state machine allows."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.test import TestCase
from django.utils import timezone

from qingdan.core.changelog import verify_chain
from qingdan.core.models import ChangeLogEntry
from qingdan.oversight import services
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.demo import seed_review_states
from qingdan.oversight.models import ListVersion, ReviewComment, Submission, SubmissionEvent
from qingdan.oversight.progress import programme_overview
from qingdan.oversight.seed import create_seed_programme
from tests.builders import build_world, department, position, unit
from tests.oversight.helpers import assign, duty_item, task


def _departments(w, n: int):
    out = []
    for i in range(n):
        d = department(w.city, f"D{i:02d}", f"东川市演示局{i:02d}")
        u = unit(d, "U01", "综合科")
        p = position(d, u, "G01", "综合岗")
        item = duty_item(d, "ZZ001", f"演示职责{i}")
        assign(task(item, "ZZ001-01", f"演示任务{i}", u), p)
        out.append(d)
    return out


class SeedReviewStatesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()
        cls.departments = _departments(cls.w, 14)
        cls.programme = create_seed_programme(cls.w.city, 2019, acting_user=cls.w.bianban)
        cls.now = dt.datetime(2019, 11, 20, 9, 0, tzinfo=dt.UTC)
        cls.counts = seed_review_states(
            cls.departments, cls.programme, random.Random(7), cls.w.bianban, now=cls.now
        )

    def test_every_state_appears(self) -> None:
        states = set(
            Submission.objects.filter(programme=self.programme).values_list("status", flat=True)
        )
        self.assertEqual(states, set(S.values))
        self.assertEqual(Submission.objects.filter(programme=self.programme).count(), 14)

    def test_histories_are_allowed_steps_in_time_order(self) -> None:
        by_sub = defaultdict(list)
        for e in SubmissionEvent.objects.order_by("submission_id", "at", "id"):
            by_sub[e.submission_id].append(e)
        for sub in Submission.objects.filter(programme=self.programme):
            events = by_sub[sub.pk]
            with self.subTest(department=sub.department_id):
                status, round_ = S.DRAFT, 0
                for e in events:
                    self.assertEqual(e.from_status, status)
                    self.assertIn(e.to_status, services.ALLOWED[status])
                    round_ += e.to_status in (S.SUBMITTED, S.RESUBMITTED)
                    self.assertEqual(e.round, round_)
                    self.assertLessEqual(e.at, self.now)
                    status = e.to_status
                self.assertEqual((sub.status, sub.round), (status, round_))
                times = [e.at for e in events]
                self.assertEqual(times, sorted(times))

    def test_returned_lists_carry_open_comments_and_published_lists_a_version(self) -> None:
        for sub in Submission.objects.filter(status__in=[S.RETURNED, S.RETURNED_AGAIN]):
            with self.subTest(department=sub.department_id):
                self.assertTrue(
                    ReviewComment.objects.filter(
                        submission=sub, round=sub.round, resolved=False
                    ).exists()
                )
        published = Submission.objects.filter(status=S.PUBLISHED)
        self.assertEqual(ListVersion.objects.count(), published.count())
        self.assertEqual(self.counts["清单版本"], published.count())
        self.assertEqual(self.counts["超出二报二审"], 1)
        self.assertEqual(Submission.objects.filter(round=3).count(), 1)

    def test_everything_is_in_the_change_log(self) -> None:
        self.assertEqual(
            ChangeLogEntry.objects.filter(model="oversight.submissionevent").count(),
            SubmissionEvent.objects.count(),
        )
        self.assertEqual(
            ChangeLogEntry.objects.filter(model="oversight.reviewcomment").count(),
            ReviewComment.objects.count(),
        )
        self.assertTrue(verify_chain().ok)

    def test_overview_shows_a_spread_of_badges(self) -> None:
        subs = Submission.objects.filter(programme=self.programme)
        overview = programme_overview(self.programme, subs, today=dt.date(2019, 11, 20))
        states = {r.headline.state for r in overview.rows}
        self.assertIn("overdue", states)
        self.assertIn("on_time", states)

    def test_running_again_leaves_submissions_with_a_history_alone(self) -> None:
        touched = set(SubmissionEvent.objects.values_list("submission_id", flat=True))
        before = SubmissionEvent.objects.filter(submission_id__in=touched).count()
        seed_review_states(self.departments, self.programme, random.Random(8), self.w.bianban)
        self.assertEqual(SubmissionEvent.objects.filter(submission_id__in=touched).count(), before)

    def test_a_programme_under_way_gets_no_future_events(self) -> None:
        programme = create_seed_programme(
            self.w.city, timezone.localdate().year + 1, acting_user=self.w.bianban
        )
        seed_review_states(self.departments[:9], programme, random.Random(3), self.w.bianban)
        latest = (
            SubmissionEvent.objects.filter(submission__programme=programme).order_by("-at").first()
        )
        self.assertLessEqual(latest.at, timezone.now())
