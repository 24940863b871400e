"""Review pages inside the back office: programme overview, a submission with its timeline,
actions and comments, and the published versions with their diffs.

Every page reads through the gate (404 outside the user's scope); every POST goes through the
services, which check the action (403 when the user may see but not act).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qingdan.core.access import can, get_for_user, restrict
from qingdan.core.choices import Action
from qingdan.duties import choices as dc
from qingdan.duties.models import DutyItem, Task
from qingdan.org.models import Department
from qingdan.oversight import checks, services, versions
from qingdan.oversight.choices import SubmissionStatus
from qingdan.oversight.diff import SECTIONS
from qingdan.oversight.forms import CommentForm, ReplyForm, ResolveForm, TransitionForm
from qingdan.oversight.models import (
    ListVersion,
    Programme,
    ReviewComment,
    Submission,
    SubmissionEvent,
)
from qingdan.oversight.progress import first_times, phase_specs, programme_overview
from qingdan.oversight.progress import submission_progress as progress_of


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, **extra}


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)


# ---------------------------------------------------------------------------------------------
# Programmes


@staff_member_required
def index(request: HttpRequest) -> HttpResponse:
    """工作方案 list: every programme the user may see, with its visible submissions' progress."""
    user = request.user
    visible_subs = restrict(Submission.objects.all(), user, Action.VIEW)
    programmes = (
        restrict(Programme.objects.all(), user, Action.VIEW)
        .select_related("region")
        .annotate(
            participants=Count(
                "submissions", filter=Q(submissions__in=visible_subs.values("id")), distinct=True
            ),
            published=Count(
                "submissions",
                filter=Q(
                    submissions__in=visible_subs.values("id"), submissions__status="published"
                ),
                distinct=True,
            ),
        )
        .order_by("-year", "-id")
    )
    mine = visible_subs.select_related("programme", "department").order_by("-programme__year")[:50]
    context = _context(
        request,
        "工作方案与清单报送",
        programmes=programmes,
        # Department users see their own submissions first; reviewers work from the programmes.
        mine=[] if can(user, Action.REVIEW, Submission) else mine,
        can_manage=can(user, Action.ADD, Programme),
    )
    return TemplateResponse(request, "oversight/index.html", context)


@staff_member_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """推进情况: departments × phases with on-time/overdue badges and counts per state."""
    programme = get_for_user(Programme.objects.select_related("region"), request.user, pk=pk)
    submissions = restrict(Submission.objects.all(), request.user, Action.VIEW).filter(
        programme=programme
    )
    overview = programme_overview(programme, submissions)
    context = _context(request, programme.title, programme=programme, overview=overview)
    return TemplateResponse(request, "oversight/programme.html", context)


# ---------------------------------------------------------------------------------------------
# A submission


def _comment_key(comment: ReviewComment) -> tuple[int | None, int | None]:
    return (comment.target_type_id, comment.target_id)


