from django.urls import path

from gongxin.reports import views

app_name = "wellknown"

# Mounted at /.well-known/ (gongxin.urls): the platform's public signing keys.
urlpatterns = [
    path("gongxin-signing-key.json", views.signing_key_json, name="signing_key_json"),
    path("gongxin-signing-key.pem", views.signing_key_pem, name="signing_key_pem"),
]
