"""Vocabularies shared by every app: roles, data scopes, actions, change kinds."""

from django.db import models


class Role(models.TextChoices):
    """The five roles of DESIGN.md §1 (the public has no account)."""

    BIANBAN_ADMIN = "bianban_admin", "编办管理员"
    DEPT_ADMIN = "dept_admin", "部门管理员"
    DEPT_CLERK = "dept_clerk", "部门填报员"
    DEPT_LEADER = "dept_leader", "部门负责人"
    SUPERVISOR = "supervisor", "监督员"


class Scope(models.TextChoices):
    """How far a role grant reaches over the region and department trees."""

    ALL = "all", "全部"
    DEPT = "dept", "本部门"
    DEPT_TREE = "dept_tree", "本部门及以下"
    SELF = "self", "仅本人"
    CUSTOM = "custom", "自定义"


class Action(models.TextChoices):
    VIEW = "view", "查看"
    ADD = "add", "新增"
    CHANGE = "change", "修改"
    DELETE = "delete", "删除"
    SUBMIT = "submit", "报送"
    APPROVE = "approve", "审批"
    REVIEW = "review", "审核"
    PUBLISH = "publish", "发布"


class ChangeKind(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    BULK = "bulk", "批量导入"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "执行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"
