from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from qingdan.core import access
from qingdan.core.admin_base import ScopedAdmin
from qingdan.core.choices import Action
from qingdan.core.exports import Column
from qingdan.org import services
from qingdan.org.models import (
    Assignment,
    Department,
    Person,
    Position,
    Region,
    StaffingQuota,
    Unit,
)
from qingdan.org.tree import cached_tree_body


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "level", "parent", "order"]
    department_field = None
    create_service = staticmethod(services.create_region)
    update_service = staticmethod(services.update_region)
    delete_service = staticmethod(services.delete_region)
    validate_service = staticmethod(services.validate_region)
    export_columns = [
        Column("区划代码", "code", 12),
        Column("名称", "name", 20),
        Column("层级", "level", 10),
        Column("上级区划", "parent.name", 20),
    ]


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "kind", "rank", "region", "parent", "status"]
    list_filter = ["kind", "rank", "status", "region"]
    search_fields = ["name", "short_name", "code", "credit_code"]
    autocomplete_fields = ["parent"]
    department_field = "id"
    fieldsets = [
        (None, {"fields": ["region", "code", "name", "short_name", "kind", "rank", "credit_code"]}),
        ("隶属关系", {"fields": ["parent", "parent_relation", "order"]}),
        ("状态", {"fields": ["status", "established_on", "abolished_on", "note"]}),
    ]
    create_service = staticmethod(services.create_department)
    update_service = staticmethod(services.update_department)
    delete_service = staticmethod(services.delete_department)
    validate_service = staticmethod(services.validate_department)
    export_columns = [
        Column("部门编码", "code", 12),
        Column("部门名称", "name", 28),
        Column("简称", "short_name", 12),
        Column("机构类别", "kind", 14),
        Column("机构规格", "rank", 10),
        Column("统一社会信用代码", "credit_code", 22),
        Column("行政区划", "region.name", 14),
        Column("上级/主管部门", "parent.name", 24),
        Column("隶属关系", "parent_relation", 10),
        Column("状态", "status", 8),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("region", "parent")

    def get_urls(self):
        return [
            path("tree/", self.admin_site.admin_view(self.tree_view), name="org_tree"),
            *super().get_urls(),
        ]

    def tree_view(self, request: HttpRequest) -> TemplateResponse:
        """组织机构树: region → department → unit → position → people, with staffing bars."""
        if not access.can(request.user, Action.VIEW, Department):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        on = _parse_date(request.GET.get("as_of")) or timezone.localdate()
        region = request.GET.get("region")
        region_id = int(region) if region and region.isdigit() else None
        context = {
            **self.admin_site.each_context(request),
            "title": "组织机构树",
            "tree_body": cached_tree_body(request.user, on, region_id),
            "as_of": on,
            "is_today": on == timezone.localdate(),
            "bad_date": bool(request.GET.get("as_of"))
            and _parse_date(request.GET.get("as_of")) is None,
        }
        return TemplateResponse(request, "org/tree.html", context)


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if dt.date(1949, 10, 1) <= parsed <= dt.date(2100, 12, 31) else None


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "department", "rank", "is_coordination_office", "status", "order"]
    list_filter = ["status", "rank", "is_coordination_office"]
    search_fields = ["name", "code", "department__name"]
    autocomplete_fields = ["department"]
    fields = [
        "department",
        "code",
        "name",
        "rank",
        "duties",
        "is_coordination_office",
        "order",
        "status",
        "established_on",
        "abolished_on",
    ]
    create_service = staticmethod(services.create_unit)
    update_service = staticmethod(services.update_unit)
    delete_service = staticmethod(services.delete_unit)
    validate_service = staticmethod(services.validate_unit)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("科室编码", "code", 12),
        Column("科室名称", "name", 20),
        Column("规格", "rank", 10),
        Column("职责", "duties", 60),
        Column("议事协调机构办事机构", "is_coordination_office", 10),
        Column("状态", "status", 8),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("department")


