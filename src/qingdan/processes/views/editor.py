"""The step-table editor (流程编辑): the table, the flowchart redrawn beside it as the user types,
validation beside both; and the page creating a process from the template of its power type.

The page posts the whole table as JSON to ``redraw`` (nothing is saved; the answer is the engine's
SVG, the problems and the figures) and, on 保存, to ``save``, which goes through
``services.save_process`` and writes the whole aggregate or nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from qingdan.core.access import can, ensure_in_scope, restrict
from qingdan.core.choices import Action
from qingdan.duties.models import Task
from qingdan.duties.scope import departments_for
from qingdan.org.choices import Status as OrgStatus
from qingdan.processes import services
from qingdan.processes.aggregate import ProcessDraft, days_text
from qingdan.processes.choices import (
    TEMPLATE_FOR_KIND,
    ProcessKind,
    RiskLevel,
    StepKind,
    guess_kind,
)
from qingdan.processes.flowchart import FlowchartTooLarge, Problem, layout, longest_path, render_svg
from qingdan.processes.graph import draft_to_graph, load_draft
from qingdan.processes.lanes import COMMON_LABELS, Directory, directory
from qingdan.processes.models import Process
from qingdan.processes.payload import MAX_PAYLOAD_BYTES, draft_payload, parse_payload
from qingdan.processes.rules import check_all
from qingdan.processes.views.common import context, get_process


def _problem_json(p: Problem) -> dict[str, Any]:
    return {"message": p.message, "severity": p.severity, "step": p.node_id, "code": p.code}


def _options(d: Directory, draft: ProcessDraft) -> dict[str, Any]:
    """Everything the table's selects offer, from the department's own directory."""
    labels = list(COMMON_LABELS)
    for s in draft.steps:
        if s.lane.label and s.lane.label not in labels:
            labels.append(s.lane.label)
    unit_names = d.units
    return {
        "kinds": [{"value": v, "label": str(lab)} for v, lab in StepKind.choices],
        "levels": list(RiskLevel.values),
        "units": [{"id": pk, "name": name} for pk, name in d.units.items()],
        "positions": [
            {
                "id": p.id,
                "name": f"{unit_names.get(p.unit_id, '部门领导')} · {p.name}",
                "leader": bool(p.leader_level),
            }
            for p in d.positions.values()
        ],
        "people": [{"id": pk, "name": name} for pk, name in d.people.items()],
        "labels": labels,
    }


def render_state(draft: ProcessDraft, d: Directory, *, prefix: str) -> dict[str, Any]:
    """SVG, problems and figures of a draft, as the editor shows them."""
    problems = check_all(draft, d)
    graph = draft_to_graph(draft, d)
    svg = None
    try:
        svg = render_svg(layout(graph), id_prefix=prefix, legend=True)
    except FlowchartTooLarge as exc:
        problems.append(Problem("too_large", str(exc)))
    except Exception:  # the table is half-typed: keep the last drawing rather than fail
        problems.append(
            Problem("layout_failed", "当前环节表暂时无法绘制流程图，请先修正上面的问题。")
        )
    days, path = longest_path(graph) if svg is not None else (0.0, [])
    names = {s.key: s.name or s.key for s in draft.steps}
    limit = draft.legal_limit_days
    return {
        "svg": svg,
        "problems": [_problem_json(p) for p in problems],
        "summary": {
            "steps": sum(1 for s in draft.steps if s.kind in ("action", "decision")),
            "materials": sum(len(s.materials) for s in draft.steps),
            "risks": sum(len(s.risks) for s in draft.steps),
            "path_days": days_text(days),
            "legal_limit_days": days_text(limit),
            "exceeds": limit is not None and days > float(limit) + 1e-9,
            "path": [names.get(k, k) for k in path if k in names],
        },
    }


@staff_member_required
def editor(request: HttpRequest, pk: int) -> HttpResponse:
    process = get_process(request, pk, Action.CHANGE)
    if not process.is_current or process.status == "revoked":
        return redirect("processes:detail", pk=process.pk)
    d = directory(process.department_id)
    draft = load_draft(process)
    state = render_state(draft, d, prefix=f"e{process.pk}")
    ctx = context(
        request,
        f"编辑流程 · {process.name}",
        process=process,
        payload=draft_payload(draft),
        options=_options(d, draft),
        # The engine escapes every label; the SVG is inlined as the engine wrote it.
        svg=mark_safe(state["svg"] or ""),  # noqa: S308
        state={"problems": state["problems"], "summary": state["summary"]},
        urls={
            "redraw": reverse("processes:redraw", args=[process.pk]),
            "save": reverse("processes:save", args=[process.pk]),
            "detail": reverse("processes:detail", args=[process.pk]),
        },
    )
    return TemplateResponse(request, "processes/editor.html", ctx)


def _read_json(request: HttpRequest) -> Any:
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_PAYLOAD_BYTES:
        raise RequestDataTooBig
    body = request.body  # Django refuses anything above DATA_UPLOAD_MAX_MEMORY_SIZE itself
    if len(body) > MAX_PAYLOAD_BYTES:
        raise RequestDataTooBig
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError("提交的数据不是有效的JSON。") from exc


def _bad(message: str, status: int) -> JsonResponse:
    problem = {"message": message, "severity": "error", "step": None, "code": "bad_request"}
    return JsonResponse({"ok": False, "problems": [problem]}, status=status)


@staff_member_required
@require_POST
def redraw(request: HttpRequest, pk: int) -> JsonResponse:
    """The table as JSON in; the flowchart, problems and figures out. Writes nothing."""
    process = get_process(request, pk, Action.CHANGE)
    try:
        data = _read_json(request)
    except RequestDataTooBig:
        return _bad("环节表过大，无法绘制。", 413)
    except ValidationError as exc:
        return _bad(exc.messages[0], 400)
    draft, parse_problems = parse_payload(data)
    if any(p.code == "too_large" for p in parse_problems):
        return JsonResponse(
            {"ok": True, "svg": None, "problems": [_problem_json(p) for p in parse_problems]}
        )
    state = render_state(draft, directory(process.department_id), prefix=f"e{process.pk}")
    state["problems"] = [_problem_json(p) for p in parse_problems] + state["problems"]
    return JsonResponse({"ok": True, **state})


@staff_member_required
@require_POST
def save(request: HttpRequest, pk: int) -> JsonResponse:
    """Save the whole table through the service: everything or, with the problems, nothing."""
    process = get_process(request, pk, Action.CHANGE)
    try:
        data = _read_json(request)
    except RequestDataTooBig:
        return _bad("环节表过大，无法保存。", 413)
    except ValidationError as exc:
        return _bad(exc.messages[0], 400)
    draft, parse_problems = parse_payload(data)
    if parse_problems:
        return JsonResponse(
            {"ok": False, "problems": [_problem_json(p) for p in parse_problems]}, status=400
        )
    reason = data.get("reason", "") if isinstance(data, dict) else ""
    try:
        services.save_process(
            process,
            draft,
            acting_user=request.user,
            reason=reason[:500] if isinstance(reason, str) else "",
        )
        ensure_in_scope(request.user, process, Action.CHANGE)
    except services.ProcessInvalid as exc:
        return JsonResponse(
            {"ok": False, "problems": [_problem_json(p) for p in exc.problems]}, status=400
        )
    except ValidationError as exc:
        return _bad("；".join(exc.messages), 400)
    return JsonResponse({"ok": True, "url": reverse("processes:detail", args=[process.pk])})


# --- 新建流程 -------------------------------------------------------------------------------------


class NewProcessForm(forms.Form):
    department = forms.ModelChoiceField(queryset=None, label="部门", required=False)
    task_code = forms.CharField(
        label="工作任务编码",
        required=False,
        max_length=32,
        help_text="填写本部门工作任务的编码（如 ZZ001-01），流程将挂在该任务下；可留空。",
    )
    kind = forms.ChoiceField(
        label="流程类型（模板）",
        choices=ProcessKind.choices,
        help_text="按权力类型选择模板："
        + "、".join(str(ProcessKind(k).label) for k in TEMPLATE_FOR_KIND)
        + "有完整模板，其他类型从三步骨架开始。",
    )
    name = forms.CharField(label="流程名称", required=False, max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["department"].queryset = (
            departments_for(user, Action.ADD)
            .filter(status=OrgStatus.ACTIVE)
            .order_by("region__code", "order", "id")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        dept, code = data.get("department"), (data.get("task_code") or "").strip()
        task = None
        if code:
            tasks = restrict(Task.objects.select_related("department"), self.user, Action.VIEW)
            if dept is not None:
                tasks = tasks.filter(department=dept)
            found = list(tasks.filter(code=code)[:2])
            if not found:
                raise ValidationError({"task_code": "在您的数据范围内找不到该编码的工作任务。"})
            if len(found) > 1:
                raise ValidationError({"department": "多个部门有该编码的任务，请同时选择部门。"})
            task = found[0]
        elif dept is None:
            raise ValidationError({"department": "请选择部门，或填写工作任务编码。"})
        data["task"] = task
        return data


@staff_member_required
def new_process(request: HttpRequest) -> HttpResponse:
    """从模板新建: kind → template, lanes mapped onto the department's units and leaders."""
    if not can(request.user, Action.ADD, Process):
        raise PermissionDenied("您没有新建流程的权限。")
    initial = {}
    task_id = request.GET.get("task", "")
    if task_id.isdigit() and len(task_id) < 18:
        task = restrict(Task.objects.all(), request.user, Action.VIEW).filter(pk=task_id).first()
        if task is not None:
            initial = {
                "department": task.department_id,
                "task_code": task.code,
                "kind": guess_kind(task.name),
            }
    form = NewProcessForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            process = services.create_from_template(
                kind=data["kind"],
                department=data["department"],
                task=data["task"],
                name=data["name"],
                acting_user=request.user,
            )
            ensure_in_scope(request.user, process, Action.ADD)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("processes:edit", pk=process.pk)
    return TemplateResponse(
        request,
        "processes/new.html",
        context(request, "新建流程", form=form),
        status=400 if form.errors else 200,
    )
