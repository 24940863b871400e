"""统计分析: the seeds' headline figures from data, per level and per department.

Pure parts (no Django): :mod:`.figures` (the computation), :mod:`.sentence` (the seed-style
综述), :mod:`.charts` and :mod:`.report` (the page's context). Django parts: :mod:`.data` (the
fixed-query loader through the gate), :mod:`.export` (Excel), :mod:`.views`.
"""

from .figures import (
    BandRow,
    DepartmentFigures,
    DepartmentRow,
    Figures,
    GroupFigures,
    Phase,
    PhaseCell,
    ReengineeringRow,
    RegionRow,
    ReviewRow,
    StaffingBar,
    StaffingRow,
    Statistics,
    StatisticsInput,
    compute,
)
from .sentence import (
    chinese_date,
    headline_sentence,
    review_sentence,
    scope_words,
    statistics_sentence,
)

__all__ = [
    "BandRow",
    "DepartmentFigures",
    "DepartmentRow",
    "Figures",
    "GroupFigures",
    "Phase",
    "PhaseCell",
    "ReengineeringRow",
    "RegionRow",
    "ReviewRow",
    "StaffingBar",
    "StaffingRow",
    "Statistics",
    "StatisticsInput",
    "chinese_date",
    "compute",
    "headline_sentence",
    "review_sentence",
    "scope_words",
    "statistics_sentence",
]
