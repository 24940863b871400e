"""REST endpoints of the review loop: programmes, submissions (with events), versions — read-only
through the gate — and the one write, ``POST submissions/<id>/transition/``, through the same
service as the review page."""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from qingdan.core import access
from qingdan.core.choices import Action
from qingdan.oversight import services, versions
from qingdan.oversight.choices import SubmissionStatus
from qingdan.oversight.models import (
    ListVersion,
    Programme,
    ProgrammePhase,
    ReviewComment,
    Submission,
    SubmissionEvent,
)


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and read through ``restrict(user, "view")``; 404 for rows outside the scope."""

    model: type[models.Model]
    filters: dict[str, str] = {}
    ordering: tuple[str, ...] = ("id",)

    def get_queryset(self) -> models.QuerySet:
        qs = access.restrict(self.model._default_manager.all(), self.request.user, Action.VIEW)
        for param, lookup in self.filters.items():
            value = self.request.query_params.get(param)
            if value:
                qs = qs.filter(**{lookup: value})
        return qs.order_by(*self.ordering)

    def get_object(self) -> models.Model:
        obj = access.get_for_user(self.get_queryset(), self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammePhase
        fields = [
            "id",
            "order",
            "name",
            "kind",
            "start",
            "end",
            "deadline",
            "milestone",
            "deliverable",
        ]


class ProgrammeSerializer(serializers.ModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True)
    departments = serializers.SerializerMethodField(help_text="参与部门ID")

    class Meta:
        model = Programme
        fields = [
            "id",
            "region",
            "year",
            "title",
            "doc_number",
            "issued_on",
            "note",
            "phases",
            "departments",
        ]

    def get_departments(self, obj: Programme) -> list[int]:
        return sorted(s.department_id for s in obj.submissions.all())


class ProgrammeViewSet(ScopedReadOnlyViewSet):
    """工作方案（只读）：含工作阶段及参与部门。"""

    model = Programme
    serializer_class = ProgrammeSerializer
    queryset = Programme.objects.none()
    filters = {"year": "year", "region": "region_id"}
    ordering = ("-year", "-id")

    def get_queryset(self) -> models.QuerySet:
        return (
            super()
            .get_queryset()
            .prefetch_related(
                models.Prefetch("phases", ProgrammePhase.objects.order_by("order", "start")),
                models.Prefetch(
                    "submissions", Submission.objects.only("id", "programme_id", "department_id")
                ),
            )
        )


STATUS_HELP = "状态：" + "，".join(f"{v}={label}" for v, label in SubmissionStatus.choices)


class EventSerializer(serializers.ModelSerializer):
    # Plain text fields: one enum (the transition's ``to``) documents the values in the schema.
    from_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    to_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    extra_round = serializers.BooleanField(read_only=True)

    class Meta:
        model = SubmissionEvent
        fields = [
            "id",
            "from_status",
            "to_status",
            "round",
            "extra_round",
            "actor",
            "at",
            "comment",
        ]


class CommentSerializer(serializers.ModelSerializer):
    target_type = serializers.SerializerMethodField()

    class Meta:
        model = ReviewComment
        fields = [
            "id",
            "round",
            "target_type",
            "target_id",
            "target_label",
            "text",
            "reply",
            "replied_at",
            "resolved",
            "resolution",
            "resolved_at",
            "created_at",
        ]

    def get_target_type(self, obj: ReviewComment) -> str:
        return obj.target_type.model if obj.target_type_id else ""


class SubmissionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    extra_round = serializers.BooleanField(read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "programme",
            "department",
            "department_name",
            "status",
            "status_display",
            "round",
            "extra_round",
            "events",
        ]


class SubmissionDetailSerializer(SubmissionSerializer):
    comments = CommentSerializer(many=True, read_only=True)
    available_transitions = serializers.SerializerMethodField(help_text="当前用户可执行的状态变更")

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "comments", "available_transitions"]

    def get_available_transitions(self, obj: Submission) -> list[dict[str, str]]:
        user = self.context["request"].user
        return [
            {"to": o.to, "label": o.label, "action": o.action}
            for o in services.allowed_transitions(obj, user)
        ]


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=SubmissionStatus.choices, help_text="目标状态（SubmissionStatus）"
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="说明或退回理由"
    )


class SubmissionViewSet(ScopedReadOnlyViewSet):
    """清单报送（只读，含报送审核记录）；状态变更经 transition 接口，与审核页面同一服务。"""

    model = Submission
    queryset = Submission.objects.none()
    filters = {"programme": "programme_id", "department": "department_id", "status": "status"}
    ordering = ("programme_id", "department__order", "id")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "transition":
            return TransitionSerializer
        return SubmissionDetailSerializer if self.action == "retrieve" else SubmissionSerializer

    def get_queryset(self) -> models.QuerySet:
        qs = (
            super()
            .get_queryset()
            .select_related("department")
            .prefetch_related(
                models.Prefetch("events", SubmissionEvent.objects.select_related("actor"))
            )
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                models.Prefetch("comments", ReviewComment.objects.select_related("target_type"))
            )
        return qs

    @extend_schema(request=TransitionSerializer, responses=SubmissionDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: Any = None) -> Response:
        """按二报二审流程变更状态（报送、审批、审核、发布）。"""
        submission = access.get_for_user(Submission.objects.all(), request.user, Action.VIEW, pk=pk)
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.transition_submission(
            submission,
            data.validated_data["to"],
            acting_user=request.user,
            comment=data.validated_data.get("comment", ""),
        )
        fresh = self.get_queryset().get(pk=submission.pk)
        return Response(
            SubmissionDetailSerializer(fresh, context=self.get_serializer_context()).data
        )


class VersionSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    published_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ListVersion
        fields = [
            "id",
            "department",
            "department_name",
            "number",
            "submission",
            "published_at",
            "published_by",
            "sha256",
            "duty_item_count",
            "task_count",
            "task_position_count",
        ]


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "snapshot"]


class ListVersionViewSet(ScopedReadOnlyViewSet):
    """清单版本（只读，不可修改）：详情含完整快照；diff 接口比较同一部门的两个版本。"""

    model = ListVersion
    queryset = ListVersion.objects.none()
    filters = {"department": "department_id"}
    ordering = ("department_id", "-number")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return VersionDetailSerializer if self.action == "retrieve" else VersionSerializer

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset().select_related("department", "published_by")
        return qs if self.action in ("retrieve", "diff") else qs.defer("snapshot")

    @extend_schema(
        parameters=[OpenApiParameter("against", int, description="与之比较的版本ID（同一部门）")],
        responses=dict,
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: Any = None) -> Response:
        """与同一部门另一版本比较：新增、删除、修改（逐字段）。"""
        version = self.get_object()
        against_id = request.query_params.get("against", "")
        if not against_id.isdigit():
            return Response({"against": ["请指定要比较的版本ID。"]}, status=400)
        other = access.get_for_user(self.get_queryset(), request.user, pk=int(against_id))
        if other.department_id != version.department_id:
            return Response({"against": ["只能比较同一部门的两个版本。"]}, status=400)
        old, new = sorted((version, other), key=lambda v: v.number)
        result = versions.compare_versions(old, new)
        return Response(
            {
                "old": old.number,
                "new": new.number,
                "sections": [
                    {
                        "name": s.name,
                        "title": s.title,
                        "added": list(s.added),
                        "removed": list(s.removed),
                        "changed": [
                            {
                                "key": row.key,
                                "label": row.label,
                                "fields": [
                                    {
                                        "field": ch.field,
                                        "label": ch.label,
                                        "old": ch.old,
                                        "new": ch.new,
                                    }
                                    for ch in row.changes
                                ],
                            }
                            for row in s.changed
                        ],
                    }
                    for s in result.sections
                ],
            }
        )
