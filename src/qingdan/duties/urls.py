from django.urls import path

from qingdan.duties.views import coverage, sanding, search

app_name = "duties"
urlpatterns = [
    path("sanding/", sanding.sanding, name="sanding"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("coverage/unit/<int:pk>/matrix/", coverage.unit_matrix, name="unit_matrix"),
    path("search/", search.search, name="search"),
]
