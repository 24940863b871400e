from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("qingdan.core.urls")),
    path("api/", include("qingdan.api.urls")),
    path("duties/", include("qingdan.duties.urls")),
    path("review/", include("qingdan.oversight.urls")),
    path("processes/", include("qingdan.processes.urls")),
    path("statistics/", include("qingdan.documents.statistics.urls")),
    path("compilation/", include("qingdan.documents.compilation.urls")),
    path("documents/handbook/", include("qingdan.documents.handbook.urls")),
    path("", include("qingdan.portal.urls")),
]
