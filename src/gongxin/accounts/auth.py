"""Who is calling the API: an API client (key in ``X-API-Key`` or ``Authorization: Bearer``), a
signed-in person (session, CSRF-checked for writes), or an anonymous visitor.

Used as the Ninja ``auth`` of every router, so ``request.auth`` is always a ``Viewer``; endpoints
then decide by purpose through access.disclosure. A wrong key is a 401, never a silent downgrade
to anonymous.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader
from ninja.utils import check_csrf

from gongxin.accounts.errors import CsrfFailed
from gongxin.accounts.services import api_client_authenticate, api_client_rate_limit_hit, api_rate_limit_charge
from gongxin.accounts.viewer import Viewer, viewer_for_client, viewer_for_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def api_key_of(request: HttpRequest) -> str:
    """The API key the request carries ("" for none): ``X-API-Key``, else ``Authorization: Bearer <key>``."""
    # META, not request.headers: building the headers mapping cost a machine client more than its key check.
    key: str = request.META.get("HTTP_X_API_KEY", "")
    if not key:
        authorization: str = request.META.get("HTTP_AUTHORIZATION", "")
        if authorization[:7].lower() == "bearer ":
            key = authorization[7:].strip()
    return key


class ViewerAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def __call__(self, request: HttpRequest) -> Viewer:
        key = api_key_of(request)
        if key:
            client = api_client_authenticate(key)
            api_client_rate_limit_hit(client)
            return viewer_for_client(client)
        user = getattr(request, "user", None)
        writes = request.method not in SAFE_METHODS
        if user is not None and user.is_authenticated and writes and check_csrf(request) is not None:
            raise CsrfFailed()
        viewer = viewer_for_user(user)
        if viewer.user_id is not None:  # signed-in persons' API calls have a limit too (api.session)
            api_rate_limit_charge(viewer=viewer, cost=1)
        return viewer

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover - __call__ decides
        return None


viewer_auth = ViewerAuth()
