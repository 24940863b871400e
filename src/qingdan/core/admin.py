from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from qingdan.core import accounts
from qingdan.core.admin_base import ScopedAdmin
from qingdan.core.exports import Column
from qingdan.core.models import ChangeLogEntry, Job, RoleGrant, User

admin.site.site_title = "清单"
admin.site.site_header = "机构职能清单管理平台"
admin.site.index_title = "工作台"


class UserCreateForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "home_region")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = ("username", "full_name", "email", "home_region", "is_active")


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "full_name", "home_region", "is_active", "last_login"]
    list_filter = ["is_active"]
    search_fields = ["username", "full_name"]
    department_field = None
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("基本信息", {"fields": ["full_name", "email", "home_region", "is_active"]}),
        ("登录信息", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "full_name", "home_region", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    create_service = staticmethod(accounts.create_user)
    update_service = staticmethod(accounts.update_user)
    delete_service = staticmethod(accounts.delete_user)
    validate_service = staticmethod(accounts.validate_user)
    export_columns = [
        Column("用户名", "username", 16),
        Column("姓名", "full_name", 12),
        Column("所属行政区划", "home_region.name", 16),
        Column("启用", "is_active", 8),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        return DjangoUserAdmin.get_fieldsets(self, request, obj)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> None:
        # Only the password view reaches here (other saves go through the services).
        if request.path.endswith("/password/"):
            accounts.record_password_change(obj, acting_user=request.user)


@admin.register(RoleGrant)
class RoleGrantAdmin(ScopedAdmin):
    list_display = ["user", "role", "scope", "region", "department", "created_at"]
    list_filter = ["role", "scope"]
    search_fields = ["user__username", "user__full_name", "department__name"]
    autocomplete_fields = ["user", "department"]
    filter_horizontal = ["custom_departments"]
    fields = ["user", "role", "scope", "region", "department", "custom_departments"]
    create_service = staticmethod(accounts.create_grant)
    update_service = staticmethod(accounts.update_grant)
    delete_service = staticmethod(accounts.delete_grant)
    department_field = "department_id"
    export_columns = [
        Column("用户", "user.username", 16),
        Column("角色", "role", 12),
        Column("数据范围", "scope", 12),
        Column("行政区划", "region.name", 14),
        Column("部门", "department.name", 24),
    ]

    def run_validation(self, validate: Any, instance: Any, data: dict) -> None:
        custom = data.get("custom_departments")
        accounts.validate_grant(instance, [d.pk for d in custom] if custom is not None else None)

    validate_service = staticmethod(accounts.validate_grant)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        from qingdan.core.access import restrict
        from qingdan.org.models import Department

        kwargs["queryset"] = restrict(Department.objects.all(), request.user, "view")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        custom = form.cleaned_data.get("custom_departments")
        accounts.set_custom_departments(
            form.instance, [d.pk for d in custom or []], acting_user=request.user
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user", "region", "department")


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(ScopedAdmin):
    list_display = ["seq", "timestamp", "username", "kind", "model", "object_repr", "reason"]
    list_filter = ["kind", "model"]
    search_fields = ["object_repr", "username", "request_id", "object_id"]
    department_field = "department_id_snapshot"
    readonly_fields = [f.name for f in ChangeLogEntry._meta.fields]
    export_columns = [
        Column("序号", "seq", 8),
        Column("时间", "timestamp", 22),
        Column("用户", "username", 12),
        Column("操作", "kind", 8),
        Column("对象类型", "model", 18),
        Column("对象ID", "object_id", 10),
        Column("对象", "object_repr", 24),
        Column("原因", "reason", 30),
        Column("请求ID", "request_id", 34),
        Column("哈希", "entry_hash", 66),
    ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra = dict(extra_context or {})
        extra["post_actions"] = [
            {"url": reverse("core:verify_log"), "title": "校验日志链", "icon": "verified"}
        ]
        return super().changelist_view(request, extra)


@admin.register(Job)
class JobAdmin(ScopedAdmin):
    list_display = ["title", "kind", "user", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    department_field = "department_id"

    @admin.display(description="进度")
    def progress(self, obj: Job) -> str:
        url = reverse("core:job_detail", args=[obj.pk])
        return format_html('<a href="{}">{}%</a>', url, obj.percent)
