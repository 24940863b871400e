"""The process page (流程详情): the swimlane flowchart inline, metadata, steps, risk points,
downloads (SVG, BPMN), BPMN import as a new version, versions and re-engineering pairing, history.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from qingdan.core.access import ensure_in_scope, restrict
from qingdan.core.choices import Action
from qingdan.core.models import ChangeLogEntry
from qingdan.processes import services
from qingdan.processes.aggregate import days_text
from qingdan.processes.flowchart import layout, render_svg
from qingdan.processes.graph import draft_to_graph, load_draft, load_drafts
from qingdan.processes.history import describe
from qingdan.processes.lanes import directory
from qingdan.processes.models import Process
from qingdan.processes.rules import check_all
from qingdan.processes.views.common import allowed, context, get_process, names, step_rows

IMPORT_TOO_BIG = "BPMN 文件过大，上限为 2 MB。"


def _filename(process: Process, ext: str) -> str:
    return f"{process.department.code}_{process.code}_v{process.version}.{ext}"


def _detail(
    request: HttpRequest, process: Process, *, import_error: str = "", status: int = 200
) -> HttpResponse:
    d = directory(process.department_id)
    draft = load_draft(process)
    graph = draft_to_graph(draft, d)
    labels = names([draft])
    # The engine escapes every label and title; the markup is safe to inline as is.
    svg = mark_safe(render_svg(layout(graph), id_prefix=f"p{process.pk}", legend=True))  # noqa: S308
    versions = list(
        restrict(Process.objects.all(), request.user, Action.VIEW)
        .filter(department_id=process.department_id, code=process.code)
        .order_by("-version")
        .only("id", "name", "version", "is_current", "status", "before_id", "step_count")
    )
    afters = list(restrict(Process.objects.filter(before_id=process.pk), request.user, Action.VIEW))
    before = process.before
    if before is not None and not allowed(request, before, Action.VIEW):
        before = None
    rows = step_rows(draft, labels)
    comparison = []
    if before is not None:
        for label, b, a in (
            ("办事环节（个）", before.step_count, process.step_count),
            ("办事材料（项）", before.material_count, process.material_count),
            ("最长路径时限（工作日）", before.path_days, process.path_days),
        ):
            delta = a - b
            comparison.append(
                (label, days_text(b), days_text(a), f"{'+' if delta > 0 else ''}{days_text(delta)}")
            )
    ctx = context(
        request,
        str(process),
        process=process,
        draft=draft,
        svg=svg,
        rows=rows,
        risks=[(row, risk) for row in rows for risk in row["risks"]],
        problems=check_all(draft, d),
        versions=versions,
        before=before,
        afters=afters,
        comparison=comparison,
        pair_choices=[v for v in versions if v.pk != process.pk],
        can_change=allowed(request, process, Action.CHANGE),
        import_error=import_error,
    )
    return TemplateResponse(request, "processes/detail.html", ctx, status=status)


@staff_member_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_process(request, pk))


@staff_member_required
def download_svg(request: HttpRequest, pk: int) -> HttpResponse:
    process = get_process(request, pk)
    response = HttpResponse(services.export_svg(process), content_type="image/svg+xml")
    response["Content-Disposition"] = content_disposition_header(True, _filename(process, "svg"))
    return response


@staff_member_required
def download_bpmn(request: HttpRequest, pk: int) -> HttpResponse:
    process = get_process(request, pk)
    response = HttpResponse(
        services.export_bpmn(process), content_type="application/xml; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, _filename(process, "bpmn"))
    return response


@staff_member_required
@require_POST
def import_bpmn(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload (≤ 2 MB) a BPMN 2.0 file: a new version of the process, or a Chinese error."""
    process = get_process(request, pk, Action.CHANGE)
    try:
        upload = request.FILES.get("file")
    except RequestDataTooBig:
        return _detail(request, process, import_error=IMPORT_TOO_BIG, status=413)
    if upload is None:
        return _detail(request, process, import_error="请选择要导入的 BPMN 文件。", status=400)
    if upload.size is None or upload.size > services.MAX_IMPORT_BYTES:
        return _detail(request, process, import_error=IMPORT_TOO_BIG, status=413)
    data = upload.read(services.MAX_IMPORT_BYTES + 1)
    try:
        fresh = services.import_bpmn(
            process, data, acting_user=request.user, reason=f"导入BPMN文件：{upload.name}"[:200]
        )
        ensure_in_scope(request.user, fresh, Action.CHANGE)
    except ValidationError as exc:
        text = "；".join(exc.messages[:20])
        return _detail(request, process, import_error=f"未导入：{text}", status=400)
    messages.success(request, f"已导入为第{fresh.version}版。")
    return redirect("processes:detail", pk=fresh.pk)


@staff_member_required
@require_POST
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    process = get_process(request, pk, Action.CHANGE)
    try:
        fresh = services.new_version(process, acting_user=request.user)
        ensure_in_scope(request.user, fresh, Action.CHANGE)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("processes:detail", pk=process.pk)
    messages.success(request, f"已新建第{fresh.version}版，可在此基础上修改。")
    return redirect("processes:edit", pk=fresh.pk)


@staff_member_required
@require_POST
def mark_after(request: HttpRequest, pk: int) -> HttpResponse:
    """Pair this version with the version it re-engineers (empty value: unpair)."""
    process = get_process(request, pk, Action.CHANGE)
    value = request.POST.get("before", "")
    before = None
    if value:
        if not value.isdigit() or len(value) > 18:
            raise PermissionDenied("参数不正确。")
        before = get_process(request, int(value))
    try:
        services.mark_as_after(process, before, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已标记为流程再造后版本。" if before else "已取消再造配对。")
    return HttpResponseRedirect(reverse("processes:detail", args=[process.pk]))


def _snapshot_names(entries: list[ChangeLogEntry], process: Process) -> dict[str, str]:
    from qingdan.processes.aggregate import LaneRef, ProcessDraft, StepDraft

    steps: list[StepDraft] = []
    for e in entries:
        for snap in (e.before, e.after):
            for s in (snap or {}).get("steps", []):
                try:
                    lane = LaneRef.from_token(s.get("lane", ""))
                except ValueError:
                    lane = LaneRef()
                steps.append(
                    StepDraft(
                        key="",
                        kind="",
                        lane=lane,
                        leader_id=s.get("leader"),
                        unit_id=s.get("unit"),
                        person_id=s.get("person"),
                    )
                )
    return names([ProcessDraft(name="", steps=steps), *load_drafts([process]).values()])


@staff_member_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """变更历史 of one process version, each save described step by step."""
    process = get_process(request, pk)
    entries = list(
        ChangeLogEntry.objects.filter(
            model="processes.process", object_id=str(process.pk)
        ).order_by("-seq")
    )
    labels = _snapshot_names(entries, process)
    rows: list[dict[str, Any]] = [
        {"entry": e, "lines": describe(e.before, e.after, labels)} for e in entries
    ]
    return TemplateResponse(
        request,
        "processes/history.html",
        context(request, f"“{process}”的变更历史", process=process, rows=rows),
    )
