"""Synthetic 三定 regulations and 履职清单 for the demo region, deterministic by seed.

Every department gets a 三定 regulation in the 2018 article form — 第一条 basis, 第二条 nature and
规格, 第三条 主要职责（一）…（N）, 第四条 内设机构 with each unit's duties, 第五条 人员编制 (行政编制N名，
设局长1名、副局长N名；科级领导职数N名) — written from its own org data (units as of the 2019
reform, the 2019 quota), so ``duties.sanding`` reads every duty, unit and figure back. Its main
duties become 职责事项 (as the 接收三定规定 flow would make them), each unit's duties become
refined items, and government departments get 权责清单 items; these are broken into 工作任务 led by
the units and given to positions (主办/协办/AB角).

At ``city`` scale the totals follow seed 001 (淄博): ~16,700 职责事项 and ~29,500 工作任务. The data
carries the gaps and loads the coverage analysis exists to find: 三定 duties without tasks, tasks
without a 主办, positions without tasks, units above 110 % and below 60 % 工作饱和度, and 监管/执法
tasks without a 工作规范. Rows are bulk-inserted, each with its change-log entry.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from qingdan.core import bulk
from qingdan.core.changelog import Change, record_many, snapshot
from qingdan.core.choices import ChangeKind
from qingdan.demo import duty_texts as tx
from qingdan.duties import choices as dc
from qingdan.duties.accept import clause_label, unit_duties_text
from qingdan.duties.choices import OCCURRENCES_PER_YEAR, DutySource, Frequency
from qingdan.duties.models import DutyItem, Mandate, Task, TaskPosition
from qingdan.duties.sanding import parse_sanding
from qingdan.duties.sanding.numerals import format_number
from qingdan.duties.search import fill_search_text
from qingdan.org.choices import Rank
from qingdan.org.models import Department, Position, StaffingQuota, Unit

REFORM_DATE = dt.date(2019, 3, 1)
STANDARD_HOURS = 1650  # coverage's default yearly hours per person
# Seed 001: 市县两级共梳理职责事项16704项，分解细化为29540项具体工作任务.
CITY_ITEMS, CITY_TASKS = 16704, 29540
# …编制流程图24897张: the share of tasks with a 办理流程 (the processes generator draws them).
PROCESS_SHARE = 24897 / 29540
COMMON = ("办公室", "财务", "政策法规", "人事", "机关党委", "行政审批服务", "科技信息")
ENFORCEMENT_WORDS = ("执法", "稽查", "监察", "监督", "监管", "安全", "质量", "治安", "刑事")
HEAVY = ("市场监督", "公安", "生态环境", "应急", "交通", "农业农村", "卫生健康", "住房", "自然资源")


@dataclass
class DutiesResult:
    mandates: list[Mandate] = field(default_factory=list)
    items: list[DutyItem] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    task_positions: list[TaskPosition] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)  # department id → 三定 text
    gaps: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "三定规定": len(self.mandates),
            "职责事项": len(self.items),
            "工作任务": len(self.tasks),
            "任务岗位": len(self.task_positions),
        }


@dataclass
class _Dept:
    """What the text and the list of one department are written from."""

    dept: Department
    units: list[Unit]  # in force at the 2019 reform (including those abolished later)
    active_units: list[Unit]
    quota: StaffingQuota | None
    domain: str
    level: str  # 全市 / 全区 / 全县
    gov: str
    city: bool
    main: list[tuple[str, Unit | None]] = field(default_factory=list)
    unit_duties: dict[int, list[str]] = field(default_factory=dict)


def _field_of(unit: Unit) -> str:
    name = unit.name
    for suffix in ("科", "室", "处", "股"):
        if name.endswith(suffix) and name != "办公室":
            return name[: -len(suffix)]
    return name


def _common_key(unit: Unit) -> str | None:
    field_word = _field_of(unit)
    return field_word if field_word in COMMON else None


def domain_of(name: str) -> str:
    """东川市市场监督管理局 → 市场监督管理; 中共东川市委组织部 → 组织."""
    text = name.split(" ")[0].removeprefix("中共")
    for prefix in ("东川市河西区", "东川市河东区", "东川县", "东川市"):
        text = text.removeprefix(prefix)
    text = text.removeprefix("委").removeprefix("区委").removeprefix("县委")
    for suffix in ("委员会办公室", "委员会", "常委会办公室", "办公室", "局", "部", "中心", "院"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    for joiner in ("和", "与"):
        text = text.replace(joiner, "")
    return text or "本部门"


def _nature(d: _Dept) -> str:
    dept = d.dept
    place = "市" if d.city else ("县" if dept.name.startswith("东川县") else "区")
    kind = dept.kind
    if kind in ("party", "discipline"):
        body = f"{place}委工作机关"
    elif kind == "congress":
        body = f"{place}人大常委会的办事机构"
    elif kind == "mass":
        body = f"{place}委领导下的人民团体"
    elif kind == "institution":
        body = f"{place}人民政府直属事业单位"
    else:
        body = f"{place}人民政府工作部门"
    return f"是{body}，为{Rank(dept.rank).label}"


def _head_title(dept: Department) -> str:
    # The same rule as the org generator's leadership positions.
    if "办公室" in dept.name or dept.kind in ("party", "congress", "institution"):
        return "主任"
    return "局长"


def sanding_text(d: _Dept) -> str:
    """The department's 三定规定 in the 2018 article form."""
    dept, short = d.dept, d.dept.short_name or d.dept.name
    lines = [f"{dept.name}职能配置、内设机构和人员编制规定", ""]
    basis = "东川市机构改革方案" if d.city else f"{dept.name[:5]}机构改革方案"
    lines.append(f"第一条 根据《{basis}》，制定本规定。")
    lines.append(f"第二条 {dept.name}（以下简称{short}）{_nature(d)}。")
    lines.append(
        f"第三条 {short}贯彻落实党中央关于{d.domain}工作的方针政策和决策部署，"
        f"在履行职责过程中坚持和加强党对{d.domain}工作的集中统一领导。主要职责是："
    )
    for number, (text, _unit) in enumerate(d.main, start=1):
        lines.append(f"（{format_number(number)}）{text}")
    lines.append(f"第四条 {short}设下列内设机构：")
    for number, unit in enumerate(d.units, start=1):
        duties = "".join(d.unit_duties[unit.pk])
        lines.append(f"（{format_number(number)}）{unit.name}。{duties}")
    q = d.quota
    if q is not None:
        head = _head_title(dept)
        kind = "事业编制" if q.institution and not q.administrative else "行政编制"
        figure = q.institution if kind == "事业编制" else q.administrative
        level = "科级" if d.city else "股级"
        staffing = f"第五条 {short}机关{kind}{figure}名。设{head}{q.leader_principal}名"
        if q.leader_deputy:
            staffing += f"，副{head}{q.leader_deputy}名"
        staffing += f"；{level}领导职数{q.leader_unit}名。"
        if q.logistics:
            staffing += f"工勤编制{q.logistics}名。"
        lines.append(staffing)
    lines.append(f"第六条 {short}所属事业单位的设置、职责和编制事项另行规定。")
    office = "市委机构编制委员会办公室" if d.city else "机构编制委员会办公室"
    lines.append(
        f"第七条 本规定由{office}负责解释，其调整由{office}按规定程序办理，自2019年3月1日起施行。"
    )
    return "\n".join(lines) + "\n"


