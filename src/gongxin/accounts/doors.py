"""The doors: who gets past an API operation or a page, and how a refusal answers — written once.

- **API**: ``viewer_for_request(request, require=...)`` gives the ``Viewer`` that ``accounts.auth.ViewerAuth``
  put on the request; an anonymous caller gets 401 ``not_authenticated``, a caller without the required
  capability 403 ``permission_denied`` — both in the one JSON error shape (gongxin.api maps core.errors).
- **Pages**: ``page_requires(capability)`` sends an anonymous visitor to the login page (and back after) and
  refuses a signed-in person without the capability by raising ``core.errors.PermissionDenied``, which
  ``core.middleware.GongxinErrorPageMiddleware`` renders as the one error page with status 403. Refusals
  decided deeper down (a selector's "not found", a service's "not allowed") are raised the same way and
  render on the same page with their own status and message.

Capabilities are the predicates of ``accounts.capabilities``; a door never lists roles itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.core.errors import NotAuthenticated, PermissionDenied

Capability = Callable[[Viewer], bool]
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def has_account(viewer: Viewer) -> bool:
    """A person signed in with an account (any role); never an API client: the account's own inbox, settings
    and the like."""
    return viewer.user_id is not None and viewer.client_id is None


def api_viewer(request: HttpRequest) -> Viewer:
    """The API caller as a ``Viewer``, anonymous callers included (``ANONYMOUS``), for operations open to the
    public whose answer depends on who asks (the disclosure policy decides)."""
    viewer: Viewer = request.auth  # type: ignore[attr-defined]  # set by accounts.auth.ViewerAuth on every call
    return viewer


def viewer_for_request(request: HttpRequest, *, require: Capability | None = None) -> Viewer:
    """The API caller as a ``Viewer``: 401 for an anonymous caller, 403 when ``require`` does not hold for it."""
    viewer = api_viewer(request)
    if viewer.is_anonymous:
        raise NotAuthenticated()
    if require is not None and not require(viewer):
        raise PermissionDenied()
    return viewer


def page_viewer(request: HttpRequest) -> Viewer:
    """The signed-in person of a page request as a ``Viewer`` (anonymous visitors: ``ANONYMOUS``)."""
    return viewer_for_user(request.user)


def page_requires(capability: Capability | None = None) -> Callable[[View], View]:
    """A page for signed-in people (and, with ``capability``, only those it holds for): anonymous visitors are
    redirected to the login page, others refused with the error page (403)."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            viewer = page_viewer(request)
            if viewer.is_anonymous:
                return redirect_to_login(request.get_full_path())
            if capability is not None and not capability(viewer):
                raise PermissionDenied()
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorator
