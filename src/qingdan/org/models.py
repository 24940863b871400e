"""机构编制: regions, departments, internal units, staffing quotas, positions, people, assignments.

Every row carries its region (the distribution key for a future Citus deployment, see
docs/architecture.md) and, below the department level, its owning department. Nothing in the org
tree cascades into the lists hanging under it: deletes are PROTECTed and the usual way out is to
mark a row 撤销 with an end date.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from qingdan.core.base import TrackedModel
from qingdan.core.querysets import RestrictedQuerySet
from qingdan.core.validators import free_text, max_text, plain_text
from qingdan.org import choices as c
from qingdan.org.querysets import AssignmentQuerySet, QuotaQuerySet, ValidityQuerySet

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
    "编码只能包含字母、数字、点、下划线和连字符，且以字母或数字开头，最长32位。",
)


class ValidityFields(models.Model):
    """Business validity (成立/撤销 dates): what "as of date" views read."""

    status = models.CharField("状态", max_length=12, choices=c.Status.choices, default="active")
    established_on = models.DateField("设立日期", null=True, blank=True)
    abolished_on = models.DateField("撤销日期", null=True, blank=True)

    class Meta:
        abstract = True


class Region(TrackedModel):
    """A 行政区划 (province, city, county or town) with its GB/T 2260 code.

    ``path`` is the materialised path of ids (``/1/4/17/``) so a subtree is one indexed prefix
    query; it is maintained by ``org.services``.
    """

    code = models.CharField("区划代码", max_length=9, unique=True)
    name = models.CharField("名称", max_length=50, validators=[plain_text])
    level = models.CharField("层级", max_length=10, choices=c.RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级区划",
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False, default="")
    order = models.PositiveIntegerField("排序", default=0)

    objects = RestrictedQuerySet.as_manager()
    access_group = "org.structure"
    scope_region_field = "id"
    scope_department_field = None

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(0, self.path.count("/") - 2)


class Department(TrackedModel, ValidityFields):
    """A 部门/单位: a party or government body, court, mass organisation or public institution.

    It may hang under another department as a 下属单位, or be 代管/部门管理 by it (seed 002's 政事关系);
    ``path`` follows that parent chain so "本部门及以下" is a prefix query.
    """

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name="行政区划"
    )
    code = models.CharField("部门编码", max_length=32, validators=[code_validator])
    name = models.CharField("部门名称", max_length=100, validators=[plain_text])
    short_name = models.CharField("简称", max_length=30, blank=True, validators=[plain_text])
    kind = models.CharField("机构类别", max_length=20, choices=c.DepartmentKind.choices)
    rank = models.CharField("机构规格", max_length=12, choices=c.Rank.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级/主管部门",
    )
    parent_relation = models.CharField(
        "隶属关系", max_length=12, choices=c.ParentRelation.choices, blank=True
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False, default="")
    order = models.PositiveIntegerField("排序", default=0)
    note = models.TextField(
        "备注", blank=True, max_length=2000, validators=[max_text(2000), free_text]
    )

    objects = ValidityQuerySet.as_manager()
    access_group = "org.structure"
    scope_region_field = "region_id"
    scope_department_field = "id"

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__path", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"],
                name="department_code_unique_in_region",
                violation_error_message="同一行政区划内部门编码不能重复。",
            ),
            models.UniqueConstraint(
                fields=["region", "name"],
                condition=Q(status="active"),
                name="department_name_unique_in_region",
                violation_error_message="同一行政区划内已有同名的在用部门。",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="department_credit_code_unique",
                violation_error_message="统一社会信用代码已被其他部门使用。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(TrackedModel, ValidityFields):
    """A 内设机构 (处/科/股/室) of a department, with its duties as the 三定 regulation states them."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="units", verbose_name="所属部门"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    code = models.CharField("科室编码", max_length=32, validators=[code_validator])
    name = models.CharField("科室名称", max_length=100, validators=[plain_text])
    rank = models.CharField("规格", max_length=12, choices=c.Rank.choices, blank=True)
    duties = models.TextField(
        "职责", blank=True, max_length=20000, validators=[max_text(20000), free_text]
    )
    is_coordination_office = models.BooleanField("议事协调机构办事机构", default=False)
    order = models.PositiveIntegerField("排序", default=0)

    objects = ValidityQuerySet.as_manager()
    access_group = "org.units"
    scope_region_field = "region_id"
    scope_department_field = "department_id"

    class Meta:
        verbose_name = "内设机构"
        verbose_name_plural = "内设机构"
        ordering = ["department_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "code"],
                name="unit_code_unique_in_department",
                violation_error_message="同一部门内科室编码不能重复。",
            ),
            models.UniqueConstraint(
                fields=["department", "name"],
                condition=Q(status="active"),
                name="unit_name_unique_in_department",
                violation_error_message="同一部门内已有同名的在用科室。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StaffingQuota(TrackedModel):
    """An approved 编制 for a department or one of its units, from an approving document.

    Quotas change by new documents, so each approval is a row with its effective date; the quota in
    force on a day is the latest row effective on or before it. Units' quotas must fit in the
    department's, and filled posts are compared against them (``org.staffing``).
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="quotas", verbose_name="部门"
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotas",
        verbose_name="内设机构",
        help_text="留空表示部门整体编制。",
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    administrative = models.PositiveIntegerField("行政编制", default=0)
    institution = models.PositiveIntegerField("事业编制", default=0)
    logistics = models.PositiveIntegerField("工勤编制", default=0)
    leader_principal = models.PositiveIntegerField("正职领导职数", default=0)
    leader_deputy = models.PositiveIntegerField("副职领导职数", default=0)
    leader_unit = models.PositiveIntegerField(
        "内设机构领导职数", default=0, help_text="仅部门整体编制填写。"
    )
    doc_number = models.CharField("批准文号", max_length=100, validators=[plain_text])
    doc_date = models.DateField("批准日期")
    effective_from = models.DateField("生效日期")
    note = models.TextField(
        "备注", blank=True, max_length=2000, validators=[max_text(2000), free_text]
    )

    objects = QuotaQuerySet.as_manager()
    access_group = "org.structure"
    scope_region_field = "region_id"
    scope_department_field = "department_id"

    class Meta:
        verbose_name = "编制"
        verbose_name_plural = "编制"
        ordering = ["department_id", "unit_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "effective_from"],
                condition=Q(unit__isnull=True),
                name="quota_one_per_department_and_date",
                violation_error_message="该部门在同一生效日期已有编制核定记录。",
            ),
            models.UniqueConstraint(
                fields=["unit", "effective_from"],
                condition=Q(unit__isnull=False),
                name="quota_one_per_unit_and_date",
                violation_error_message="该科室在同一生效日期已有编制核定记录。",
            ),
        ]

    def __str__(self) -> str:
        owner = self.unit or self.department
        return f"{owner} 编制（{self.doc_number}）"

    @property
    def total(self) -> int:
        return self.administrative + self.institution + self.logistics


class Position(TrackedModel, ValidityFields):
    """A 岗位 in a unit (or in the department's leadership when ``unit`` is empty).

    Carries the 岗位职责说明 and requirements that seed 000 asks for, whether it is a 重点岗位, and its
    integrity-risk level.
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="positions", verbose_name="部门"
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        verbose_name="内设机构",
        help_text="留空表示部门领导岗位。",
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    code = models.CharField("岗位编码", max_length=32, validators=[code_validator])
    name = models.CharField("岗位名称", max_length=100, validators=[plain_text])
    category = models.CharField("岗位类别", max_length=12, choices=c.PositionCategory.choices)
    leader_level = models.CharField(
        "领导职数类别", max_length=16, choices=c.LeaderLevel.choices, blank=True, default=""
    )
    headcount = models.PositiveIntegerField(
        "岗位人数", default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    is_key = models.BooleanField("重点岗位", default=False)
    risk_level = models.CharField(
        "廉政风险等级", max_length=8, choices=c.RiskLevel.choices, blank=True, default=""
    )
    duty_statement = models.TextField(
        "岗位职责说明", blank=True, max_length=5000, validators=[max_text(5000), free_text]
    )
    req_knowledge = models.CharField(
        "知识要求", max_length=500, blank=True, validators=[plain_text]
    )
    req_major = models.CharField("专业要求", max_length=200, blank=True, validators=[plain_text])
    req_education = models.CharField(
        "学历要求", max_length=12, choices=c.Education.choices, blank=True
    )
    order = models.PositiveIntegerField("排序", default=0)

    objects = ValidityQuerySet.as_manager()
    access_group = "org.staff"
    scope_region_field = "region_id"
    scope_department_field = "department_id"
    scope_owner_field = "created_by_id"

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["department_id", "unit_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "code"],
                name="position_code_unique_in_department",
                violation_error_message="同一部门内岗位编码不能重复。",
            ),
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="position_headcount_positive",
                violation_error_message="岗位人数至少为1。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(TrackedModel):
    """A 工作人员 on a department's establishment, with the minimum personal data needed.

    No identity numbers, addresses or phone numbers are kept (data minimisation).
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="people", verbose_name="编制所在部门"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    code = models.CharField("人员编号", max_length=32, validators=[code_validator])
    name = models.CharField("姓名", max_length=50, validators=[plain_text])
    gender = models.CharField("性别", max_length=1, choices=c.Gender.choices)
    birth_year = models.PositiveSmallIntegerField(
        "出生年份", validators=[MinValueValidator(1940), MaxValueValidator(2015)]
    )
    education = models.CharField("学历", max_length=12, choices=c.Education.choices, blank=True)
    major = models.CharField("专业", max_length=100, blank=True, validators=[plain_text])
    staffing_type = models.CharField("编制类型", max_length=16, choices=c.StaffingType.choices)
    grade = models.CharField("职务职级", max_length=8, choices=c.Grade.choices, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=c.PersonStatus.choices, default="active"
    )

    objects = RestrictedQuerySet.as_manager()
    access_group = "org.staff"
    scope_region_field = "region_id"
    scope_department_field = "department_id"
    scope_owner_field = "created_by_id"

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["department_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "code"],
                name="person_code_unique_in_department",
                violation_error_message="同一部门内人员编号不能重复。",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1940) & Q(birth_year__lte=2015),
                name="person_birth_year_range",
                violation_error_message="出生年份应在1940至2015之间。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(TrackedModel):
    """A 任职: a person holding a position from a start date to an end date (inclusive).

    A person has at most one primary assignment at a time; 兼职 (concurrent) posts may overlap; an
    acting (代理) holder fills the post without taking the position's establishment. An appointment
    beyond the quota is refused unless the user gives a reason, which is kept here and logged.
    """

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="assignments", verbose_name="人员"
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="assignments", verbose_name="岗位"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门", editable=False
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划", editable=False
    )
    kind = models.CharField(
        "任职类型", max_length=12, choices=c.AssignmentKind.choices, default="primary"
    )
    is_acting = models.BooleanField("代理", default=False)
    start_date = models.DateField("任职日期")
    end_date = models.DateField("离任日期", null=True, blank=True)
    over_quota = models.BooleanField("超编任职", default=False, editable=False)
    override_reason = models.CharField(
        "超编任职理由", max_length=500, blank=True, validators=[free_text]
    )

    objects = AssignmentQuerySet.as_manager()
    access_group = "org.staff"
    scope_region_field = "region_id"
    scope_department_field = "department_id"
    scope_owner_field = "created_by_id"

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
                violation_error_message="离任日期不能早于任职日期。",
            ),
        ]
        indexes = [models.Index(fields=["position", "start_date"], name="assignment_position")]

    def __str__(self) -> str:
        return f"{self.person} · {self.position}"

    def held_on(self, on: dt.date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)
