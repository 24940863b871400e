"""Writes to processes: the whole aggregate at once, validated, with one change-log entry per save.

``save_process(process, draft)`` checks the draft with the engine's ``validate`` and our own rules
(``processes.rules``), writes nothing if any error is found (``ProcessInvalid`` lists them all, in
Chinese), and otherwise writes the process row, its steps (kept by key, so their ids are stable),
materials, risk points and flows, and appends one entry whose before/after is the full structured
snapshot (``processes.history``). Every other write — template instantiation, a new version, a
BPMN import, re-engineering pairing, status transitions, deletion — goes through here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingdan.core.access import restrict
from qingdan.core.changelog import record
from qingdan.core.choices import ChangeKind
from qingdan.duties.choices import ListStatus
from qingdan.duties.services import ALLOWED, TRANSITION_ACTION, next_code
from qingdan.processes.aggregate import ProcessDraft
from qingdan.processes.choices import ProcessKind
from qingdan.processes.flowchart import (
    BpmnImportError,
    Problem,
    from_bpmn,
    layout,
    render_svg,
    to_bpmn,
)
from qingdan.processes.graph import (
    build_parts,
    counts,
    draft_to_graph,
    fill_step,
    load_draft,
    template_draft,
)
from qingdan.processes.history import aggregate_snapshot, same_content
from qingdan.processes.lanes import Directory, directory
from qingdan.processes.models import Flow, Process, RiskPoint, Step, StepMaterial
from qingdan.processes.rules import check_all, errors

S = ListStatus
MAX_IMPORT_BYTES = 2 * 1024 * 1024
STEP_FIELDS = [
    "code",
    "kind",
    "name",
    "lane_unit",
    "lane_position",
    "lane_label",
    "time_limit_days",
    "leader_position",
    "responsible_unit",
    "responsible_person",
    "order",
    "status",
    "updated_by",
    "updated_at",
]
_PART_EXCLUDE = ["process", "step", "source", "target", "department", "region"]


class ProcessInvalid(ValidationError):
    """The draft has errors; ``problems`` are all of them (engine and ours), nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__([p.message for p in problems])


def _uid(user: Any) -> int | None:
    return getattr(user, "pk", None)


# --- metadata ------------------------------------------------------------------------------------


def validate_process(process: Process) -> None:
    """Department and region from the task (set by the service, never by the user), the code when
    left blank; the task must belong to the department and be in force."""
    errs: dict[str, str] = {}
    task = process.task if process.task_id else None
    if task is not None:
        if not process.department_id:
            process.department_id = task.department_id
        elif task.department_id != process.department_id:
            errs["task"] = "工作任务不属于本流程所在部门。"
        if task.status == S.REVOKED:
            errs["task"] = "该工作任务已撤销，不能为其编制流程。"
    if not process.department_id:
        errs["department"] = "请选择部门或工作任务。"
    if process.kind not in ProcessKind.values:
        errs["kind"] = "流程类型无效。"
    if errs:
        raise ValidationError(errs)
    process.region_id = process.department.region_id
    if not process.code:
        process.code = next_code(Process, process.department_id, "LC", 4)


def _check_editable(stored: Process) -> None:
    if stored.status == S.REVOKED:
        raise ValidationError("已撤销的流程不能修改。")
    if not stored.is_current:
        raise ValidationError("这是历史版本，不能修改；请打开当前版本修改，或新建版本。")


def check(process: Process, draft: ProcessDraft, d: Directory | None = None) -> list[Problem]:
    """Every problem of ``draft`` as the content of ``process`` (errors and warnings)."""
    d = d or directory(process.department_id)
    return check_all(draft, d)


# --- the aggregate -------------------------------------------------------------------------------


@transaction.atomic
def save_process(
    process: Process, draft: ProcessDraft, *, acting_user: Any, reason: str = ""
) -> Process:
    """Create or update ``process`` with the whole content of ``draft`` (one log entry)."""
    creating = process.pk is None
    before = None
    if not creating:
        stored = Process.objects.select_for_update().get(pk=process.pk)
        _check_editable(stored)
        if stored.department_id != process.department_id:
            raise ValidationError({"department": "不能更改流程所属部门。"})
        before = aggregate_snapshot(stored, load_draft(stored))
    validate_process(process)
    d = directory(process.department_id)
    problems = errors(check_all(draft, d))
    if problems:
        raise ProcessInvalid(problems)
    graph = draft_to_graph(draft, d)
    process.name = draft.name
    process.legal_limit_days = draft.legal_limit_days
    process.supervision, process.complaint, process.rights = (
        draft.supervision,
        draft.complaint,
        draft.rights,
    )
    for name, value in counts(draft, graph).items():
        setattr(process, name, value)
    if creating:
        process.created_by_id = _uid(acting_user)
    process.updated_by_id = _uid(acting_user)
    process.full_clean()
    process.save()
    _write_parts(process, draft, _uid(acting_user))
    after = aggregate_snapshot(process, draft)
    if creating:
        record(
            ChangeKind.CREATE,
            process,
            before=None,
            after=after,
            acting_user=acting_user,
            reason=reason,
        )
    elif not same_content(before, after):
        record(
            ChangeKind.UPDATE,
            process,
            before=before,
            after=after,
            acting_user=acting_user,
            reason=reason,
        )
    return process


def _write_parts(process: Process, draft: ProcessDraft, uid: int | None) -> None:
    """Steps kept by key (stable ids), everything hanging off them replaced."""
    existing = {s.code: s for s in Step.objects.filter(process_id=process.pk)}
    now = timezone.now()
    rows: dict[str, Step] = {}
    new: list[Step] = []
    kept: list[Step] = []
    for order, s in enumerate(draft.steps, start=1):
        row = existing.pop(s.key, None)
        if row is None:
            row = Step(
                process=process,
                department_id=process.department_id,
                region_id=process.region_id,
                created_by_id=uid,
            )
            new.append(row)
        else:
            kept.append(row)
        fill_step(row, s, order)
        row.status, row.updated_by_id, row.updated_at = process.status, uid, now
        row.full_clean(exclude=_PART_EXCLUDE, validate_unique=False, validate_constraints=False)
        rows[s.key] = row
    for model in (StepMaterial, RiskPoint, Flow):
        model.objects.filter(process_id=process.pk).delete()
    if existing:
        Step.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
    if kept:
        Step.objects.bulk_update(kept, STEP_FIELDS, batch_size=500)
    Step.objects.bulk_create(new, batch_size=500)
    materials, risks, flows = build_parts(process, draft, rows, uid)
    for model, parts in ((StepMaterial, materials), (RiskPoint, risks), (Flow, flows)):
        for part in parts:
            part.full_clean(
                exclude=_PART_EXCLUDE, validate_unique=False, validate_constraints=False
            )
        model.objects.bulk_create(parts, batch_size=500)


def create_process(
    process: Process, draft: ProcessDraft, *, acting_user: Any, reason: str = ""
) -> Process:
    if process.pk is not None:
        raise ValueError("create_process needs a new process")
    return save_process(process, draft, acting_user=acting_user, reason=reason)


def create_from_template(
    *,
    kind: str,
    acting_user: Any,
    department: Any = None,
    task: Any = None,
    name: str = "",
    reason: str = "",
) -> Process:
    """A new process for a task (or a department) from the template of its power type, lanes
    mapped onto the department's units and leaders (``lanes.map_template_lane``)."""
    process = Process(
        kind=kind, task=task, department=department or getattr(task, "department", None)
    )
    if process.department_id is None:
        raise ValidationError({"department": "请选择部门或工作任务。"})
    d = directory(process.department_id)
    title = name.strip() or (f"{task.name}流程"[:200] if task is not None else "")
    draft = template_draft(
        kind,
        d,
        lead_unit_id=getattr(task, "lead_unit_id", None),
        name=title or f"{ProcessKind(kind).label}流程",
    )
    return create_process(process, draft, acting_user=acting_user, reason=reason or "从模板新建")


