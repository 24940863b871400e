from django.urls import path

from qingdan.documents.compilation import views

app_name = "compilation"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
]
