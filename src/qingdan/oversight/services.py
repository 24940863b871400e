"""Writes of the review loop: programmes and phases, participants, the 二报二审 state machine,
review comments, and publication. Admin, API, pages and the demo generator all call these.

The state machine is ``ALLOWED`` (from → possible targets) plus ``ACTION_FOR`` (the gate action a
target needs: 报送 submit, 审批 approve, 审核 review, 发布 publish). ``transition_submission`` is the
only way a submission's status changes; it checks the table, the actor's permission on that
department's list, the preconditions of the step, and writes a SubmissionEvent and the change log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from qingdan.core.access import restrict
from qingdan.core.changelog import Change, record_many, snapshot
from qingdan.core.choices import Action, ChangeKind
from qingdan.core.services import create_object, delete_object, update_object
from qingdan.duties.models import DutyItem, Task
from qingdan.org.models import Department
from qingdan.oversight import checks, versions
from qingdan.oversight.choices import Resolution
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import (
    STANDARD_ROUNDS,
    Programme,
    ProgrammePhase,
    ReviewComment,
    Submission,
    SubmissionEvent,
)

ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PENDING_APPROVAL}),
    S.PENDING_APPROVAL: frozenset({S.DRAFT, S.SUBMITTED, S.RESUBMITTED}),
    S.SUBMITTED: frozenset({S.RETURNED, S.PASSED}),
    S.RETURNED: frozenset({S.PENDING_APPROVAL}),
    S.PASSED: frozenset({S.PENDING_APPROVAL}),
    S.RESUBMITTED: frozenset({S.RETURNED_AGAIN, S.FINAL}),
    S.RETURNED_AGAIN: frozenset({S.PENDING_APPROVAL}),
    S.FINAL: frozenset({S.PUBLISHED}),
    S.PUBLISHED: frozenset(),
}

# Who may move a submission *to* a status (every target has exactly one action).
ACTION_FOR: dict[str, Action] = {
    S.PENDING_APPROVAL: Action.SUBMIT,  # clerk / dept admin submits to the leader
    S.DRAFT: Action.APPROVE,  # the leader returns it to the clerk
    S.SUBMITTED: Action.APPROVE,  # the leader approves: 一报 to the 编办
    S.RESUBMITTED: Action.APPROVE,  # the leader approves again: 二报 (or later)
    S.RETURNED: Action.REVIEW,
    S.PASSED: Action.REVIEW,
    S.RETURNED_AGAIN: Action.REVIEW,
    S.FINAL: Action.REVIEW,
    S.PUBLISHED: Action.PUBLISH,
}

# While the 编办 reviews, it writes comments; while returned (or passed with comments), the
# department answers them.
REVIEWING = frozenset({S.SUBMITTED, S.RESUBMITTED})
ANSWERING = frozenset({S.RETURNED, S.PASSED, S.RETURNED_AGAIN})
RETURNS = frozenset({S.RETURNED, S.RETURNED_AGAIN})

BUTTON_LABELS: dict[str, str] = {
    S.PENDING_APPROVAL: "提交部门负责人审批",
    S.DRAFT: "退回填报人修改",
    S.SUBMITTED: "审批通过，报送编办",
    S.RESUBMITTED: "审批通过，再次报送编办",
    S.RETURNED: "初审退回",
    S.PASSED: "初审通过",
    S.RETURNED_AGAIN: "复审退回",
    S.FINAL: "审定",
    S.PUBLISHED: "发布清单",
}

MAX_LISTED = 30


def _label(status: str) -> str:
    try:
        return str(S(status).label)
    except ValueError:
        return status


# ---------------------------------------------------------------------------------------------
# Programmes and phases (编办 only: the gate gives departments view only)


def validate_programme(programme: Programme) -> None:
    if programme.year and not 2000 <= programme.year <= 2100:
        raise ValidationError({"year": "年度应在2000至2100之间。"})


@transaction.atomic
def create_programme(programme: Programme, *, acting_user: Any, reason: str = "") -> Programme:
    validate_programme(programme)
    return create_object(programme, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_programme(programme: Programme, *, acting_user: Any, reason: str = "") -> Programme:
    validate_programme(programme)
    stored_region = Programme.objects.filter(pk=programme.pk).values_list("region_id", flat=True)
    if stored_region.get() != programme.region_id and programme.submissions.exists():
        raise ValidationError({"region": "已有参与部门的工作方案不能更改行政区划。"})
    return update_object(programme, acting_user=acting_user, reason=reason)


@transaction.atomic
def delete_programme(programme: Programme, *, acting_user: Any, reason: str = "") -> None:
    """Only a programme nobody has acted on yet can be deleted (with its phases and drafts)."""
    if SubmissionEvent.objects.filter(submission__programme=programme).exists():
        raise ValidationError("该工作方案已有部门报送记录，不能删除。")
    for phase in programme.phases.all():
        delete_object(phase, acting_user=acting_user, reason=reason)
    for sub in programme.submissions.all():
        if sub.comments.exists():
            raise ValidationError("该工作方案已有审核意见，不能删除。")
        delete_object(sub, acting_user=acting_user, reason=reason)
    delete_object(programme, acting_user=acting_user, reason=reason)


def validate_phase(phase: ProgrammePhase) -> None:
    errors: dict[str, str] = {}
    if phase.programme_id:
        phase.region_id = phase.programme.region_id
    if phase.start and phase.end and phase.end < phase.start:
        errors["end"] = "结束日期不能早于开始日期。"
    if (
        phase.start
        and phase.end
        and phase.deadline
        and not phase.start <= phase.deadline <= phase.end
    ):
        errors["deadline"] = "报送截止日期应在阶段起止日期之内。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_phase(phase: ProgrammePhase, *, acting_user: Any, reason: str = "") -> ProgrammePhase:
    validate_phase(phase)
    return create_object(phase, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_phase(phase: ProgrammePhase, *, acting_user: Any, reason: str = "") -> ProgrammePhase:
    validate_phase(phase)
    return update_object(phase, acting_user=acting_user, reason=reason)


def delete_phase(phase: ProgrammePhase, *, acting_user: Any, reason: str = "") -> None:
    delete_object(phase, acting_user=acting_user, reason=reason)


@transaction.atomic
def set_participants(
    programme: Programme,
    departments: Iterable[Department],
    *,
    acting_user: Any,
    reason: str = "",
) -> tuple[list[Submission], list[Department]]:
    """Make ``departments`` exactly the participants: a draft submission for each new one; a
    department can leave only while nothing has been done on its submission.

    Returns (created submissions, removed departments).
    """
    wanted = {d.pk: d for d in departments}
    foreign = [d.name for d in wanted.values() if d.region_id != programme.region_id]
    if foreign:
        raise ValidationError(
            {"departments": f"参与部门须属于本工作方案所在的行政区划：{'、'.join(foreign)}。"}
        )
    current = {s.department_id: s for s in programme.submissions.select_related("department")}
    leaving = [s for d_id, s in current.items() if d_id not in wanted]
    blocked = [
        s.department.name
        for s in leaving
        if s.status != S.DRAFT or s.events.exists() or s.comments.exists()
    ]
    if blocked:
        raise ValidationError(
            {"departments": f"以下部门已开始报送，不能移出工作方案：{'、'.join(blocked)}。"}
        )
    for s in leaving:
        delete_object(s, acting_user=acting_user, reason=reason or "移出工作方案")
    uid = getattr(acting_user, "pk", None)
    created = [
        Submission(
            programme=programme,
            department=d,
            region_id=d.region_id,
            created_by_id=uid,
            updated_by_id=uid,
        )
        for d_id, d in wanted.items()
        if d_id not in current
    ]
    Submission.objects.bulk_create(created)
    record_many(
        (Change(ChangeKind.CREATE, s, None, snapshot(s)) for s in created),
        acting_user=acting_user,
        reason=reason or "加入工作方案",
    )
    return created, [s.department for s in leaving]


# ---------------------------------------------------------------------------------------------
# The state machine


def has_action(user: Any, submission: Submission, action: Action | str) -> bool:
    """Whether the gate lets ``user`` perform ``action`` on this department's submission."""
    return restrict(Submission.objects.filter(pk=submission.pk), user, action).exists()


