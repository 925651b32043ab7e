from django.urls import path

from gongxin.demo import views

app_name = "demo"

urlpatterns = [
    path("", views.guide, name="guide"),
]
