"""Back office of processes: the list (gated, exportable, department tree), each process read-only
with its steps; editing happens in the step-table editor (``processes:edit``), which saves the
whole aggregate through ``services.save_process``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from qingdan.core.access import restrict
from qingdan.core.admin_base import ScopedAdmin
from qingdan.core.choices import Action
from qingdan.core.exports import Column
from qingdan.duties.choices import ListStatus
from qingdan.processes import services
from qingdan.processes.graph import load_draft
from qingdan.processes.models import Process
from qingdan.processes.views.common import names, step_rows


@admin.register(Process)
class ProcessAdmin(ScopedAdmin):
    list_display = [
        "code",
        "title_link",
        "department",
        "kind",
        "version",
        "is_current",
        "step_count",
        "material_count",
        "path_days",
        "legal_limit_days",
        "status",
    ]
    list_filter = ["status", "kind", "is_current"]
    search_fields = ["code", "name", "task__code"]
    list_select_related = ["department"]
    actions = ["revoke_selected"]
    fieldsets = [
        (None, {"fields": ["links", "code", "name", "department", "task", "kind"]}),
        (
            "版本与再造",
            {"fields": ["version", "is_current", "before", "status", "valid_from", "valid_to"]},
        ),
        (
            "时限与统计",
            {
                "fields": [
                    "legal_limit_days",
                    "path_days",
                    "step_count",
                    "material_count",
                    "risk_count",
                ]
            },
        ),
        ("监督与权利", {"fields": ["supervision", "complaint", "rights"]}),
        ("环节", {"fields": ["steps_table"]}),
    ]
    readonly_fields = [
        "links",
        "code",
        "name",
        "department",
        "task",
        "kind",
        "version",
        "is_current",
        "before",
        "status",
        "valid_from",
        "valid_to",
        "legal_limit_days",
        "path_days",
        "step_count",
        "material_count",
        "risk_count",
        "supervision",
        "complaint",
        "rights",
        "steps_table",
    ]
    delete_service = staticmethod(services.delete_process)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("流程编码", "code", 10),
        Column("流程名称", "name", 36),
        Column("工作任务", "task.code", 12),
        Column("流程类型", "kind", 14),
        Column("版本", "version", 6),
        Column("当前版本", "is_current", 8),
        Column("办事环节数", "step_count", 10),
        Column("办事材料数", "material_count", 10),
        Column("风险点数", "risk_count", 8),
        Column("最长路径时限（工作日）", lambda p: float(p.path_days), 12),
        Column(
            "法定时限（工作日）",
            lambda p: None if p.legal_limit_days is None else float(p.legal_limit_days),
            12,
        ),
        Column("再造前流程", "before.code", 10),
        Column("状态", "status", 8),
    ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("department", "task", "before")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != ListStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        if not self.has_delete_permission(request):
            found.pop("revoke_selected", None)
        return found

    @admin.display(description="流程名称", ordering="name")
    def title_link(self, obj: Process) -> SafeString:
        return format_html(
            '<a class="qd-link" href="{}">{}</a>',
            reverse("processes:detail", args=[obj.pk]),
            obj.name,
        )

    @admin.display(description="操作")
    def links(self, obj: Process) -> SafeString:
        if obj.pk is None:
            return format_html("{}", "—")
        return format_html(
            '<a href="{}">流程图与详情</a> · <a href="{}">编辑环节</a> · <a href="{}">变更历史</a>',
            reverse("processes:detail", args=[obj.pk]),
            reverse("processes:edit", args=[obj.pk]),
            reverse("processes:history", args=[obj.pk]),
        )

    @admin.display(description="环节（只读，请在环节编辑页修改）")
    def steps_table(self, obj: Process) -> SafeString:
        if obj.pk is None:
            return format_html("{}", "—")
        cached = getattr(obj, "_steps_table", None)  # the admin asks for it several times
        if cached is not None:
            return cached
        draft = load_draft(obj)
        rows = step_rows(draft, names([draft]))
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r["order"],
                    r["name"] or r["key"],
                    r["kind"],
                    r["lane"] or "—",
                    r["days"] or "—",
                    "、".join(m.name for m in r["materials"]) or "—",
                    "；".join(f"{x['level']}：{x['description']}" for x in r["risks"]) or "—",
                )
                for r in rows
            ),
        )
        obj._steps_table = format_html(
            '<table class="qd-table"><thead><tr><th>序号</th><th>环节</th><th>类型</th><th>泳道</th>'
            "<th>时限（工作日）</th><th>办事材料</th><th>风险点</th></tr></thead><tbody>{}</tbody>"
            "</table>",
            body,
        )
        return obj._steps_table

    @admin.action(description="撤销所选流程")
    def revoke_selected(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        rows = restrict(queryset, request.user, Action.DELETE).exclude(status=ListStatus.REVOKED)
        try:
            with transaction.atomic():
                count = 0
                for obj in rows:
                    services.revoke_process(obj, acting_user=request.user, reason="后台撤销")
                    count += 1
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, f"未撤销任何流程：{text}", messages.ERROR)
            return
        self.message_user(request, f"已撤销{count}个流程。", messages.SUCCESS)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None):
        from django.shortcuts import redirect

        obj = self.get_object(request, object_id)
        return redirect("processes:history", pk=obj.pk)
