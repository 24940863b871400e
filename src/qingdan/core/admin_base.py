"""The base every back-office list uses: the data-scope gate, writes through services, our own
history tab, a department tree beside the list, and Excel export of the filtered list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from unfold.admin import ModelAdmin

from qingdan.core import access
from qingdan.core.changelog import diff
from qingdan.core.choices import Action
from qingdan.core.exports import Column, export_workbook

Service = Callable[..., Any]


class DepartmentTreeFilter(admin.SimpleListFilter):
    """``?dept=<id>`` narrows a list to a department and everything under it (the tree at left)."""

    title = "部门（含下级）"
    parameter_name = "dept"
    template = "core/admin/hidden_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("", "")]  # the tree beside the list is the control; keep the filter panel clean

    def has_output(self) -> bool:
        return True

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        from qingdan.org.models import Department

        value = self.value()
        if not value:
            return queryset
        try:
            dept_id = int(value)
        except ValueError:
            return queryset.none()
        root = access.restrict(Department.objects.all(), request.user, Action.VIEW)
        root_path = root.filter(pk=dept_id).values_list("path", flat=True).first()
        if root_path is None:
            return queryset.none()
        field_name = self.model_admin_department_field
        subtree = Department.objects.filter(path__startswith=root_path).values("id")
        return queryset.filter(**{f"{field_name}__in": subtree})

    model_admin_department_field = "department_id"


def _dept_filter_for(field_name: str) -> type[DepartmentTreeFilter]:
    return type(
        "DepartmentTreeFilterFor" + field_name.title().replace("_", ""),
        (DepartmentTreeFilter,),
        {"model_admin_department_field": field_name},
    )


class ReasonForm(forms.ModelForm):
    """Every back-office form asks (optionally) why, and runs the service's validation."""

    change_reason = forms.CharField(
        label="变更原因",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="将记入变更日志。",
    )

    service_validate: Callable[[models.Model, dict[str, Any]], None] | None = None

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.service_validate is None or self.errors:
            return
        try:
            type(self).service_validate(self.instance, self.cleaned_data)
        except ValidationError as exc:
            self._update_errors(exc)


