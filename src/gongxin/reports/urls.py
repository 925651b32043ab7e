from django.urls import path

from gongxin.reports import views

app_name = "reports"

# Mounted at the site root (gongxin.urls): both prefixes are spelled out here.
urlpatterns = [
    path("reports/issue/", views.issue, name="issue"),
    path("reports/<str:number>/", views.detail, name="detail"),
    path("reports/<str:number>/pdf", views.pdf, name="pdf"),
    path("reports/<str:number>/json", views.json_download, name="json"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:number>/", views.verify, name="verify"),
]