def _require(user: Any, submission: Submission, action: Action) -> None:
    if not has_action(user, submission, action):
        raise PermissionDenied(f"您没有对该部门清单执行“{action.label}”操作的权限。")


def _round_problem(submission: Submission, to: str) -> str | None:
    if to == S.SUBMITTED and submission.round > 0:
        return "该清单已报送过编办，本次应作为再次报送（二报）。"
    if to == S.RESUBMITTED and submission.round == 0:
        return "该清单尚未报送过编办，本次应作为首次报送。"
    return None


def round_comments(submission: Submission) -> models.QuerySet[ReviewComment]:
    return ReviewComment.objects.filter(submission=submission, round=submission.round)


def _listing(head: str, lines: list[str]) -> list[str]:
    shown = lines[:MAX_LISTED]
    more = [f"……等共{len(lines)}项。"] if len(lines) > MAX_LISTED else []
    return [head, *shown, *more]


def _list_problems(submission: Submission) -> list[str]:
    """What blocks a department's list from going up (报送前检查)."""
    if not checks.has_live_duty_items(submission.department_id):
        return ["本部门清单还没有职责事项，不能报送。"]
    problems = checks.department_work_spec_problems(submission.department_id)
    if problems:
        return _listing(
            f"以下{len(problems)}项工作任务属于监管、执法事项或自由裁量、廉政风险等级高，"
            "须制定工作规范，但尚未填写：",
            problems,
        )
    return []


