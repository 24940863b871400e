"""Back office for the review loop: programmes and phases (编办 writes, others read); submissions,
their events and comments, and published versions are read-only here — they change only through
the review pages (the state machine) and never after publication."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from qingdan.core import access
from qingdan.core.admin_base import ScopedAdmin
from qingdan.core.choices import Action
from qingdan.core.exports import Column
from qingdan.org.models import Department
from qingdan.oversight import services
from qingdan.oversight.forms import ProgrammeForm
from qingdan.oversight.models import (
    ListVersion,
    Programme,
    ProgrammePhase,
    ReviewComment,
    Submission,
    SubmissionEvent,
)


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdmin):
    form = ProgrammeForm
    list_display = ["title", "year", "doc_number", "region", "issued_on", "overview_link"]
    list_filter = ["year"]
    search_fields = ["title", "doc_number"]
    department_field = None
    fieldsets = [
        (None, {"fields": ["region", "year", "title", "doc_number", "issued_on", "note"]}),
        ("参与部门", {"fields": ["participants"]}),
    ]
    create_service = staticmethod(services.create_programme)
    update_service = staticmethod(services.update_programme)
    delete_service = staticmethod(services.delete_programme)
    validate_service = staticmethod(services.validate_programme)
    export_columns = [
        Column("年度", "year", 8),
        Column("工作方案", "title", 40),
        Column("文号", "doc_number", 20),
        Column("行政区划", "region.name", 14),
        Column("印发日期", "issued_on", 12),
    ]

    @admin.display(description="推进情况")
    def overview_link(self, obj: Programme) -> str:
        return format_html('<a href="{}">查看</a>', reverse("oversight:programme", args=[obj.pk]))

    @admin.display(description="参与部门")
    def participants(self, obj: Programme) -> str:
        """Read-only view of the participants (the form field of the same name edits them)."""
        names = obj.submissions.select_related("department").values_list(
            "department__name", flat=True
        )
        return "、".join(names) or "—"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("region")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "participants" in form.base_fields:
            form.base_fields["participants"].queryset = access.restrict(
                Department.objects.all(), request.user, Action.VIEW
            ).order_by("region__path", "order", "id")
        return form

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "participants" in form.cleaned_data:
            services.set_participants(
                form.instance,
                form.cleaned_data["participants"],
                acting_user=request.user,
                reason=form.cleaned_data.get("change_reason", ""),
            )


@admin.register(ProgrammePhase)
class ProgrammePhaseAdmin(ScopedAdmin):
    list_display = ["programme", "order", "name", "kind", "start", "end", "deadline", "milestone"]
    list_filter = ["kind", "milestone"]
    search_fields = ["name", "programme__title"]
    department_field = None
    fields = [
        "programme",
        "order",
        "name",
        "kind",
        "start",
        "end",
        "deadline",
        "milestone",
        "deliverable",
    ]
    create_service = staticmethod(services.create_phase)
    update_service = staticmethod(services.update_phase)
    delete_service = staticmethod(services.delete_phase)
    validate_service = staticmethod(services.validate_phase)
    export_columns = [
        Column("工作方案", "programme.title", 40),
        Column("顺序", "order", 6),
        Column("阶段", "name", 12),
        Column("开始日期", "start", 12),
        Column("结束日期", "end", 12),
        Column("报送截止日期", "deadline", 12),
        Column("考核节点", "milestone", 14),
        Column("应完成事项", "deliverable", 40),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("programme")


@admin.register(Submission)
class SubmissionAdmin(ScopedAdmin):
    """Read-only: a submission moves only through the review page's actions."""

    list_display = ["department", "programme", "status", "round", "extra_round_flag", "page_link"]
    # No programme filter: its choices would list programmes outside the user's region.
    list_filter = ["status", "round"]
    search_fields = ["department__name", "programme__title"]
    fields = ["programme", "department", "status", "round", "created_at", "updated_at"]
    readonly_fields = fields
    export_columns = [
        Column("工作方案", "programme.title", 40),
        Column("部门", "department.name", 24),
        Column("状态", "status", 12),
        Column("报送轮次", "round", 8),
    ]

    @admin.display(description="超出二报二审", boolean=True)
    def extra_round_flag(self, obj: Submission) -> bool:
        return obj.extra_round

    @admin.display(description="审核页面")
    def page_link(self, obj: Submission) -> str:
        return format_html('<a href="{}">打开</a>', reverse("oversight:submission", args=[obj.pk]))

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("department", "programme")


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ScopedAdmin):
    """Read-only: events are written by the transition service and never changed."""

    list_display = ["at", "submission", "from_status", "to_status", "round", "actor", "comment"]
    list_filter = ["to_status", "round"]
    search_fields = ["submission__department__name", "comment"]
    fields = ["submission", "from_status", "to_status", "round", "actor", "at", "comment"]
    readonly_fields = fields
    export_columns = [
        Column("时间", "at", 20),
        Column("部门", "department.name", 24),
        Column("原状态", "from_status", 12),
        Column("新状态", "to_status", 12),
        Column("轮次", "round", 6),
        Column("操作人", "actor.username", 12),
        Column("说明", "comment", 40),
    ]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("submission__department", "submission__programme", "actor")
        )


@admin.register(ReviewComment)
class ReviewCommentAdmin(ScopedAdmin):
    """Read-only list of 审核意见 (they are made and answered on the review page)."""

    list_display = ["submission", "round", "target_label", "text", "resolved", "resolution"]
    list_filter = ["round", "resolved", "resolution"]
    search_fields = ["text", "reply", "target_label", "submission__department__name"]
    fields = [
        "submission",
        "round",
        "target_label",
        "text",
        "reply",
        "replied_by",
        "replied_at",
        "resolved",
        "resolution",
        "resolved_by",
        "resolved_at",
    ]
    readonly_fields = fields
    export_columns = [
        Column("部门", "department.name", 24),
        Column("轮次", "round", 6),
        Column("意见对象", "target_label", 30),
        Column("审核意见", "text", 40),
        Column("部门答复", "reply", 40),
        Column("已处理", "resolved", 8),
        Column("处理方式", "resolution", 12),
    ]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("submission__department", "submission__programme")
        )


@admin.register(ListVersion)
class ListVersionAdmin(ScopedAdmin):
    """Immutable: no add, change or delete (the snapshot is shown on the version page)."""

    list_display = [
        "department",
        "number",
        "published_at",
        "published_by",
        "duty_item_count",
        "task_count",
        "short_hash",
        "page_link",
    ]
    list_filter = ["published_at"]
    search_fields = ["department__name", "sha256"]
    fields = [
        "department",
        "number",
        "submission",
        "published_at",
        "published_by",
        "duty_item_count",
        "task_count",
        "task_position_count",
        "sha256",
    ]
    readonly_fields = fields
    export_columns = [
        Column("部门", "department.name", 24),
        Column("版本号", "number", 8),
        Column("发布时间", "published_at", 20),
        Column("职责事项数", "duty_item_count", 10),
        Column("工作任务数", "task_count", 10),
        Column("任务岗位数", "task_position_count", 10),
        Column("SHA-256", "sha256", 66),
    ]

    @admin.display(description="SHA-256")
    def short_hash(self, obj: ListVersion) -> str:
        return f"{obj.sha256[:12]}…"

    @admin.display(description="版本页面")
    def page_link(self, obj: ListVersion) -> str:
        return format_html('<a href="{}">查看</a>', reverse("oversight:version", args=[obj.pk]))

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("department", "published_by")
            .defer("snapshot")
        )
