"""统计表 Excel export: the per-department table through the spreadsheet engine.

The columns are the page's (``report.columns``), declared once; the engine writes the title row,
the two-level header and escapes every text cell against formula injection (a department named
``=…`` arrives as ``'=…``). Subtotals per level and the total follow the departments; the
instructions sheet carries the seed-style sentence and the definitions of the figures.
"""

from __future__ import annotations

from typing import Any

from qingdan.documents.xlsx import Column, Kind, TableSpec, export_xlsx

from .figures import LEVEL_LABELS, Figures, Statistics
from .report import StatColumn, columns, department_row
from .sentence import chinese_date, headline_sentence, review_sentence, words_for

SHEET = "统计表"
DEFINITIONS = (
    "职责事项、工作任务：未撤销（草稿和有效）的职责事项和具体工作任务。",
    "工作规范：上述工作任务中“工作规范”不为空的任务数。",
    "流程图：当前版本、未撤销的办理流程数。",
    "科室、岗位：统计日在用的内设机构和岗位（部门领导岗位计入岗位，不计入科室）。",
    "依据工作量分配编制的科室：部门已核定行政编制且有工作量、按工作量给出行政编制分配建议的内设机构数。",
    "编制核定、实有：统计日有效的核定编制数，以及在该部门主要任职的人数，按编制类型分列。",
    "工作饱和度（科室数）：内设机构年工作量 ÷（在岗人数 × 标准年工时）所在分档的科室数。",
    "流程再造：再造后流程与再造前版本相比减少的办事环节（办理、审核等环节）和办事手续（材料），为净减少数。",
)


def export_statistics(stats: Statistics, *, title: str, department_name: str = "") -> bytes:
    """The workbook's bytes: one row per department, then subtotals per level and the total."""
    cols = columns(stats)
    spec = TableSpec(
        sheet_name=SHEET,
        title=f"{title}履职清单统计表（截至{chinese_date(stats.as_of)}）",
        columns=(
            Column("department", "部门", width=28),
            Column("level", "层级", width=9),
            Column("region", "行政区划", width=14),
            *(Column(c.key, c.export_header, Kind.INT, group=c.group) for c in cols),
            Column("status", "报送状态", width=12),
        ),
        instructions=(
            headline_sentence(
                stats.total,
                stats.as_of,
                words_for(stats, department_name=department_name),
                boundaries=stats.boundaries_enabled,
            ),
            review_sentence(stats.total),
            *DEFINITIONS,
        ),
    )
    status_labels = dict(stats.status_labels)
    rows: list[dict[str, Any]] = []
    for dept in stats.departments:
        row = department_row(dept, cols, status_labels)
        rows.append(
            {
                "department": dept.name,
                "level": row["level"],
                "region": row["region"],
                "status": row["status"],
                **dict(zip((c.key for c in cols), row["values"], strict=True)),
            }
        )
    if len(stats.departments) > 1:
        if len(stats.levels) > 1:
            for group in stats.levels:
                label = LEVEL_LABELS.get(group.key, group.label)
                rows.append(_total_row(f"{label}合计", group.figures, cols))
        rows.append(_total_row("总计", stats.total, cols))
    return export_xlsx(spec, rows) or b""


def _total_row(label: str, figures: Figures, cols: list[StatColumn]) -> dict[str, Any]:
    return {
        "department": f"{label}（{figures.departments}个部门）",
        **{c.key: c.value(figures) for c in cols},
    }
