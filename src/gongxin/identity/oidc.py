"""The OpenID Connect client (Authlib, decision 054): discovery, the authorization request with state, nonce
and PKCE, the code exchange and the ID token's verification — signature from the provider's published keys,
issuer, audience (this platform's client id), expiry and nonce.

One client per configuration, kept for the process: it caches the discovery document and the provider's keys
(fetched again when a token names a key it does not know).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from gongxin.identity.config import IdentitySettings
from gongxin.identity.errors import ProviderUnavailable, SignInCancelled, StateMismatch, TokenRefused

CLIENT_NAME = "unified_identity"
_clients: dict[tuple[str, ...], DjangoOAuth2App] = {}


def oidc_client(config: IdentitySettings) -> DjangoOAuth2App:
    key = (config.issuer, config.client_id, config.client_secret, config.scopes, str(config.timeout_seconds))
    client = _clients.get(key)
    if client is None:
        client = OAuth().register(
            name=CLIENT_NAME, client_id=config.client_id, client_secret=config.client_secret,
            server_metadata_url=config.metadata_url,
            client_kwargs={"scope": config.scopes, "code_challenge_method": "S256",
                           "timeout": config.timeout_seconds},
        )
        _clients[key] = client
    return client


def authorization_redirect(request: HttpRequest, *, config: IdentitySettings, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider's authorization endpoint; state, nonce and the PKCE verifier are kept in
    the session for the callback."""
    try:
        response: HttpResponse = oidc_client(config).authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable() from exc
    return response


def callback_claims(request: HttpRequest, *, config: IdentitySettings) -> dict[str, Any]:
    """The verified claims of the ID token the callback's code is exchanged for.

    Refused: a state this session did not start or already used (``StateMismatch``, before any request to the
    provider); a code the provider does not exchange — expired, already used, or with another PKCE verifier —
    and an ID token that fails verification (``TokenRefused``)."""
    client = oidc_client(config)
    if request.GET.get("error") == "access_denied":  # the person said no at the provider (RFC 6749, 4.1.2.1)
        raise SignInCancelled()
    try:
        token = client.authorize_access_token(request, claims_options=_claims_options(config))
    except MismatchingStateError as exc:
        raise StateMismatch() from exc
    except requests.RequestException as exc:
        raise ProviderUnavailable() from exc
    except (AuthlibBaseError, JoseError) as exc:
        raise TokenRefused(details={"reason": _reason(exc)}) from exc
    return _claims_checked(token, config=config)


def id_token_claims(token: Mapping[str, Any], *, nonce: str, config: IdentitySettings) -> dict[str, Any]:
    """The verified claims of an ID token already in hand (the callback's check, for a token obtained
    otherwise): the same verification as ``callback_claims``."""
    try:
        claims = oidc_client(config).parse_id_token(dict(token), nonce=nonce, claims_options=_claims_options(config))
    except requests.RequestException as exc:
        raise ProviderUnavailable() from exc
    except (AuthlibBaseError, JoseError) as exc:
        raise TokenRefused(details={"reason": _reason(exc)}) from exc
    return _claims_checked({"userinfo": claims}, config=config)


def _claims_options(config: IdentitySettings) -> dict[str, Any]:
    # The audience must hold this platform's client id (OpenID Connect Core 3.1.3.7): Authlib checks ``aud`` only
    # when told to, and the issuer against the configured one, not only the discovery document's.
    return {"iss": {"essential": True, "values": [config.issuer]},
            "aud": {"essential": True, "values": [config.client_id]}}


def _claims_checked(token: Mapping[str, Any], *, config: IdentitySettings) -> dict[str, Any]:
    claims = token.get("userinfo")
    if not claims:
        raise TokenRefused(details={"reason": "no_id_token"})
    # Authlib checked ``iss`` against the configured issuer (``_claims_options``); said once more, as it is the
    # binding's key.
    if str(claims.get("iss", "")) != config.issuer:
        raise TokenRefused(details={"reason": "issuer"})
    return dict(claims)


def _reason(exc: Exception) -> str:
    """What failed, for the audit row and ``details`` (an OAuth error code, a JOSE error and its claim)."""
    error = str(getattr(exc, "error", "") or type(exc).__name__)
    description = str(getattr(exc, "description", "") or "")
    return (f"{error}: {description}" if description else error)[:150]
