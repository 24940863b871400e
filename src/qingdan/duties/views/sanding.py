"""接收三定规定 pages: paste or upload → reviewable preview → accept (one transaction)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from qingdan.core.choices import Action
from qingdan.duties.accept import (
    MandateMeta,
    Selection,
    accept_sanding,
    has_content,
    plan_acceptance,
    quota_from_document,
)
from qingdan.duties.forms import AcceptForm, SandingInputForm, digest, encode_payload
from qingdan.duties.preview import KIND_LABELS, build_preview
from qingdan.duties.sanding import parse_sanding
from qingdan.duties.scope import departments_for
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Department

TOO_BIG = "提交的内容过大，请只提交三定规定正文，或上传不超过2 MB的文件。"


def _departments(request: HttpRequest) -> QuerySet[Department]:
    return (
        departments_for(request.user, Action.ADD)
        .filter(status=OrgStatus.ACTIVE)
        .select_related("region")
        .order_by("region__path", "path", "id")
    )


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, **extra}


@staff_member_required
def sanding(request: HttpRequest) -> HttpResponse:
    """Step 1 (GET, or POST with the text): the input form, or the preview of the parse."""
    departments = _departments(request)
    if not departments.exists():
        raise PermissionDenied("您没有录入履职清单的权限。")
    if request.method == "POST":
        try:
            post, files = request.POST, request.FILES
        except RequestDataTooBig:
            form = SandingInputForm(departments=departments)
            return _input(request, form, error=TOO_BIG, status=413)
        if "accept" in post:
            return _accept(request, departments)
        form = SandingInputForm(post, files, departments=departments)
        if form.is_valid():
            return _preview(
                request, form.cleaned_data["department"], form.cleaned_data["source_text"]
            )
        return _input(request, form, status=400)
    return _input(request, SandingInputForm(departments=departments))


def _input(
    request: HttpRequest, form: SandingInputForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = _context(request, "接收三定规定", form=form, error=error)
    return TemplateResponse(request, "duties/sanding_input.html", context, status=status)


def _ints(values: list[str]) -> set[int]:
    return {int(v) for v in values if v.isdigit() and len(v) < 9}


def _preview(
    request: HttpRequest,
    department: Department,
    text: str,
    *,
    form: AcceptForm | None = None,
    selected: dict[str, set[int] | None] | None = None,
    status: int = 200,
) -> HttpResponse:
    document = parse_sanding(text)
    review = document.to_review_dict()
    preview = build_preview(text, review)
    plan = plan_acceptance(department, document, request.user, text)
    if form is None:
        quota = quota_from_document(document)
        initial: dict[str, Any] = {
            "department": department.pk,
            "payload": encode_payload(text),
            "digest": digest(text),
            "title": preview.title[:200],
            "doc_number": preview.document_number[:100],
            "take_quota": quota is not None,
        }
        if quota is not None:
            initial.update({name: getattr(quota, name) for name in AcceptForm.QUOTA_FIELDS})
        form = AcceptForm(initial=initial, departments=Department.objects.filter(pk=department.pk))
    selected = selected or {"duties": None, "units": None, "retire": None}
    context = _context(
        request,
        "接收三定规定 · 核对解析结果",
        department=department,
        preview=preview,
        plan=plan,
        form=form,
        kind_labels=KIND_LABELS,
        recognised=has_content(document),
        selected_duties=selected["duties"],
        selected_units=selected["units"],
        selected_retire=selected["retire"],
        text_length=len(text),
    )
    return TemplateResponse(request, "duties/sanding_preview.html", context, status=status)


def _accept(request: HttpRequest, departments: QuerySet[Department]) -> HttpResponse:
    """Step 2: write what the reviewer kept; on any error show the preview again, nothing saved."""
    form = AcceptForm(request.POST, departments=departments)
    selected = {
        "duties": _ints(request.POST.getlist("duty")),
        "units": _ints(request.POST.getlist("unit")),
        "retire": _ints(request.POST.getlist("retire")),
    }
    if not form.is_valid():
        text = form.cleaned_data.get("text") if hasattr(form, "cleaned_data") else None
        department = form.cleaned_data.get("department") if hasattr(form, "cleaned_data") else None
        if text and department:
            return _preview(request, department, text, form=form, selected=selected, status=400)
        errors = "；".join(m for field in form.errors.values() for m in field)
        return _input(request, SandingInputForm(departments=departments), error=errors, status=400)
    data = form.cleaned_data
    department, text = data["department"], data["text"]
    document = parse_sanding(text)
    meta = MandateMeta(data["title"], data.get("doc_number") or "", data.get("effective_date"))
    selection = Selection(
        duties=selected["duties"],
        units=selected["units"],
        retire=selected["retire"],
        quota=form.quota_figures(),
    )
    try:
        result = accept_sanding(
            department=department,
            text=text,
            document=document,
            meta=meta,
            selection=selection,
            acting_user=request.user,
            reason=data.get("reason") or "",
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                target = name if name in form.fields else None
                for message in errors:
                    form.add_error(target, message)
        else:
            for message in exc.messages:
                form.add_error(None, message)
        return _preview(request, department, text, form=form, selected=selected, status=400)
    messages.success(request, result.summary())
    for notice in result.notices:
        messages.warning(request, notice)
    return HttpResponseRedirect(reverse("admin:duties_mandate_change", args=[result.mandate.pk]))