@transaction.atomic
def new_version(
    process: Process,
    *,
    acting_user: Any,
    reason: str = "",
    draft: ProcessDraft | None = None,
) -> Process:
    """Copy the current version (or take ``draft``) into version N+1, which becomes current."""
    stored = Process.objects.select_for_update().get(pk=process.pk)
    _check_editable(stored)
    old = load_draft(stored)
    snap = aggregate_snapshot(stored, old)
    Process.objects.filter(pk=stored.pk).update(is_current=False)
    stored.is_current = False
    record(
        ChangeKind.UPDATE,
        stored,
        before=snap,
        after=aggregate_snapshot(stored, old),
        acting_user=acting_user,
        reason=reason or "新建版本",
    )
    latest = (
        Process.objects.filter(department_id=stored.department_id, code=stored.code)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    fresh = Process(
        department_id=stored.department_id,
        region_id=stored.region_id,
        task_id=stored.task_id,
        kind=stored.kind,
        code=stored.code,
        version=(latest or stored.version) + 1,
        order=stored.order,
    )
    return save_process(fresh, draft or old, acting_user=acting_user, reason=reason or "新建版本")


def current_version(process: Process) -> Process:
    return (
        Process.objects.filter(
            department_id=process.department_id, code=process.code, is_current=True
        ).first()
        or process
    )


@transaction.atomic
def import_bpmn(process: Process, data: bytes, *, acting_user: Any, reason: str = "") -> Process:
    """A BPMN 2.0 file as a new version of ``process`` (its current version). Hostile, malformed
    or oversize files, and processes with errors, are refused in Chinese; nothing is written."""
    from qingdan.processes.graph import graph_to_draft

    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            f"BPMN 文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为"
            f" {MAX_IMPORT_BYTES // 1024 // 1024} MB。"
        )
    try:
        graph = from_bpmn(data)
    except BpmnImportError as exc:
        raise ValidationError(str(exc)) from exc
    current = current_version(process)
    d = directory(current.department_id)
    draft = graph_to_draft(graph, d, previous=load_draft(current))
    return new_version(
        current, acting_user=acting_user, reason=reason or "导入BPMN文件", draft=draft
    )


@transaction.atomic
def mark_as_after(
    after: Process, before: Process | None, *, acting_user: Any, reason: str = ""
) -> Process:
    """Pair ``after`` with the ``before`` version it re-engineers (流程再造); None unpairs."""
    stored = Process.objects.select_for_update().get(pk=after.pk)
    if stored.status == S.REVOKED:
        raise ValidationError("已撤销的流程不能修改。")
    if before is not None:
        if before.pk == stored.pk:
            raise ValidationError({"before": "再造前流程不能是本流程自身。"})
        if before.department_id != stored.department_id:
            raise ValidationError({"before": "再造前流程必须属于同一部门。"})
        taken = Process.objects.filter(before_id=before.pk).exclude(pk=stored.pk).first()
        if taken is not None:
            raise ValidationError({"before": f"“{before}”已是“{taken}”的再造前版本。"})
        seen, walk = {stored.pk}, before
        while walk is not None:
            if walk.pk in seen:
                raise ValidationError({"before": "再造前后关系不能形成循环。"})
            seen.add(walk.pk)
            walk = walk.before
    draft = load_draft(stored)
    snap = aggregate_snapshot(stored, draft)
    stored.before = before
    stored.updated_by_id = _uid(acting_user)
    stored.full_clean()
    stored.save(update_fields=["before", "updated_by", "updated_at"])
    record(
        ChangeKind.UPDATE,
        stored,
        before=snap,
        after=aggregate_snapshot(stored, draft),
        acting_user=acting_user,
        reason=reason or ("标记为流程再造后版本" if before else "取消流程再造配对"),
    )
    after.before = before
    return stored


