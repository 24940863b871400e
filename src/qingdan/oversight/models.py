"""工作方案 and 二报二审: programmes with phases, each department's submission, its review events and
comments, and the immutable published versions of its 履职清单.

Seed 000: the 编办 issues a 工作方案 with phases and deadlines (培训拟定 → 评估完善 → 制定手册 →
总结汇报); each participating department drafts its list, its leader approves, the 编办 reviews with
comments, the department answers and submits again (二报), the 编办 reviews again (二审), settles
(审定) and publishes. Every row carries region and department for the data-scope gate; nothing here
cascades from the org tree.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from qingdan.core.base import TrackedModel
from qingdan.core.querysets import RestrictedQuerySet
from qingdan.core.validators import free_text, max_text, plain_text
from qingdan.org.models import Department, Region
from qingdan.oversight import choices as c

# 二报二审: two submissions to the 编办 and two reviews; a third round is allowed but flagged.
STANDARD_ROUNDS = 2


class Programme(TrackedModel):
    """A 工作方案 issued by a region's 编办 (e.g. seed 000, 室字〔2019〕94号): its title, document
    number, year, phases with deadlines, and — through its submissions — the participating
    departments."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("方案名称", max_length=200, validators=[plain_text])
    doc_number = models.CharField("文号", max_length=100, blank=True, validators=[plain_text])
    issued_on = models.DateField("印发日期", null=True, blank=True)
    note = models.TextField(
        "说明", blank=True, max_length=5000, validators=[max_text(5000), free_text]
    )

    objects = RestrictedQuerySet.as_manager()
    # The 编办 writes programmes; departments, leaders and supervisors read them.
    access_group = "org.structure"
    scope_region_field = "region_id"
    scope_department_field = None

    class Meta:
        verbose_name = "工作方案"
        verbose_name_plural = "工作方案"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "title"],
                name="programme_title_unique_in_region",
                violation_error_message="本行政区划本年度已有同名的工作方案。",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProgrammePhase(TrackedModel):
    """A 工作阶段 of a programme (培训拟定、评估完善、制定手册、总结汇报): its window, the deadline by
    which something is due (``deliverable``), and which submission milestone counts as delivered."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="phases", verbose_name="工作方案"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("阶段名称", max_length=50, validators=[plain_text])
    kind = models.CharField(
        "阶段类型", max_length=12, choices=c.PhaseKind.choices, default=c.PhaseKind.OTHER
    )
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    deadline = models.DateField("报送截止日期", help_text="阶段内应完成事项的截止日期。")
    deliverable = models.CharField(
        "应完成事项", max_length=300, blank=True, validators=[plain_text]
    )
    milestone = models.CharField(
        "考核节点",
        max_length=20,
        choices=c.Milestone.choices,
        blank=True,
        default=c.Milestone.NONE,
        help_text="部门报送达到该节点即视为本阶段按时完成；留空表示不按部门考核。",
    )

    objects = RestrictedQuerySet.as_manager()
    access_group = "org.structure"
    scope_region_field = "region_id"
    scope_department_field = None

    class Meta:
        verbose_name = "工作阶段"
        verbose_name_plural = "工作阶段"
        ordering = ["programme_id", "order", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="phase_end_after_start",
                violation_error_message="结束日期不能早于开始日期。",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("start")) & Q(deadline__lte=models.F("end")),
                name="phase_deadline_inside",
                violation_error_message="报送截止日期应在阶段起止日期之内。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.start:%m月%d日}—{self.end:%m月%d日}）"


class Submission(TrackedModel):
    """A department's 清单报送 under a programme: its place in 二报二审 and how many times it has
    gone to the 编办 (``round``: 1 = 一报/初审, 2 = 二报/复审, 3+ = beyond the rule, flagged).

    The status changes only through ``services.transition_submission``, which writes a
    :class:`SubmissionEvent` for every step.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="submissions", verbose_name="工作方案"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    status = models.CharField(
        "状态",
        max_length=20,
        choices=c.SubmissionStatus.choices,
        default=c.SubmissionStatus.DRAFT,
        editable=False,
    )
    round = models.PositiveSmallIntegerField("报送轮次", default=0, editable=False)

    objects = RestrictedQuerySet.as_manager()
    access_group = "lists"
    scope_region_field = "region_id"
    scope_department_field = "department_id"

    class Meta:
        verbose_name = "清单报送"
        verbose_name_plural = "清单报送"
        ordering = ["programme_id", "department__order", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "department"],
                name="submission_one_per_department",
                violation_error_message="该部门已参加此工作方案。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.programme}"

    @property
    def extra_round(self) -> bool:
        """Beyond 二报二审: a third (or later) submission to the 编办."""
        return self.round > STANDARD_ROUNDS


