from django.urls import path  # noqa: F401 - patterns come with the app's views

app_name = "sharing"

urlpatterns: list = []