def _unanswered(submission: Submission) -> list[ReviewComment]:
    return [c for c in round_comments(submission) if not c.answered]


def _preconditions(submission: Submission, to: str, comment: str) -> list[str]:
    if to == S.PENDING_APPROVAL:
        if submission.round > 0:
            open_ = _unanswered(submission)
            if open_:
                return _listing(
                    f"第{submission.round}轮审核意见中还有{len(open_)}条未答复或未处理，"
                    "请逐条答复后再报送：",
                    [f"{c.target_label or '部门整体'}：{c.text[:60]}" for c in open_],
                )
        return _list_problems(submission)
    if to in (S.SUBMITTED, S.RESUBMITTED):
        problem = _round_problem(submission, to)
        return [problem] if problem else _list_problems(submission)
    if to == S.DRAFT and not comment.strip():
        return ["退回修改时请填写退回理由。"]
    if to in RETURNS and not round_comments(submission).filter(resolved=False).exists():
        return ["退回前请至少提出一条未处理的审核意见。"]
    if to == S.FINAL:
        n = round_comments(submission).filter(resolved=False).count()
        if n:
            return [f"本轮还有{n}条审核意见未处理，不能审定；请退回，或先将意见标记为已处理。"]
    return []


@transaction.atomic
def transition_submission(
    submission: Submission, to: str, *, acting_user: Any, comment: str = ""
) -> SubmissionEvent:
    """Move a submission one step through 二报二审 and record the step.

    Raises ``ValidationError`` (Chinese) for a step the table does not allow or whose
    preconditions fail, ``PermissionDenied`` when the actor lacks the step's action on this
    department. Writes nothing in either case.
    """
    sub = Submission.objects.select_for_update().select_related("department").get(pk=submission.pk)
    source = sub.status
    if to not in ALLOWED.get(source, frozenset()):
        targets = sorted(ALLOWED.get(source, ()), key=list(ACTION_FOR).index)
        nexts = "、".join(f"“{_label(s)}”" for s in targets)
        hint = f"当前只能变更为{nexts}。" if nexts else "该状态为终态，不能再变更。"
        raise ValidationError(
            {"status": f"清单当前为“{_label(source)}”，不能变更为“{_label(to)}”。{hint}"}
        )
    _require(acting_user, sub, ACTION_FOR[to])
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": "说明不能超过2000字。"})
    problems = _preconditions(sub, to, comment)
    if problems:
        raise ValidationError({"status": problems})

    now = timezone.now()
    if to in (S.SUBMITTED, S.RESUBMITTED):
        sub.round += 1
    if to == S.PUBLISHED:
        versions.activate_drafts(
            sub.department, acting_user=acting_user, reason=f"发布清单：{sub.programme}"
        )
        versions.create_version(sub, acting_user=acting_user, at=now)
    sub.status = to
    reason = comment or str(BUTTON_LABELS[to])
    if sub.extra_round and to in (S.SUBMITTED, S.RESUBMITTED):
        reason = f"【超出二报二审：第{sub.round}轮】{reason}"
    update_object(sub, acting_user=acting_user, reason=reason)
    event = SubmissionEvent(
        submission=sub,
        department_id=sub.department_id,
        region_id=sub.region_id,
        from_status=source,
        to_status=to,
        round=sub.round,
        actor=acting_user if getattr(acting_user, "pk", None) else None,
        at=now,
        comment=comment,
    )
    create_object(event, acting_user=acting_user, reason=reason)
    submission.status, submission.round = sub.status, sub.round
    return event


