from django.db import models


class MandateForm(models.TextChoices):
    SECTION_2008 = "2008", "2008年体例（一、二、三…）"
    ARTICLE_2018 = "2018", "2018年以后体例（第N条）"
    UNKNOWN = "unknown", "未识别"


class ListStatus(models.TextChoices):
    """Status of a list row (DESIGN §3: never hard-deleted once published)."""

    DRAFT = "draft", "草稿"
    ACTIVE = "active", "有效"
    REVOKED = "revoked", "撤销"


class DutySource(models.TextChoices):
    MANDATE = "mandate", "三定条目"
    POWER_LIST = "power_list", "权责清单"
    ASSIGNED = "assigned", "上级交办"
    OTHER = "other", "其他"


class DutyCategory(models.TextChoices):
    POLICY = "policy", "政策规划"
    REGULATION = "regulation", "监督管理"
    ENFORCEMENT = "enforcement", "行政执法"
    SERVICE = "service", "公共服务"
    COORDINATION = "coordination", "统筹协调"
    INTERNAL = "internal", "内部管理"
    OTHER = "other", "其他"


class Frequency(models.TextChoices):
    """How often a task recurs; ``per_case`` tasks give their yearly count explicitly."""

    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    HALF_YEARLY = "half_yearly", "每半年"
    YEARLY = "yearly", "每年"
    PER_CASE = "per_case", "按件（不定期）"


# Working days per year (250) for DAILY; the others are calendar counts.
OCCURRENCES_PER_YEAR = {
    Frequency.DAILY: 250,
    Frequency.WEEKLY: 50,
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.HALF_YEARLY: 2,
    Frequency.YEARLY: 1,
}


class Level(models.TextChoices):
    NONE = "", "无"
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"


class TaskRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"
    BACKUP = "backup", "AB角（备岗）"
