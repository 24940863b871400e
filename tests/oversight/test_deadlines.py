"""On time or overdue, computed from the events' timestamps around each phase's deadline."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from qingdan.oversight import deadlines, services
from qingdan.oversight.choices import DeadlineState, Milestone
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import Submission
from qingdan.oversight.progress import programme_overview
from tests.oversight.helpers import build_review_world, step

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = dt.date(2019, 8, 15)


def phase(
    pk: int, start: tuple[int, int], end: tuple[int, int], milestone: str = "first_submitted"
):
    return deadlines.PhaseSpec(
        pk, f"阶段{pk}", dt.date(2019, *start), dt.date(2019, *end), dt.date(2019, *end), milestone
    )


class DeadlineRuleTests(SimpleTestCase):
    def test_the_deadline_day_itself_is_on_time(self) -> None:
        cases = [
            (DEADLINE, DEADLINE + dt.timedelta(days=3), deadlines.ON_TIME),
            (DEADLINE - dt.timedelta(days=5), DEADLINE, deadlines.ON_TIME),
            (DEADLINE + dt.timedelta(days=1), DEADLINE + dt.timedelta(days=1), deadlines.LATE),
            (None, DEADLINE, deadlines.NOT_DUE),
            (None, DEADLINE - dt.timedelta(days=10), deadlines.NOT_DUE),
            (None, DEADLINE + dt.timedelta(days=1), deadlines.OVERDUE),
        ]
        for reached, today, want in cases:
            with self.subTest(reached=reached, today=today):
                self.assertEqual(deadlines.deadline_state(reached, DEADLINE, today), want)

    def test_days_late_are_counted(self) -> None:
        p = phase(1, (7, 26), (8, 15))
        late = deadlines.phase_cell(
            p, {"first_submitted": dt.date(2019, 8, 18)}, dt.date(2019, 9, 1)
        )
        self.assertEqual((late.state, late.days_late), (deadlines.LATE, 3))
        overdue = deadlines.phase_cell(p, {}, dt.date(2019, 8, 20))
        self.assertEqual((overdue.state, overdue.days_late), (deadlines.OVERDUE, 5))
        unchecked = deadlines.phase_cell(phase(2, (8, 16), (9, 30), ""), {}, dt.date(2019, 12, 1))
        self.assertEqual(unchecked.state, deadlines.NOT_APPLICABLE)

    def test_current_phase(self) -> None:
        phases = [phase(1, (7, 26), (8, 15)), phase(2, (8, 20), (9, 30))]
        self.assertEqual(deadlines.current_phase(phases, dt.date(2019, 7, 1)).id, 1)
        self.assertEqual(deadlines.current_phase(phases, dt.date(2019, 8, 15)).id, 1)
        self.assertEqual(deadlines.current_phase(phases, dt.date(2019, 8, 17)).id, 2)
        self.assertEqual(deadlines.current_phase(phases, dt.date(2020, 1, 1)).id, 2)
        self.assertIsNone(deadlines.current_phase([], dt.date(2019, 8, 1)))

    def test_an_earlier_missed_deadline_outranks_the_current_phase(self) -> None:
        phases = [phase(1, (7, 26), (8, 15)), phase(2, (8, 16), (9, 30), "first_reviewed")]
        head = deadlines.headline(phases, {}, dt.date(2019, 9, 1))
        self.assertEqual((head.state, head.cell.phase.id), (deadlines.OVERDUE, 1))
        head = deadlines.headline(
            phases, {"first_submitted": dt.date(2019, 8, 10)}, dt.date(2019, 9, 1)
        )
        self.assertEqual((head.state, head.cell.phase.id), (deadlines.NOT_DUE, 2))


class DeadlineFromEventsTests(TestCase):
    """The seed-000 programme: the 汇编 is due at the 编办 by 8月15日 (local time)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world(2019)

    def submit_at(self, local: dt.datetime) -> None:
        rw = self.rw
        with mock.patch("django.utils.timezone.now", return_value=local.astimezone(dt.UTC)):
            step(rw.sub_a, S.PENDING_APPROVAL, rw.w.clerk_a)
            step(rw.sub_a, S.SUBMITTED, rw.leader_a)

    def first_cell(self, today: dt.date):
        subs = Submission.objects.filter(pk=self.rw.sub_a.pk)
        overview = programme_overview(self.rw.programme, subs, today=today)
        [row] = overview.rows
        return row, overview

    def test_late_evening_of_the_deadline_is_on_time(self) -> None:
        # 23:30 in Shanghai is still 8月15日, though it is 15:30 UTC.
        self.submit_at(dt.datetime(2019, 8, 15, 23, 30, tzinfo=SHANGHAI))
        row, _ = self.first_cell(dt.date(2019, 8, 20))
        self.assertEqual(row.cells[0].state, deadlines.ON_TIME)
        self.assertEqual(row.cells[0].reached_on, DEADLINE)

    def test_just_after_midnight_is_late(self) -> None:
        # 00:30 on 8月16日 in Shanghai is still 8月15日 in UTC: local time decides.
        self.submit_at(dt.datetime(2019, 8, 16, 0, 30, tzinfo=SHANGHAI))
        row, _ = self.first_cell(dt.date(2019, 8, 20))
        self.assertEqual((row.cells[0].state, row.cells[0].days_late), (deadlines.LATE, 1))

    def test_not_submitted_is_overdue_only_after_the_deadline_day(self) -> None:
        row, _ = self.first_cell(DEADLINE)
        self.assertEqual(row.headline.state, deadlines.NOT_DUE)
        row, overview = self.first_cell(DEADLINE + dt.timedelta(days=1))
        self.assertEqual(row.headline.state, deadlines.OVERDUE)
        self.assertEqual(overview.current.name, "评估完善")
        self.assertEqual(row.headline.cell.phase.name, "培训拟定")
        counts = dict((v, n) for v, _, n in overview.deadline_counts)
        self.assertEqual(counts[DeadlineState.OVERDUE], 1)

    def test_moving_the_deadline_moves_the_badge(self) -> None:
        self.submit_at(dt.datetime(2019, 8, 18, 10, 0, tzinfo=SHANGHAI))
        row, _ = self.first_cell(dt.date(2019, 8, 20))
        self.assertEqual(row.cells[0].state, deadlines.LATE)
        first = self.rw.programme.phases.get(milestone=Milestone.FIRST_SUBMITTED)
        first.end = first.deadline = dt.date(2019, 8, 20)
        services.update_phase(first, acting_user=self.rw.w.bianban, reason="延期")
        row, _ = self.first_cell(dt.date(2019, 8, 20))
        self.assertEqual(row.cells[0].state, deadlines.ON_TIME)

    def test_overview_page_shows_badges_and_counts(self) -> None:
        self.submit_at(dt.datetime(2019, 8, 10, 9, 0, tzinfo=SHANGHAI))
        client = self.client_class()
        client.force_login(self.rw.w.bianban)
        url = reverse("oversight:programme", args=[self.rw.programme.pk])
        with mock.patch(
            "django.utils.timezone.now",
            return_value=dt.datetime(2019, 8, 20, 9, 0, tzinfo=SHANGHAI).astimezone(dt.UTC),
        ):
            response = client.get(url)
        self.assertContains(response, "按时完成（8月10日）")
        self.assertContains(response, "已逾期5天")  # department B never submitted
        counts = {v: n for v, _, n in response.context["overview"].status_counts}
        self.assertEqual((counts[S.SUBMITTED], counts[S.DRAFT]), (1, 1))

    def test_overview_query_count_does_not_grow_with_departments(self) -> None:
        subs = Submission.objects.filter(programme=self.rw.programme)
        # phases, submissions, first event per status
        with self.assertNumQueries(3):
            overview = programme_overview(self.rw.programme, subs, today=DEADLINE)
        self.assertEqual(len(overview.rows), 2)
