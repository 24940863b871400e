"""REST endpoints for 职责事项, 工作任务 and 任务岗位: the gate and the services, as in the back office.

Query parameters: ``department``, ``status``, ``q`` (Chinese bigram search) on duty items and tasks;
``duty_item`` and ``lead_unit`` on tasks; ``task`` and ``position`` on task positions.
``POST …/{id}/revoke/`` revokes a published row (deleting it is refused).
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from qingdan.api.base import ScopedSerializer, ScopedViewSet
from qingdan.core import access
from qingdan.core.choices import Action
from qingdan.duties import services
from qingdan.duties.models import DutyItem, Task, TaskPosition
from qingdan.duties.search import apply_search

AUDIT = ["created_at", "updated_at"]


class _M2MScopedSerializer(ScopedSerializer):
    """Also restrict many-to-many choices (units) to rows the user may see."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        for field in fields.values():
            if isinstance(field, serializers.ManyRelatedField):
                child = field.child_relation
                if child.queryset is not None and getattr(
                    child.queryset.model, "access_group", None
                ):
                    child.queryset = access.restrict(child.queryset, user, Action.VIEW)
        return fields


class DutyItemSerializer(_M2MScopedSerializer):
    code = serializers.CharField(max_length=32, required=False, allow_blank=True)

    class Meta:
        model = DutyItem
        fields = [
            "id",
            "department",
            "region",
            "mandate",
            "code",
            "source",
            "clause",
            "text",
            "category",
            "is_core",
            "units",
            "order",
            "status",
            "valid_from",
            "valid_to",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = ["region", "status", "valid_from", "valid_to", *AUDIT]


class TaskSerializer(_M2MScopedSerializer):
    code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    occurrences = serializers.DecimalField(
        max_digits=8, decimal_places=1, required=False, help_text="仅“按件”任务需要填写"
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "department",
            "region",
            "duty_item",
            "code",
            "name",
            "description",
            "lead_unit",
            "cooperating_units",
            "frequency",
            "occurrences",
            "unit_hours",
            "annual_hours",
            "time_limit_days",
            "time_limit_note",
            "legal_basis",
            "work_spec",
            "output_templates",
            "is_supervision",
            "is_enforcement",
            "discretion",
            "risk_level",
            "has_process",
            "order",
            "status",
            "valid_from",
            "valid_to",
            "change_reason",
            *AUDIT,
        ]
        read_only_fields = [
            "department",
            "region",
            "annual_hours",
            "status",
            "valid_from",
            "valid_to",
            *AUDIT,
        ]


class TaskPositionSerializer(ScopedSerializer):
    class Meta:
        model = TaskPosition
        fields = ["id", "task", "position", "role", "department", "change_reason", *AUDIT]
        read_only_fields = ["department", *AUDIT]


class _ListRowViewSet(ScopedViewSet):
    """Writes pass many-to-many values to the service; ``revoke`` for published rows."""

    m2m_field: str | None = None
    revoke_service: Any = None
    filters: dict[str, str] = {}
    ordering: list[str] = ["department_id", "order", "id"]

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset().order_by(*self.ordering)
        for param, lookup in self.filters.items():
            value = self.request.query_params.get(param)
            if value:
                if lookup.endswith("_id") and not value.isdigit():
                    return qs.none()
                qs = qs.filter(**{lookup: value})
        query = self.request.query_params.get("q", "")
        return apply_search(qs, query[:200]) if query.strip() else qs

    def _split(self, serializer: serializers.ModelSerializer) -> tuple[dict, str, dict]:
        data = dict(serializer.validated_data)
        reason = data.pop("change_reason", "")
        extra = {}
        if self.m2m_field and self.m2m_field in data:
            extra[self.m2m_field] = list(data.pop(self.m2m_field))
        return data, reason, extra

    @transaction.atomic
    def perform_create(self, serializer: serializers.ModelSerializer) -> None:
        self._require(Action.ADD)
        data, reason, extra = self._split(serializer)
        obj = self.model(**data)
        type(self).create_service(obj, acting_user=self.request.user, reason=reason, **extra)
        access.ensure_in_scope(self.request.user, obj, Action.ADD)
        serializer.instance = obj

    @transaction.atomic
    def perform_update(self, serializer: serializers.ModelSerializer) -> None:
        data, reason, extra = self._split(serializer)
        obj = serializer.instance
        for name, value in data.items():
            setattr(obj, name, value)
        type(self).update_service(obj, acting_user=self.request.user, reason=reason, **extra)
        access.ensure_in_scope(self.request.user, obj, Action.CHANGE)

    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """撤销: published rows are revoked instead of deleted."""
        obj = access.get_for_user(
            self.model._default_manager.all(), request.user, Action.DELETE, pk=pk
        )
        reason = (
            str(request.data.get("change_reason", ""))[:500] if hasattr(request, "data") else ""
        )
        type(self).revoke_service(obj, acting_user=request.user, reason=reason)
        obj.refresh_from_db()
        return Response(self.get_serializer(obj).data)


class DutyItemViewSet(_ListRowViewSet):
    """职责事项：按用户数据范围过滤；写操作经服务层校验并记入变更日志。"""

    model = DutyItem
    serializer_class = DutyItemSerializer
    queryset = DutyItem.objects.none()
    create_service = staticmethod(services.create_duty_item)
    update_service = staticmethod(services.update_duty_item)
    delete_service = staticmethod(services.delete_duty_item)
    revoke_service = staticmethod(services.revoke_duty_item)
    m2m_field = "units"
    filters = {"department": "department_id", "status": "status", "mandate": "mandate_id"}


class TaskViewSet(_ListRowViewSet):
    """工作任务：按用户数据范围过滤；写操作经服务层校验并记入变更日志。"""

    model = Task
    serializer_class = TaskSerializer
    queryset = Task.objects.none()
    create_service = staticmethod(services.create_task)
    update_service = staticmethod(services.update_task)
    delete_service = staticmethod(services.delete_task)
    revoke_service = staticmethod(services.revoke_task)
    m2m_field = "cooperating_units"
    filters = {
        "department": "department_id",
        "status": "status",
        "duty_item": "duty_item_id",
        "lead_unit": "lead_unit_id",
    }


class TaskPositionViewSet(ScopedViewSet):
    """任务岗位（主办/协办/AB角）：按用户数据范围过滤；写操作经服务层校验并记入变更日志。"""

    model = TaskPosition
    serializer_class = TaskPositionSerializer
    queryset = TaskPosition.objects.none()
    create_service = staticmethod(services.create_task_position)
    update_service = staticmethod(services.update_task_position)
    delete_service = staticmethod(services.delete_task_position)

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset().order_by("task_id", "id")
        for param, lookup in {"task": "task_id", "position": "position_id"}.items():
            value = self.request.query_params.get(param)
            if value:
                if not value.isdigit():
                    return qs.none()
                qs = qs.filter(**{lookup: value})
        return qs
