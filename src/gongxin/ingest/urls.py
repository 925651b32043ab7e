from django.urls import path

from gongxin.ingest import views

app_name = "ingest"

urlpatterns = [
    path("", views.batches, name="batches"),
    path("batches/<int:batch_id>/", views.batch, name="batch"),
    path("batches/<int:batch_id>/errors.csv", views.batch_errors, name="batch_errors"),
    path("batches/<int:batch_id>/confirm/", views.batch_confirm, name="batch_confirm"),
    path("batches/<int:batch_id>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("templates/<slug:item_code>/", views.template_columns_page, name="template"),
    path("templates/<slug:item_code>.csv", views.template_download, {"extension": "csv"}, name="template_csv"),
    path("templates/<slug:item_code>.xlsx", views.template_download, {"extension": "xlsx"}, name="template_xlsx"),
    path("quality/", views.quality, name="quality"),
]
