from django.urls import path

from gongxin.ingest import views

app_name = "ingest"

urlpatterns = [
    path("", views.batches, name="batches"),
    path("batches/<int:batch_id>/", views.batch, name="batch"),
    path("batches/<int:batch_id>/errors.csv", views.batch_errors, name="batch_errors"),
    path("quality/", views.quality, name="quality"),
]
