from django.contrib.auth import views as auth_views
from django.urls import path

from gongxin.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/", views.second_factor_verify, name="second_factor"),
    path("second-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path("reauthenticate/", views.reauthenticate, name="reauthenticate"),
    path("agents/", views.agents_page, name="agents"),
    path("agents/invitation/", views.agent_invitation, name="agent_invitation"),
    path("agents/<int:organization_id>/authorize/", views.agent_authorize, name="agent_authorize"),
    path("agents/mandates/<int:mandate_id>/revoke/", views.agent_revoke, name="agent_revoke"),
    path("agents/mandates/<int:mandate_id>/act/", views.agent_act, name="agent_act"),
    path("agents/act/stop/", views.agent_act_stop, name="agent_act_stop"),
]
