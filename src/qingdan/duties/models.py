"""三定 regulations and the 履职清单: duty items, tasks, and which positions do them.

Seed 000: "将三定规定的主要职责细化到内设机构，分解为具体工作任务，落实到岗位责任" — a Mandate's main
duties become DutyItems, each broken into Tasks done by a lead unit and assigned to positions
(TaskPosition: 主办/协办/AB角). Every row carries region and department (the data-scope gate and the
distribution key); nothing cascades from the org tree into these lists.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from qingdan.core.base import TrackedModel
from qingdan.core.querysets import RestrictedQuerySet
from qingdan.core.validators import free_text, max_text, plain_text
from qingdan.duties import choices as c
from qingdan.org.models import Department, Position, Region, Unit, code_validator


class ListRow(TrackedModel):
    """Columns every list row has: region, owning department, status, validity, a stable code."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    status = models.CharField(
        "状态", max_length=10, choices=c.ListStatus.choices, default=c.ListStatus.DRAFT
    )
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    objects = RestrictedQuerySet.as_manager()
    access_group = "lists"
    scope_region_field = "region_id"
    scope_department_field = "department_id"
    scope_owner_field = "created_by_id"

    class Meta:
        abstract = True


class Mandate(ListRow):
    """A 三定规定 (职能配置、内设机构和人员编制规定) of a department, in full text, as approved.

    The parser (``duties.sanding``) turns the text into duty items, units and quotas; ``parsed``
    keeps the reviewed result with the source span of every extracted item.
    """

    code = models.CharField("编码", max_length=32, validators=[code_validator])
    title = models.CharField("标题", max_length=200, validators=[plain_text])
    doc_number = models.CharField("文号", max_length=100, blank=True, validators=[plain_text])
    effective_date = models.DateField("印发日期", null=True, blank=True)
    form = models.CharField(
        "体例", max_length=8, choices=c.MandateForm.choices, default=c.MandateForm.UNKNOWN
    )
    version = models.PositiveIntegerField("版本", default=1)
    full_text = models.TextField("全文", validators=[max_text(500_000), free_text])
    parsed = models.JSONField("解析结果", default=dict, blank=True)

    class Meta:
        verbose_name = "三定规定"
        verbose_name_plural = "三定规定"
        ordering = ["department_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "version"],
                name="mandate_version_unique",
                violation_error_message="该部门已有同一版本的三定规定。",
            ),
            models.UniqueConstraint(
                fields=["department", "code"],
                name="mandate_code_unique",
                violation_error_message="同一部门内三定规定编码不能重复。",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DutyItem(ListRow):
    """A 职责事项: one duty of the department, usually a main-duty clause of its 三定 regulation."""

    mandate = models.ForeignKey(
        Mandate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_items",
        verbose_name="三定规定",
    )
    code = models.CharField("事项编码", max_length=32, validators=[code_validator])
    source = models.CharField(
        "来源", max_length=12, choices=c.DutySource.choices, default=c.DutySource.MANDATE
    )
    clause = models.CharField("条款", max_length=50, blank=True, validators=[plain_text])
    text = models.TextField("职责内容", validators=[max_text(2000), free_text])
    category = models.CharField(
        "类别", max_length=14, choices=c.DutyCategory.choices, default=c.DutyCategory.OTHER
    )
    is_core = models.BooleanField("核心职能", default=False)
    units = models.ManyToManyField(
        Unit, blank=True, related_name="duty_items", verbose_name="承担科室"
    )
    # Folded text plus its character bigrams, kept by the services (``duties.search``) so that
    # two-character words (防汛, 信访) are found on SQLite and PostgreSQL alike; see docs/duties.md.
    search_text = models.TextField("检索文本", blank=True, default="", editable=False)
    changelog_exclude = ("search_text",)

    class Meta:
        verbose_name = "职责事项"
        verbose_name_plural = "职责事项"
        ordering = ["department_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "code"],
                name="dutyitem_code_unique",
                violation_error_message="同一部门内职责事项编码不能重复。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"


class Task(ListRow):
    """A 具体工作任务: what a unit does to carry out a duty item, how often, and how long it takes.

    Yearly hours = occurrences per year × hours per occurrence; they sum to the workload behind
    工作饱和度. A 工作规范 is required (checked when the list is submitted) where discretion or risk is
    high, or the task is 监管 or 执法.
    """

    duty_item = models.ForeignKey(
        DutyItem, on_delete=models.PROTECT, related_name="tasks", verbose_name="职责事项"
    )
    code = models.CharField("任务编码", max_length=32, validators=[code_validator])
    name = models.CharField("工作任务", max_length=300, validators=[plain_text])
    description = models.TextField("任务内容", blank=True, validators=[max_text(5000), free_text])
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="led_tasks", verbose_name="承办科室"
    )
    cooperating_units = models.ManyToManyField(
        Unit, blank=True, related_name="cooperating_tasks", verbose_name="协办科室"
    )
    frequency = models.CharField("频次", max_length=12, choices=c.Frequency.choices)
    occurrences = models.DecimalField(
        "年发生次数",
        max_digits=8,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
    )
    unit_hours = models.DecimalField(
        "单次工时（小时）",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2000"))],
    )
    annual_hours = models.GeneratedField(
        expression=F("occurrences") * F("unit_hours"),
        output_field=models.DecimalField(max_digits=16, decimal_places=3),
        db_persist=True,
        verbose_name="年工时（小时）",
    )
    time_limit_days = models.PositiveIntegerField(
        "办理时限（工作日）", null=True, blank=True, validators=[MaxValueValidator(3650)]
    )
    time_limit_note = models.CharField("时限说明", max_length=200, blank=True)
    legal_basis = models.TextField("法律依据", blank=True, validators=[max_text(5000), free_text])
    work_spec = models.TextField("工作规范", blank=True, validators=[max_text(10000), free_text])
    output_templates = models.TextField(
        "规范化文本样板", blank=True, validators=[max_text(2000), free_text]
    )
    is_supervision = models.BooleanField("监管事项", default=False)
    is_enforcement = models.BooleanField("执法事项", default=False)
    discretion = models.CharField(
        "自由裁量程度", max_length=8, choices=c.Level.choices, blank=True, default=""
    )
    risk_level = models.CharField(
        "廉政风险等级", max_length=8, choices=c.Level.choices, blank=True, default=""
    )
    has_process = models.BooleanField("有办理流程", default=False)
    search_text = models.TextField("检索文本", blank=True, default="", editable=False)
    changelog_exclude = ("search_text",)

    class Meta:
        verbose_name = "工作任务"
        verbose_name_plural = "工作任务"
        ordering = ["department_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "code"],
                name="task_code_unique",
                violation_error_message="同一部门内工作任务编码不能重复。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_work_spec(self) -> bool:
        return (
            self.is_supervision
            or self.is_enforcement
            or self.discretion == c.Level.HIGH
            or self.risk_level == c.Level.HIGH
        )


class TaskPosition(TrackedModel):
    """Which position does a task and in what role: 主办, 协办, or AB角 backup.

    一事一岗, 一事多岗 and 多事一岗 are all allowed; a task has one 主办 (checked by coverage).
    """

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="assignments", verbose_name="工作任务"
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="task_assignments", verbose_name="岗位"
    )
    role = models.CharField("角色", max_length=8, choices=c.TaskRole.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门", editable=False
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )

    objects = RestrictedQuerySet.as_manager()
    access_group = "lists"
    scope_region_field = "region_id"
    scope_department_field = "department_id"
    scope_owner_field = "created_by_id"

    class Meta:
        verbose_name = "任务岗位"
        verbose_name_plural = "任务岗位"
        constraints = [
            models.UniqueConstraint(
                fields=["task", "position"],
                name="taskposition_unique",
                violation_error_message="该岗位已分配到此任务。",
            ),
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(role="lead"),
                name="taskposition_one_lead",
                violation_error_message="每项任务只能有一个主办岗位。",
            ),
        ]

    def __str__(self) -> str:
        # A plain dict rather than get_role_display(), which rebuilds its choices on every call:
        # the change log names every assignment an import writes (~50,000 for a city).
        role = _ROLE_LABELS.get(self.role, self.role)
        return f"{self.task} · {self.position}（{role}）"


_ROLE_LABELS = {value: str(label) for value, label in c.TaskRole.choices}
