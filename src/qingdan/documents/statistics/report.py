"""The statistics page's context, built from :class:`~.figures.Statistics` (no Django).

A pure context builder (STYLE practice 8): KPI cards, the seed-style sentence, the chart
configurations and the tables; the template only lays them out. The table columns are declared
once (:func:`columns`) for the page and the Excel export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import charts
from .figures import NOT_IN_PROGRAMME, DepartmentFigures, Figures, GroupFigures, Statistics
from .sentence import chinese_date, headline_sentence, month_day, review_sentence, words_for


@dataclass(frozen=True)
class StatColumn:
    """One figure column: its key, header, header group (Excel's two-level header) and value."""

    key: str
    header: str
    value: Callable[[Figures], int | str]
    group: str | None = None
    unique_header: str = ""  # where ``header`` repeats under several groups (核定, 实有)

    @property
    def export_header(self) -> str:
        return self.unique_header or self.header


def _count(name: str) -> Callable[[Figures], int]:
    return lambda f: int(getattr(f, name))


def _staffing(key: str, side: str) -> Callable[[Figures], int]:
    def value(f: Figures) -> int:
        bar = f.staffing.get(key)
        return getattr(bar, side) if bar else 0

    return value


def _band(key: str) -> Callable[[Figures], int]:
    return lambda f: f.saturation.get(key, 0)


def staffing_types_in_use(stats: Statistics) -> list[tuple[str, str]]:
    """Staffing types with an approved quota or people in post somewhere in the scope."""
    return [
        (key, label)
        for key, label in stats.staffing_types
        if (bar := stats.total.staffing.get(key)) and (bar.approved or bar.filled)
    ]


def columns(stats: Statistics) -> list[StatColumn]:
    """The figure columns of the tables and the export, in order."""
    cols = [
        StatColumn("duty_items", "职责事项", _count("duty_items")),
        StatColumn("tasks", "工作任务", _count("tasks")),
        StatColumn("work_specs", "工作规范", _count("work_specs")),
        StatColumn("processes", "流程图", _count("processes")),
        StatColumn("units", "科室", _count("units")),
        StatColumn("positions", "岗位", _count("positions")),
        StatColumn("units_allocated", "依据工作量分配编制的科室", _count("units_allocated")),
    ]
    if stats.boundaries_enabled:
        cols.append(StatColumn("boundary_items", "职责边界事项", _count("boundary_items")))
    for key, label in staffing_types_in_use(stats):
        for side, header in (("approved", "核定"), ("filled", "实有")):
            cols.append(
                StatColumn(f"{key}_{side}", header, _staffing(key, side), label, label + header)
            )
    for key, label in stats.band_labels:
        cols.append(StatColumn(f"band_{key}", label, _band(key), "工作饱和度（科室数）"))
    cols += [
        StatColumn("pairs", "再造流程", lambda f: f.reengineering.pairs, "流程再造"),
        StatColumn(
            "steps_removed", "减少办事环节", lambda f: f.reengineering.steps_removed, "流程再造"
        ),
        StatColumn(
            "materials_removed",
            "精简办事手续",
            lambda f: f.reengineering.materials_removed,
            "流程再造",
        ),
    ]
    return cols


def _cards(stats: Statistics, f: Figures, *, one_department: bool) -> list[dict[str, Any]]:
    admin = f.staffing.get("administrative")
    cards = [] if one_department else [card("部门", f.departments, "个", "apartment")]
    cards += [
        card("职责事项", f.duty_items, "项", "checklist"),
        card("工作任务", f.tasks, "项", "task_alt"),
        card("流程图", f.processes, "张", "account_tree"),
        card("工作规范", f.work_specs, "项", "rule"),
        card("科室", f.units, "个", "workspaces"),
        card("岗位", f.positions, "个", "work"),
        card("依据工作量分配编制", f.units_allocated, "个科室", "balance"),
    ]
    if stats.boundaries_enabled:
        cards.append(card("职责边界事项", f.boundary_items, "项", "join_inner"))
    cards += [
        card(
            "行政编制 核定/实有",
            f"{admin.approved if admin else 0}/{admin.filled if admin else 0}",
            "名",
            "badge",
            tone="bad" if admin and admin.over else "",
        ),
        card("减少办事环节", f.reengineering.steps_removed, "个", "trending_down"),
        card("精简办事手续", f.reengineering.materials_removed, "项", "content_cut"),
        card(
            "逾期未完成阶段任务",
            f.overdue_departments,
            "个部门",
            "alarm",
            tone="bad" if f.overdue_departments else "",
        ),
    ]
    return cards


def card(title: str, value: int | str, unit: str, icon: str, *, tone: str = "") -> dict:
    return {"title": title, "value": value, "unit": unit, "icon": icon, "tone": tone}


def _phase_rows(stats: Statistics, f: Figures) -> list[dict[str, Any]]:
    rows = []
    for phase in stats.phases:
        states = f.review_phases.get(phase.key, {})
        rows.append(
            {
                "key": phase.key,
                "name": phase.name,
                "deadlines": "、".join(month_day(d) for d in phase.deadlines),
                "counts": [states.get(state, 0) for state, _ in stats.state_labels],
            }
        )
    return rows


def _status_rows(stats: Statistics, f: Figures) -> list[dict[str, Any]]:
    return [
        {"key": key, "label": label, "count": f.review_status.get(key, 0)}
        for key, label in stats.status_labels
        if f.review_status.get(key, 0) or key != NOT_IN_PROGRAMME[0]
    ]


def group_row(group: GroupFigures, cols: list[StatColumn]) -> dict[str, Any]:
    return {
        "key": group.key,
        "id": group.id,
        "label": group.label,
        "level": group.level,
        "departments": group.figures.departments,
        "values": [c.value(group.figures) for c in cols],
        "overdue": group.figures.overdue_departments,
    }


def department_row(
    dept: DepartmentFigures, cols: list[StatColumn], status_labels: dict[str, str]
) -> dict[str, Any]:
    return {
        "id": dept.id,
        "name": dept.name,
        "level": dept.level_label,
        "region": dept.region_name,
        "values": [c.value(dept.figures) for c in cols],
        "status": status_labels.get(dept.review_status, dept.review_status),
        "overdue": sum(1 for c in dept.cells if c.state == "overdue"),
    }


def statistics_context(
    stats: Statistics, *, department: DepartmentFigures | None = None
) -> dict[str, Any]:
    """Everything the page shows, for the whole :class:`Statistics` or one of its departments."""
    f = department.figures if department else stats.total
    departments = [department] if department else stats.departments
    words = words_for(stats, department_name=department.name if department else "")
    cols = columns(stats)
    status_labels = dict(stats.status_labels)
    chart_rows = len(departments)
    reengineered = sum(1 for d in departments if d.figures.reengineering.pairs)
    return {
        "as_of": chinese_date(stats.as_of),
        "sentence": headline_sentence(f, stats.as_of, words, boundaries=stats.boundaries_enabled),
        "review_sentence": review_sentence(f),
        "cards": _cards(stats, f, one_department=department is not None),
        "figures": f,
        "columns": cols,
        "column_groups": _header_groups(cols),
        "level_rows": [] if department else [group_row(g, cols) for g in stats.levels],
        "region_rows": [] if department else [group_row(g, cols) for g in stats.regions],
        "department_rows": [department_row(d, cols, status_labels) for d in departments],
        "total_values": [c.value(f) for c in cols],
        "staffing_rows": [
            {
                "label": label,
                "approved": bar.approved,
                "filled": bar.filled,
                "vacant": bar.vacant,
                "over": bar.over,
            }
            for key, label in staffing_types_in_use(stats)
            if (bar := f.staffing.get(key)) is not None
        ],
        "saturation_rows": [
            {"key": key, "label": label, "count": f.saturation.get(key, 0)}
            for key, label in stats.band_labels
        ],
        "state_labels": [label for _, label in stats.state_labels],
        "phase_rows": _phase_rows(stats, f),
        "status_rows": _status_rows(stats, f),
        "boundaries_enabled": stats.boundaries_enabled,
        "charts": {
            "departments": charts.department_chart(departments),
            "staffing": charts.staffing_chart(stats, departments),
            "saturation": charts.saturation_chart(stats, f.saturation),
            "reengineering": charts.reengineering_chart(stats, departments),
            "review": charts.review_chart(stats, f.review_phases),
        },
        "chart_heights": {
            "departments": charts.chart_height(chart_rows),
            "staffing": charts.chart_height(chart_rows),
            "reengineering": charts.chart_height(reengineered),
        },
        "has_reengineering": reengineered > 0,
        "has_review": bool(stats.phases),
    }


def _header_groups(cols: list[StatColumn]) -> list[dict[str, Any]]:
    """The first header row: a group cell spanning its columns, or an ungrouped column's own
    header spanning both rows."""
    cells: list[dict[str, Any]] = []
    for c in cols:
        if c.group and cells and cells[-1]["group"] == c.group:
            cells[-1]["span"] += 1
        else:
            cells.append({"group": c.group or "", "span": 1, "header": c.header})
    return cells


def dashboard_summary(stats: Statistics) -> dict[str, Any]:
    """The 工作台's headline cards and sentence (the page's first cards, no charts)."""
    words = words_for(stats)
    f = stats.total
    return {
        "as_of": chinese_date(stats.as_of),
        "sentence": headline_sentence(f, stats.as_of, words, boundaries=stats.boundaries_enabled),
        "review_sentence": review_sentence(f),
        "cards": [
            card("职责事项", f.duty_items, "项", "checklist"),
            card("工作任务", f.tasks, "项", "task_alt"),
            card("流程图", f.processes, "张", "account_tree"),
            card("工作规范", f.work_specs, "项", "rule"),
            card("减少办事环节", f.reengineering.steps_removed, "个", "trending_down"),
            card("精简办事手续", f.reengineering.materials_removed, "项", "content_cut"),
        ],
    }
