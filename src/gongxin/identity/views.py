"""Sign-in through unified identity: ``/identity/login/`` sends the browser to the provider, ``/identity/callback/``
takes its answer back, verifies it (``oidc``), binds it (``services.identity_sign_in``) and logs the account in.

A refusal answers with one page (403, or 503 when the provider cannot be reached) saying why and what to do,
and is audited; nothing is signed in.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from gongxin.core.errors import GongxinError
from gongxin.identity import oidc
from gongxin.identity.choices import Action
from gongxin.identity.config import identity_settings
from gongxin.identity.errors import NotConfigured, ProviderUnavailable, SignInRefused
from gongxin.identity.services import identity_sign_in, sign_in_refusal_record

NEXT_KEY = "identity.next"
BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    config = identity_settings()
    if not config.enabled:
        return _refused(request, NotConfigured())
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        request.session[NEXT_KEY] = target
    else:
        request.session.pop(NEXT_KEY, None)
    redirect_uri = config.redirect_uri or request.build_absolute_uri(reverse("identity:callback"))
    try:
        return oidc.authorization_redirect(request, config=config, redirect_uri=redirect_uri)
    except ProviderUnavailable as error:
        return _refused(request, error)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    config = identity_settings()
    if not config.enabled:
        return _refused(request, NotConfigured())
    # A callback in a browser that started no sign-in is refused without an audit row: anyone can send one.
    started = any(key.startswith(f"_state_{oidc.CLIENT_NAME}_")
                  for key in request.session.keys())  # noqa: SIM118 - a session is not iterable
    try:
        claims = oidc.callback_claims(request, config=config)
    except SignInRefused as error:
        if started:
            reason = str(error.details.get("reason", "")) if isinstance(error.details, dict) else ""
            sign_in_refusal_record(issuer=config.issuer, action=Action.REFUSED_TOKEN,
                                   reason=f"{error.code} {reason}".strip())
        return _refused(request, error)
    except ProviderUnavailable as error:
        return _refused(request, error)
    try:
        user = identity_sign_in(issuer=config.issuer, claims=claims)
    except SignInRefused as error:
        return _refused(request, error)
    target = request.session.pop(NEXT_KEY, "") or reverse("access:profile")
    login(request, user, backend=BACKEND)
    return redirect(target)


def _refused(request: HttpRequest, error: GongxinError) -> HttpResponse:
    return render(request, "identity/refused.html", {"status": error.status, "message": error.message,
                                                     "code": error.code}, status=error.status)
