"""The 工作方案 of seed 000 (室字〔2019〕94号), as a programme any region can start for a year.

City schedule (三、工作安排): 培训拟定 7月26日—8月15日 (the department's 汇编 reaches the 编办 by
8月15日); 评估完善 8月16日—9月30日 (the 编办 evaluates and returns opinions); 制定手册 10月1日—
10月20日 (handbook and work report to the 编办 by 10月15日); 总结汇报 by 10月31日. Counties
"参照市本级做法，压茬推进" and hand in by 11月15日, with the city's summary by the end of November;
their earlier dates are defaults the 编办 can adjust in the back office.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from qingdan.org.choices import RegionLevel
from qingdan.org.models import Department, Region
from qingdan.oversight import services
from qingdan.oversight.choices import Milestone, PhaseKind
from qingdan.oversight.models import Programme, ProgrammePhase

TITLE = "深化部门“三定”规定开展定岗定责定流程建立履职清单制度工作方案"

# (kind, name, start, end, deadline, milestone, deliverable) with (month, day) dates.
PhaseRow = tuple[str, str, tuple[int, int], tuple[int, int], tuple[int, int], str, str]

CITY_PHASES: tuple[PhaseRow, ...] = (
    (
        PhaseKind.DRAFTING,
        "培训拟定",
        (7, 26),
        (8, 15),
        (8, 15),
        Milestone.FIRST_SUBMITTED,
        "细化职责任务，设定岗位，拟订流程，形成本部门定岗定责定流程汇编报编办",
    ),
    (
        PhaseKind.EVALUATION,
        "评估完善",
        (8, 16),
        (9, 30),
        (9, 30),
        Milestone.FIRST_REVIEWED,
        "编办会同有关部门评估，提出调整完善意见和建议",
    ),
    (
        PhaseKind.HANDBOOK,
        "制定手册",
        (10, 1),
        (10, 20),
        (10, 15),
        Milestone.RESUBMITTED,
        "根据评估意见确定岗位、职责及流程，将部门管理手册（履职清单）和工作报告报编办",
    ),
    (
        PhaseKind.SUMMARY,
        "总结汇报",
        (10, 21),
        (10, 31),
        (10, 31),
        Milestone.PUBLISHED,
        "编办总结评估并向党委报告；各部门履职清单审定发布",
    ),
)

COUNTY_PHASES: tuple[PhaseRow, ...] = (
    (PhaseKind.DRAFTING, "培训拟定", (8, 16), (9, 15), (9, 15), *CITY_PHASES[0][5:]),
    (PhaseKind.EVALUATION, "评估完善", (9, 16), (10, 31), (10, 31), *CITY_PHASES[1][5:]),
    (PhaseKind.HANDBOOK, "制定手册", (11, 1), (11, 15), (11, 15), *CITY_PHASES[2][5:]),
    (PhaseKind.SUMMARY, "总结汇报", (11, 16), (11, 30), (11, 30), *CITY_PHASES[3][5:]),
)


def schedule_for(region: Region) -> tuple[PhaseRow, ...]:
    """Counties and towns follow the city 压茬推进; cities and provinces use the city dates."""
    return COUNTY_PHASES if region.level in (RegionLevel.COUNTY, RegionLevel.TOWN) else CITY_PHASES


@transaction.atomic
def create_seed_programme(
    region: Region,
    year: int,
    *,
    acting_user: Any,
    departments: Iterable[Department] = (),
    doc_number: str = "",
    issued_on: dt.date | None = None,
) -> Programme:
    """Create seed 000's programme for ``region`` and ``year`` with its four phases and a draft
    submission for each participating department."""
    schedule = schedule_for(region)
    programme = services.create_programme(
        Programme(
            region=region,
            year=year,
            title=f"{region.name}{TITLE}",
            doc_number=doc_number,
            issued_on=issued_on or dt.date(year, *schedule[0][2]),
            note="依据“三定”规定、权责清单定岗定责定流程，建立履职清单制度（二报二审）。",
        ),
        acting_user=acting_user,
        reason="按工作方案模板创建",
    )
    for order, (kind, name, start, end, deadline, milestone, deliverable) in enumerate(
        schedule, start=1
    ):
        services.create_phase(
            ProgrammePhase(
                programme=programme,
                order=order,
                name=name,
                kind=kind,
                start=dt.date(year, *start),
                end=dt.date(year, *end),
                deadline=dt.date(year, *deadline),
                milestone=milestone,
                deliverable=deliverable,
            ),
            acting_user=acting_user,
        )
    services.set_participants(programme, departments, acting_user=acting_user)
    return programme
