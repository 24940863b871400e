"""Back office of the 履职清单: 三定规定, 职责事项, 工作任务 (with 任务岗位 inline), 任务岗位.

Every write goes through ``duties.services`` — including many-to-many fields and the inline
position assignments, which Django would otherwise save directly. Published rows cannot be
deleted; the 撤销 action revokes them instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import TabularInline

from qingdan.core.access import restrict
from qingdan.core.admin_base import ScopedAdmin
from qingdan.core.choices import Action
from qingdan.core.exports import Column
from qingdan.duties import services
from qingdan.duties.choices import OCCURRENCES_PER_YEAR, ListStatus, TaskRole
from qingdan.duties.models import DutyItem, Mandate, Task, TaskPosition
from qingdan.duties.search import apply_search

LIST_ROW_READONLY = ["status", "valid_from", "valid_to"]


class ListRowAdmin(ScopedAdmin):
    """Shared behaviour: status read-only, deletion of drafts only, 撤销 action, our search."""

    revoke_service: Callable[..., Any] | None = None
    bigram_search = True  # rows with a ``search_text`` column (duty items, tasks)
    actions = ["revoke_selected"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # published rows are revoked, never deleted
        if not self.has_delete_permission(request):
            found.pop("revoke_selected", None)
        return found

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and getattr(obj, "status", ListStatus.DRAFT) != ListStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet, search_term: str
    ) -> tuple[models.QuerySet, bool]:
        if not self.bigram_search:
            return super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return queryset, False
        return apply_search(queryset, search_term), False

    @admin.action(description="撤销所选事项")
    def revoke_selected(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        revoke = type(self).revoke_service
        if revoke is None:
            raise PermissionDenied
        rows = restrict(queryset, request.user, Action.DELETE).exclude(status=ListStatus.REVOKED)
        try:
            with transaction.atomic():
                count = 0
                for obj in rows:
                    revoke(obj, acting_user=request.user, reason="后台撤销")
                    count += 1
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, f"未撤销任何事项：{text}", messages.ERROR)
            return
        self.message_user(request, f"已撤销{count}项。", messages.SUCCESS)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Many-to-many fields were written by the service (with a log entry): only the inlines.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Mandate)
class MandateAdmin(ListRowAdmin):
    list_display = ["title", "department", "version", "doc_number", "effective_date", "status"]
    list_filter = ["status", "form"]
    search_fields = ["title", "doc_number"]
    bigram_search = False
    autocomplete_fields = ["department"]
    fieldsets = [
        (None, {"fields": ["department", "title", "doc_number", "effective_date", "form"]}),
        ("版本与状态", {"fields": ["code", "version", "status", "valid_from", "valid_to"]}),
        ("全文", {"fields": ["full_text", "parsed_summary"]}),
    ]
    readonly_fields = ["version", "parsed_summary", *LIST_ROW_READONLY]
    create_service = staticmethod(services.create_mandate)
    update_service = staticmethod(services.update_mandate)
    delete_service = staticmethod(services.delete_mandate)
    validate_service = staticmethod(services.validate_mandate)
    revoke_service = staticmethod(services.revoke_mandate)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("编码", "code", 10),
        Column("标题", "title", 40),
        Column("文号", "doc_number", 20),
        Column("印发日期", "effective_date", 12),
        Column("体例", "form", 16),
        Column("版本", "version", 6),
        Column("状态", "status", 8),
    ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("department").defer("full_text")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any):
        form = super().get_form(request, obj, change=change, **kw)
        if "code" in form.base_fields:
            form.base_fields["code"].required = False
            form.base_fields["code"].help_text = "留空则自动编号（SD001…）。"
        return form

    @admin.display(description="解析概要")
    def parsed_summary(self, obj: Mandate) -> str:
        parsed = obj.parsed or {}
        if not parsed:
            return "—"
        staffing = parsed.get("staffing") or {}
        return format_html(
            "主要职责{}项，内设机构{}个，行政编制{}名，未解析{}处。"
            '<a class="qd-link" href="{}">查看覆盖情况</a>',
            len(parsed.get("main_duties") or []),
            len(parsed.get("units") or []),
            staffing.get("administrative") if staffing.get("administrative") is not None else "—",
            len(parsed.get("unparsed") or []),
            reverse("duties:coverage") + f"?department={obj.department_id}",
        )


@admin.register(DutyItem)
class DutyItemAdmin(ListRowAdmin):
    list_display = [
        "code",
        "short_text",
        "department",
        "source",
        "clause",
        "category",
        "is_core",
        "status",
    ]
    list_filter = ["status", "source", "category", "is_core"]
    search_fields = ["code"]  # the search box uses the bigram search (get_search_results)
    autocomplete_fields = ["department", "mandate", "units"]
    fieldsets = [
        (None, {"fields": ["department", "mandate", "code", "source", "clause", "text"]}),
        ("分类", {"fields": ["category", "is_core", "units", "order"]}),
        ("状态", {"fields": LIST_ROW_READONLY}),
    ]
    readonly_fields = LIST_ROW_READONLY
    create_service = staticmethod(services.create_duty_item)
    update_service = staticmethod(services.update_duty_item)
    delete_service = staticmethod(services.delete_duty_item)
    validate_service = staticmethod(services.validate_duty_item)
    revoke_service = staticmethod(services.revoke_duty_item)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("事项编码", "code", 10),
        Column("来源", "source", 10),
        Column("条款", "clause", 14),
        Column("职责内容", "text", 60),
        Column("类别", "category", 10),
        Column("核心职能", "is_core", 8),
        Column("状态", "status", 8),
    ]

    @admin.display(description="职责内容")
    def short_text(self, obj: DutyItem) -> str:
        return obj.text[:60] + ("…" if len(obj.text) > 60 else "")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("department")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any):
        form = super().get_form(request, obj, change=change, **kw)
        if "code" in form.base_fields:
            form.base_fields["code"].required = False
            form.base_fields["code"].help_text = "留空则自动编号（ZZ001…）。"
        return form

    def run_validation(self, validate: Any, instance: Any, data: dict) -> None:
        units = list(data["units"]) if "units" in data else None
        validate(instance, units=units)

    def call_service(self, service: Any, request: HttpRequest, obj: Any, form: Any, reason: str):
        units = list(form.cleaned_data["units"]) if "units" in form.cleaned_data else None
        service(obj, acting_user=request.user, reason=reason, units=units)


class TaskPositionForm(forms.ModelForm):
    """An inline row, checked by the service's rules before anything is saved."""

    class Meta:
        model = TaskPosition
        fields = ["position", "role"]

    def _get_validation_exclusions(self) -> set[str]:
        # The one-主办 constraint is checked across the whole inline (rows are saved together),
        # not row by row against the stored rows.
        return {*super()._get_validation_exclusions(), "role"}

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors or not self.cleaned_data.get("position"):
            return
        try:
            services.validate_task_position(self.instance, check_siblings=False)
        except ValidationError as exc:
            self._update_errors(exc)


class TaskPositionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        leads = [
            f
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("role") == TaskRole.LEAD
        ]
        if len(leads) > 1:
            raise ValidationError("每项任务只能有一个主办岗位。")


class TaskPositionInline(TabularInline):
    model = TaskPosition
    form = TaskPositionForm
    formset = TaskPositionFormSet
    fields = ["position", "role"]
    autocomplete_fields = ["position"]
    extra = 1
    verbose_name = "承担岗位"
    verbose_name_plural = "承担岗位（主办/协办/AB角）"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            obj is None
            or restrict(Task.objects.filter(pk=obj.pk), request.user, Action.CHANGE).exists()
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # the parent page is already gated


@admin.register(Task)
class TaskAdmin(ListRowAdmin):
    list_display = [
        "code",
        "name",
        "department",
        "lead_unit",
        "frequency",
        "annual_hours",
        "needs_spec",
        "status",
    ]
    list_filter = [
        "status",
        "frequency",
        "is_supervision",
        "is_enforcement",
        "discretion",
        "risk_level",
    ]
    search_fields = ["code"]
    autocomplete_fields = ["duty_item", "lead_unit", "cooperating_units"]
    inlines = [TaskPositionInline]
    fieldsets = [
        (None, {"fields": ["duty_item", "code", "name", "description"]}),
        ("承办", {"fields": ["lead_unit", "cooperating_units"]}),
        (
            "工作量",
            {
                "fields": [
                    "frequency",
                    "occurrences",
                    "unit_hours",
                    "annual_hours",
                    "time_limit_days",
                    "time_limit_note",
                ]
            },
        ),
        (
            "依据与规范",
            {
                "fields": [
                    "legal_basis",
                    "is_supervision",
                    "is_enforcement",
                    "discretion",
                    "risk_level",
                    "work_spec",
                    "output_templates",
                    "has_process",
                ]
            },
        ),
        ("状态", {"fields": [*LIST_ROW_READONLY, "order"]}),
    ]
    readonly_fields = ["annual_hours", *LIST_ROW_READONLY]
    create_service = staticmethod(services.create_task)
    update_service = staticmethod(services.update_task)
    delete_service = staticmethod(services.delete_task)
    validate_service = staticmethod(services.validate_task)
    revoke_service = staticmethod(services.revoke_task)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("职责事项", "duty_item.code", 10),
        Column("任务编码", "code", 12),
        Column("工作任务", "name", 40),
        Column("承办科室", "lead_unit.name", 16),
        Column("频次", "frequency", 10),
        Column("年发生次数", lambda t: float(t.occurrences), 10),
        Column("单次工时（小时）", lambda t: float(t.unit_hours), 10),
        Column("年工时（小时）", lambda t: float(t.annual_hours or 0), 10),
        Column("办理时限（工作日）", "time_limit_days", 10),
        Column("监管事项", "is_supervision", 8),
        Column("执法事项", "is_enforcement", 8),
        Column("工作规范", "work_spec", 40),
        Column("状态", "status", 8),
    ]

    @admin.display(description="需工作规范", boolean=True)
    def needs_spec(self, obj: Task) -> bool | None:
        return False if obj.needs_work_spec and not obj.work_spec.strip() else None

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("department", "lead_unit", "duty_item")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any):
        form = super().get_form(request, obj, change=change, **kw)
        fields = form.base_fields
        if "code" in fields:
            fields["code"].required = False
            fields["code"].help_text = "留空则按职责事项自动编号（ZZ001-01…）。"
        if "occurrences" in fields:
            fields["occurrences"].required = False
            rates = "、".join(f"{f.label}{n}" for f, n in OCCURRENCES_PER_YEAR.items())
            fields[
                "occurrences"
            ].help_text = f"除“按件”外按频次自动计算（{rates}）；按件的任务请填写。"
        return form

    def run_validation(self, validate: Any, instance: Any, data: dict) -> None:
        units = list(data["cooperating_units"]) if "cooperating_units" in data else None
        validate(instance, cooperating_units=units)

    def call_service(self, service: Any, request: HttpRequest, obj: Any, form: Any, reason: str):
        data = form.cleaned_data
        units = list(data["cooperating_units"]) if "cooperating_units" in data else None
        service(obj, acting_user=request.user, reason=reason, cooperating_units=units)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline 任务岗位 rows through the services: deletions, then updates, then additions."""
        if formset.model is not TaskPosition:
            return super().save_formset(request, form, formset, change)
        reason = form.cleaned_data.get("change_reason", "")
        formset.save(commit=False)
        for tp in formset.deleted_objects:
            services.delete_task_position(tp, acting_user=request.user, reason=reason)
        changed = [tp for tp, _fields in formset.changed_objects]
        # Rows giving up 主办 first, so moving the lead from one position to another never clashes.
        changed.sort(key=lambda tp: tp.role == TaskRole.LEAD)
        for tp in changed:
            services.update_task_position(tp, acting_user=request.user, reason=reason)
        for tp in formset.new_objects:
            tp.task = form.instance
            services.create_task_position(tp, acting_user=request.user, reason=reason)
        formset.save_m2m = lambda: None
        return None


@admin.register(TaskPosition)
class TaskPositionAdmin(ScopedAdmin):
    list_display = ["task", "position", "role", "department"]
    list_filter = ["role"]
    search_fields = ["task__code", "task__name", "position__name"]
    autocomplete_fields = ["task", "position"]
    fields = ["task", "position", "role"]
    create_service = staticmethod(services.create_task_position)
    update_service = staticmethod(services.update_task_position)
    delete_service = staticmethod(services.delete_task_position)
    validate_service = staticmethod(services.validate_task_position)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("任务编码", "task.code", 12),
        Column("工作任务", "task.name", 40),
        Column("岗位", "position.name", 20),
        Column("角色", "role", 10),
    ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("task", "position", "department")
