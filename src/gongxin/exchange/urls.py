"""Pages of the exchange app, mounted at /exchange/."""

from django.urls import path

from gongxin.exchange import views_audit

app_name = "exchange"

urlpatterns: list = [
    path("audit/", views_audit.audit, name="audit"),
]
