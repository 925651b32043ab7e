"""Pages of the ledger app, mounted at /ledger/ (the credit office's auditors' pages)."""

from django.urls import path

from gongxin.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("checkpoints/", views.checkpoints, name="checkpoints"),
    path("checkpoints/<int:tree_size>/", views.checkpoint, name="checkpoint"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("audits/", views.audits, name="audits"),
]
