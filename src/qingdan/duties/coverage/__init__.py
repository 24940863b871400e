"""覆盖与工作量: "人人有事干、事事有人干" and 工作饱和度, computed from plain rows (no Django).

Input is a :class:`CoverageInput` of frozen dataclasses (built by ``duties.coverage_data`` in a
fixed number of queries); output a :class:`CoverageReport` for region → department → unit →
position. The rules, also in docs/duties.md:

Gaps (缺口)
  * 三定职责无任务 — a duty item from the 三定 regulation (source 三定条目) without any task;
  * 任务无主办岗位 — a task without a 主办 position;
  * 岗位无任务 — a position that is neither 主办 nor 协办 of any task (AB角 alone does not count:
    a backup only stands in for someone else's work);
  * 岗位无人 — a position nobody holds today (any assignment: primary, 兼职 or 代理);
  * 人员无岗位 — a person on the department's establishment holding no position today.

Work hours (工时)
  * a task's yearly hours (``Task.annual_hours`` = occurrences × hours per occurrence) are split
    among its 主办 and 协办 positions by weight: 主办 2, 协办 1 (``Rules.lead_weight`` /
    ``assist_weight``); AB角 gets none. One 主办 alone carries it all; 主办 + one 协办 = 2/3 + 1/3;
  * hours of a task with no 主办/协办 position are counted to its 承办科室 as 未落实到岗位;
  * a unit's workload = its positions' shares + its unplaced hours; a department's = all its
    tasks' hours (department leaders' positions form the "部门领导" group).

Available hours (可用工时) = people × standard yearly hours. People are counted once, at the
position of their primary assignment (兼职 and 代理 holders are counted where their primary post is),
so nobody is counted twice. Standard yearly hours default to 1,650 = 250 working days × 6.6
effective hours (``QINGDAN_STANDARD_ANNUAL_HOURS``).

工作饱和度 = workload ÷ available hours, in bands (``Rules.bands``): below 60 % 不饱和,
60–85 % 较饱和, 85–110 % 饱和, above 110 % 超负荷; with work but nobody in post: 无人承担.

Staffing suggestion (依据工作量分配行政编制, seed 001): the department's 行政编制 minus the
department leaders' posts (正职 + 副职 领导职数, kept back for the 部门领导 group) is divided among
the units in proportion to their workload, rounded by the largest-remainder method (ties go to the
larger workload, then to the unit listed first), so the suggestions always sum exactly to the
quota. Current = the unit's approved 行政编制 where one is on record, else its people in post.
"""

from .analysis import analyse, largest_remainder, suggest_staffing, unit_matrix
from .report import (
    GAP_KINDS,
    CoverageReport,
    DepartmentReport,
    Gaps,
    Load,
    Matrix,
    PositionReport,
    Ref,
    RegionReport,
    Suggestion,
    SuggestionRow,
    UnitReport,
)
from .rows import (
    ASSIST,
    BACKUP,
    DEFAULT_BANDS,
    IDLE,
    LEAD,
    LEADERSHIP_GROUP,
    NOBODY,
    ROLE_LABELS,
    CoverageInput,
    DepartmentIn,
    DutyIn,
    HoldingIn,
    PersonIn,
    PositionIn,
    RegionIn,
    Rules,
    TaskIn,
    TaskPositionIn,
    UnitIn,
)

__all__ = [
    "ASSIST",
    "BACKUP",
    "DEFAULT_BANDS",
    "GAP_KINDS",
    "IDLE",
    "LEAD",
    "LEADERSHIP_GROUP",
    "NOBODY",
    "ROLE_LABELS",
    "CoverageInput",
    "CoverageReport",
    "DepartmentIn",
    "DepartmentReport",
    "DutyIn",
    "Gaps",
    "HoldingIn",
    "Load",
    "Matrix",
    "PersonIn",
    "PositionIn",
    "PositionReport",
    "Ref",
    "RegionIn",
    "RegionReport",
    "Rules",
    "Suggestion",
    "SuggestionRow",
    "TaskIn",
    "TaskPositionIn",
    "UnitIn",
    "UnitReport",
    "analyse",
    "largest_remainder",
    "suggest_staffing",
    "unit_matrix",
]
