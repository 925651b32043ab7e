"""Pages of the exchange app, mounted at /exchange/."""

from django.urls import path

from gongxin.exchange import views_audit, views_peers

app_name = "exchange"

urlpatterns: list = [
    path("audit/", views_audit.audit, name="audit"),
    path("peers/", views_peers.peers, name="peers"),
]
