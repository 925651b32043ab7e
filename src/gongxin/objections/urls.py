"""Objection pages, mounted at /objections/ (sign-in required)."""

from django.urls import path

from gongxin.objections import views

app_name = "objections"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("file/", views.file, name="file"),
    path("workbench/", views.workbench, name="workbench"),
    path("tasks/", views.tasks, name="tasks"),
    path("<int:objection_id>/", views.detail, name="detail"),
    path("<int:objection_id>/accept/", views.accept, name="accept"),
    path("<int:objection_id>/reject/", views.reject, name="reject"),
    path("<int:objection_id>/forward/", views.forward, name="forward"),
    path("<int:objection_id>/extend/", views.extend, name="extend"),
    path("<int:objection_id>/request-extension/", views.request_extension, name="request_extension"),
    path("<int:objection_id>/decide/", views.decide, name="decide"),
    path("<int:objection_id>/review/", views.review, name="review"),
    path("<int:objection_id>/evidence/<int:evidence_id>/", views.evidence, name="evidence"),
]
