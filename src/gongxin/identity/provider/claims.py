"""The claims the local provider asserts for its people: those of the people file, in every ID token."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


@lru_cache(maxsize=1)
def people_claims() -> dict[str, dict[str, Any]]:
    path: Path = getattr(settings, "PEOPLE_FILE")  # noqa: B009 - the provider's own setting, unknown to the stubs
    people = json.loads(path.read_text(encoding="utf-8"))
    return {person["username"]: dict(person.get("claims", {})) for person in people}


class ClaimsValidator(OAuth2Validator):
    # Every claim goes into the ID token whatever the scopes (the platform reads them from the signed token).
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        # ``sub`` is the username, not the row's id: stable whatever the order the people are created in.
        username = request.user.get_username()
        return {**people_claims().get(username, {}), "sub": username}
