"""Early-warning pages, mounted at /monitoring/ (credit office staff); the public series' CSV downloads of the home
page's section (anyone)."""

from django.urls import path

from gongxin.monitoring import views, views_brain

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
    # The credit brain (decision 073): dashboards from maintained statistics and their CSV, the public series'
    # CSV (the home page's section), a subject's relation graph.
    path("dashboards/", views_brain.dashboards, name="dashboards"),
    path("dashboards/<slug:series>.csv", views_brain.dashboard_csv, name="dashboard_csv"),
    path("public/<slug:series>.csv", views_brain.public_csv, name="public_csv"),
    path("subjects/<int:subject_id>/relations/", views_brain.subject_relations, name="relations"),
]
