"""Who can carry a step: a department's units, positions and people, and how a template's lanes
(受理窗口, 审批科室, 分管领导 …) map onto them.

A :class:`Directory` is read in three queries for any number of departments, so the demo
generator maps tens of thousands of processes without a query per process.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from qingdan.org.choices import LeaderLevel, PositionCategory
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Assignment, Position, Unit
from qingdan.processes.aggregate import LaneRef

# Labels offered for lanes outside the department's own units and positions.
COMMON_LABELS = ("申请人", "当事人", "分管领导", "主要负责人", "领导班子集体讨论", "相关部门")


@dataclass(frozen=True)
class PositionInfo:
    id: int
    name: str
    unit_id: int | None
    leader_level: str
    category: str


@dataclass
class Directory:
    """A department's units and positions in force, and the people holding its positions today."""

    department_id: int
    units: dict[int, str] = field(default_factory=dict)  # id → name, in unit order
    positions: dict[int, PositionInfo] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)  # person id → name
    held: dict[int, list[int]] = field(default_factory=dict)  # position id → person ids
    names: dict[str, str] = field(default_factory=dict)  # every unit and position, ``unit:1``…
    # Answers to the lookups below: the demo asks them hundreds of thousands of times.
    memo: dict[tuple, Any] = field(default_factory=dict, repr=False, compare=False)

    def lane_name(self, lane: LaneRef) -> str:
        """The lane's name; abolished units and positions keep their names in old versions."""
        if lane.unit_id is not None:
            return self.names.get(f"unit:{lane.unit_id}", f"（科室#{lane.unit_id}）")
        if lane.position_id is not None:
            return self.names.get(f"position:{lane.position_id}", f"（岗位#{lane.position_id}）")
        return lane.label

    def unit_by_words(self, *words: str) -> int | None:
        for uid, name in self.units.items():
            if any(w in name for w in words):
                return uid
        return None

    def _memo(self, key: tuple, compute: Any) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def dept_leaders(self, level: str) -> list[int]:
        return self._memo(
            ("leaders", level),
            lambda: [p.id for p in self.positions.values() if p.leader_level == level],
        )

    def unit_head(self, unit_id: int | None) -> int | None:
        """The unit's 正职 position (科长/主任), else its deputy."""

        def find() -> int | None:
            for level in (LeaderLevel.UNIT_PRINCIPAL, LeaderLevel.UNIT_DEPUTY):
                for p in self.positions.values():
                    if p.unit_id == unit_id and p.leader_level == level:
                        return p.id
            return None

        return None if unit_id is None else self._memo(("head", unit_id), find)

    def unit_people(self, unit_id: int | None) -> list[int]:
        if unit_id is None:
            return []
        return self._memo(
            ("people", unit_id),
            lambda: [
                person
                for p in self.positions.values()
                if p.unit_id == unit_id
                for person in self.held.get(p.id, [])
            ],
        )

    def holds_position(self, person_id: int) -> bool:
        holders = self._memo(("holders",), lambda: {x for ids in self.held.values() for x in ids})
        return person_id in holders

    def business_units(self) -> list[int]:
        common = ("办公室", "财务", "人事", "机关党委", "政策法规", "科技信息")
        own = [uid for uid, name in self.units.items() if not any(w in name for w in common)]
        return own or list(self.units)


def _in_force(status: str, start: dt.date | None, end: dt.date | None, on: dt.date) -> bool:
    return (
        status == OrgStatus.ACTIVE and (start is None or start <= on) and (end is None or end > on)
    )


def directories(department_ids: Iterable[int], on: dt.date | None = None) -> dict[int, Directory]:
    """Directories of several departments in three queries."""
    on = on or timezone.localdate()
    ids = list(department_ids)
    out = {d: Directory(d) for d in ids}
    for uid, name, dept_id, status, start, end in (
        Unit.objects.filter(department_id__in=ids)
        .order_by("department_id", "order", "id")
        .values_list("id", "name", "department_id", "status", "established_on", "abolished_on")
    ):
        out[dept_id].names[f"unit:{uid}"] = name
        if _in_force(status, start, end, on):
            out[dept_id].units[uid] = name
    for row in (
        Position.objects.filter(department_id__in=ids)
        .order_by("department_id", "unit_id", "order", "id")
        .values_list(
            "id",
            "name",
            "unit_id",
            "leader_level",
            "category",
            "department_id",
            "status",
            "established_on",
            "abolished_on",
        )
    ):
        pid, name, unit_id, level, category, dept_id, status, start, end = row
        out[dept_id].names[f"position:{pid}"] = name
        if _in_force(status, start, end, on):
            out[dept_id].positions[pid] = PositionInfo(pid, name, unit_id, level, category)
    held: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for position_id, person_id, person_name, dept_id in (
        Assignment.objects.active_on(on)
        .filter(department_id__in=ids, position__status=OrgStatus.ACTIVE)
        .order_by("start_date", "id")
        .values_list("position_id", "person_id", "person__name", "department_id")
    ):
        held[dept_id][position_id].append(person_id)
        out[dept_id].people[person_id] = person_name
    for dept_id, by_position in held.items():
        out[dept_id].held = dict(by_position)
    return out


