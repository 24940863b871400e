"""Chart.js configurations of the statistics page, built from the figures (no Django).

Each chart is a plain ``{"type", "data", "options"}`` dictionary; the page writes them all with
``json_script`` (escaped) and ``documents/statistics.js`` hands each to the Chart.js that
django-unfold ships (``unfold/js/chart/chart.js``, already loaded on every back-office page).
"""

from __future__ import annotations

from typing import Any

from .figures import DepartmentFigures, Statistics

PALETTE = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#64748b")
BAND_COLORS = {
    "low": "#93c5fd",
    "fair": "#60a5fa",
    "full": "#16a34a",
    "over": "#dc2626",
    "nobody": "#f59e0b",
    "none": "#cbd5e1",
}
STATE_COLORS = {
    "on_time": "#16a34a",
    "late": "#f59e0b",
    "overdue": "#dc2626",
    "not_due": "#cbd5e1",
}
ROW_PX = 22  # height per department on a horizontal bar chart


def _options(*, horizontal: bool = False, stacked: bool = False, legend: bool = True) -> dict:
    value_axis = {"beginAtZero": True, "stacked": stacked, "ticks": {"precision": 0}}
    label_axis = {"stacked": stacked, "ticks": {"autoSkip": False}}
    return {
        "responsive": True,
        "maintainAspectRatio": False,
        "indexAxis": "y" if horizontal else "x",
        "plugins": {"legend": {"display": legend, "position": "bottom"}},
        "scales": {
            "x": value_axis if horizontal else label_axis,
            "y": label_axis if horizontal else value_axis,
        },
    }


def _bar(label: str, data: list[Any], color: str, **extra: Any) -> dict[str, Any]:
    return {"label": label, "data": data, "backgroundColor": color, **extra}


def department_chart(departments: list[DepartmentFigures]) -> dict[str, Any]:
    """职责事项, 工作任务 and 流程图 per department (horizontal bars)."""
    return {
        "type": "bar",
        "data": {
            "labels": [d.label for d in departments],
            "datasets": [
                _bar("职责事项", [d.figures.duty_items for d in departments], PALETTE[0]),
                _bar("工作任务", [d.figures.tasks for d in departments], PALETTE[1]),
                _bar("流程图", [d.figures.processes for d in departments], PALETTE[2]),
            ],
        },
        "options": _options(horizontal=True),
    }


def staffing_chart(stats: Statistics, departments: list[DepartmentFigures]) -> dict[str, Any]:
    """编制 vs 实有: per department two stacks (核定, 实有), each split by staffing type."""
    datasets = []
    for i, (key, label) in enumerate(stats.staffing_types):
        bars = [d.figures.staffing.get(key) for d in departments]
        approved = [b.approved if b else 0 for b in bars]
        filled = [b.filled if b else 0 for b in bars]
        if not any(approved) and not any(filled):
            continue  # a type nobody uses
        color = PALETTE[i % len(PALETTE)]
        datasets.append(_bar(f"{label}（核定）", approved, color, stack="核定"))
        datasets.append(
            _bar(f"{label}（实有）", filled, color + "99", stack="实有", borderColor=color)
        )
    return {
        "type": "bar",
        "data": {"labels": [d.label for d in departments], "datasets": datasets},
        "options": _options(horizontal=True, stacked=True),
    }


def saturation_chart(stats: Statistics, saturation: dict[str, int]) -> dict[str, Any]:
    """科室 per 工作饱和度 band."""
    bands = stats.band_labels
    return {
        "type": "bar",
        "data": {
            "labels": [label for _, label in bands],
            "datasets": [
                {
                    "label": "科室数",
                    "data": [saturation.get(key, 0) for key, _ in bands],
                    "backgroundColor": [BAND_COLORS.get(key, PALETTE[-1]) for key, _ in bands],
                }
            ],
        },
        "options": _options(legend=False),
    }


def reengineering_chart(stats: Statistics, departments: list[DepartmentFigures]) -> dict:
    """办事环节 and 办事手续 before vs after, per department that re-engineered a process."""
    done = [d for d in departments if d.figures.reengineering.pairs]
    r = [d.figures.reengineering for d in done]
    return {
        "type": "bar",
        "data": {
            "labels": [d.label for d in done],
            "datasets": [
                _bar("办事环节（再造前）", [x.steps_before for x in r], PALETTE[6]),
                _bar("办事环节（再造后）", [x.steps_after for x in r], PALETTE[0]),
                _bar("办事手续（再造前）", [x.materials_before for x in r], "#cbd5e1"),
                _bar("办事手续（再造后）", [x.materials_after for x in r], PALETTE[1]),
            ],
        },
        "options": _options(horizontal=True),
    }


def review_chart(stats: Statistics, phases: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Per phase: departments on time, late, overdue and not yet due (stacked)."""
    return {
        "type": "bar",
        "data": {
            "labels": [p.name for p in stats.phases],
            "datasets": [
                _bar(
                    label,
                    [phases.get(p.key, {}).get(state, 0) for p in stats.phases],
                    STATE_COLORS.get(state, PALETTE[-1]),
                )
                for state, label in stats.state_labels
            ],
        },
        "options": _options(stacked=True),
    }


def chart_height(rows: int, *, minimum: int = 180) -> int:
    """Pixels for a horizontal bar chart of ``rows`` departments (legend included)."""
    return max(minimum, rows * ROW_PX + 80)