@transaction.atomic
def transition_process(process: Process, to: str, *, acting_user: Any, reason: str = "") -> Process:
    """Move along ``duties.services.ALLOWED`` (草稿 → 有效 → 撤销), checking the permission; a
    process is published only when it has no errors."""
    stored = Process.objects.select_for_update().get(pk=process.pk)
    if to not in ALLOWED[stored.status]:
        raise ValidationError({"status": f"不能从“{S(stored.status).label}”变为“{S(to).label}”。"})
    if acting_user is not None:
        qs = Process.objects.filter(pk=stored.pk)
        if not restrict(qs, acting_user, TRANSITION_ACTION[S(to)]).exists():
            raise PermissionDenied("您没有执行此操作的权限。")
    draft = load_draft(stored)
    if to == S.ACTIVE:
        problems = errors(check(stored, draft))
        if problems:
            raise ProcessInvalid(problems)
    snap = aggregate_snapshot(stored, draft)
    stored.status = to
    today = timezone.localdate()
    if to == S.ACTIVE and stored.valid_from is None:
        stored.valid_from = today
    if to == S.REVOKED and stored.valid_to is None:
        stored.valid_to = today
    stored.updated_by_id = _uid(acting_user)
    stored.save(update_fields=["status", "valid_from", "valid_to", "updated_by", "updated_at"])
    for model in (Step, StepMaterial, RiskPoint, Flow):
        model.objects.filter(process_id=stored.pk).update(status=to)
    record(
        ChangeKind.UPDATE,
        stored,
        before=snap,
        after=aggregate_snapshot(stored, draft),
        acting_user=acting_user,
        reason=reason,
    )
    process.status = stored.status
    return stored


def revoke_process(process: Process, *, acting_user: Any, reason: str = "") -> Process:
    return transition_process(process, S.REVOKED, acting_user=acting_user, reason=reason)


@transaction.atomic
def delete_process(process: Process, *, acting_user: Any, reason: str = "") -> None:
    """Delete a draft version (its parts go with it); the previous version becomes current."""
    stored = Process.objects.select_for_update().get(pk=process.pk)
    if stored.status != S.DRAFT:
        raise ValidationError("已发布的流程不能删除，请改为撤销。")
    if stored.afters.exists():
        raise ValidationError("该流程是其他流程的再造前版本，不能删除。")
    snap = aggregate_snapshot(stored, load_draft(stored))
    pk, was_current = stored.pk, stored.is_current
    stored.delete()
    stored.pk = pk
    record(
        ChangeKind.DELETE, stored, before=snap, after=None, acting_user=acting_user, reason=reason
    )
    if was_current:
        previous = (
            Process.objects.select_for_update()
            .filter(department_id=stored.department_id, code=stored.code)
            .order_by("-version")
            .first()
        )
        if previous is not None:
            draft = load_draft(previous)
            before = aggregate_snapshot(previous, draft)
            Process.objects.filter(pk=previous.pk).update(is_current=True)
            previous.is_current = True
            record(
                ChangeKind.UPDATE,
                previous,
                before=before,
                after=aggregate_snapshot(previous, draft),
                acting_user=acting_user,
                reason="删除新版本后恢复为当前版本",
            )


# --- exports -------------------------------------------------------------------------------------


def process_graph(process: Process, d: Directory | None = None):
    d = d or directory(process.department_id)
    return draft_to_graph(load_draft(process), d)


def export_svg(process: Process, *, legend: bool = True) -> str:
    """The swimlane flowchart as standalone SVG (text escaped by the engine)."""
    return render_svg(layout(process_graph(process)), id_prefix=f"p{process.pk}", legend=legend)


def export_bpmn(process: Process) -> str:
    """BPMN 2.0 XML with diagram interchange, importable back (``import_bpmn``)."""
    graph = process_graph(process)
    return to_bpmn(graph, layout(graph))
