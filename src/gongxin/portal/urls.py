from django.urls import path

from gongxin.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("org/<str:uscc>/", views.organization, name="organization"),
]
