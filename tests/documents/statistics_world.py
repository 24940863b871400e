"""A hand-built world for the statistics tests, every row through the services.

On top of ``build_process_world()`` (city: 教育局 A with its 考试院, 市场监管局 B; county: C):

====================  ============  ===========  ====  =========
                      A             考试院        B     C (county)
====================  ============  ===========  ====  =========
职责事项 (live)         2 (+1 revoked) 0           1     1
工作任务 (live)         3 (+1 revoked) 0           1     2
工作规范                 1 (+1 blank)  0           0     2
流程图 (current)        1 (a pair)    0           1     0
科室 / 岗位              3 / 4         0 / 0       1 / 1 1 / 0
行政编制 核定/实有        5 / 2         0 / 0       3 / 1 2 / 0
事业编制 核定/实有        0 / 0         2 / 0       0 / 0 0 / 0
====================  ============  ===========  ====  =========

工作饱和度 (1,650 h a person a year): A's 基础教育科 1,900 h for one person → 超负荷; A's 办公室 10 h
and nobody → 无人承担; A's 政策法规科 nothing → 无工作量; B's 登记注册科 100 h, one person → 不饱和;
C's 综合科 240 h and nobody → 无人承担. The pair in A removes 1 step and 3 materials.

Programme (2021, A and B): A sent 8月10日 (on time), returned by the 编办 9月20日 (on time); B
sent 8月20日 (late for 8月15日) and not reviewed by 9月30日 (overdue). As of ``ON`` (2021-10-05)
the 制定手册 and 总结汇报 deadlines are not due yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from qingdan.core.choices import Role, Scope
from qingdan.core.models import User
from qingdan.duties import services as duties
from qingdan.duties.choices import ListStatus
from qingdan.duties.models import Task
from qingdan.org.models import Department, Unit
from qingdan.oversight import services as review
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import Programme, SubmissionEvent
from qingdan.oversight.seed import create_seed_programme
from qingdan.processes import services as processes
from qingdan.processes.graph import load_draft
from tests import builders as b
from tests.duties import helpers as dh
from tests.processes.helpers import ProcessWorld, build_process_world

ON = dt.date(2021, 10, 5)


@dataclass
class StatsWorld:
    pw: ProcessWorld
    unit_c: Unit
    leader_a: User
    leader_b: User
    programme: Programme

    @property
    def w(self) -> b.World:
        return self.pw.w


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 10, 0))


def _reengineer(pw: ProcessWorld) -> None:
    """A's process re-drawn: the 送达 step and two 受理 materials dropped (tests/processes)."""
    old = pw.process_a
    fresh = processes.new_version(old, acting_user=pw.w.clerk_a)
    draft = load_draft(fresh)
    draft.step("accept").materials = draft.step("accept").materials[:1]
    draft.step("accept").days = Decimal("3")
    draft.steps = [s for s in draft.steps if s.key != "deliver"]
    draft.step("grant").exits[0].target = "supervise"
    processes.save_process(fresh, draft, acting_user=pw.w.clerk_a)
    processes.mark_as_after(fresh, old, acting_user=pw.w.clerk_a)


def _lists(pw: ProcessWorld) -> Unit:
    w = pw.w
    # A: task_a (100 h, 基础教育科) comes with the process world.
    item2 = dh.duty(w.dept_a, "负责全市中小学校办学行为的监督管理。")
    dh.task(item2, w.unit_a, "办学行为日常监管", unit_hours="150", work_spec="按检查规范执行。")
    dh.task(item2, pw.office_a, "年度情况汇总", frequency="yearly", work_spec="   ")
    gone = dh.task(item2, w.unit_a, "已取消的专项检查", frequency="yearly", work_spec="有规范。")
    duties.revoke_task(gone, acting_user=w.bianban)
    item3 = dh.duty(w.dept_a, "已调整的职责。")
    duties.transition_status(item3, ListStatus.REVOKED, acting_user=w.bianban)
    # C (county): one unit, nobody in post, two tasks with a 工作规范 (2 × 120 h).
    unit_c = b.unit(w.dept_c, "U01", "综合科")
    item_c = dh.duty(w.dept_c, "负责全区教育事业发展规划。")
    dh.task(item_c, unit_c, "编制年度计划", work_spec="规范一。")
    dh.task(item_c, unit_c, "督导检查", work_spec="规范二。")
    return unit_c


def _review(w: b.World, leader_a: User, leader_b: User) -> Programme:
    programme = create_seed_programme(
        w.city, 2021, acting_user=w.bianban, departments=[w.dept_a, w.dept_b]
    )
    subs = {s.department_id: s for s in programme.submissions.all()}
    a, bb = subs[w.dept_a.pk], subs[w.dept_b.pk]
    review.transition_submission(a, S.PENDING_APPROVAL, acting_user=w.clerk_a)
    review.transition_submission(a, S.SUBMITTED, acting_user=leader_a)
    review.add_comment(a, text="请细化工作任务。", acting_user=w.bianban)
    review.transition_submission(a, S.RETURNED, acting_user=w.bianban)
    review.transition_submission(bb, S.PENDING_APPROVAL, acting_user=w.clerk_b)
    review.transition_submission(bb, S.SUBMITTED, acting_user=leader_b)
    dates = {
        (a.pk, S.PENDING_APPROVAL): dt.date(2021, 8, 9),
        (a.pk, S.SUBMITTED): dt.date(2021, 8, 10),
        (a.pk, S.RETURNED): dt.date(2021, 9, 20),
        (bb.pk, S.PENDING_APPROVAL): dt.date(2021, 8, 19),
        (bb.pk, S.SUBMITTED): dt.date(2021, 8, 20),
    }
    for event in SubmissionEvent.objects.filter(submission__in=[a, bb]):
        SubmissionEvent.objects.filter(pk=event.pk).update(
            at=_at(dates[(event.submission_id, event.to_status)])
        )
    return programme


def build_stats_world() -> StatsWorld:
    pw = build_process_world()
    w = pw.w
    _reengineer(pw)
    unit_c = _lists(pw)
    leader_a = b.user("leader_a", w.city, (Role.DEPT_LEADER, Scope.DEPT, w.city, w.dept_a))
    leader_b = b.user("leader_b", w.city, (Role.DEPT_LEADER, Scope.DEPT, w.city, w.dept_b))
    programme = _review(w, leader_a, leader_b)
    return StatsWorld(pw, unit_c, leader_a, leader_b, programme)


def add_department(world: StatsWorld, n: int) -> Department:
    """One more city department with a unit, a position, a person, a quota, a duty, a task with a
    process, and a submission in the programme — everything the loader reads."""
    w = world.w
    dept = b.department(w.city, f"X{n:02d}", f"东川市新增局{n}")
    b.quota(dept, administrative=4, leader_principal=1)
    unit = b.unit(dept, "U01", "综合科")
    position = b.position(dept, unit, "G01", "综合岗")
    b.assign(b.person(dept, "P01", f"新人{n}"), position)
    item = dh.duty(dept, "负责本部门综合工作。")
    task: Task = dh.task(item, unit, "受理审查：综合许可", frequency="per_case", work_spec="规范。")
    dh.put(task, position)
    processes.create_from_template(kind="licensing", task=task, acting_user=w.bianban)
    current = [s.department for s in world.programme.submissions.select_related("department")]
    review.set_participants(world.programme, [*current, dept], acting_user=w.bianban)
    return dept
