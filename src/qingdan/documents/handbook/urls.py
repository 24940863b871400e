from django.urls import path

from qingdan.documents.handbook import views

app_name = "handbook"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
]
