"""Put a demo region's departments at every stage of 二报二审 at once (bulk, with histories).

``seed_review_states`` gives each fresh submission of a programme a target state — every state
appears when there are at least nine departments — and writes the events that would have led
there, dated inside the programme's phases (some late, so the overview shows overdue badges),
review comments with answers on the returned rounds, one third round (flagged), and publishes the
departments that reached 已发布 (drafts activated, a version snapshot taken). Rows are
bulk-inserted and each gets its change-log entry, like the org generator.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from qingdan.core.changelog import Change, record_many, snapshot
from qingdan.core.choices import ChangeKind
from qingdan.duties.choices import ListStatus
from qingdan.duties.models import DutyItem, Task
from qingdan.org.models import Department
from qingdan.oversight import versions
from qingdan.oversight.choices import Milestone, Resolution
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import Programme, ReviewComment, Submission, SubmissionEvent
from qingdan.oversight.services import ACTION_FOR

# Spread of end states for departments beyond the first nine (one of each comes first).
WEIGHTS: dict[str, int] = {
    S.DRAFT: 8,
    S.PENDING_APPROVAL: 6,
    S.SUBMITTED: 10,
    S.RETURNED: 12,
    S.PASSED: 8,
    S.RESUBMITTED: 10,
    S.RETURNED_AGAIN: 8,
    S.FINAL: 10,
    S.PUBLISHED: 28,
}

COMMENTS = (
    "职责表述过于笼统，请细化为可考核的具体工作任务。",
    "请补充该任务的法律依据（法律法规名称及条款）。",
    "年发生次数与单次工时明显偏高，请核实工作量测算依据。",
    "该任务属于监管事项，请补充工作规范和规范化文本样板。",
    "请明确承办科室与协办科室的分工，避免职责交叉。",
    "“参与”“指导”等表述不清，请写明具体承担的工作。",
    "请对照“三定”规定核实该项职责是否已全部分解到内设机构。",
    "主办岗位与AB角岗位设置不合理，请调整。",
)
GENERAL_COMMENTS = (
    "部分职责事项未分解到工作任务，请逐条对照“三定”规定补充完善。",
    "请统一工作任务的命名规范，并补充办理时限。",
)
REPLIES = (
    "已按意见修改。",
    "已补充相关依据和说明。",
    "经核实，该项工作量测算依据为近三年平均办件量，已在说明中补充。",
    "已与相关科室沟通，明确分工后修改。",
)


@dataclass
class _Plan:
    submission: Submission
    steps: list[str]
    third_round: bool = False
    times: list[dt.datetime] = field(default_factory=list)


def _targets(n: int, rng: random.Random) -> list[str]:
    every = list(WEIGHTS)
    rng.shuffle(every)
    rest = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()), k=max(0, n - len(every)))
    return (every + rest)[:n]


def _steps(target: str, rng: random.Random, third_round: bool) -> list[str]:
    """The statuses entered on the way from 草稿 to ``target`` (a plausible history)."""

    def submit(first: bool) -> list[str]:
        out = [S.PENDING_APPROVAL]
        if rng.random() < 0.15:  # the leader sent it back once
            out += [S.DRAFT, S.PENDING_APPROVAL]
        return [*out, S.SUBMITTED if first else S.RESUBMITTED]

    if target == S.DRAFT:
        return []
    if target == S.PENDING_APPROVAL:
        return [S.PENDING_APPROVAL]
    steps = submit(True)
    if target == S.SUBMITTED:
        return steps
    if target in (S.RETURNED, S.PASSED):
        return [*steps, target]
    steps += [S.RETURNED if rng.random() < 0.7 else S.PASSED, *submit(False)]
    if third_round:
        steps += [S.RETURNED_AGAIN, *submit(False)]
    if target == S.RESUBMITTED:
        return steps
    if target == S.RETURNED_AGAIN:
        return [*steps, S.RETURNED_AGAIN]
    steps.append(S.FINAL)
    return [*steps, S.PUBLISHED] if target == S.PUBLISHED else steps


def _windows(programme: Programme) -> dict[str, tuple[dt.date, dt.date]]:
    """Milestone → (phase start, deadline); a made-up schedule when the programme has none."""
    windows = {p.milestone: (p.start, p.deadline) for p in programme.phases.all() if p.milestone}
    start = programme.issued_on or dt.date(programme.year, 7, 26)
    for i, m in enumerate(
        (
            Milestone.FIRST_SUBMITTED,
            Milestone.FIRST_REVIEWED,
            Milestone.RESUBMITTED,
            Milestone.FINALIZED,
            Milestone.PUBLISHED,
        )
    ):
        windows.setdefault(
            m, (start + dt.timedelta(days=20 * i), start + dt.timedelta(days=20 * i + 19))
        )
    return windows


def _window_for(step: str, round_: int) -> str:
    if step in (S.PENDING_APPROVAL, S.DRAFT, S.SUBMITTED):
        return Milestone.FIRST_SUBMITTED if round_ == 0 else Milestone.RESUBMITTED
    if step in (S.RETURNED, S.PASSED):
        return Milestone.FIRST_REVIEWED
    if step == S.RESUBMITTED:
        return Milestone.RESUBMITTED
    if step in (S.RETURNED_AGAIN, S.FINAL):
        return Milestone.FINALIZED
    return Milestone.PUBLISHED


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=tz)


def _schedule(
    plan: _Plan, windows: dict[str, tuple[dt.date, dt.date]], rng: random.Random, now: dt.datetime
) -> None:
    """Date each step inside its phase (a fifth of the departments run late), in order."""
    late = rng.random() < 0.2
    prev: dt.datetime | None = None
    round_ = 0
    for step in plan.steps:
        start, deadline = windows[_window_for(step, round_)]
        end = deadline + dt.timedelta(days=rng.randint(1, 12)) if late else deadline
        day = start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))
        t = _at(day, rng)
        if prev is not None and t <= prev:
            t = prev + dt.timedelta(hours=rng.randint(2, 72))
        plan.times.append(t)
        prev = t
        if step in (S.SUBMITTED, S.RESUBMITTED):
            round_ += 1
    # A programme still under way: squeeze the history so nothing lies in the future.
    if plan.times and plan.times[-1] > now:
        first, last = plan.times[0], plan.times[-1]
        if first >= now - dt.timedelta(days=1):
            n = len(plan.times)
            plan.times = [now - dt.timedelta(minutes=10 * (n - i)) for i in range(n)]
        else:
            scale = (now - dt.timedelta(minutes=1) - first) / (last - first)
            plan.times = [first + (t - first) * scale for t in plan.times]


@transaction.atomic
def seed_review_states(
    departments: Sequence[Department],
    programme: Programme,
    rng: random.Random,
    acting_user: Any,
    *,
    actor_for: Callable[[Department, str], Any] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Give each department's fresh (untouched draft) submission a state and its history.

    ``actor_for(department, action)`` may name the clerk, leader or reviewer of each step
    (default ``acting_user``). Returns counts per state label plus events, comments, versions.
    """
    now = now or timezone.now()
    uid = getattr(acting_user, "pk", None)
    existing = {s.department_id: s for s in programme.submissions.all()}
    new_subs = [
        Submission(
            programme=programme,
            department=d,
            region_id=d.region_id,
            created_by_id=uid,
            updated_by_id=uid,
        )
        for d in departments
        if d.pk not in existing
    ]
    Submission.objects.bulk_create(new_subs)
    record_many(
        (Change(ChangeKind.CREATE, s, None, snapshot(s)) for s in new_subs),
        acting_user=acting_user,
        reason="演示数据：加入工作方案",
    )
    by_dept = {**existing, **{s.department_id: s for s in new_subs}}
    touched = set(
        SubmissionEvent.objects.filter(submission__programme=programme).values_list(
            "submission_id", flat=True
        )
    )
    fresh = [
        by_dept[d.pk]
        for d in departments
        if by_dept[d.pk].pk not in touched and by_dept[d.pk].status == S.DRAFT
    ]
    dept_of = {d.pk: d for d in departments}
    windows = _windows(programme)
    targets = _targets(len(fresh), rng)
    third = (
        next((i for i, t in enumerate(targets) if t in (S.FINAL, S.PUBLISHED)), None)
        if len(fresh) >= 10
        else None
    )
    plans = []
    for i, (sub, target) in enumerate(zip(fresh, targets, strict=True)):
        plan = _Plan(sub, _steps(target, rng, i == third), i == third)
        _schedule(plan, windows, rng, now)
        plans.append(plan)

    targets_by_dept = _comment_targets([p.submission.department_id for p in plans])
    item_ct = ContentType.objects.get_for_model(DutyItem)
    task_ct = ContentType.objects.get_for_model(Task)
    events: list[SubmissionEvent] = []
    comments: list[tuple[ReviewComment, dt.datetime]] = []
    befores = {p.submission.pk: snapshot(p.submission) for p in plans}
    publish: list[tuple[Submission, Any, dt.datetime]] = []
    for plan in plans:
        sub = plan.submission
        dept = dept_of[sub.department_id]
        status, round_ = S.DRAFT, 0
        for i, (step, at) in enumerate(zip(plan.steps, plan.times, strict=True)):
            actor = actor_for(dept, ACTION_FOR[step]) if actor_for else acting_user
            if step in (S.SUBMITTED, S.RESUBMITTED):
                round_ += 1
            note = ""
            if step == S.DRAFT:
                note = "请补充各科室工作任务的工作量测算依据后再报。"
            elif step in (S.RETURNED, S.RETURNED_AGAIN, S.PASSED):
                answered = i + 1 < len(plan.steps)
                made = _comments(
                    sub, round_, at, answered, step, targets_by_dept, rng, item_ct, task_ct, actor
                )
                comments.extend(made)
                if step != S.PASSED:
                    note = f"共提出{len(made)}条审核意见，请逐条修改完善后再次报送。"
            events.append(
                SubmissionEvent(
                    submission=sub,
                    department_id=sub.department_id,
                    region_id=sub.region_id,
                    from_status=status,
                    to_status=step,
                    round=round_,
                    actor=actor if getattr(actor, "pk", None) else None,
                    at=at,
                    comment=note,
                )
            )
            if step == S.PUBLISHED:
                publish.append((sub, actor, at))
            status = step
        sub.status, sub.round = status, round_
        sub.updated_by_id = uid
        sub.updated_at = plan.times[-1] if plan.times else now

    SubmissionEvent.objects.bulk_create(events, batch_size=500)
    rows = [c for c, _ in comments]
    ReviewComment.objects.bulk_create(rows, batch_size=500)
    for c, at in comments:
        c.created_at = c.updated_at = at
    ReviewComment.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)
    subs = [p.submission for p in plans]
    Submission.objects.bulk_update(
        subs, ["status", "round", "updated_by", "updated_at"], batch_size=500
    )
    record_many(
        [
            *(Change(ChangeKind.CREATE, e, None, snapshot(e)) for e in events),
            *(Change(ChangeKind.CREATE, c, None, snapshot(c)) for c in rows),
            *(Change(ChangeKind.UPDATE, s, befores[s.pk], snapshot(s)) for s in subs),
        ],
        acting_user=acting_user,
        reason="演示数据：二报二审进度",
    )
    for sub, actor, at in publish:
        dept = dept_of[sub.department_id]
        versions.activate_drafts(dept, acting_user=actor, reason=f"发布清单：{programme}")
        versions.create_version(sub, acting_user=actor, at=at)

    counts = Counter(str(S(p.submission.status).label) for p in plans)
    return {
        **dict(counts),
        "报送审核记录": len(events),
        "审核意见": len(rows),
        "清单版本": len(publish),
        "超出二报二审": sum(1 for p in plans if p.third_round),
    }


