"""Request guards of accounts, each in one place for every page and API call.

- ``ApiKeyCallMiddleware`` and ``ApiKeyCallRejoinMiddleware``: an API call that carries an API key is
  authenticated by its key alone (``accounts.auth``), so it passes the middlewares of browser sessions between
  the two (session, CSRF, authentication, messages, second factor, acting for a firm, sign-in guard) without
  running them: its ``request.user`` is anonymous and it has no session.
- ``ActingForMiddleware``: a person who chose to act for a firm (``accounts.agents``) has the mandate checked
  again on every request; in force, the request's user carries it (``user.acting_for``) and every ``Viewer``
  built from the user is the firm's agent; revoked or expired, the choice is dropped at once.
- ``GovernmentSignInGuardMiddleware``: government users (``needs_second_factor``) reach nothing but the
  sign-in pages until their session is verified with a second factor, are signed out after the idle timeout,
  and re-authenticate before sensitive acts (``accounts.second_factor``, decision 060).

Both run after Django's authentication and django-otp's middleware (settings.MIDDLEWARE).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from gongxin.accounts import second_factor
from gongxin.accounts.auth import api_key_of
from gongxin.accounts.capabilities import needs_second_factor
from gongxin.accounts.choices import Role
from gongxin.accounts.errors import ReauthenticationRequired, SecondFactorRequired
from gongxin.accounts.selectors import mandate_in_force
from gongxin.accounts.viewer import Acting, viewer_for_user
from gongxin.core.errors import GongxinError, NotAuthenticated

ACTING_KEY = "gongxin.acting_mandate"
API_PREFIX = "/api/"

# The pages a government user reaches before the second factor: signing in and out, enrolling, verifying,
# choosing the language.
OPEN_BEFORE_SECOND_FACTOR = frozenset({
    "accounts:login", "accounts:logout", "accounts:second_factor", "accounts:second_factor_enrol", "set_language",
})


Handler = Callable[[HttpRequest], HttpResponseBase]
_rejoin = threading.local()  # the handler after ApiKeyCallRejoinMiddleware, for the ApiKeyCallMiddleware built next


def api_key_call(request: HttpRequest) -> bool:
    """An API call authenticated by its key: under /api/ with a key (``accounts.auth.api_key_of``). Such a call is
    answered for the key's client or refused (401), whatever session cookie it carries."""
    return request.path_info.startswith(API_PREFIX) and bool(api_key_of(request))


class ApiKeyCallMiddleware:
    """API-key calls skip the browser sessions' middlewares listed between this one and
    ``ApiKeyCallRejoinMiddleware``: on a machine client's call they cost about a third of the check API's own CPU
    (bench/checks_cpu.py, decision 083) and could change nothing — the key alone authenticates it, and Ninja's
    views are exempt from Django's CSRF check (``accounts.auth`` checks CSRF for session callers itself).

    Every other middleware still runs for them, before this one and after the rejoin point (security headers, CSP,
    error shape, body limit, NUL check, language, busy database). The ``process_view`` and ``process_exception``
    hooks of the skipped ones belong to the handler and still run: they see an anonymous ``request.user``.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        # Django builds the chain from the last middleware to the first, in one thread: the rejoin point listed
        # after this one was built just before it.
        rejoin: Handler | None = getattr(_rejoin, "handler", None)
        _rejoin.handler = None
        if rejoin is None:
            raise ImproperlyConfigured("ApiKeyCallMiddleware needs ApiKeyCallRejoinMiddleware after it in MIDDLEWARE")
        self.rejoin = rejoin

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if api_key_call(request):
            request.user = AnonymousUser()
            return self.rejoin(request)
        return self.get_response(request)


class ApiKeyCallRejoinMiddleware:
    """Where API-key calls join the chain again (``ApiKeyCallMiddleware``); other requests pass through."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        _rejoin.handler = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)


class ActingForMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session: Any = getattr(request, "session", None)
        mandate_id = session.get(ACTING_KEY) if session is not None else None
        if mandate_id is not None:
            user: Any = request.user
            # Only a person's own login acts as an agent (never a government or a firm's account).
            mandate = mandate_in_force(mandate_id=int(mandate_id), agent_id=user.subject_id) if (
                user.is_authenticated and user.role == Role.PERSON) else None
            if mandate is None:
                session.pop(ACTING_KEY, None)
                if user.is_authenticated and not request.path.startswith(API_PREFIX):
                    messages.warning(request, _("Your authorization to act for the organization has ended; you "
                                                "act for yourself again."))
            else:
                user.acting_for = Acting(mandate_id=mandate.pk, organization_id=mandate.organization_id,
                                         capabilities=frozenset(mandate.capabilities),
                                         organization_name=mandate.organization.name)
        return self.get_response(request)


def _refuse(request: HttpRequest, error: GongxinError, target: str) -> HttpResponseBase:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error.as_dict(), status=error.status)
    return redirect(target)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _back_to(request: HttpRequest) -> str:
    """Where to return after re-authenticating: the page itself for a GET, the page the form was on for a POST."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return reverse("portal:workbench")


class GovernmentSignInGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., HttpResponse], view_args: Any,
                     view_kwargs: Any) -> HttpResponseBase | None:
        user: Any = request.user
        if not user.is_authenticated or not needs_second_factor(viewer_for_user(user)):
            return None
        match = request.resolver_match
        view_name = match.view_name if match is not None else ""
        if second_factor.idle_expired(request):
            logout(request)
            if request.path.startswith(API_PREFIX):
                error = NotAuthenticated(_("Your session ended after a period without activity; sign in again."))
                return JsonResponse(error.as_dict(), status=error.status)
            messages.info(request, _("You were signed out after a period without activity."))
            return redirect_to_login(request.get_full_path())
        if not second_factor.session_verified(request):
            if view_name in OPEN_BEFORE_SECOND_FACTOR:
                return None
            step = ("accounts:second_factor" if second_factor.totp_device_confirmed(user) is not None
                    else "accounts:second_factor_enrol")
            return _refuse(request, SecondFactorRequired(), _with_next(step, request.get_full_path()))
        if second_factor.sensitive_act(view_name, request.method or "GET") and not (
                second_factor.reauthenticated_recently(request)):
            return _refuse(request, ReauthenticationRequired(), _with_next("accounts:reauthenticate",
                                                                           _back_to(request)))
        return None