def directory(department_id: int, on: dt.date | None = None) -> Directory:
    return directories([department_id], on)[department_id]


# --- template lanes ------------------------------------------------------------------------------

_PARTY = ("申请人", "当事人", "服务对象", "缴费义务人", "相对人")
_HEAD = ("主要负责人", "局长", "主任", "局长办公会", "集体讨论")
_LEADER = ("分管领导", "分管副局长", "分管副主任", "分管")
_WINDOW = ("窗口", "受理", "办证大厅", "政务服务", "审批服务")
_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], bool], ...] = (
    # (words in the template's lane name, words in the department's unit names, fall back to the
    #  lead unit when no such unit exists; otherwise the template's name stays as a free label)
    (("法制", "法规"), ("法规", "法制"), False),
    (("财务",), ("财务",), False),
    (("办公室",), ("办公室",), True),
    (("执法大队", "执法队", "稽查", "监督检查"), ("执法", "稽查", "监察", "监督"), True),
)


def map_template_lane(
    name: str, d: Directory, lead_unit_id: int | None, *, pick: int = 0
) -> LaneRef:
    """The department's lane for a template lane called ``name``.

    申请人/当事人 stay free labels; 分管领导 and 主要负责人 become the department's leadership
    positions; 受理窗口, 办公室, 法制审核, 财务 and 执法 lanes become the matching unit; everything
    else (审批科室, 承办科室, 业务科室 …) the task's lead unit. When nothing matches the template's
    name is kept as a label. ``pick`` chooses among several 分管领导 (the demo varies it).
    """
    spread = len(d.dept_leaders(LeaderLevel.DEPT_DEPUTY)) or 1
    return d._memo(
        ("lane", name, lead_unit_id, pick % spread),
        lambda: _map_lane(name, d, lead_unit_id, pick % spread),
    )


def _map_lane(name: str, d: Directory, lead_unit_id: int | None, pick: int) -> LaneRef:
    if any(w in name for w in _PARTY):
        return LaneRef(label=name)
    if any(w in name for w in _LEADER):
        deputies = d.dept_leaders(LeaderLevel.DEPT_DEPUTY)
        return (
            LaneRef(position_id=deputies[pick % len(deputies)]) if deputies else LaneRef(label=name)
        )
    if any(w in name for w in _HEAD):
        heads = d.dept_leaders(LeaderLevel.DEPT_PRINCIPAL)
        return LaneRef(position_id=heads[0]) if heads else LaneRef(label=name)
    lead = lead_unit_id if lead_unit_id in d.units else None
    if lead is None:
        business = d.business_units()
        lead = business[pick % len(business)] if business else None
    if any(w in name for w in _WINDOW):
        found = d.unit_by_words("审批服务", "政务服务", "窗口")
        return _unit_or_label(found or lead, name)
    if "执法人员" in name and lead is not None:
        officers = [
            p.id
            for p in d.positions.values()
            if p.unit_id == lead and p.category == PositionCategory.ENFORCEMENT
        ]
        return LaneRef(position_id=officers[0]) if officers else LaneRef(unit_id=lead)
    for lane_words, unit_words, fallback in _RULES:
        if any(w in name for w in lane_words):
            found = d.unit_by_words(*unit_words)
            if found is None and fallback:
                found = lead
            return _unit_or_label(found, name)
    return _unit_or_label(lead, name)


def _unit_or_label(unit_id: int | None, name: str) -> LaneRef:
    return LaneRef(unit_id=unit_id) if unit_id is not None else LaneRef(label=name)


def responsibility(
    lane: LaneRef, d: Directory, lead_unit_id: int | None, *, pick: int = 0
) -> tuple[int | None, int | None, int | None]:
    """Default 责任领导, 责任科室 and 责任人 of a step in ``lane``.

    The 责任领导 is the department leader in charge (a 分管 deputy, else the head; the lane's own
    position when the lane is a department leader), the 责任科室 the lane's unit (else the lead
    unit), and the 责任人 the person holding that unit's head post (else anyone posted there).
    """
    spread = len(d.dept_leaders(LeaderLevel.DEPT_DEPUTY)) or 1
    return d._memo(
        ("responsible", lane, lead_unit_id, pick % spread),
        lambda: _responsibility(lane, d, lead_unit_id, pick % spread),
    )


def _responsibility(
    lane: LaneRef, d: Directory, lead_unit_id: int | None, pick: int
) -> tuple[int | None, int | None, int | None]:
    unit_id = lane.unit_id
    leader: int | None = None
    if lane.position_id is not None:
        info = d.positions.get(lane.position_id)
        unit_id = info.unit_id if info else None
        if info is not None and info.unit_id is None:
            leader = info.id
    if unit_id is None or unit_id not in d.units:
        unit_id = lead_unit_id if lead_unit_id in d.units else None
    if leader is None:
        deputies = d.dept_leaders(LeaderLevel.DEPT_DEPUTY) or d.dept_leaders(
            LeaderLevel.DEPT_PRINCIPAL
        )
        leader = deputies[pick % len(deputies)] if deputies else None
    head = d.unit_head(unit_id)
    holders = d.held.get(head, []) if head is not None else []
    people = holders or d.unit_people(unit_id)
    return leader, unit_id, (people[0] if people else None)