def _comment_targets(department_ids: list[int]) -> dict[int, list[tuple[str, int, str]]]:
    """A sample of each department's live duty items and tasks to comment on."""
    out: dict[int, list[tuple[str, int, str]]] = {d: [] for d in department_ids}
    live = {"department_id__in": department_ids}
    for d in (
        DutyItem.objects.filter(**live)
        .exclude(status=ListStatus.REVOKED)
        .values("id", "department_id", "code", "text")
    ):
        out[d["department_id"]].append(("item", d["id"], f"职责事项 {d['code']}：{d['text'][:40]}"))
    for t in (
        Task.objects.filter(**live)
        .exclude(status=ListStatus.REVOKED)
        .values("id", "department_id", "code", "name")
    ):
        out[t["department_id"]].append(("task", t["id"], f"工作任务 {t['code']}：{t['name'][:40]}"))
    return out


def _comments(
    sub: Submission,
    round_: int,
    at: dt.datetime,
    answered: bool,
    step: str,
    targets: dict[int, list[tuple[str, int, str]]],
    rng: random.Random,
    item_ct: ContentType,
    task_ct: ContentType,
    reviewer: Any,
) -> list[tuple[ReviewComment, dt.datetime]]:
    """Comments of one review; answered (and mostly settled) when the department went on."""
    n = rng.randint(0, 1) if step == S.PASSED else rng.randint(1, 3)
    pool = targets.get(sub.department_id, [])
    picked = rng.sample(pool, min(n, len(pool))) if pool else []
    made: list[tuple[ReviewComment, dt.datetime]] = []
    specs: list[tuple[str, int, str] | None] = [*picked] or [None] * n
    rid = getattr(reviewer, "pk", None)
    for spec in specs:
        kind, pk, label = spec if spec else ("", None, "")
        c = ReviewComment(
            submission=sub,
            department_id=sub.department_id,
            region_id=sub.region_id,
            round=round_,
            target_type=item_ct if kind == "item" else task_ct if kind == "task" else None,
            target_id=pk,
            target_label=label,
            text=rng.choice(COMMENTS if spec else GENERAL_COMMENTS),
            created_by_id=rid,
            updated_by_id=rid,
        )
        if answered:
            c.reply = rng.choice(REPLIES)
            c.replied_at = at + dt.timedelta(days=rng.randint(1, 6))
            c.resolved = rng.random() < 0.8
            if c.resolved:
                c.resolution = Resolution.FIXED
                c.resolved_at = c.replied_at
        made.append((c, at))
    return made
