"""Pages of joint rewards and punishments, mounted at /rewards/."""

from django.urls import path

from gongxin.rewards import views

app_name = "rewards"

urlpatterns = [
    path("", views.index, name="index"),
    path("measures/new/", views.measure_edit, name="measure_new"),
    path("measures/<str:code>/", views.measure_detail, name="measure"),
    path("measures/<str:code>/edit/", views.measure_edit, name="measure_edit"),
    path("dry-run/", views.dry_run, name="dry_run"),
    path("registry/", views.registry, name="registry"),
    path("checks/", views.checks, name="checks"),
    path("checks/<int:check_id>/", views.check_detail, name="check"),
    path("statistics/", views.statistics, name="statistics"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("certificates/<str:number>/json", views.certificate_json, name="certificate_json"),
]
