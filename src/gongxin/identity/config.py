"""The identity settings (``settings.GONGXIN_IDENTITY``) read once into one typed shape, defaults filled in.

A city connects its provider by setting the issuer, the client id and secret, and — when its provider names
them differently — the claim names and the mapping of its assurance values (docs/identity.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from gongxin.identity.choices import AssuranceLevel, AssuredCapability

# The claims read from the verified ID token: the platform's name → the provider's claim name.
DEFAULT_CLAIMS: dict[str, str] = {
    "name": "name",          # the verified real name (a person) or the organization's name
    "rin": "rin",            # a person's resident identity number
    "uscc": "uscc",          # an organization's unified social credit code (a firm's sign-in)
    "assurance": "acr",      # how strongly the identity was verified (OpenID Connect's acr)
}
# The provider's assurance values → the platform's levels. A value not listed reads as the weakest level.
DEFAULT_ASSURANCE_MAP: dict[str, str] = {
    "1": AssuranceLevel.BASIC, "2": AssuranceLevel.VERIFIED, "3": AssuranceLevel.IN_PERSON,
    "basic": AssuranceLevel.BASIC, "verified": AssuranceLevel.VERIFIED, "in_person": AssuranceLevel.IN_PERSON,
}
# The assurance policy (decision 055): what a subject's own login does and the level it needs.
DEFAULT_ASSURANCE_POLICY: dict[str, str] = {
    AssuredCapability.PROFILE_FULL: AssuranceLevel.VERIFIED,
    AssuredCapability.OBJECTION_FILE: AssuranceLevel.VERIFIED,
    # A firm's legal representative hands the firm's acts to others: no less than reading one's own profile.
    AssuredCapability.AGENTS_AUTHORIZE: AssuranceLevel.VERIFIED,
}


@dataclass(frozen=True)
class IdentitySettings:
    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    scopes: str = "openid profile"
    redirect_uri: str = ""
    timeout_seconds: float = 10.0
    claims: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CLAIMS))
    assurance_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ASSURANCE_MAP))
    # Accounts that never signed in through the provider (made by an administrator, the demo's): their level.
    local_assurance: str = AssuranceLevel.VERIFIED
    assurance_policy: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ASSURANCE_POLICY))
    # Accounts acting for a subject may sign in with a local password (identity.backends); staff always may.
    local_subject_passwords: bool = True

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)

    @property
    def metadata_url(self) -> str:
        """The provider's discovery document (OpenID Connect Discovery 1.0, section 4)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _json_env(name: str) -> dict[str, Any]:
    value = os.environ.get(name, "").strip()
    if not value:
        return {}
    parsed = json.loads(value)
    if not isinstance(parsed, dict):
        raise ValueError(f"{name} must be a JSON object")
    return parsed


def settings_from_environment() -> dict[str, Any]:
    """``GONGXIN_IDENTITY`` as the environment gives it (docs/identity.md): the default of the setting."""
    values: dict[str, Any] = {
        "ISSUER": os.environ.get("GONGXIN_OIDC_ISSUER", ""),
        "CLIENT_ID": os.environ.get("GONGXIN_OIDC_CLIENT_ID", ""),
        "CLIENT_SECRET": os.environ.get("GONGXIN_OIDC_CLIENT_SECRET", ""),
        "SCOPES": os.environ.get("GONGXIN_OIDC_SCOPES", ""),
        "REDIRECT_URI": os.environ.get("GONGXIN_OIDC_REDIRECT_URI", ""),
        "LOCAL_ASSURANCE": os.environ.get("GONGXIN_LOCAL_ASSURANCE", ""),
        "LOCAL_SUBJECT_PASSWORDS": os.environ.get("GONGXIN_LOCAL_SUBJECT_PASSWORDS", "1").strip().lower()
        not in ("0", "false", "no", "off"),
        "CLAIMS": _json_env("GONGXIN_OIDC_CLAIMS"),
        "ASSURANCE_MAP": _json_env("GONGXIN_OIDC_ASSURANCE_MAP"),
    }
    return values


def identity_settings() -> IdentitySettings:
    """The settings in force: ``settings.GONGXIN_IDENTITY`` when the project sets it, else the environment's."""
    raw: Mapping[str, Any] = getattr(settings, "GONGXIN_IDENTITY", None) or settings_from_environment()
    return IdentitySettings(
        # Exactly as the provider writes it in its tokens (some end with "/"): compared as it is.
        issuer=str(raw.get("ISSUER", "") or "").strip(),
        client_id=str(raw.get("CLIENT_ID", "") or ""),
        client_secret=str(raw.get("CLIENT_SECRET", "") or ""),
        scopes=str(raw.get("SCOPES") or "openid profile"),
        redirect_uri=str(raw.get("REDIRECT_URI", "") or ""),
        timeout_seconds=float(raw.get("TIMEOUT_SECONDS") or 10.0),
        claims={**DEFAULT_CLAIMS, **dict(raw.get("CLAIMS") or {})},
        assurance_map={**DEFAULT_ASSURANCE_MAP,
                       **{str(k): str(v) for k, v in dict(raw.get("ASSURANCE_MAP") or {}).items()}},
        local_assurance=str(raw.get("LOCAL_ASSURANCE") or AssuranceLevel.VERIFIED),
        assurance_policy={**DEFAULT_ASSURANCE_POLICY, **dict(raw.get("ASSURANCE_POLICY") or {})},
        local_subject_passwords=bool(raw.get("LOCAL_SUBJECT_PASSWORDS", True)),
    )
