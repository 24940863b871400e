from django.urls import path

from qingdan.core import views

app_name = "core"
urlpatterns = [
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("changelog/verify/", views.start_verify_log, name="verify_log"),
    path("bench/rows/", views.bench_rows, name="bench_rows"),
]
