from django.urls import path

from qingdan.documents.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.statistics, name="index"),
    path("export/", views.export, name="export"),
]
