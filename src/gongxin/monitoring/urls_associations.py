"""Association pages (关联分析), mounted at /associations/ (the credit office and government sharing only)."""

from django.urls import path

from gongxin.monitoring import views_associations as views

app_name = "associations"

urlpatterns = [
    path("", views.index, name="index"),
    path("subjects/<int:subject_id>/", views.subject, name="subject"),
    path("subjects/<int:subject_id>/related.csv", views.subject_csv, name="subject_csv"),
]
