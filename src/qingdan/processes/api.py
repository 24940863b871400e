"""Read-only REST endpoints for processes: each with its steps (materials, risk points) and flows,
and the flowchart as SVG or BPMN. Writes go through the back-office editor (whole aggregate).

Query parameters on the list: ``department``, ``task``, ``kind``, ``current=1``.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request

from qingdan.api.base import ScopedViewSet
from qingdan.processes import services
from qingdan.processes.models import Flow, Process, RiskPoint, Step, StepMaterial


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = StepMaterial
        fields = ["code", "name", "note"]


class RiskSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskPoint
        fields = ["code", "level", "description", "controls", "responsible_person"]


class StepSerializer(serializers.ModelSerializer):
    materials = MaterialSerializer(many=True, read_only=True)
    risks = RiskSerializer(many=True, read_only=True)

    class Meta:
        model = Step
        fields = [
            "code",
            "kind",
            "name",
            "lane_unit",
            "lane_position",
            "lane_label",
            "time_limit_days",
            "leader_position",
            "responsible_unit",
            "responsible_person",
            "order",
            "materials",
            "risks",
        ]


class FlowSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)
    target = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Flow
        fields = ["source", "target", "label"]


class ProcessSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)
    flows = FlowSerializer(many=True, read_only=True)

    class Meta:
        model = Process
        fields = [
            "id",
            "department",
            "region",
            "task",
            "code",
            "name",
            "kind",
            "version",
            "is_current",
            "before",
            "legal_limit_days",
            "supervision",
            "complaint",
            "rights",
            "step_count",
            "material_count",
            "risk_count",
            "path_days",
            "status",
            "valid_from",
            "valid_to",
            "created_at",
            "updated_at",
            "steps",
            "flows",
        ]
        read_only_fields = fields


class ProcessViewSet(ScopedViewSet):
    """流程 (read-only): ``GET …/{id}/svg/`` and ``…/{id}/bpmn/`` download the flowchart."""

    model = Process
    serializer_class = ProcessSerializer
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset().order_by("department_id", "code", "-version")
        params = self.request.query_params
        for name in ("department", "task"):
            value = params.get(name, "")
            if value.isdigit() and len(value) <= 18:
                qs = qs.filter(**{f"{name}_id": int(value)})
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("current") == "1":
            qs = qs.filter(is_current=True)
        return qs.prefetch_related(
            Prefetch(
                "steps",
                queryset=Step.objects.order_by("order", "id").prefetch_related(
                    Prefetch("materials", queryset=StepMaterial.objects.order_by("order", "id")),
                    Prefetch("risks", queryset=RiskPoint.objects.order_by("order", "id")),
                ),
            ),
            Prefetch(
                "flows",
                queryset=Flow.objects.order_by("order", "id").select_related("source", "target"),
            ),
        )

    def _file(self, process: Process, text: str, content_type: str, ext: str) -> HttpResponse:
        response = HttpResponse(text, content_type=content_type)
        name = f"{process.department.code}_{process.code}_v{process.version}.{ext}"
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response

    @action(detail=True, methods=["get"])
    def svg(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The swimlane flowchart as SVG."""
        process = self.get_object()
        return self._file(process, services.export_svg(process), "image/svg+xml", "svg")

    @action(detail=True, methods=["get"])
    def bpmn(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The process as BPMN 2.0 XML with diagram interchange."""
        process = self.get_object()
        return self._file(
            process, services.export_bpmn(process), "application/xml; charset=utf-8", "bpmn"
        )
