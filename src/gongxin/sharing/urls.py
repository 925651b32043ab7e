"""Sharing pages, mounted at /sharing/ (sign-in required; operators and the credit office, to read)."""

from django.urls import path

from gongxin.sharing import views

app_name = "sharing"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:subscription_id>/", views.detail, name="detail"),
]
