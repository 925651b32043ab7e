from django.urls import path

from gongxin.scoring import views

app_name = "scoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("models/<int:model_id>/", views.model_detail, name="model"),
    path("subjects/<int:subject_id>/", views.subject_score, name="subject"),
    path("me/", views.mine, name="mine"),
    path("partners/", views.partners, name="partners"),
]
