"""The API's base view set: the same gate and the same services as the back office."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from qingdan.core import access
from qingdan.core.choices import Action

Service = Callable[..., Any]


class ScopedSerializer(serializers.ModelSerializer):
    """Foreign keys accept only rows the requesting user may see (others read as 'does not exist')."""

    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="变更原因，记入变更日志",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            if isinstance(field, serializers.PrimaryKeyRelatedField) and field.queryset is not None:
                related = field.queryset.model
                if getattr(related, "access_group", None):
                    field.queryset = access.restrict(field.queryset, user, Action.VIEW)
        return fields


class ScopedViewSet(viewsets.ModelViewSet):
    """List and read through ``restrict(user, "view")``; write through the app's services.

    Outsiders get 404 for any row outside their scope; users who may see a row but not change it
    get 403; after a save the row is checked to be still inside the user's scope.
    """

    model: type[models.Model]
    create_service: Service
    update_service: Service
    delete_service: Service

    def get_queryset(self) -> models.QuerySet:
        return access.restrict(self.model._default_manager.all(), self.request.user, Action.VIEW)

    def get_object(self) -> models.Model:
        action = {
            "PUT": Action.CHANGE,
            "PATCH": Action.CHANGE,
            "DELETE": Action.DELETE,
        }.get(self.request.method or "GET", Action.VIEW)
        obj = access.get_for_user(
            self.model._default_manager.all(), self.request.user, action, pk=self.kwargs["pk"]
        )
        self.check_object_permissions(self.request, obj)
        return obj

    def _require(self, action: Action) -> None:
        if not access.can(self.request.user, action, self.model):
            raise PermissionDenied("您没有执行此操作的权限。")

    @transaction.atomic
    def perform_create(self, serializer: serializers.ModelSerializer) -> None:
        self._require(Action.ADD)
        data = dict(serializer.validated_data)
        reason = data.pop("change_reason", "")
        obj = self.model(**data)
        self.call_service(type(self).create_service, obj, reason)
        access.ensure_in_scope(self.request.user, obj, Action.ADD)
        serializer.instance = obj

    @transaction.atomic
    def perform_update(self, serializer: serializers.ModelSerializer) -> None:
        data = dict(serializer.validated_data)
        reason = data.pop("change_reason", "")
        obj = serializer.instance
        for name, value in data.items():
            setattr(obj, name, value)
        self.call_service(type(self).update_service, obj, reason)
        access.ensure_in_scope(self.request.user, obj, Action.CHANGE)

    def perform_destroy(self, instance: models.Model) -> None:
        type(self).delete_service(instance, acting_user=self.request.user, reason="")

    def call_service(self, service: Service, obj: models.Model, reason: str) -> None:
        service(obj, acting_user=self.request.user, reason=reason)