def _plan_texts(d: _Dept, rng: random.Random) -> None:
    fmt = {"d": d.domain, "lv": d.level, "gov": d.gov}
    main: list[tuple[str, Unit | None]] = [(tx.MAIN_OPENING.format(**fmt), None)]
    business = [u for u in d.units if _common_key(u) is None]
    for unit in business:
        template = rng.choice(tx.MAIN_FIELD)
        main.append((template.format(f=_field_of(unit), **fmt), unit))
    for template in rng.sample(tx.MAIN_GENERAL, k=2):
        main.append((template.format(**fmt), None))
    main.append((tx.MAIN_CLOSING.format(**fmt), None))
    d.main = main
    for unit in d.units:
        key = _common_key(unit)
        if key is not None:
            sentences = [s.format(**fmt) for s in tx.UNIT_COMMON[key]]
        else:
            picks = rng.sample(tx.UNIT_FIELD, k=rng.randint(2, 4))
            sentences = [s.format(f=_field_of(unit), **fmt) for s in picks]
        d.unit_duties[unit.pk] = sentences


class _Builder:
    """Builds the rows of all departments, then writes them in bulk."""

    def __init__(self, scale: str, rng: random.Random, acting_user: Any) -> None:
        self.scale, self.rng, self.user = scale, rng, acting_user
        self.uid = getattr(acting_user, "pk", None)
        self.result = DutiesResult()
        self.item_units: list[tuple[DutyItem, Unit]] = []
        self.coop: list[tuple[Task, Unit]] = []
        self.kind_of: dict[int, str] = {}  # id(item) → main | unit | power | assigned
        self.power_kind: dict[int, str] = {}
        self.lead_of: dict[int, Unit] = {}  # id(item) → the unit that leads its tasks

    # -- departments ----------------------------------------------------------------------

    def departments(
        self, departments: list[Department], units: list[Unit], quotas: list[StaffingQuota]
    ) -> list[_Dept]:
        by_dept: dict[int, list[Unit]] = defaultdict(list)
        for unit in sorted(units, key=lambda u: (u.department_id, u.order, u.pk)):
            by_dept[unit.department_id].append(unit)
        first_quota: dict[int, StaffingQuota] = {}
        for q in sorted(quotas, key=lambda q: q.effective_from):
            if q.unit_id is None:
                first_quota.setdefault(q.department_id, q)
        city_region = min(d.region_id for d in departments)
        out = []
        for dept in departments:
            all_units = by_dept[dept.pk]
            in_2019 = [
                u for u in all_units if u.established_on is None or u.established_on <= REFORM_DATE
            ]
            is_city = dept.region_id == city_region
            place = "市" if is_city else ("县" if dept.name.startswith("东川县") else "区")
            d = _Dept(
                dept=dept,
                units=in_2019,
                active_units=[u for u in all_units if u.status == "active"],
                quota=first_quota.get(dept.pk),
                domain=domain_of(dept.name),
                level=f"全{place}",
                gov=f"{place}委、{place}政府",
                city=is_city,
            )
            _plan_texts(d, self.rng)
            out.append(d)
        return out

    # -- items --------------------------------------------------------------------------------

    def items(self, depts: list[_Dept]) -> None:
        base = sum(len(d.main) + sum(len(v) for v in d.unit_duties.values()) for d in depts)
        target = CITY_ITEMS if self.scale == "city" else int(base * 1.6)
        weights = [self._weight(d) for d in depts]
        extra = _largest_remainder(max(0, target - base), weights)
        for d, n_extra in zip(depts, extra, strict=True):
            self._department_items(d, n_extra)

    def _weight(self, d: _Dept) -> float:
        business = sum(1 for u in d.active_units if _common_key(u) is None)
        if d.dept.kind in ("government", "institution"):
            heavy = 3.0 if any(h in d.dept.name for h in HEAVY) else 1.0
            return (1 + business) * heavy
        return 0.1 * (1 + business)

    def _department_items(self, d: _Dept, n_extra: int) -> None:
        rng, dept = self.rng, d.dept
        mandate = Mandate(
            department=dept,
            region_id=dept.region_id,
            code="SD001",
            title=f"{dept.name}职能配置、内设机构和人员编制规定",
            doc_number=d.quota.doc_number if d.quota else "",
            effective_date=dt.date(2019, 2, 20),
            form=dc.MandateForm.ARTICLE_2018,
            version=1,
            created_by_id=self.uid,
            updated_by_id=self.uid,
        )
        text = sanding_text(d)
        mandate.full_text = text
        mandate.parsed = parse_sanding(text).to_review_dict()
        self.result.mandates.append(mandate)
        self.result.texts[dept.pk] = text
        fallback = d.active_units[0] if d.active_units else None
        active = {u.pk for u in d.active_units}
        order = 0

        def add(
            code: str, source: str, clause: str, text: str, kind: str, unit: Unit | None
        ) -> DutyItem:
            nonlocal order
            order += 1
            item = DutyItem(
                department=dept,
                region_id=dept.region_id,
                mandate=mandate if source == DutySource.MANDATE else None,
                code=code,
                source=source,
                clause=clause,
                text=text,
                category=self._category(kind, text),
                is_core=kind == "main" and rng.random() < 0.5,
                order=order,
                created_by_id=self.uid,
                updated_by_id=self.uid,
            )
            self.result.items.append(item)
            self.kind_of[id(item)] = kind
            lead = unit if unit is not None and unit.pk in active else None
            lead = lead or (
                rng.choice(d.active_units) if kind != "unit" and d.active_units else fallback
            )
            if lead is not None:
                self.lead_of[id(item)] = lead
                self.item_units.append((item, lead))
            return item

        n = 0
        for number, (text, unit) in enumerate(d.main, start=1):
            n += 1
            add(f"ZZ{n:03d}", DutySource.MANDATE, clause_label(number), text, "main", unit)
        for unit in d.units:
            for k, sentence in enumerate(d.unit_duties[unit.pk], start=1):
                n += 1
                clause = f"{unit.name}职责（{format_number(k)}）"[:50]
                add(f"ZZ{n:03d}", DutySource.MANDATE, clause, sentence, "unit", unit)
        business = [u for u in d.active_units if _common_key(u) is None] or d.active_units
        if not business:
            return
        government = dept.kind in ("government", "institution")
        for k in range(1, n_extra + 1):
            unit = business[(k - 1) % len(business)]
            f = _field_of(unit)
            if government:
                enforcing = any(w in unit.name or w in dept.name for w in ENFORCEMENT_WORDS)
                kinds = tx.POWER_KINDS_ENFORCEMENT if enforcing else tx.POWER_KINDS_SERVICE
                kind = rng.choice(kinds)
                if kind in ("行政处罚", "行政强制", "行政检查"):
                    subject = rng.choice(tx.SUBJECTS)
                    what = rng.choice(tx.VIOLATIONS).format(f=f)
                    suffix = {"行政处罚": "的行政处罚", "行政强制": "的行政强制措施"}.get(kind, "")
                    text = (
                        f"对{subject}{what}{suffix}" if suffix else f"对{subject}{f}活动的监督检查"
                    )
                else:
                    text = rng.choice(tx.PERMITS).format(f=f)
                item = add(
                    f"QL{k:04d}", DutySource.POWER_LIST, f"{kind}-{k:04d}", text, "power", unit
                )
                self.power_kind[id(item)] = kind
            else:
                template = rng.choice(tx.ASSIGNED)
                text = template.format(year=2019 + k % 5, d=d.domain, gov=d.gov, n=k)
                add(f"JB{k:03d}", DutySource.ASSIGNED, "", text, "assigned", unit)

    def _category(self, kind: str, text: str) -> str:
        if kind == "power":
            return "enforcement" if "处罚" in text or "强制" in text else "service"
        if "监督" in text or "监管" in text or "检查" in text:
            return "regulation"
        if "规划" in text or "政策" in text:
            return "policy"
        if "协调" in text:
            return "coordination"
        if "机关" in text or "人事" in text or "财务" in text:
            return "internal"
        return "other" if kind != "assigned" else "coordination"

    # -- tasks --------------------------------------------------------------------------------

    def tasks(self, depts: list[_Dept], positions: list[Position], people: dict[int, int]) -> None:
        """Tasks for every item (a few 三定 items get none), hours calibrated to 工作饱和度."""
        rng = self.rng
        items = self.result.items
        caps = {"main": 5, "unit": 3, "power": 2, "assigned": 1}
        counts: list[int] = []
        for item in items:
            kind = self.kind_of[id(item)]
            gap = kind in ("main", "unit") and rng.random() < 0.02
            counts.append(0 if gap or id(item) not in self.lead_of else 1)
        ratio = CITY_TASKS / CITY_ITEMS
        target = round(len(items) * ratio)
        room = sum(caps[self.kind_of[id(i)]] - 1 for i, n in zip(items, counts, strict=True) if n)
        p = min(1.0, max(0.0, (target - sum(counts)) / room)) if room else 0.0
        for index, item in enumerate(items):
            if counts[index]:
                extra = caps[self.kind_of[id(item)]] - 1
                counts[index] += sum(1 for _ in range(extra) if rng.random() < p)
        dept_of = {d.dept.pk: d for d in depts}
        for item, n in zip(items, counts, strict=True):
            d = dept_of[item.department_id]
            for k in range(1, n + 1):
                self._task(item, d, k)
        self._hours(people)
        self._positions(positions)

    def _task(self, item: DutyItem, d: _Dept, k: int) -> None:
        rng = self.rng
        kind = self.kind_of[id(item)]
        lead = self.lead_of[id(item)]
        business = [u for u in d.active_units if _common_key(u) is None] or d.active_units
        if kind == "main" and k > 1:
            lead = rng.choice(business)
        f = _field_of(lead)
        power = self.power_kind.get(id(item))
        if power:
            name = tx.TASK_POWER[power][k - 1].format(x=item.text)[:300]
        elif kind == "main":
            name = rng.choice(tx.TASK_MAIN).format(f=f)
        else:
            name = rng.choice(tx.TASK_UNIT).format(f=f)
        if kind == "power":
            freq = Frequency.PER_CASE if rng.random() < 0.9 else Frequency.MONTHLY
        elif kind == "main":
            freq = rng.choice(["yearly", "half_yearly", "quarterly", "monthly"])
        elif kind == "unit":
            freq = rng.choices(
                ["daily", "weekly", "monthly", "quarterly", "per_case"], weights=[1, 4, 6, 2, 7]
            )[0]
        else:
            freq = rng.choice(["yearly", "per_case"])
        supervision = power == "行政检查" or (kind == "unit" and "监督" in name)
        enforcement = power in ("行政处罚", "行政强制")
        discretion = ""
        if enforcement:
            discretion = rng.choice(["high", "medium", "medium"])
        risk = rng.choice(["", "low", "medium", "high"]) if power else ""
        law = next((v for key, v in tx.LAWS.items() if key in d.dept.name), None)
        law = law or f"《{d.domain}工作规定》"
        task = Task(
            department_id=item.department_id,
            region_id=item.region_id,
            code=f"{item.code}-{k:02d}",
            name=name,
            description=f"依照职责分工办理{name}，按时限完成并留存记录。"
            if rng.random() < 0.4
            else "",
            lead_unit=lead,
            frequency=freq,
            time_limit_days=rng.randint(5, 20)
            if power
            else (rng.randint(1, 30) if rng.random() < 0.2 else None),
            legal_basis=f"{law}第{rng.randint(8, 90)}条" if power or rng.random() < 0.3 else "",
            is_supervision=supervision,
            is_enforcement=enforcement,
            discretion=discretion,
            risk_level=risk,
            has_process=rng.random() < PROCESS_SHARE,
            order=len(self.result.tasks) + 1,
            created_by_id=self.uid,
            updated_by_id=self.uid,
        )
        task.duty_item = item
        needs = supervision or enforcement or discretion == "high" or risk == "high"
        if (needs and rng.random() < 0.88) or (not needs and rng.random() < 0.25):
            task.work_spec = tx.WORK_SPEC.format(x=name, days=task.time_limit_days or 15)
        if rng.random() < 0.4:
            task.output_templates = rng.choice(tx.OUTPUT_TEMPLATES)
        if len(business) > 1 and rng.random() < 0.15:
            other = rng.choice([u for u in business if u.pk != lead.pk] or business)
            if other.pk != lead.pk:
                self.coop.append((task, other))
        self.kind_of[id(task)] = kind
        self.result.tasks.append(task)

    def _hours(self, people: dict[int, int]) -> None:
        """Give each unit's tasks yearly hours adding up to a chosen 工作饱和度 of its people."""
        rng = self.rng
        by_unit: dict[int, list[Task]] = defaultdict(list)
        for task in self.result.tasks:
            by_unit[task.lead_unit_id].append(task)
        for unit_id, tasks in by_unit.items():
            n = people.get(unit_id, 0)
            roll = rng.random()
            if roll < 0.06:
                saturation = rng.uniform(1.15, 1.6)  # 超负荷
            elif roll < 0.2:
                saturation = rng.uniform(0.25, 0.55)  # 不饱和
            else:
                saturation = rng.uniform(0.62, 0.98)
            total = saturation * n * STANDARD_HOURS if n else rng.uniform(200, 800)
            weights = [rng.lognormvariate(0, 0.8) for _ in tasks]
            scale = total / sum(weights)
            for task, weight in zip(tasks, weights, strict=True):
                hours = weight * scale
                if task.frequency == Frequency.PER_CASE:
                    occurrences = Decimal(rng.choice([2, 5, 10, 20, 40, 80, 150, 300]))
                else:
                    occurrences = Decimal(OCCURRENCES_PER_YEAR[Frequency(task.frequency)])
                unit_hours = min(Decimal(2000), max(Decimal("0.25"), Decimal(hours) / occurrences))
                task.occurrences = occurrences
                task.unit_hours = unit_hours.quantize(Decimal("0.01"))

    def _positions(self, positions: list[Position]) -> None:
        """主办 from the lead unit's staff (a few posts are left without work), 协办/AB角 from the
        unit, and the 分管 deputy as 协办 of some main-duty tasks; 1 % of tasks lack a 主办."""
        rng = self.rng
        staff: dict[int, list[Position]] = defaultdict(list)
        heads: dict[int, list[Position]] = defaultdict(list)
        deputies: dict[int, list[Position]] = defaultdict(list)
        for p in positions:
            if p.status != "active":
                continue
            if p.unit_id is None:
                if p.leader_level == "dept_deputy":
                    deputies[p.department_id].append(p)
            elif p.leader_level:
                heads[p.unit_id].append(p)
            elif rng.random() < 0.05:
                continue  # a post nobody gives work to: 岗位无任务
            else:
                staff[p.unit_id].append(p)
        made = self.result.task_positions
        for task in self.result.tasks:
            unit_id = task.lead_unit_id
            pool = staff.get(unit_id) or heads.get(unit_id) or []
            everyone = [*pool, *heads.get(unit_id, [])]
            chosen: list[tuple[Position, str]] = []
            kind = self.kind_of[id(task)]
            if pool and rng.random() >= 0.01:  # one task in a hundred has no 主办 yet
                lead = (
                    heads[unit_id][0]
                    if kind == "main" and heads.get(unit_id) and rng.random() < 0.5
                    else rng.choice(pool)
                )
                chosen.append((lead, dc.TaskRole.LEAD))
            taken = {p.pk for p, _ in chosen}
            others = [p for p in everyone if p.pk not in taken]
            if others and rng.random() < 0.35:
                p = rng.choice(others)
                chosen.append((p, dc.TaskRole.ASSIST))
                taken.add(p.pk)
            if kind == "main" and deputies.get(task.department_id) and rng.random() < 0.3:
                p = rng.choice(deputies[task.department_id])
                if p.pk not in taken:
                    chosen.append((p, dc.TaskRole.ASSIST))
                    taken.add(p.pk)
            others = [p for p in everyone if p.pk not in taken]
            if others and rng.random() < 0.3:
                chosen.append((rng.choice(others), dc.TaskRole.BACKUP))
            for position, role in chosen:
                tp = TaskPosition(
                    position=position,
                    role=role,
                    department_id=task.department_id,
                    region_id=task.region_id,
                    created_by_id=self.uid,
                    updated_by_id=self.uid,
                )
                tp.task = task
                made.append(tp)

    # -- writing ------------------------------------------------------------------------------

    def write(self, depts: list[_Dept]) -> None:
        r, user = self.result, self.user
        reason = "演示数据生成"
        Mandate.objects.bulk_create(r.mandates, batch_size=200)
        fill_search_text(r.items)
        bulk.insert(
            r.items,
            key=lambda i: (i.department_id, i.code),
            lookup=DutyItem.objects.all(),
            key_fields=["department_id", "code"],
        )
        bulk.insert_links(DutyItem.units.through, [(i.pk, u.pk) for i, u in self.item_units])
        fill_search_text(r.tasks)
        bulk.insert(
            r.tasks,
            key=lambda t: (t.department_id, t.code),
            lookup=Task.objects.all(),
            key_fields=["department_id", "code"],
            read_back=["annual_hours"],
        )
        bulk.insert_links(Task.cooperating_units.through, [(t.pk, u.pk) for t, u in self.coop])
        bulk.insert(
            r.task_positions,
            key=lambda tp: (tp.task_id, tp.position_id),
            lookup=TaskPosition.objects.all(),
            key_fields=["task_id", "position_id"],
        )
        units: list[tuple[Unit, dict[str, Any]]] = []
        for d in depts:
            for unit in d.units:
                before = snapshot(unit)
                unit.duties = unit_duties_text(d.unit_duties[unit.pk])
                units.append((unit, before))
        Unit.objects.bulk_update([u for u, _ in units], ["duties"], batch_size=500)
        unit_of = {id(i): u.pk for i, u in self.item_units}
        coop_of: dict[int, list[int]] = defaultdict(list)
        for task, unit in self.coop:
            coop_of[id(task)].append(unit.pk)

        def changes() -> Iterator[Change]:
            create = ChangeKind.CREATE
            for m in r.mandates:
                yield Change(create, m, None, snapshot(m))
            for unit, before in units:
                yield Change(ChangeKind.UPDATE, unit, before, snapshot(unit))
            for item in r.items:
                after = snapshot(item)
                if id(item) in unit_of:
                    after["units"] = [unit_of[id(item)]]
                yield Change(create, item, None, after)
            for task in r.tasks:
                after = snapshot(task)
                if id(task) in coop_of:
                    after["cooperating_units"] = sorted(coop_of[id(task)])
                yield Change(create, task, None, after)
            for tp in r.task_positions:
                yield Change(create, tp, None, snapshot(tp))

        record_many(changes(), acting_user=user, reason=reason)


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    whole = sum(weights) or 1.0
    shares = [total * w / whole for w in weights]
    out = [int(s) for s in shares]
    rest = sorted(range(len(weights)), key=lambda i: shares[i] - out[i], reverse=True)
    for i in rest[: total - sum(out)]:
        out[i] += 1
    return out


