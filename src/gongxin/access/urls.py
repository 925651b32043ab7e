"""Self-service pages, mounted at /me/ (sign-in required)."""

from django.urls import path

from gongxin.access import views

app_name = "access"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("inquiries/", views.inquiries, name="inquiries"),
    path("consents/", views.consents, name="consents"),
    path("consents/requesters/", views.consent_requesters, name="consent_requesters"),
    path("consents/<int:consent_id>/revoke/", views.consent_revoke_view, name="consent_revoke"),
]
