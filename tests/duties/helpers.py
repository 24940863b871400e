"""Builders for 履职清单 rows, through the services (as the back office would)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qingdan.duties import services
from qingdan.duties.models import DutyItem, Mandate, Task, TaskPosition
from qingdan.org.models import Department, Position, Unit

SANDING_TEXT = """东川市教育局职能配置、内设机构和人员编制规定

第一条 根据《东川市机构改革方案》，制定本规定。
第二条 东川市教育局是市人民政府工作部门，为正处级。
第三条 东川市教育局负责贯彻落实党中央关于教育工作的方针政策和决策部署。主要职责是：
（一）贯彻执行国家教育方针、政策和法律法规，拟订全市教育改革与发展规划并组织实施。
（二）负责全市各级各类教育的统筹规划和协调管理，负责学校防汛安全工作。
（三）负责教育系统信访工作，统筹推进教育督导评估。
第四条 东川市教育局设下列内设机构：
（一）办公室。负责机关日常运转，承担信息、安全、保密、信访等工作。
（二）基础教育科。负责义务教育和学前教育的宏观管理工作。
（三）教育督导科。负责教育督导评估工作。
第五条 东川市教育局机关行政编制12名。设局长1名，副局长3名；科级领导职数6名。
第六条 本规定由市委机构编制委员会办公室负责解释。
"""


def mandate(dept: Department, title: str = "东川市教育局三定规定", **kw: Any) -> Mandate:
    kw.setdefault("full_text", "……")
    return services.create_mandate(
        Mandate(department=dept, title=title, **kw), acting_user=kw.pop("acting_user", None)
    )


def duty(dept: Department, text: str, **kw: Any) -> DutyItem:
    units = kw.pop("units", None)
    return services.create_duty_item(
        DutyItem(department=dept, text=text, **kw), acting_user=None, units=units
    )


def task(
    item: DutyItem,
    unit: Unit,
    name: str,
    *,
    frequency: str = "monthly",
    unit_hours: str | Decimal = "10",
    **kw: Any,
) -> Task:
    cooperating = kw.pop("cooperating_units", None)
    if frequency == "per_case":
        kw.setdefault("occurrences", Decimal("10"))
    else:
        kw.setdefault("occurrences", Decimal("0"))
    return services.create_task(
        Task(
            duty_item=item,
            lead_unit=unit,
            name=name,
            frequency=frequency,
            unit_hours=Decimal(str(unit_hours)),
            **kw,
        ),
        acting_user=None,
        cooperating_units=cooperating,
    )


def put(t: Task, pos: Position, role: str = "lead") -> TaskPosition:
    return services.create_task_position(
        TaskPosition(task=t, position=pos, role=role), acting_user=None
    )
