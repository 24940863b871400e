from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from qingdan.api import org
from qingdan.api.auth import ThrottledTokenView
from qingdan.duties import api as duties
from qingdan.oversight import api as oversight
from qingdan.processes import api as processes

router = DefaultRouter()
router.register("regions", org.RegionViewSet, basename="region")
router.register("departments", org.DepartmentViewSet, basename="department")
router.register("units", org.UnitViewSet, basename="unit")
router.register("quotas", org.StaffingQuotaViewSet, basename="quota")
router.register("positions", org.PositionViewSet, basename="position")
router.register("people", org.PersonViewSet, basename="person")
router.register("assignments", org.AssignmentViewSet, basename="assignment")
router.register("duty-items", duties.DutyItemViewSet, basename="dutyitem")
router.register("tasks", duties.TaskViewSet, basename="task")
router.register("task-positions", duties.TaskPositionViewSet, basename="taskposition")
router.register("programmes", oversight.ProgrammeViewSet, basename="programme")
router.register("submissions", oversight.SubmissionViewSet, basename="submission")
router.register("versions", oversight.ListVersionViewSet, basename="version")
router.register("processes", processes.ProcessViewSet, basename="process")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("token/", ThrottledTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
