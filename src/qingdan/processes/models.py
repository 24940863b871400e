"""流程 and 流程图: a process (一事一流程) with its steps, flows, materials and risk points.

A process and its steps, flows, materials and risk points are one aggregate, written only through
``processes.services.save_process`` (one change-log entry per save with the full structured
snapshot). Every row carries region, department, status and a code like every list row; nothing
cascades from the org tree or the duty lists into it (PROTECT), and the parts of a process go with
their process.

Versions: a process keeps its ``code`` across versions; exactly one version per code is
``is_current``. Re-engineering (流程再造) pairs an "after" version with its "before" one through
``Process.before``; ``step_count``, ``material_count`` and ``path_days`` are kept by the service so
the before/after figures roll up in one query.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from qingdan.core.base import TrackedModel
from qingdan.core.querysets import RestrictedQuerySet
from qingdan.core.validators import free_text, max_text, plain_text
from qingdan.duties.choices import ListStatus
from qingdan.duties.models import ListRow, Task
from qingdan.org.models import Department, Person, Position, Region, Unit, code_validator
from qingdan.processes import choices as c

DAYS_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("3650"))]


class ProcessQuerySet(RestrictedQuerySet):
    def current(self) -> ProcessQuerySet:
        return self.filter(is_current=True)

    def after_versions(self) -> ProcessQuerySet:
        """The "after" side of every re-engineering pair (再造后), revoked ones left out."""
        return self.filter(before__isnull=False).exclude(status=ListStatus.REVOKED)


class Process(ListRow):
    """A 办理流程 (一事一流程) of a task or, later, a power item, drawn as a swimlane flowchart.

    It follows a power type's template (行政许可, 行政处罚…), states the 法定时限 in working days
    (工作日) and the process-level safeguards the 流程图 must show: 监督制约, 投诉 channels and the
    相对人's rights. ``before`` makes this version the re-engineered ("after") form of another.
    """

    code = models.CharField("流程编码", max_length=32, validators=[code_validator])
    name = models.CharField("流程名称", max_length=200, validators=[plain_text])
    task = models.ForeignKey(
        Task,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="processes",
        verbose_name="工作任务",
    )
    kind = models.CharField(
        "流程类型", max_length=20, choices=c.ProcessKind.choices, default=c.ProcessKind.OTHER
    )
    version = models.PositiveIntegerField("版本", default=1, validators=[MinValueValidator(1)])
    is_current = models.BooleanField("当前版本", default=True)
    before = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="afters",
        verbose_name="再造前流程",
        help_text="本流程是哪个流程再造后的版本。",
    )
    legal_limit_days = models.DecimalField(
        "法定时限（工作日）",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=DAYS_VALIDATORS,
    )
    supervision = models.TextField(
        "监督制约措施", blank=True, validators=[max_text(2000), free_text]
    )
    complaint = models.TextField("投诉渠道", blank=True, validators=[max_text(1000), free_text])
    rights = models.TextField("相对人权利", blank=True, validators=[max_text(2000), free_text])
    # Kept by the service on every save (re-engineering figures in one query).
    step_count = models.PositiveIntegerField("办事环节数", default=0, editable=False)
    material_count = models.PositiveIntegerField("办事材料数", default=0, editable=False)
    risk_count = models.PositiveIntegerField("风险点数", default=0, editable=False)
    path_days = models.DecimalField(
        "最长路径时限（工作日）", max_digits=7, decimal_places=1, default=0, editable=False
    )

    objects = ProcessQuerySet.as_manager()

    class Meta:
        verbose_name = "流程"
        verbose_name_plural = "流程"
        ordering = ["department_id", "order", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "code", "version"],
                name="process_version_unique",
                violation_error_message="该部门已有同一编码、同一版本的流程。",
            ),
            models.UniqueConstraint(
                fields=["department", "code"],
                condition=Q(is_current=True),
                name="process_one_current",
                violation_error_message="同一流程只能有一个当前版本。",
            ),
            models.UniqueConstraint(
                fields=["before"],
                condition=Q(before__isnull=False),
                name="process_one_after_per_before",
                violation_error_message="该流程已有再造后的版本。",
            ),
        ]
        indexes = [models.Index(fields=["task"], name="process_task")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class ProcessPart(TrackedModel):
    """Columns every part of a process has; region, department and status follow the process."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, verbose_name="流程")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门", editable=False
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    status = models.CharField(
        "状态", max_length=10, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    order = models.PositiveIntegerField("排序", default=0)

    objects = RestrictedQuerySet.as_manager()
    access_group = "lists"
    scope_region_field = "region_id"
    scope_department_field = "department_id"
    scope_owner_field = "created_by_id"

    class Meta:
        abstract = True


class Step(ProcessPart):
    """A 环节 of a process: start/end, an action, a decision or a parallel gateway.

    ``code`` is the step's stable key within the process (the flowchart node id, kept across
    versions and BPMN round trips). The swimlane is a unit, a position or a free label (申请人,
    分管领导); 责任领导 (a leadership position), 责任科室 and 责任人 are required for 重点权责事项.
    """

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="steps", verbose_name="流程"
    )
    code = models.CharField("环节编号", max_length=32)
    kind = models.CharField("环节类型", max_length=10, choices=c.StepKind.choices)
    name = models.CharField("环节名称", max_length=200, blank=True, validators=[plain_text])
    lane_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="泳道（科室）",
    )
    lane_position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="泳道（岗位）",
    )
    lane_label = models.CharField(
        "泳道（其他）",
        max_length=50,
        blank=True,
        validators=[plain_text],
        help_text="不属于本部门科室或岗位的泳道，如申请人、分管领导。",
    )
    leader_position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任领导（岗位）",
    )
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任科室",
    )
    responsible_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任人",
    )
    time_limit_days = models.DecimalField(
        "办理时限（工作日）",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=DAYS_VALIDATORS,
    )

    class Meta:
        verbose_name = "环节"
        verbose_name_plural = "环节"
        ordering = ["process_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "code"],
                name="step_code_unique_in_process",
                violation_error_message="同一流程内环节编号不能重复。",
            ),
            models.CheckConstraint(
                condition=Q(lane_unit__isnull=True) | Q(lane_position__isnull=True),
                name="step_one_lane",
                violation_error_message="泳道只能是一个科室或一个岗位。",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class StepMaterial(ProcessPart):
    """A 办事材料/手续 a step requires; the count is what 精简办事手续 measures."""

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="materials", verbose_name="流程"
    )
    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="materials", verbose_name="环节"
    )
    code = models.CharField("材料编号", max_length=48)
    name = models.CharField("材料名称", max_length=200, validators=[plain_text])
    note = models.CharField("说明", max_length=200, blank=True, validators=[plain_text])

    class Meta:
        verbose_name = "办事材料"
        verbose_name_plural = "办事材料"
        ordering = ["process_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "code"],
                name="material_code_unique_in_process",
                violation_error_message="同一流程内材料编号不能重复。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RiskPoint(ProcessPart):
    """A 风险点 on a step (廉政风险 of the business process): level, what goes wrong, the controls
    (防控措施) and the person answerable for them."""

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="risks", verbose_name="流程"
    )
    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="risks", verbose_name="环节"
    )
    code = models.CharField("风险点编号", max_length=48)
    level = models.CharField("风险等级", max_length=2, choices=c.RiskLevel.choices)
    description = models.TextField("风险描述", validators=[max_text(1000), free_text])
    controls = models.TextField("防控措施", blank=True, validators=[max_text(2000), free_text])
    responsible_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="防控责任人",
    )

    class Meta:
        verbose_name = "风险点"
        verbose_name_plural = "风险点"
        ordering = ["process_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "code"],
                name="risk_code_unique_in_process",
                violation_error_message="同一流程内风险点编号不能重复。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}：{self.description[:40]}"


class Flow(ProcessPart):
    """A 流转 from one step to the next; on a decision's exits ``label`` is the condition."""

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="flows", verbose_name="流程"
    )
    code = models.CharField("连线编号", max_length=80)
    source = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="outgoing", verbose_name="起点环节"
    )
    target = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="incoming", verbose_name="终点环节"
    )
    label = models.CharField("条件", max_length=50, blank=True, validators=[plain_text])

    class Meta:
        verbose_name = "流转"
        verbose_name_plural = "流转"
        ordering = ["process_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "source", "target"],
                name="flow_unique_in_process",
                violation_error_message="两个环节之间只能有一条连线。",
            ),
        ]

    def __str__(self) -> str:
        return self.code