@admin.register(StaffingQuota)
class StaffingQuotaAdmin(ScopedAdmin):
    list_display = [
        "department",
        "unit",
        "administrative",
        "institution",
        "logistics",
        "leader_principal",
        "leader_deputy",
        "leader_unit",
        "doc_number",
        "effective_from",
    ]
    list_filter = ["effective_from"]
    search_fields = ["department__name", "unit__name", "doc_number"]
    autocomplete_fields = ["department", "unit"]
    fieldsets = [
        (None, {"fields": ["department", "unit"]}),
        ("编制", {"fields": ["administrative", "institution", "logistics"]}),
        ("领导职数", {"fields": ["leader_principal", "leader_deputy", "leader_unit"]}),
        ("批准文件", {"fields": ["doc_number", "doc_date", "effective_from", "note"]}),
    ]
    create_service = staticmethod(services.create_quota)
    update_service = staticmethod(services.update_quota)
    delete_service = staticmethod(services.delete_quota)
    validate_service = staticmethod(services.validate_quota)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("科室", "unit.name", 18),
        Column("行政编制", "administrative", 10),
        Column("事业编制", "institution", 10),
        Column("工勤编制", "logistics", 10),
        Column("正职领导职数", "leader_principal", 10),
        Column("副职领导职数", "leader_deputy", 10),
        Column("内设机构领导职数", "leader_unit", 12),
        Column("批准文号", "doc_number", 20),
        Column("批准日期", "doc_date", 12),
        Column("生效日期", "effective_from", 12),
    ]

    def run_validation(self, validate: Any, instance: Any, data: dict) -> None:
        validate(instance, reason=data.get("change_reason", ""))

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("department", "unit")


@admin.register(Position)
class PositionAdmin(ScopedAdmin):
    list_display = [
        "code",
        "name",
        "department",
        "unit",
        "category",
        "leader_level",
        "headcount",
        "is_key",
        "risk_level",
        "status",
    ]
    list_filter = ["category", "leader_level", "is_key", "risk_level", "status"]
    search_fields = ["code", "name", "unit__name", "department__name"]
    autocomplete_fields = ["department", "unit"]
    fieldsets = [
        (None, {"fields": ["department", "unit", "code", "name", "category", "leader_level"]}),
        ("岗位设置", {"fields": ["headcount", "is_key", "risk_level", "order"]}),
        (
            "岗位职责与任职要求",
            {"fields": ["duty_statement", "req_knowledge", "req_major", "req_education"]},
        ),
        ("状态", {"fields": ["status", "established_on", "abolished_on"]}),
    ]
    create_service = staticmethod(services.create_position)
    update_service = staticmethod(services.update_position)
    delete_service = staticmethod(services.delete_position)
    validate_service = staticmethod(services.validate_position)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("科室", "unit.name", 18),
        Column("岗位编码", "code", 12),
        Column("岗位名称", "name", 20),
        Column("岗位类别", "category", 8),
        Column("领导职数类别", "leader_level", 12),
        Column("岗位人数", "headcount", 8),
        Column("重点岗位", "is_key", 8),
        Column("廉政风险等级", "risk_level", 10),
        Column("岗位职责说明", "duty_statement", 60),
        Column("状态", "status", 8),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("department", "unit")


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = [
        "code",
        "name",
        "department",
        "gender",
        "birth_year",
        "education",
        "staffing_type",
        "grade",
        "status",
    ]
    list_filter = ["staffing_type", "status", "gender", "education", "grade"]
    search_fields = ["code", "name", "department__name"]
    autocomplete_fields = ["department"]
    fields = [
        "department",
        "code",
        "name",
        "gender",
        "birth_year",
        "education",
        "major",
        "staffing_type",
        "grade",
        "status",
    ]
    create_service = staticmethod(services.create_person)
    update_service = staticmethod(services.update_person)
    delete_service = staticmethod(services.delete_person)
    validate_service = staticmethod(services.validate_person)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("人员编号", "code", 12),
        Column("姓名", "name", 10),
        Column("性别", "gender", 6),
        Column("出生年份", "birth_year", 8),
        Column("学历", "education", 12),
        Column("专业", "major", 14),
        Column("编制类型", "staffing_type", 10),
        Column("职务职级", "grade", 14),
        Column("状态", "status", 8),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("department")


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = [
        "person",
        "position",
        "department",
        "kind",
        "is_acting",
        "start_date",
        "end_date",
        "over_quota",
    ]
    list_filter = ["kind", "is_acting", "over_quota", "start_date"]
    search_fields = ["person__name", "position__name", "department__name"]
    autocomplete_fields = ["person", "position"]
    fields = [
        "person",
        "position",
        "kind",
        "is_acting",
        "start_date",
        "end_date",
        "override_reason",
    ]
    create_service = staticmethod(services.create_assignment)
    update_service = staticmethod(services.update_assignment)
    delete_service = staticmethod(services.delete_assignment)
    validate_service = staticmethod(services.validate_assignment)
    export_columns = [
        Column("部门", "department.name", 24),
        Column("姓名", "person.name", 10),
        Column("岗位", "position.name", 20),
        Column("任职类型", "kind", 10),
        Column("代理", "is_acting", 6),
        Column("任职日期", "start_date", 12),
        Column("离任日期", "end_date", 12),
        Column("超编任职", "over_quota", 8),
        Column("超编任职理由", "override_reason", 30),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("person", "position", "department")