def _people_by_unit(
    positions: list[Position], assignments: list[Any], people: list[Any]
) -> dict[int, int]:
    """People in post today per unit, counted at their primary post (as coverage counts them)."""
    unit_of = {p.pk: p.unit_id for p in positions}
    active = {p.pk for p in people if p.status == "active"}
    counts: dict[int, int] = defaultdict(int)
    for a in assignments:
        if a.kind == "primary" and a.end_date is None and a.person_id in active:
            unit_id = unit_of.get(a.position_id)
            if unit_id:
                counts[unit_id] += 1
    return counts


@transaction.atomic
def generate_duties(org: Any, scale: str, seed: int, acting_user: Any = None) -> DutiesResult:
    """三定 texts, mandates, duty items, tasks and task positions for ``org`` (an OrgResult)."""
    rng = random.Random(seed * 7919 + 3)
    builder = _Builder(scale, rng, acting_user)
    with bulk.collector_paused():
        depts = builder.departments(org.departments, org.units, org.quotas)
        builder.items(depts)
        people = _people_by_unit(org.positions, org.assignments, org.people)
        builder.tasks(depts, org.positions, people)
        builder.write(depts)
    result = builder.result
    result.gaps = gap_counts(result)
    return result


def gap_counts(result: DutiesResult) -> dict[str, int]:
    with_tasks = {t.duty_item_id for t in result.tasks}
    led = {tp.task_id for tp in result.task_positions if tp.role == dc.TaskRole.LEAD}
    working = {tp.position_id for tp in result.task_positions if tp.role != dc.TaskRole.BACKUP}
    specs = sum(
        1
        for t in result.tasks
        if (
            t.is_supervision or t.is_enforcement or t.discretion == "high" or t.risk_level == "high"
        )
        and not t.work_spec
    )
    return {
        "三定职责无任务": sum(
            1 for i in result.items if i.source == DutySource.MANDATE and i.pk not in with_tasks
        ),
        "任务无主办岗位": sum(1 for t in result.tasks if t.pk not in led),
        "有任务的岗位": len(working),
        "缺工作规范的任务": specs,
    }


def seed_review_stages(
    departments: list[Department], rng: random.Random, acting_user: Any
) -> dict[str, int]:
    """Each region's programme (seed 000) with its departments at every stage of 二报二审."""
    from django.utils import timezone

    from qingdan.org.models import Region
    from qingdan.oversight.demo import seed_review_states
    from qingdan.oversight.seed import create_seed_programme

    by_region: dict[int, list[Department]] = defaultdict(list)
    for dept in departments:
        by_region[dept.region_id].append(dept)
    totals: dict[str, int] = defaultdict(int)
    now = dt.datetime(2019, 11, 25, 17, 0, tzinfo=timezone.get_current_timezone())
    for region in Region.objects.filter(pk__in=list(by_region)).order_by("path"):
        depts = by_region[region.pk]
        programme = create_seed_programme(
            region,
            2019,
            acting_user=acting_user,
            departments=depts,
            doc_number="东编办发〔2019〕9号",
        )
        for label, n in seed_review_states(depts, programme, rng, acting_user, now=now).items():
            totals[label] += n
    return dict(totals)