class SubmissionEvent(models.Model):
    """One step of a submission (报送审核记录): from which status to which, by whom, when, in which
    round, with the actor's comment. Written only by the transition service, never changed."""

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="events", verbose_name="清单报送"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门", editable=False
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    from_status = models.CharField("原状态", max_length=20, choices=c.SubmissionStatus.choices)
    to_status = models.CharField("新状态", max_length=20, choices=c.SubmissionStatus.choices)
    round = models.PositiveSmallIntegerField("轮次")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    comment = models.TextField(
        "说明", blank=True, max_length=2000, validators=[max_text(2000), free_text]
    )

    objects = RestrictedQuerySet.as_manager()
    access_group = "lists"
    scope_region_field = "region_id"
    scope_department_field = "department_id"

    class Meta:
        verbose_name = "报送审核记录"
        verbose_name_plural = "报送审核记录"
        ordering = ["submission_id", "at", "id"]
        indexes = [models.Index(fields=["submission", "to_status", "at"], name="event_milestone")]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def extra_round(self) -> bool:
        return self.round > STANDARD_ROUNDS


class ReviewComment(TrackedModel):
    """A 审核意见 of the 编办 on one duty item or task of the submission (or on the department's
    list as a whole), in one review round, with the department's reply and how it was settled."""

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="comments", verbose_name="清单报送"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门", editable=False
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    round = models.PositiveSmallIntegerField("轮次", editable=False)
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="意见对象类型",
    )
    target_id = models.PositiveBigIntegerField("意见对象ID", null=True, blank=True)
    # The target's code and text when the comment was made, so the comment still reads well if
    # the item is later renamed or revoked.
    target_label = models.CharField("意见对象", max_length=200, blank=True, editable=False)
    text = models.TextField("审核意见", validators=[max_text(2000), free_text])
    reply = models.TextField(
        "部门答复", blank=True, max_length=2000, validators=[max_text(2000), free_text]
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="答复人",
        editable=False,
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True, editable=False)
    resolved = models.BooleanField("已处理", default=False, editable=False)
    resolution = models.CharField(
        "处理方式", max_length=12, choices=c.Resolution.choices, blank=True, editable=False
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
        editable=False,
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    access_group = "lists"
    scope_region_field = "region_id"
    scope_department_field = "department_id"

    class Meta:
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"
        ordering = ["submission_id", "round", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_type__isnull=True, target_id__isnull=True)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="comment_target_complete",
                violation_error_message="意见对象类型和对象须同时填写（或同时留空表示部门整体意见）。",
            ),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="comment_target")]

    def __str__(self) -> str:
        return f"第{self.round}轮 · {self.target_label or '部门整体'} · {self.text[:30]}"

    @property
    def answered(self) -> bool:
        """Settled or replied to: what resubmission requires of every comment of the round."""
        return self.resolved or bool(self.reply.strip())


class ListVersion(models.Model):
    """A published version (清单版本) of a department's 履职清单: a canonical JSON snapshot of every
    active duty item, task and task-position at publication, with its SHA-256. Immutable: there is
    no update or delete service and the back office shows it read-only."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划"
    )
    number = models.PositiveIntegerField("版本号")
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="versions", verbose_name="清单报送"
    )
    published_at = models.DateTimeField("发布时间", default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发布人",
    )
    snapshot = models.JSONField("清单快照")
    sha256 = models.CharField("SHA-256", max_length=64)
    duty_item_count = models.PositiveIntegerField("职责事项数", default=0)
    task_count = models.PositiveIntegerField("工作任务数", default=0)
    task_position_count = models.PositiveIntegerField("任务岗位数", default=0)

    objects = RestrictedQuerySet.as_manager()
    access_group = "lists"
    scope_region_field = "region_id"
    scope_department_field = "department_id"
    # The snapshot is the version itself; the change log keeps its hash, not a second copy.
    changelog_exclude = ("snapshot",)

    class Meta:
        verbose_name = "清单版本"
        verbose_name_plural = "清单版本"
        ordering = ["department_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "number"],
                name="listversion_number_unique",
                violation_error_message="该部门已有同一版本号的清单版本。",
            ),
            models.UniqueConstraint(
                fields=["submission"],
                name="listversion_one_per_submission",
                violation_error_message="该次报送已发布过清单版本。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} 第{self.number}版"