@dataclass(frozen=True)
class TransitionOption:
    """A button on the submission page: a step this user may take now."""

    to: str
    label: str
    action: str
    needs_comment: bool

    @property
    def to_label(self) -> str:
        return _label(self.to)


def allowed_transitions(submission: Submission, user: Any) -> list[TransitionOption]:
    """The steps the table allows from here that this user holds the action for (the page's
    buttons; preconditions are checked when the button is pressed)."""
    allowed: dict[str, bool] = {}
    options = []
    # The 编办 may act for a department (the gate gives it every action); say so on the button.
    on_behalf = has_action(user, submission, Action.REVIEW)
    for to in sorted(ALLOWED[submission.status], key=list(ACTION_FOR).index):
        if _round_problem(submission, to):
            continue
        action = ACTION_FOR[to]
        if action not in allowed:
            allowed[action] = has_action(user, submission, action)
        if not allowed[action]:
            continue
        label = BUTTON_LABELS[to]
        if to == S.RESUBMITTED and submission.round >= STANDARD_ROUNDS:
            label = f"审批通过，第{submission.round + 1}次报送编办（超出二报二审）"
        elif to == S.PENDING_APPROVAL and submission.round > 0:
            label = "修改完毕，提交部门负责人审批"
        if on_behalf and action in (Action.SUBMIT, Action.APPROVE):
            label = f"{label}（代部门操作）"
        options.append(TransitionOption(to, label, action, to == S.DRAFT or to in RETURNS))
    return options


# ---------------------------------------------------------------------------------------------
# Review comments


COMMENT_TARGETS: tuple[type[models.Model], ...] = (DutyItem, Task)


def resolve_target(
    submission: Submission, target_type: str, target_id: int | None
) -> models.Model | None:
    """The duty item or task a comment is about, from ``"dutyitem"``/``"task"`` and an id; ``None``
    for a department-level comment. Only rows of the submission's department qualify."""
    if not target_type:
        return None
    model = {m._meta.model_name: m for m in COMMENT_TARGETS}.get(target_type)
    if model is None or target_id is None:
        raise ValidationError({"target": "意见对象类型不正确。"})
    obj = model._default_manager.filter(
        pk=target_id, department_id=submission.department_id
    ).first()
    if obj is None:
        raise ValidationError({"target": "意见对象不存在或不属于该部门。"})
    return obj


