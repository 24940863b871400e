"""Vocabularies of the review and publication loop (工作方案, 二报二审, 发布)."""

from django.db import models


class SubmissionStatus(models.TextChoices):
    """Where a department's 清单 stands in 二报二审 (see docs/review.md for the whole table)."""

    DRAFT = "draft", "草稿"
    PENDING_APPROVAL = "pending_approval", "待部门审批"
    SUBMITTED = "submitted", "已报编办"
    RETURNED = "returned", "初审退回"
    PASSED = "passed", "初审通过"
    RESUBMITTED = "resubmitted", "待复审"
    RETURNED_AGAIN = "returned_again", "复审退回"
    FINAL = "final", "审定"
    PUBLISHED = "published", "已发布"


class PhaseKind(models.TextChoices):
    """The four stages of seed 000's 工作安排."""

    DRAFTING = "drafting", "培训拟定"
    EVALUATION = "evaluation", "评估完善"
    HANDBOOK = "handbook", "制定手册"
    SUMMARY = "summary", "总结汇报"
    OTHER = "other", "其他"


class Milestone(models.TextChoices):
    """What a department's submission must have reached by a phase's deadline."""

    NONE = "", "无（不按部门考核）"
    FIRST_SUBMITTED = "first_submitted", "首次报送编办"
    FIRST_REVIEWED = "first_reviewed", "编办完成初审"
    RESUBMITTED = "resubmitted", "二次报送编办"
    FINALIZED = "finalized", "编办审定"
    PUBLISHED = "published", "清单发布"


class DeadlineState(models.TextChoices):
    """A submission against one phase's deadline, computed from its events (never stored)."""

    NOT_APPLICABLE = "na", "不考核"
    NOT_DUE = "not_due", "未到期"
    ON_TIME = "on_time", "按时完成"
    LATE = "late", "逾期完成"
    OVERDUE = "overdue", "已逾期"


class Resolution(models.TextChoices):
    """How a review comment was settled (意见处理方式)."""

    FIXED = "fixed", "已按意见修改"
    EXPLAINED = "explained", "已作说明"
    ACCEPTED = "accepted", "审核确认"
    WITHDRAWN = "withdrawn", "撤回意见"


# Statuses whose arrival marks a milestone; the earliest such event is when it was reached.
MILESTONE_STATUSES: dict[str, frozenset[str]] = {
    Milestone.FIRST_SUBMITTED: frozenset({SubmissionStatus.SUBMITTED}),
    Milestone.FIRST_REVIEWED: frozenset({SubmissionStatus.RETURNED, SubmissionStatus.PASSED}),
    Milestone.RESUBMITTED: frozenset({SubmissionStatus.RESUBMITTED}),
    Milestone.FINALIZED: frozenset({SubmissionStatus.FINAL}),
    Milestone.PUBLISHED: frozenset({SubmissionStatus.PUBLISHED}),
}
