"""Builders for the review tests: the org world plus a department leader, a seed-000 programme,
and a small 履职清单 for department A, all made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qingdan.core.choices import Role, Scope
from qingdan.core.models import User
from qingdan.duties import services as duties
from qingdan.duties.models import DutyItem, Task, TaskPosition
from qingdan.org.models import Department, Position, Unit
from qingdan.oversight import services
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import Programme, ReviewComment, Submission
from qingdan.oversight.seed import create_seed_programme
from tests.builders import World, build_world, user


def duty_item(dept: Department, code: str, text: str, **kw: Any) -> DutyItem:
    return duties.create_duty_item(
        DutyItem(department=dept, code=code, text=text, **kw), acting_user=None
    )


def task(item: DutyItem, code: str, name: str, lead: Unit, **kw: Any) -> Task:
    kw.setdefault("frequency", "monthly")
    kw.setdefault("unit_hours", Decimal("4"))
    return duties.create_task(
        Task(duty_item=item, code=code, name=name, lead_unit=lead, **kw), acting_user=None
    )


def assign(t: Task, position: Position, role: str = "lead") -> TaskPosition:
    return duties.create_task_position(
        TaskPosition(task=t, position=position, role=role), acting_user=None
    )


@dataclass
class ReviewWorld:
    w: World
    leader_a: User
    programme: Programme
    sub_a: Submission
    sub_b: Submission
    item1: DutyItem
    item2: DutyItem
    task1: Task
    task2: Task


def build_review_world(year: int = 2019) -> ReviewWorld:
    w = build_world()
    leader_a = user("leader_a", w.city, (Role.DEPT_LEADER, Scope.DEPT, w.city, w.dept_a))
    programme = create_seed_programme(
        w.city, year, acting_user=w.bianban, departments=[w.dept_a, w.dept_b]
    )
    item1 = duty_item(w.dept_a, "ZZ001", "拟订全市教育发展规划并组织实施。", category="policy")
    item2 = duty_item(
        w.dept_a, "ZZ002", "负责全市中小学校办学行为的监督管理。", category="regulation"
    )
    task1 = task(item1, "ZZ001-01", "编制教育事业发展五年规划", w.unit_a, frequency="yearly")
    task2 = task(
        item2,
        "ZZ002-01",
        "中小学办学行为专项检查",
        w.unit_a,
        frequency="quarterly",
        is_supervision=True,
        work_spec="按《中小学办学行为专项检查工作规范》执行，检查结果五个工作日内通报。",
    )
    assign(task1, w.position_a)
    assign(task2, w.position_a)
    subs = {s.department_id: s for s in programme.submissions.all()}
    return ReviewWorld(
        w,
        leader_a,
        programme,
        subs[w.dept_a.pk],
        subs[w.dept_b.pk],
        item1,
        item2,
        task1,
        task2,
    )


def step(sub: Submission, to: str, actor: Any, comment: str = "") -> None:
    services.transition_submission(sub, to, acting_user=actor, comment=comment)


def drive_to(sub: Submission, target: str, rw: ReviewWorld, *, clerk: Any = None) -> None:
    """Take a submission along the main 二报二审 path until it reaches ``target``."""
    clerk = clerk or rw.w.clerk_a
    leader, bianban = rw.leader_a, rw.w.bianban
    path: list[tuple[str, Any]] = [
        (S.PENDING_APPROVAL, clerk),
        (S.SUBMITTED, leader),
        (S.RETURNED, bianban),
        (S.PENDING_APPROVAL, clerk),
        (S.RESUBMITTED, leader),
        (S.FINAL, bianban),
        (S.PUBLISHED, bianban),
    ]
    for to, actor in path:
        if sub.status == target:
            return
        if to == S.RETURNED:
            services.add_comment(sub, text="请细化工作任务。", acting_user=bianban)
        if to == S.PENDING_APPROVAL and sub.round > 0:
            for c in ReviewComment.objects.filter(submission=sub, round=sub.round):
                if not c.answered:
                    services.reply_to_comment(c, text="已修改。", fixed=True, acting_user=clerk)
        step(sub, to, actor)
    assert sub.status == target, sub.status