@staff_member_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """报送审核: state, timeline, allowed actions, and comments beside each duty item and task."""
    user = request.user
    sub = get_for_user(
        Submission.objects.select_related("programme", "department", "region"), user, pk=pk
    )
    can_review = services.has_action(user, sub, Action.REVIEW)
    can_answer = services.has_action(user, sub, Action.SUBMIT)
    live = ~Q(status=dc.ListStatus.REVOKED)
    items = list(
        DutyItem.objects.filter(live, department_id=sub.department_id)
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=Task.objects.filter(live)
                .select_related("lead_unit")
                .order_by("order", "code"),
                to_attr="live_tasks",
            )
        )
        .order_by("order", "code")
    )
    comments = list(
        ReviewComment.objects.filter(submission=sub)
        .select_related("created_by", "replied_by", "resolved_by")
        .order_by("round", "id")
    )
    grouped: dict[tuple[int | None, int | None], list[ReviewComment]] = defaultdict(list)
    for c in comments:
        grouped[_comment_key(c)].append(c)
    item_ct = ContentType.objects.get_for_model(DutyItem).pk
    task_ct = ContentType.objects.get_for_model(Task).pk
    for item in items:
        item.review_comments = grouped.pop((item_ct, item.pk), [])
        item.comment_target = f"dutyitem:{item.pk}"
        for task in item.live_tasks:
            task.review_comments = grouped.pop((task_ct, task.pk), [])
            task.comment_target = f"task:{task.pk}"
    general = grouped.pop((None, None), [])
    # Comments on rows since revoked still show, under the department-level ones.
    orphaned = [c for rest in grouped.values() for c in rest]

    phases = phase_specs(sub.programme.phases.order_by("start", "id"))
    progress = progress_of(sub, phases, first_times([sub.pk]).get(sub.pk, {}), timezone.localdate())
    events = (
        SubmissionEvent.objects.filter(submission=sub).select_related("actor").order_by("at", "id")
    )
    commenting = can_review and sub.status in services.REVIEWING
    answering = can_answer and sub.status in services.ANSWERING
    precheck = []
    if can_answer and sub.status in (*services.ANSWERING, SubmissionStatus.DRAFT):
        precheck = checks.department_work_spec_problems(sub.department_id)
    context = _context(
        request,
        f"{sub.department.name} · 清单报送",
        sub=sub,
        progress=progress,
        events=events,
        options=services.allowed_transitions(sub, user),
        items=items,
        general=general,
        orphaned=orphaned,
        comment_count=len(comments),
        open_count=sum(1 for c in comments if c.round == sub.round and not c.resolved),
        commenting=commenting,
        answering=answering,
        resolving=can_review and sub.status != SubmissionStatus.PUBLISHED,
        precheck=precheck,
        coverage=checks.coverage_gaps(user, sub.department_id),
        versions=ListVersion.objects.filter(submission=sub),
    )
    return TemplateResponse(request, "oversight/submission.html", context)


