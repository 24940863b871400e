"""REST endpoints for the org objects."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from qingdan.api.base import ScopedSerializer, ScopedViewSet
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

AUDIT = ["created_at", "updated_at"]


class RegionSerializer(ScopedSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "order", "change_reason", *AUDIT]
        read_only_fields = AUDIT


class DepartmentSerializer(ScopedSerializer):
    class Meta:
        model = Department
        fields = [
            "id",
            "region",
            "code",
            "name",
            "short_name",
            "kind",
            "rank",
            "credit_code",
            "parent",
            "parent_relation",
            "order",
            "status",
            "established_on",
            "abolished_on",
            "note",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = AUDIT


class UnitSerializer(ScopedSerializer):
    class Meta:
        model = Unit
        fields = [
            "id",
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
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = AUDIT


class StaffingQuotaSerializer(ScopedSerializer):
    class Meta:
        model = StaffingQuota
        fields = [
            "id",
            "department",
            "unit",
            "administrative",
            "institution",
            "logistics",
            "leader_principal",
            "leader_deputy",
            "leader_unit",
            "doc_number",
            "doc_date",
            "effective_from",
            "note",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = AUDIT


class PositionSerializer(ScopedSerializer):
    class Meta:
        model = Position
        fields = [
            "id",
            "department",
            "unit",
            "code",
            "name",
            "category",
            "leader_level",
            "headcount",
            "is_key",
            "risk_level",
            "duty_statement",
            "req_knowledge",
            "req_major",
            "req_education",
            "order",
            "status",
            "established_on",
            "abolished_on",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = AUDIT


class PersonSerializer(ScopedSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
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
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = AUDIT


class AssignmentSerializer(ScopedSerializer):
    class Meta:
        model = Assignment
        fields = [
            "id",
            "person",
            "position",
            "department",
            "kind",
            "is_acting",
            "start_date",
            "end_date",
            "over_quota",
            "override_reason",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = ["department", "over_quota", *AUDIT]


def _viewset(
    model_cls: type[models.Model],
    serializer: type[serializers.ModelSerializer],
    prefix: str,
    filters: dict[str, str],
    ordering: list[str],
) -> type[ScopedViewSet]:
    """One view set per org model; ``filters`` maps query parameters to lookups."""

    def get_queryset(self: ScopedViewSet) -> models.QuerySet:
        qs = ScopedViewSet.get_queryset(self).order_by(*ordering)
        for param, lookup in filters.items():
            value = self.request.query_params.get(param)
            if not value:
                continue
            if lookup.endswith("_id") and not value.isdigit():
                raise ValidationError({param: "应为整数编号。"})
            qs = qs.filter(**{lookup: value})
        return qs

    create, update, delete = (
        getattr(services, f"{verb}_{prefix}") for verb in ("create", "update", "delete")
    )
    attrs: dict[str, Any] = {
        "model": model_cls,
        "serializer_class": serializer,
        "queryset": model_cls._default_manager.none(),
        "create_service": staticmethod(create),
        "update_service": staticmethod(update),
        "delete_service": staticmethod(delete),
        "get_queryset": get_queryset,
        "__doc__": f"{model_cls._meta.verbose_name}：按用户数据范围过滤；写操作经服务层校验并记入变更日志。",
    }
    return type(f"{model_cls.__name__}ViewSet", (ScopedViewSet,), attrs)


RegionViewSet = _viewset(
    Region, RegionSerializer, "region", {"level": "level", "parent": "parent_id"}, ["path"]
)
DepartmentViewSet = _viewset(
    Department,
    DepartmentSerializer,
    "department",
    {"region": "region_id", "kind": "kind", "status": "status"},
    ["region_id", "order", "id"],
)
UnitViewSet = _viewset(
    Unit,
    UnitSerializer,
    "unit",
    {"department": "department_id", "status": "status"},
    ["department_id", "order", "id"],
)
StaffingQuotaViewSet = _viewset(
    StaffingQuota,
    StaffingQuotaSerializer,
    "quota",
    {"department": "department_id", "unit": "unit_id"},
    ["department_id", "effective_from", "id"],
)
PositionViewSet = _viewset(
    Position,
    PositionSerializer,
    "position",
    {"department": "department_id", "unit": "unit_id", "category": "category"},
    ["department_id", "order", "id"],
)
PersonViewSet = _viewset(
    Person,
    PersonSerializer,
    "person",
    {"department": "department_id", "status": "status"},
    ["department_id", "id"],
)


class AssignmentViewSet(
    _viewset(  # type: ignore[misc]
        Assignment,
        AssignmentSerializer,
        "assignment",
        {
            "person": "person_id",
            "position": "position_id",
            "department": "department_id",
            "kind": "kind",
        },
        ["-start_date", "id"],
    )
):
    def call_service(self, service: Any, obj: models.Model, reason: str) -> None:
        service(
            obj, acting_user=self.request.user, reason=reason, override_reason=obj.override_reason
        )