def _target_label(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, DutyItem):
        return f"职责事项 {obj.code}：{obj.text[:40]}"[:200]
    if isinstance(obj, Task):
        return f"工作任务 {obj.code}：{obj.name[:40]}"[:200]
    return str(obj)[:200]


@transaction.atomic
def add_comment(
    submission: Submission,
    *,
    text: str,
    target: models.Model | None = None,
    acting_user: Any,
) -> ReviewComment:
    """The 编办 comments on a duty item, a task, or the list as a whole (``target=None``)."""
    sub = Submission.objects.select_for_update().get(pk=submission.pk)
    _require(acting_user, sub, Action.REVIEW)
    if sub.status not in REVIEWING:
        raise ValidationError(
            {
                "text": f"只有在编办审核期间（已报编办、待复审）才能提出审核意见；当前为“{_label(sub.status)}”。"
            }
        )
    if target is not None and (
        not isinstance(target, COMMENT_TARGETS)
        or getattr(target, "department_id", None) != sub.department_id
    ):
        raise ValidationError({"target": "意见对象须为该部门的职责事项或工作任务。"})
    if not (text or "").strip():
        raise ValidationError({"text": "请填写审核意见。"})
    comment = ReviewComment(
        submission=sub,
        department_id=sub.department_id,
        region_id=sub.region_id,
        round=sub.round,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        target_label=_target_label(target),
        text=text.strip(),
    )
    return create_object(comment, acting_user=acting_user, reason="提出审核意见")


@transaction.atomic
def reply_to_comment(
    comment: ReviewComment, *, text: str, fixed: bool = False, acting_user: Any
) -> ReviewComment:
    """The department answers a comment: a reply, and optionally "已按意见修改" (which settles it)."""
    c = ReviewComment.objects.select_for_update().select_related("submission").get(pk=comment.pk)
    sub = c.submission
    _require(acting_user, sub, Action.SUBMIT)
    if sub.status not in ANSWERING or c.round != sub.round:
        raise ValidationError({"reply": "只能在清单被退回（或初审通过）后答复本轮审核意见。"})
    text = (text or "").strip()
    if not text and not fixed:
        raise ValidationError({"reply": "请填写答复内容，或选择“已按意见修改”。"})
    now = timezone.now()
    c.reply = text or c.reply
    c.replied_by = acting_user if getattr(acting_user, "pk", None) else None
    c.replied_at = now
    if fixed:
        c.resolved, c.resolution, c.resolved_at = True, Resolution.FIXED, now
        c.resolved_by = c.replied_by
    update_object(c, acting_user=acting_user, reason="答复审核意见")
    for name in ("reply", "replied_at", "resolved", "resolution"):
        setattr(comment, name, getattr(c, name))
    return c


@transaction.atomic
def resolve_comment(
    comment: ReviewComment,
    *,
    acting_user: Any,
    resolution: str = Resolution.ACCEPTED,
) -> ReviewComment:
    """The 编办 settles a comment: accepts the department's answer or withdraws the comment."""
    c = ReviewComment.objects.select_for_update().select_related("submission").get(pk=comment.pk)
    _require(acting_user, c.submission, Action.REVIEW)
    if c.submission.status == S.PUBLISHED:
        raise ValidationError({"resolution": "清单已发布，审核意见不能再变更。"})
    if resolution not in (Resolution.ACCEPTED, Resolution.WITHDRAWN):
        raise ValidationError({"resolution": "处理方式应为“审核确认”或“撤回意见”。"})
    if c.resolved:
        raise ValidationError({"resolution": "该意见已处理。"})
    c.resolved, c.resolution, c.resolved_at = True, resolution, timezone.now()
    c.resolved_by = acting_user if getattr(acting_user, "pk", None) else None
    update_object(c, acting_user=acting_user, reason=str(Resolution(resolution).label))
    comment.resolved, comment.resolution = c.resolved, c.resolution
    return c
