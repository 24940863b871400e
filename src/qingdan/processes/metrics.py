"""流程再造 figures: steps, materials and days before vs after, per process and rolled up.

A re-engineering pair is an "after" process (``Process.before`` set, not revoked) and its
"before" version. Per pair: 办事环节 (action and decision steps) removed, 办事手续 (materials)
removed, and working days saved on the longest path. Figures are net: a pair that adds a step
counts against the total. Rolled up per department, per region (its own departments) and overall,
they give the seed's sentence: "减少办事环节1963个、精简办事手续1568项", with the days saved.

``rollup`` is pure (tested on hand-built rows); ``reengineering_report`` reads the rows in a
fixed number of queries whatever the size of the region, inside the user's data scope (``user=None``: no
restriction, for the console and compilation jobs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count

from qingdan.core.access import restrict
from qingdan.core.choices import Action
from qingdan.duties.choices import ListStatus
from qingdan.processes.totals import ReengineeringTotals


class Pair(NamedTuple):
    """One re-engineered process: the after version's id, code and name, and both sides' counts."""

    process_id: int
    code: str
    name: str
    department_id: int
    steps_after: int
    materials_after: int
    days_after: Decimal
    steps_before: int
    materials_before: int
    days_before: Decimal


@dataclass
class Figures(ReengineeringTotals):
    processes: int = 0  # current processes (流程图), re-engineered or not

    @property
    def sentence(self) -> str:
        return sentence(self)


def sentence(f: Figures) -> str:
    """The seeds' wording: "减少办事环节N个、精简办事手续M项", then the working days taken off
    the longest paths ("压缩办理时限D个工作日") when that changed."""
    text = f"减少办事环节{f.steps_removed}个、精简办事手续{f.materials_removed}项"
    days = f.days_saved
    if days > 0:
        text += f"、压缩办理时限{format_days(days)}个工作日"
    elif days < 0:
        text += f"、办理时限增加{format_days(-days)}个工作日"
    return text


def format_days(days: Decimal) -> str:
    """7 for 7.0, 8.5 for 8.50: no trailing zeros, never an exponent."""
    text = f"{days.quantize(Decimal('0.1')):f}"
    return text.removesuffix(".0")


@dataclass
class DepartmentFigures:
    id: int
    name: str
    region_id: int
    figures: Figures = field(default_factory=Figures)
    pairs: list[Pair] = field(default_factory=list)


@dataclass
class RegionFigures:
    id: int
    name: str
    code: str
    figures: Figures = field(default_factory=Figures)
    departments: list[DepartmentFigures] = field(default_factory=list)


@dataclass
class MetricsReport:
    figures: Figures
    regions: list[RegionFigures]

    def department(self, pk: int) -> DepartmentFigures | None:
        for r in self.regions:
            for d in r.departments:
                if d.id == pk:
                    return d
        return None


def rollup(
    pairs: Iterable[Pair],
    process_counts: dict[int, int],
    departments: Iterable[tuple[int, str, int]],
    regions: Iterable[tuple[int, str, str]],
) -> MetricsReport:
    """Pure roll-up: pairs and process counts per department → departments → regions → total.

    ``departments`` are (id, name, region id) in display order, ``regions`` (id, name, code).
    Departments with neither processes nor pairs are left out.
    """
    depts = {pk: DepartmentFigures(pk, name, region_id) for pk, name, region_id in departments}
    for pk, n in process_counts.items():
        if pk in depts:
            depts[pk].figures.processes += n
    for p in pairs:
        d = depts.get(p.department_id)
        if d is not None:
            d.figures.add_pair(p)
            d.pairs.append(p)
    by_region = {pk: RegionFigures(pk, name, code) for pk, name, code in regions}
    total = Figures()
    for d in depts.values():
        if not d.figures.processes and not d.figures.pairs:
            continue
        region = by_region.get(d.region_id)
        if region is None:
            continue
        region.departments.append(d)
        region.figures.add(d.figures)
        total.add(d.figures)
    kept = sorted((r for r in by_region.values() if r.departments), key=lambda r: r.code)
    return MetricsReport(total, kept)


def reengineering_report(
    user: Any = None, *, region_id: int | None = None, department_id: int | None = None
) -> MetricsReport:
    """Figures inside ``user``'s view scope, optionally for one region (with the regions below
    it) or one department; four queries (five for a region), whatever the number of rows."""
    from qingdan.org.models import Department, Region
    from qingdan.processes.models import Process

    qs = Process.objects.all()
    if user is not None:
        qs = restrict(qs, user, Action.VIEW)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    elif region_id is not None:
        root = Region.objects.filter(pk=region_id).values_list("path", flat=True).first() or "-"
        qs = qs.filter(region__path__startswith=root)
    pairs = [
        Pair(*row)
        for row in qs.after_versions()
        .order_by("department_id", "order", "code")
        .values_list(
            "id",
            "code",
            "name",
            "department_id",
            "step_count",
            "material_count",
            "path_days",
            "before__step_count",
            "before__material_count",
            "before__path_days",
        )
    ]
    counts = dict(
        qs.current()
        .exclude(status=ListStatus.REVOKED)
        .order_by()
        .values_list("department_id")
        .annotate(n=Count("id"))
        .values_list("department_id", "n")
    )
    dept_ids = set(counts) | {p.department_id for p in pairs}
    departments = list(
        Department.objects.filter(pk__in=dept_ids)
        .order_by("region__code", "order", "id")
        .values_list("id", "name", "region_id")
    )
    regions = Region.objects.filter(pk__in={d[2] for d in departments}).values_list(
        "id", "name", "code"
    )
    return rollup(pairs, counts, departments, regions)
