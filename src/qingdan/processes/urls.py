from django.urls import path

from qingdan.processes.views import detail, editor, metrics

app_name = "processes"
urlpatterns = [
    path("new/", editor.new_process, name="new"),
    path("metrics/", metrics.metrics, name="metrics"),
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/svg/", detail.download_svg, name="svg"),
    path("<int:pk>/bpmn/", detail.download_bpmn, name="bpmn"),
    path("<int:pk>/import/", detail.import_bpmn, name="import"),
    path("<int:pk>/new-version/", detail.new_version, name="new_version"),
    path("<int:pk>/mark-after/", detail.mark_after, name="mark_after"),
    path("<int:pk>/history/", detail.history, name="history"),
    path("<int:pk>/edit/", editor.editor, name="edit"),
    path("<int:pk>/redraw/", editor.redraw, name="redraw"),
    path("<int:pk>/save/", editor.save, name="save"),
]