class ScopedAdmin(ModelAdmin):
    """A ModelAdmin whose every read and write goes through the gate and the services.

    Subclasses set ``create_service``/``update_service``/``delete_service`` (functions taking the
    object and keyword ``acting_user`` and ``reason``), ``validate_service`` (the matching
    ``validate_*``), ``export_columns`` and ``department_field`` (for the tree; None: no tree).
    """

    form = ReasonForm
    create_service: Service | None = None
    update_service: Service | None = None
    delete_service: Service | None = None
    validate_service: Service | None = None
    export_columns: list[Column] = []
    department_field: str | None = "department_id"
    list_per_page = 50
    change_list_template = "core/admin/change_list.html"
    list_filter_submit = True

    # -- the gate ---------------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return access.restrict(super().get_queryset(request), request.user, Action.VIEW)

    def _in_scope(self, request: HttpRequest, obj: models.Model, action: Action) -> bool:
        qs = self.model._default_manager.filter(pk=obj.pk)
        return access.restrict(qs, request.user, action).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can(request.user, Action.VIEW, self.model)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if obj is None:
            return access.can(request.user, Action.VIEW, self.model)
        return self._in_scope(request, obj, Action.VIEW)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.create_service is not None and access.can(request.user, Action.ADD, self.model)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if self.update_service is None:
            return False
        if obj is None:
            return access.can(request.user, Action.CHANGE, self.model)
        return self._in_scope(request, obj, Action.CHANGE)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if self.delete_service is None:
            return False
        if obj is None:
            return access.can(request.user, Action.DELETE, self.model)
        return self._in_scope(request, obj, Action.DELETE)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        # Outside the user's scope looks exactly like not existing: 404 — before any permission
        # check, so an outsider cannot tell a row they may not touch from one that is not there.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("对象不存在或不在您的数据范围内。")
        return obj

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        related = db_field.related_model
        if getattr(related, "access_group", None) and "queryset" not in kwargs:
            kwargs["queryset"] = access.restrict(
                related._default_manager.all(), request.user, Action.VIEW
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # -- writes go through services -----------------------------------------------------------------
    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        validate = self.validate_service
        if validate is not None:
            form.service_validate = staticmethod(  # type: ignore[attr-defined]
                lambda instance, data: self.run_validation(validate, instance, data)
            )
        return form

    def run_validation(self, validate: Service, instance: models.Model, data: dict) -> None:
        validate(instance)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fieldsets = super().get_fieldsets(request, obj)
        names = {f for _, opts in fieldsets for f in opts.get("fields", ())}
        if "change_reason" in names or not self.has_change_permission(request, obj):
            return fieldsets
        return [*fieldsets, ("变更说明", {"fields": ["change_reason"]})]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        reason = form.cleaned_data.get("change_reason", "") if form is not None else ""
        service = self.update_service if change else self.create_service
        if service is None:
            raise PermissionDenied
        self.call_service(service, request, obj, form, reason)
        access.ensure_in_scope(request.user, obj, Action.CHANGE if change else Action.ADD)

    def call_service(
        self, service: Service, request: HttpRequest, obj: Any, form: Any, reason: str
    ) -> None:
        service(obj, acting_user=request.user, reason=reason)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        if self.delete_service is None:
            raise PermissionDenied
        self.delete_service(obj, acting_user=request.user, reason="")

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in access.restrict(queryset, request.user, Action.DELETE):
            self.delete_model(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None):
        try:
            with transaction.atomic():
                return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self.message_user(request, "；".join(exc.messages), messages.ERROR)
            from django.shortcuts import redirect

            return redirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )

    # The change log is the record; Django's own admin LogEntry would only duplicate it.
    def log_addition(self, *args: Any, **kwargs: Any) -> None:
        return None

    def log_change(self, *args: Any, **kwargs: Any) -> None:
        return None

    def log_deletion(self, *args: Any, **kwargs: Any) -> None:
        return None

    def log_deletions(self, *args: Any, **kwargs: Any) -> None:
        return None

    # -- history tab from the change log ----------------------------------------------------------
    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None):
        from qingdan.core.models import ChangeLogEntry

        obj = self.get_object(request, object_id)
        labels = {f.attname: str(f.verbose_name) for f in self.model._meta.concrete_fields}
        entries = ChangeLogEntry.objects.filter(
            model=self.model._meta.label_lower, object_id=str(obj.pk)
        ).order_by("-seq")
        rows = [
            {
                "entry": e,
                "changes": [
                    (labels.get(k, k), old, new)
                    for k, old, new in diff(e.before, e.after)
                    if k not in {"updated_at", "updated_by_id", "created_at", "path"}
                ],
            }
            for e in entries
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"“{obj}”的变更历史",
            "object": obj,
            "opts": self.opts,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "core/admin/object_history.html", context)

    # -- department tree and export ---------------------------------------------------------------
    def get_list_filter(self, request: HttpRequest):
        filters = list(super().get_list_filter(request))
        if self.department_field:
            filters.insert(0, _dept_filter_for(self.department_field))
        return filters

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        from qingdan.org.tree import department_tree

        extra = dict(extra_context or {})
        if self.department_field:
            extra["department_tree"] = department_tree(request.user, request.GET.get("dept"))
        extra["export_url"] = (
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_export")
            if self.export_columns
            else None
        )
        extra["export_query"] = request.GET.urlencode()
        return super().changelist_view(request, extra)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        urls = [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            )
        ]
        return urls + super().get_urls()

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.export_columns or not self.has_view_permission(request):
            raise PermissionDenied
        cl = self.get_changelist_instance(request)
        queryset = cl.get_queryset(request)  # filters, search and ordering of the list, gated
        data = export_workbook(self.export_columns, queryset, sheet=str(self.opts.verbose_name))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{self.opts.verbose_name_plural}-{stamp}.xlsx"
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
