"""Credit repair pages, mounted at /repairs/ (sign-in required)."""

from django.urls import path

from gongxin.repairs import views

app_name = "repairs"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("apply/", views.apply, name="apply"),
    path("<int:repair_id>/", views.detail, name="detail"),
    path("<int:repair_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:repair_id>/evidence/<int:evidence_id>/", views.evidence, name="evidence"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/<int:repair_id>/", views.decide, name="decide"),
]
