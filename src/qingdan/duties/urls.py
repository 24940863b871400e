from django.urls import path

from qingdan.duties import views_excel
from qingdan.duties.views import coverage, sanding, search

app_name = "duties"
urlpatterns = [
    path("sanding/", sanding.sanding, name="sanding"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("coverage/unit/<int:pk>/matrix/", coverage.unit_matrix, name="unit_matrix"),
    path("search/", search.search, name="search"),
    # 履职清单 Excel: template, export, upload (views_excel)
    path("excel/", views_excel.excel, name="excel"),
    path("excel/<int:pk>/template/", views_excel.template, name="excel_template"),
    path("excel/<int:pk>/export/", views_excel.export, name="excel_export"),
    path("excel/<int:pk>/upload/", views_excel.upload, name="excel_upload"),
    path(
        "excel/list/<str:model>.<str:fmt>",
        views_excel.export_admin_list,
        name="excel_admin_list",
    ),
]
