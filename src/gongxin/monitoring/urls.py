"""Early-warning pages, mounted at /monitoring/ (credit office staff)."""

from django.urls import path

from gongxin.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("scorecards/<int:scorecard_id>/", views.scorecard, name="scorecard"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("subjects/<int:subject_id>/", views.subject_risk, name="subject"),
    path("subjects/<int:subject_id>/watch/", views.watch_add, name="watch_add"),
    path("watches/", views.watches, name="watches"),
    path("watches/<int:watch_id>/remove/", views.watch_remove, name="watch_remove"),
]