def _back_to(sub_id: int, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("oversight:submission", args=[sub_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


@staff_member_required
@require_POST
def submission_transition(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_for_user(Submission.objects.all(), request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back_to(sub.pk)
    to = form.cleaned_data["to"]
    try:
        event = services.transition_submission(
            sub, to, acting_user=request.user, comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            f"已{services.BUTTON_LABELS[to]}：当前状态为“{event.get_to_status_display()}”。",
        )
    return _back_to(sub.pk)


@staff_member_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_for_user(Submission.objects.all(), request.user, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back_to(sub.pk)
    kind, target_id = form.target_parts()
    try:
        target = services.resolve_target(sub, kind, target_id)
        comment = services.add_comment(
            sub, text=form.cleaned_data["text"], target=target, acting_user=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
        return _back_to(sub.pk)
    messages.success(request, "审核意见已记录。")
    return _back_to(sub.pk, f"comment-{comment.pk}")


@staff_member_required
@require_POST
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_for_user(ReviewComment.objects.all(), request.user, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply_to_comment(
                comment,
                text=form.cleaned_data["text"],
                fixed=form.cleaned_data["fixed"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "答复已保存。")
    else:
        _form_errors(request, form)
    return _back_to(comment.submission_id, f"comment-{comment.pk}")


@staff_member_required
@require_POST
def comment_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_for_user(ReviewComment.objects.all(), request.user, pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_comment(
                comment, acting_user=request.user, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "意见已标记为已处理。")
    else:
        _form_errors(request, form)
    return _back_to(comment.submission_id, f"comment-{comment.pk}")


# ---------------------------------------------------------------------------------------------
# Versions


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@staff_member_required
def version_list(request: HttpRequest) -> HttpResponse:
    """清单版本: published versions in scope, newest first; pick two of a department to compare."""
    qs = (
        restrict(ListVersion.objects.all(), request.user, Action.VIEW)
        .select_related("department", "published_by", "submission__programme")
        .defer("snapshot")
        .order_by("-published_at", "-id")
    )
    dept_id = _int(request.GET.get("department"))
    department = None
    if dept_id is not None:
        department = (
            restrict(Department.objects.all(), request.user, Action.VIEW).filter(pk=dept_id).first()
        )
        qs = qs.filter(department_id=dept_id)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    departments = (
        restrict(Department.objects.all(), request.user, Action.VIEW)
        .filter(
            pk__in=restrict(ListVersion.objects.all(), request.user, Action.VIEW).values(
                "department_id"
            )
        )
        .order_by("region__path", "order", "id")
    )
    context = _context(
        request, "清单版本", page=page, department=department, departments=departments
    )
    return TemplateResponse(request, "oversight/version_list.html", context)


CHOICE_LABELS: dict[str, dict[str, str]] = {
    "source": dict(dc.DutySource.choices),
    "category": dict(dc.DutyCategory.choices),
    "frequency": dict(dc.Frequency.choices),
    "discretion": dict(dc.Level.choices),
    "risk_level": dict(dc.Level.choices),
    "role": dict(dc.TaskRole.choices),
}


def display_value(field: str, value: Any) -> str:
    """A snapshot value as the page shows it (labels for codes, 是/否, 、-joined lists)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    labels = CHOICE_LABELS.get(field)
    if labels is not None:
        return str(labels.get(value, value))
    return str(value)


@staff_member_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_for_user(
        ListVersion.objects.select_related("department", "published_by", "submission__programme"),
        request.user,
        pk=pk,
    )
    data = version.snapshot
    tasks_by_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    positions: dict[str, list[str]] = defaultdict(list)
    for tp in data.get("task_positions", []):
        role = display_value("role", tp["role"])
        positions[tp["task"]].append(f"{tp['position_name']}（{role}）")
    for t in data.get("tasks", []):
        tasks_by_item[t["duty_item"]].append(
            {
                **t,
                "frequency_label": display_value("frequency", t["frequency"]),
                "positions": positions.get(t["code"], []),
            }
        )
    items = [
        {
            **d,
            "category_label": display_value("category", d["category"]),
            "tasks": tasks_by_item.get(d["code"], []),
        }
        for d in data.get("duty_items", [])
    ]
    previous = (
        ListVersion.objects.filter(department_id=version.department_id, number__lt=version.number)
        .order_by("-number")
        .only("id", "number")
        .first()
    )
    context = _context(
        request,
        str(version),
        version=version,
        items=items,
        intact=versions.verify_version(version),
        previous=previous,
    )
    return TemplateResponse(request, "oversight/version_detail.html", context)


@staff_member_required
def version_diff(request: HttpRequest) -> HttpResponse:
    """比较: what was added, removed and changed (field by field) between two versions."""
    old_id, new_id = _int(request.GET.get("old")), _int(request.GET.get("new"))
    if old_id is None or new_id is None:
        messages.error(request, "请选择要比较的两个版本。")
        return redirect("oversight:versions")
    qs = ListVersion.objects.select_related("department")
    old = get_for_user(qs, request.user, pk=old_id)
    new = get_for_user(qs, request.user, pk=new_id)
    if old.department_id != new.department_id:
        messages.error(request, "只能比较同一部门的两个版本。")
        return redirect("oversight:versions")
    if old.number > new.number:
        old, new = new, old
    result = versions.compare_versions(old, new)
    sections = []
    for spec, section in zip(SECTIONS, result.sections, strict=True):
        sections.append(
            {
                "title": section.title,
                "count": section.count,
                "added": section.added_labels,
                "removed": section.removed_labels,
                "changed": [
                    {
                        "label": row.label,
                        "fields": [
                            (
                                ch.label,
                                display_value(ch.field, ch.old),
                                display_value(ch.field, ch.new),
                            )
                            for ch in row.changes
                        ],
                    }
                    for row in section.changed
                ],
                "name": spec.name,
            }
        )
    context = _context(
        request,
        f"{old.department.name}：第{old.number}版与第{new.number}版比较",
        old=old,
        new=new,
        diff=result,
        sections=sections,
    )
    return TemplateResponse(request, "oversight/version_diff.html", context)
