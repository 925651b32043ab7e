"""Credit commitment pages, mounted at /commitments/ (sign-in required)."""

from django.urls import path

from gongxin.commitments import views

app_name = "commitments"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("sign/", views.sign, name="sign"),
    path("sign/matters/", views.matters, name="matters"),
    path("<int:commitment_id>/", views.detail, name="detail"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/<int:commitment_id>/", views.verify, name="verify"),
    path("statistics/", views.statistics, name="statistics"),
]
