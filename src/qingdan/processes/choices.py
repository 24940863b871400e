"""Vocabularies of the 流程 app: process kinds (by power type), step kinds, risk levels."""

from __future__ import annotations

from django.db import models


class ProcessKind(models.TextChoices):
    """The power type a process follows (按权力类型): decides the template it starts from."""

    LICENSING = "licensing", "行政许可"
    PENALTY_GENERAL = "penalty_general", "行政处罚一般程序"
    PENALTY_SIMPLE = "penalty_simple", "行政处罚简易程序"
    LEVY = "levy", "行政征收"
    INSPECTION = "inspection", "行政检查"
    PAYMENT = "payment", "行政给付"
    INTERNAL = "internal", "内部事务"
    OTHER = "other", "其他"


# The engine's template for each kind (``flowchart.template(name)``); kinds without one start from
# a three-step skeleton. A test holds this in step with ``flowchart.TEMPLATE_KINDS``.
TEMPLATE_FOR_KIND: dict[str, str] = {
    ProcessKind.LICENSING: "行政许可",
    ProcessKind.PENALTY_GENERAL: "行政处罚一般程序",
    ProcessKind.PENALTY_SIMPLE: "行政处罚简易程序",
    ProcessKind.LEVY: "行政征收",
    ProcessKind.INTERNAL: "内部事务",
}


class StepKind(models.TextChoices):
    """GB/T 1526 shapes: terminal (开始/结束), process rectangle, decision diamond, parallel bars."""

    START = "start", "开始"
    END = "end", "结束"
    ACTION = "action", "办理环节"
    DECISION = "decision", "判断"
    SPLIT = "split", "并行开始"
    JOIN = "join", "并行汇合"


# Steps counted as 办事环节 in the re-engineering figures: terminals and parallel bars only route.
COUNTED_KINDS = (StepKind.ACTION, StepKind.DECISION)


class RiskLevel(models.TextChoices):
    """风险等级 of a 风险点, stored as the characters the flowchart engine draws."""

    HIGH = "高", "高"
    MEDIUM = "中", "中"
    LOW = "低", "低"


RISK_RANK = {RiskLevel.HIGH: 3, RiskLevel.MEDIUM: 2, RiskLevel.LOW: 1}


_KIND_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("许可", "审批"), ProcessKind.LICENSING),
    (("简易程序",), ProcessKind.PENALTY_SIMPLE),
    (("处罚", "立案调查"), ProcessKind.PENALTY_GENERAL),
    (("征收", "收费", "缴费"), ProcessKind.LEVY),
    (("检查", "抽查", "监察"), ProcessKind.INSPECTION),
    (("给付", "补贴", "救助", "发放"), ProcessKind.PAYMENT),
)


def guess_kind(task_name: str) -> str:
    """The power type a task's name suggests (a default the user can change); 内部事务 otherwise."""
    for words, kind in _KIND_WORDS:
        if any(w in task_name for w in words):
            return kind
    return ProcessKind.INTERNAL
