"""Synthetic processes (一事一流程) for the demo region, deterministic by seed.

Every task marked ``has_process`` gets a flowchart: a synthetic process of the task's power type
(``flowchart.synth``) or, for some, the engine's template, with its lanes mapped onto the task's
department — the lead unit, the 受理/法规/财务 units, the 分管 leaders — and each step given its
responsible leader, unit and person, its materials and risk points (``processes.graph``).

About one process in ten was re-engineered (流程再造): it has a "before" version 1 with more
steps, more materials and longer time limits, and the current version 2 points to it. The steps
and materials removed are spread so that at the seed's 24,897 flowcharts the metrics read exactly
"减少办事环节1963个、精简办事手续1568项" (seed 001), and proportionally at other sizes.

Rows are inserted in chunks (``core.bulk``: one executemany per table and chunk), each process with one change-log entry holding its full
snapshot (``record_many``), so history and ``verify-log`` work as for processes drawn by hand.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db import transaction

from qingdan.core import bulk
from qingdan.core.changelog import Change, record_many
from qingdan.core.choices import ChangeKind
from qingdan.duties.choices import ListStatus
from qingdan.duties.models import Task
from qingdan.processes.aggregate import (
    ExitDraft,
    MaterialDraft,
    ProcessDraft,
    StepDraft,
    copy_draft,
)
from qingdan.processes.choices import TEMPLATE_FOR_KIND, ProcessKind, guess_kind
from qingdan.processes.flowchart import Graph, template
from qingdan.processes.flowchart.synth import MATTERS, generate_one
from qingdan.processes.graph import build_parts, counts, draft_to_graph, fill_step, mapped_draft
from qingdan.processes.history import aggregate_snapshot
from qingdan.processes.lanes import directories
from qingdan.processes.models import Flow, Process, RiskPoint, Step, StepMaterial
from qingdan.processes.texts import DEFAULT_COMPLAINT, DEFAULT_RIGHTS, DEFAULT_SUPERVISION

# Seed 001 (淄博): 编制流程图24897张 … 减少办事环节1963个、精简办事手续1568项.
SEED_FLOWCHARTS, SEED_STEPS_REMOVED, SEED_MATERIALS_REMOVED = 24897, 1963, 1568
REENGINEERED_SHARE = 0.10
POOL_SIZE = 3000
CHUNK = 1000
REASON = "演示数据生成"
SYNTH_KIND = {
    "行政许可": ProcessKind.LICENSING,
    "行政处罚": ProcessKind.PENALTY_GENERAL,
    "行政检查": ProcessKind.INSPECTION,
    "行政给付": ProcessKind.PAYMENT,
    "行政征收": ProcessKind.LEVY,
    "内部事务": ProcessKind.INTERNAL,
}
OLD_STEPS = (
    "科室负责人初审",
    "分管领导审签",
    "重复核验纸质材料",
    "报上级主管部门审核",
    "内部传阅会签",
    "集中会审",
)
OLD_MATERIALS = (
    "户籍证明",
    "单位介绍信",
    "无违法犯罪记录证明",
    "申请表纸质件（一式三份）",
    "证照复印件（加盖公章）",
    "近期免冠照片",
)


@dataclass
class ProcessesResult:
    processes: int = 0
    reengineered: int = 0
    steps: int = 0
    materials: int = 0
    risks: int = 0
    flows: int = 0
    removed: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "流程图": self.processes,
            "再造前流程版本": self.reengineered,
            "流程环节": self.steps,
            "办事材料": self.materials,
            "风险点": self.risks,
            "流转": self.flows,
        }


@dataclass
class _Shape:
    """A pool graph and what its drafts will count (independent of the lanes it is mapped to)."""

    graph: Graph
    figures: dict[str, Any]


def _pool(seed: int, size: int) -> dict[str, list[_Shape]]:
    """Synthetic graphs bucketed by kind, plus the engine's templates (one in five of their kind)."""
    pool: dict[str, list[_Shape]] = {k: [] for k in ProcessKind.values}
    for i in range(size):
        graph = generate_one(seed, i)
        matter = graph.title.removesuffix("流程图")
        kind = next(
            (SYNTH_KIND[k] for k, names in MATTERS.items() if matter in names), ProcessKind.OTHER
        )
        pool[kind].append(_Shape(graph, _figures(graph)))
    for kind, name in TEMPLATE_FOR_KIND.items():
        graph = template(name)
        shape = _Shape(graph, _figures(graph))
        pool[kind] += [shape] * max(1, len(pool[kind]) // 4)  # about one in five
    return pool


def _figures(graph: Graph) -> dict[str, Any]:
    from qingdan.processes.choices import COUNTED_KINDS
    from qingdan.processes.flowchart import longest_path

    days, _path = longest_path(graph)
    return {
        "step_count": sum(1 for n in graph.nodes if n.kind in COUNTED_KINDS),
        "material_count": sum(n.materials_count for n in graph.nodes),
        "risk_count": sum(1 for n in graph.nodes if n.risk_level),
        "path_days": Decimal(str(days)).quantize(Decimal("0.1")),
    }


def _spread(rng: random.Random, total: int, slots: int, cap: int) -> list[int]:
    """``total`` units over ``slots`` at random, at most ``cap`` each (exact total)."""
    out = [0] * slots
    if not slots:
        return out
    for _ in range(min(total, slots * cap)):
        i = rng.randrange(slots)
        while out[i] >= cap:
            i = (i + 1) % slots
        out[i] += 1
    return out


def _before(after: ProcessDraft, steps: int, materials: int, rng: random.Random) -> ProcessDraft:
    """The pre-reform version: ``steps`` more (serial) steps, ``materials`` more documents, and
    longer time limits on the first steps."""
    draft = copy_draft(after)
    actions = [s for s in draft.steps if s.kind == "action"]
    anchor = next((s for s in actions if len(s.exits) == 1), None) or next(
        s for s in draft.steps if s.kind == "start"
    )
    target = anchor.exits[0].target
    index = draft.steps.index(anchor)
    previous = anchor
    for k in range(steps):
        old = StepDraft(
            key=f"old{k + 1}",
            kind="action",
            name=OLD_STEPS[(k + rng.randrange(len(OLD_STEPS))) % len(OLD_STEPS)],
            lane=anchor.lane,
            days=Decimal(rng.choice((1, 2, 3))),
            leader_id=anchor.leader_id,
            unit_id=anchor.unit_id,
            person_id=anchor.person_id,
        )
        previous.exits = [
            ExitDraft(old.key, e.label) if e.target == target else e for e in previous.exits
        ]
        old.exits = [ExitDraft(target)]
        draft.steps.insert(index + 1 + k, old)
        previous = old
    holder = actions[0] if actions else draft.steps[0]
    offset = rng.randrange(len(OLD_MATERIALS))
    for k in range(materials):
        name = OLD_MATERIALS[(offset + k) % len(OLD_MATERIALS)]
        holder.materials.append(MaterialDraft(name if k < len(OLD_MATERIALS) else f"{name}{k}"))
    for s in actions[:2]:
        s.days = (s.days or Decimal("0")) + rng.choice((1, 2, 3, 5))
    return draft


class _Writer:
    """Bulk inserts per chunk: processes (befores first), steps, parts, change-log entries."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.uid = getattr(user, "pk", None)
        self.result = ProcessesResult()

    def write(self, items: list[tuple[Process, ProcessDraft, Process | None]]) -> None:
        uid = self.uid
        befores = [before for _p, _d, before in items if before is not None]
        Process.objects.bulk_create(befores, batch_size=500)
        for process, _draft, before in items:
            if before is not None:
                process.before_id = before.pk
        Process.objects.bulk_create([p for p, _d, _b in items], batch_size=500)
        entries: list[tuple[Process, ProcessDraft]] = []
        for process, draft, before in items:
            if before is not None:
                entries.append((before, before._draft))  # type: ignore[attr-defined]
            entries.append((process, draft))
        steps: list[Step] = []
        keyed: list[dict[str, Step]] = []
        for process, draft in entries:
            rows: dict[str, Step] = {}
            for order, s in enumerate(draft.steps, start=1):
                row = Step(
                    process_id=process.pk,
                    department_id=process.department_id,
                    region_id=process.region_id,
                    status=process.status,
                    created_by_id=uid,
                    updated_by_id=uid,
                )
                fill_step(row, s, order)
                rows[s.key] = row
                steps.append(row)
            keyed.append(rows)
        # Half a million steps and as many flows at city scale: sent with executemany, values
        # prepared as the ORM would (bulk_create's per-value SQL compilation was most of the time).
        bulk.insert(
            steps,
            key=attrgetter("process_id", "code"),
            lookup=Step.objects.filter(process_id__in=[p.pk for p, _d in entries]),
            key_fields=("process_id", "code"),
        )
        materials: list[StepMaterial] = []
        risks: list[RiskPoint] = []
        flows: list[Flow] = []
        for (process, draft), rows in zip(entries, keyed, strict=True):
            m, r, f = build_parts(process, draft, rows, uid)
            materials += m
            risks += r
            flows += f
        for parts in (materials, risks, flows):
            _insert_without_ids(parts)
        record_many(
            (
                Change(ChangeKind.CREATE, process, None, aggregate_snapshot(process, draft))
                for process, draft in entries
            ),
            acting_user=self.user,
            reason=REASON,
        )
        res = self.result
        res.processes += len(items)
        res.reengineered += len(befores)
        res.steps += len(steps)
        res.materials += len(materials)
        res.risks += len(risks)
        res.flows += len(flows)


def _insert_without_ids(rows: list[Any]) -> None:
    """Rows nothing refers to (materials, risk points, flows): no ids read back."""
    if rows:
        model = type(rows[0])
        bulk.insert(rows, key=attrgetter("pk"), lookup=model.objects.none(), key_fields=("pk",))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Millions of short-lived, acyclic objects (drafts, rows): the cyclic collector would scan the
    whole heap again and again for nothing (a third of the run time at city scale)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def generate_processes(seed: int, acting_user: Any = None) -> ProcessesResult:
    """A process for every task with ``has_process`` (revoked tasks left out)."""
    with _gc_paused(), transaction.atomic():
        return _generate(seed, acting_user)


def _generate(seed: int, acting_user: Any) -> ProcessesResult:
    rng = random.Random(seed * 104729 + 11)
    tasks = list(
        Task.objects.filter(has_process=True)
        .exclude(status=ListStatus.REVOKED)
        .order_by("department_id", "order", "id")
        .values_list("id", "name", "department_id", "region_id", "lead_unit_id", "status")
    )
    writer = _Writer(acting_user)
    if not tasks:
        return writer.result
    dirs = directories({t[2] for t in tasks})
    pool = _pool(seed, min(POOL_SIZE, max(200, len(tasks) // 8)))
    n = len(tasks)
    chosen = sorted(rng.sample(range(n), k=round(n * REENGINEERED_SHARE)))
    steps_removed = _spread(rng, round(SEED_STEPS_REMOVED * n / SEED_FLOWCHARTS), len(chosen), 3)
    materials_removed = _spread(
        rng, round(SEED_MATERIALS_REMOVED * n / SEED_FLOWCHARTS), len(chosen), 3
    )
    plan = {i: (s, m) for i, s, m in zip(chosen, steps_removed, materials_removed, strict=True)}
    codes: dict[int, int] = {}
    chunk: list[tuple[Process, ProcessDraft, Process | None]] = []
    for index, (task_id, name, dept_id, region_id, lead_id, status) in enumerate(tasks):
        d = dirs[dept_id]
        kind = guess_kind(name)
        bucket = pool.get(kind) or pool[ProcessKind.INTERNAL]
        shape = bucket[rng.randrange(len(bucket))]
        internal = kind == ProcessKind.INTERNAL
        draft = mapped_draft(
            shape.graph,
            d,
            lead_unit_id=lead_id,
            name=f"{name}流程",
            pick=index,
            notes=(
                DEFAULT_SUPERVISION,
                "" if internal else DEFAULT_COMPLAINT,
                "" if internal else DEFAULT_RIGHTS,
            ),
        )
        codes[dept_id] = codes.get(dept_id, 0) + 1
        common = {
            "department_id": dept_id,
            "region_id": region_id,
            "task_id": task_id,
            "kind": kind,
            "code": f"LC{codes[dept_id]:04d}",
            "status": status,
            "order": codes[dept_id],
            "created_by_id": writer.uid,
            "updated_by_id": writer.uid,
        }
        process = _process(draft, common, shape.figures, version=1, current=True)
        before = None
        if index in plan:
            old = _before(draft, *plan[index], rng)
            before = _process(
                old, common, counts(old, draft_to_graph(old, d)), version=1, current=False
            )
            before._draft = old  # type: ignore[attr-defined]
            process.version = 2
        chunk.append((process, draft, before))
        if len(chunk) >= CHUNK:
            writer.write(chunk)
            chunk = []
    if chunk:
        writer.write(chunk)
    writer.result.removed = {
        "办事环节": sum(s for s, _m in plan.values()),
        "办事手续": sum(m for _s, m in plan.values()),
    }
    return writer.result


def _process(
    draft: ProcessDraft,
    common: dict[str, Any],
    figures: dict[str, Any],
    *,
    version: int,
    current: bool,
) -> Process:
    return Process(
        name=draft.name[:200],
        legal_limit_days=draft.legal_limit_days,
        supervision=draft.supervision,
        complaint=draft.complaint,
        rights=draft.rights,
        version=version,
        is_current=current,
        **common,
        **figures,
    )
