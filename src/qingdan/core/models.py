"""Platform-wide records: accounts, role grants, the tamper-evident change log, background jobs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models

from qingdan.core.choices import ChangeKind, JobStatus, Role, Scope
from qingdan.core.querysets import RestrictedQuerySet
from qingdan.core.validators import plain_text


class UserManager(DjangoUserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """An account of a civil servant using the back office (工作人员账号).

    Access comes only from role grants (:class:`RoleGrant`), never from Django's model
    permissions; ``is_superuser`` is reserved for the platform operator.
    """

    full_name = models.CharField("姓名", max_length=50, blank=True, validators=[plain_text])
    home_region = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属行政区划",
        help_text="账号所属的行政区划，决定哪些编办管理员可以管理该账号。",
    )

    objects = UserManager()
    access_group = "core.accounts"
    scope_region_field = "home_region_id"
    scope_department_field = None
    # Never copy password hashes into the change log.
    changelog_exclude = ("password",)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username


class RoleGrant(models.Model):
    """One role given to one user over a region or department subtree (角色授权).

    The grant's scope decides which rows the user reaches: all of the region subtree, only the
    department, the department and its 下属/代管 units, only rows the user created, or a chosen set.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name="用户",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    scope = models.CharField("数据范围", max_length=20, choices=Scope.choices)
    # Always set; for a department grant it is the department's region (the distribution key).
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name="行政区划"
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="部门",
    )
    custom_departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="+", verbose_name="自定义部门"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    access_group = "core.accounts"
    scope_region_field = "region_id"
    scope_department_field = "department_id"

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"

    def __str__(self) -> str:
        anchor = self.department or self.region
        return f"{self.user} · {self.get_role_display()} · {anchor} · {self.get_scope_display()}"


class ChangeLogEntry(models.Model):
    """One create, update or delete of any record (变更日志), kept forever.

    Entries form a hash chain: ``entry_hash`` covers the entry's content and the previous entry's
    hash, so altering or removing any row is detected by ``qingdan verify-log``.
    """

    seq = models.PositiveBigIntegerField("序号", unique=True)
    timestamp = models.DateTimeField("时间", db_index=True)
    user_id_snapshot = models.BigIntegerField("用户ID", null=True, blank=True)
    username = models.CharField("用户", max_length=150, blank=True)
    kind = models.CharField("操作", max_length=10, choices=ChangeKind.choices)
    model = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象ID", max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    region_id_snapshot = models.BigIntegerField("行政区划ID", null=True, blank=True)
    department_id_snapshot = models.BigIntegerField("部门ID", null=True, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    reason = models.CharField("原因", max_length=500, blank=True)
    prev_hash = models.CharField("前序哈希", max_length=64)
    entry_hash = models.CharField("哈希", max_length=64)

    objects = RestrictedQuerySet.as_manager()
    access_group = "core.changelog"
    scope_region_field = "region_id_snapshot"
    scope_department_field = "department_id_snapshot"

    class Meta:
        verbose_name = "变更日志"
        verbose_name_plural = "变更日志"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["model", "object_id", "seq"], name="changelog_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.object_repr}"


class ChainHead(models.Model):
    """The single row holding the chain's last sequence number and hash.

    Writers lock it (``SELECT … FOR UPDATE``) so concurrent transactions cannot fork the chain, and
    it lets the verifier notice entries cut off the end.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = "日志链头"
        verbose_name_plural = "日志链头"

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class Job(models.Model):
    """A long-running piece of work run by the task worker (后台任务): import, export, compilation.

    The task itself is queued in django-tasks; this row carries what the UI needs — who asked,
    progress, messages and the produced file — and is what the data-scope gate filters.
    """

    kind = models.CharField("任务类型", max_length=50)
    title = models.CharField("任务名称", max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name="发起人",
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, verbose_name="行政区划"
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, verbose_name="部门"
    )
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField("已完成", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("进度说明", max_length=500, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    input_file = models.CharField("输入文件", max_length=300, blank=True)
    output_file = models.CharField("输出文件", max_length=300, blank=True)
    output_name = models.CharField("下载文件名", max_length=200, blank=True)
    task_id = models.CharField("任务ID", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_group = "core.jobs"
    scope_region_field = "region_id"
    scope_department_field = "department_id"
    scope_owner_field = "user_id"
    # Whoever started a job may always follow it, whatever their grants say.
    scope_owner_always = True

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.progress_total <= 0:
            return 100 if self.status == JobStatus.SUCCEEDED else 0
        return min(100, round(100 * self.progress_done / self.progress_total))
