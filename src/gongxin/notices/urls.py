"""The inbox, mounted at /notices/ (sign-in required)."""

from django.urls import path

from gongxin.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:notice_id>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
]
