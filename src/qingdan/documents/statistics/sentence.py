"""The seed-style summary sentence (综述) written from the figures (no Django).

Seed 001: "截至7月底，市县两级共梳理职责事项16704项，分解细化为29540项具体工作任务，编制流程图24897张、
工作规范24256项，明确部门岗位职责，梳理科室间职责边界事项170项，指导部门对466个科室依据工作量分配行政
编制，设置岗位1588个；推动办事流程再造，全市共减少办事环节1963个、精简办事手续1568项。"

Numbers are written as in the seeds' running text (no thousands separators) and dates in full
(2026年11月22日). Clauses whose figure does not exist yet are left out rather than written as 0:
the boundary items before that list exists, the workload-based allocation when no unit received
one, and the re-engineering clause when no process has been re-engineered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .figures import LEVEL_RANK, Figures, RegionRow, Statistics

_LEVEL_CHAR = {"province": "省", "city": "市", "county": "县", "town": "乡"}
_NUMERAL = {2: "两", 3: "三", 4: "四"}
# A level alone, seen from a region above it.
_LEVEL_ALONE = {
    "province": "省本级",
    "city": "市本级",
    "county": "各区县",
    "town": "各乡镇（街道）",
}
_AREA_SUFFIXES = ("街道", "市", "县", "区", "镇", "乡", "省", "旗")

PUBLISHED = "published"  # ``oversight.choices.SubmissionStatus.PUBLISHED``


def chinese_date(day: dt.date) -> str:
    """2026年11月22日 (公文 style: no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def month_day(day: dt.date) -> str:
    """8月15日, for deadlines inside a programme's year."""
    return f"{day.month}月{day.day}日"


def area_word(region_name: str) -> str:
    """全市 / 全县 / 全区 / 全镇 …, from the region's name (全域 when it says nothing)."""
    for suffix in _AREA_SUFFIXES:
        if region_name.endswith(suffix):
            return f"全{suffix}"
    return "全域"


def levels_phrase(levels: Iterable[str]) -> str:
    """市县两级, 市县乡三级, 县乡两级 — for two or more levels, in order from the top."""
    ordered = sorted(set(levels), key=lambda k: LEVEL_RANK.get(k, 9))
    chars = "".join(_LEVEL_CHAR.get(k, "") for k in ordered)
    return f"{chars}{_NUMERAL.get(len(ordered), str(len(ordered)))}级"


@dataclass(frozen=True)
class ScopeWords:
    """Who the sentence speaks of (``subject``) and where the re-engineering happened (``area``)."""

    subject: str
    area: str


def scope_words(
    levels: Iterable[str], root: RegionRow | None, *, department_name: str = ""
) -> ScopeWords:
    """The words for a department, or for the departments of ``levels`` under ``root``."""
    if department_name:
        return ScopeWords(department_name, "")
    present = sorted(set(levels), key=lambda k: LEVEL_RANK.get(k, 9))
    area = area_word(root.name) if root else "全域"
    if len(present) >= 2:
        return ScopeWords(levels_phrase(present), area)
    if not present:
        return ScopeWords(area, area)
    only = present[0]
    if root is not None and root.level == only:
        return ScopeWords(area, area)
    subject = _LEVEL_ALONE.get(only, area)
    return ScopeWords(subject, subject)


def headline_sentence(
    figures: Figures, as_of: dt.date, words: ScopeWords, *, boundaries: bool = True
) -> str:
    """The 综述 sentence for ``figures`` as of ``as_of`` (``boundaries``: the 职责边界清单 exists)."""
    f = figures
    parts = [
        f"截至{chinese_date(as_of)}，{words.subject}共梳理职责事项{f.duty_items}项，"
        f"分解细化为{f.tasks}项具体工作任务，编制流程图{f.processes}张、工作规范{f.work_specs}项，"
        f"明确{'' if not words.area else '部门'}岗位职责"
    ]
    if boundaries and f.boundary_items:
        parts.append(f"梳理科室间职责边界事项{f.boundary_items}项")
    if f.units_allocated:
        lead = "指导部门对" if words.area else "对"
        parts.append(f"{lead}{f.units_allocated}个科室依据工作量分配行政编制")
    parts.append(f"设置岗位{f.positions}个")
    text = "，".join(parts)
    r = f.reengineering
    if r.pairs:
        where = f"{words.area}共" if words.area else "共"
        text += f"；推动办事流程再造，{where}{_change('办事环节', r.steps_removed, '个', '减少', '增加')}"
        text += f"、{_change('办事手续', r.materials_removed, '项', '精简', '增加')}"
    return text + "。"


def _change(noun: str, n: int, measure: str, down: str, up: str) -> str:
    return f"{down}{noun}{n}{measure}" if n >= 0 else f"{up}{noun}{-n}{measure}"


def review_sentence(figures: Figures) -> str:
    """推进情况 in one sentence: how far the departments in a programme have come."""
    status = figures.review_status
    taking_part = sum(n for key, n in status.items() if key != "none")
    if not taking_part:
        return "尚无部门参加工作方案。"
    text = (
        f"参加工作方案的{taking_part}个部门中，已报送编办{figures.sent_departments}个、"
        f"已发布清单{status.get(PUBLISHED, 0)}个"
    )
    if figures.overdue_departments:
        text += f"；{figures.overdue_departments}个部门有阶段任务逾期未完成"
    if figures.extra_rounds:
        text += f"，{figures.extra_rounds}个部门超出二报二审"
    return text + "。"


def words_for(stats: Statistics, *, department_name: str = "") -> ScopeWords:
    """The words for a whole :class:`Statistics`: its region and levels when the user sees whole
    regions, else its departments by name (a department's clerk never reads "全市")."""
    if department_name:
        return ScopeWords(department_name, "")
    if not stats.region_wide and stats.departments:
        first, n = stats.departments[0].name, len(stats.departments)
        return ScopeWords(first if n == 1 else f"{first}等{n}个部门", "")
    return scope_words(stats.level_keys, stats.root)


def statistics_sentence(stats: Statistics, *, department_name: str = "") -> str:
    """The headline sentence of a whole :class:`Statistics` (its total)."""
    words = words_for(stats, department_name=department_name)
    return headline_sentence(stats.total, stats.as_of, words, boundaries=stats.boundaries_enabled)
