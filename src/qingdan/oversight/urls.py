from django.urls import path

from qingdan.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path(
        "submissions/<int:pk>/transition/",
        views.submission_transition,
        name="submission_transition",
    ),
    path("submissions/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="comment_reply"),
    path("comments/<int:pk>/resolve/", views.comment_resolve, name="comment_resolve"),
    path("versions/", views.version_list, name="versions"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/diff/", views.version_diff, name="version_diff"),
]
