"""Credit lending pages, mounted at /lending/ (sign-in required)."""

from django.urls import path

from gongxin.lending import views

app_name = "lending"

urlpatterns = [
    path("", views.firm, name="firm"),
    path("authorize/", views.authorize, name="authorize"),
    path("authorizations/<int:authorization_id>/revoke/", views.revoke, name="revoke"),
    path("statistics/", views.statistics, name="statistics"),
    path("fund/", views.fund, name="fund"),
    path("fund/claims/<int:loan_id>/", views.claim, name="claim"),
]
