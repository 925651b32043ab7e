"""Sign-in through unified identity, mounted at /identity/."""

from django.urls import path

from gongxin.identity import views

app_name = "identity"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("callback/", views.callback, name="callback"),
]
