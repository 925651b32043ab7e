"""Benefit pages, mounted at /benefits/ (sign-in required)."""

from django.urls import path

from gongxin.benefits import views

app_name = "benefits"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<slug:code>/authorize/", views.authorize, name="authorize"),
    path("statistics/", views.statistics, name="statistics"),
]
