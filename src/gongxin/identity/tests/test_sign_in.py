"""Sign-in through a real OpenID Connect provider process on loopback (the kit's local provider): a person and
a firm sign in and see exactly their own profile; a forged state, a replayed code, an ID token meant for
another platform and an expired one are refused; a weakly verified login sees less."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.test import Client

from gongxin.accounts.choices import Role
from gongxin.core import clock
from gongxin.identity.choices import Action, AssuranceLevel, IdentityKind
from gongxin.identity.config import identity_settings
from gongxin.identity.errors import TokenRefused
from gongxin.identity.models import ExternalIdentity, IdentityEvent
from gongxin.identity.oidc import id_token_claims
from gongxin.identity.selectors import assurance_of
from gongxin.subjects.identifiers import rin_lookup_hash
from gongxin.testing import factories
from gongxin.testing.identity import (
    BASIC_PERSON,
    FIRM,
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    OTHER_PERSON,
    VERIFIED_PERSON,
    other_client_id_token,
    provider_sign_in,
)
from gongxin.testing.subjects import organization_create, person_create


def _signed_in_account(client: Client) -> Any:
    return client.session.get("_auth_user_id")


def _refusal_code(response: Any) -> str:
    html = response.content.decode()
    return html.split('data-code="', 1)[1].split('"', 1)[0] if 'data-code="' in html else ""


def test_a_person_signs_in_and_sees_exactly_their_own_profile(identity_configured, market_unit) -> None:
    me = person_create(name=VERIFIED_PERSON.name, rin=VERIFIED_PERSON.rin)
    other = person_create(name=OTHER_PERSON.name, rin=OTHER_PERSON.rin)
    mine = factories.penalty_create(subject=me, source_unit=market_unit)
    theirs = factories.penalty_create(subject=other, source_unit=market_unit)
    client = Client()

    callback = provider_sign_in(client, identity_configured, VERIFIED_PERSON)
    assert callback.startswith("http://testserver/identity/callback/?")
    response = client.get(callback)

    assert response.status_code == 302 and response["Location"] == "/me/"
    binding = ExternalIdentity.objects.select_related("user").get()
    assert binding.subject_id == me.pk and binding.kind == IdentityKind.PERSON
    assert binding.claim_key == rin_lookup_hash(VERIFIED_PERSON.rin)
    assert binding.user.subject_id == me.pk and binding.user.role == Role.PERSON
    assert not binding.user.has_usable_password()
    assert str(binding.user.pk) == _signed_in_account(client)
    assert assurance_of(binding.user) == AssuranceLevel.VERIFIED
    page = client.get("/me/").content.decode()
    assert mine.current_version.payload["decision_number"] in page
    assert VERIFIED_PERSON.name in page
    assert theirs.current_version.payload["decision_number"] not in page
    assert OTHER_PERSON.name not in page
    api = client.get("/api/v1/records/mine").json()
    assert api["subject_name"] == VERIFIED_PERSON.name and api["count"] == 1

    # The second sign-in finds the same account; both are audited.
    again = Client()
    assert again.get(provider_sign_in(again, identity_configured, VERIFIED_PERSON)).status_code == 302
    assert _signed_in_account(again) == str(binding.user.pk)
    assert ExternalIdentity.objects.count() == 1
    assert list(IdentityEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.BOUND, Action.SIGNED_IN]


def test_a_firm_signs_in_for_its_organization_and_an_unregistered_one_is_refused(identity_configured) -> None:
    client = Client()
    refused = client.get(provider_sign_in(client, identity_configured, FIRM))
    assert refused.status_code == 403 and _refusal_code(refused) == "identity.organization_unknown"
    assert _signed_in_account(client) is None

    firm = organization_create(name=FIRM.name, uscc=FIRM.uscc)
    client = Client()
    assert client.get(provider_sign_in(client, identity_configured, FIRM)).status_code == 302
    binding = ExternalIdentity.objects.select_related("user").get()
    assert binding.kind == IdentityKind.ORGANIZATION and binding.claim_key == FIRM.uscc
    assert binding.user.subject_id == firm.pk and binding.user.role == Role.ORG_AGENT
    assert FIRM.name in client.get("/me/").content.decode()


def test_a_mismatched_state_is_refused_before_the_code_is_used(identity_configured) -> None:
    person_create(name=VERIFIED_PERSON.name, rin=VERIFIED_PERSON.rin)
    client = Client()
    callback = provider_sign_in(client, identity_configured, VERIFIED_PERSON)
    query = parse_qs(urlsplit(callback).query)
    forged = "/identity/callback/?" + urlencode({"code": query["code"][0], "state": "forged-state"})

    response = client.get(forged)

    assert response.status_code == 403 and _refusal_code(response) == "identity.state_mismatch"
    assert _signed_in_account(client) is None and not ExternalIdentity.objects.exists()
    assert IdentityEvent.objects.get().action == Action.REFUSED_TOKEN
    # The same forged answer in a browser that started no sign-in: refused, and nothing written.
    stray = Client().get(forged)
    assert _refusal_code(stray) == "identity.state_mismatch" and IdentityEvent.objects.count() == 1
    # The code was not spent: the genuine callback still signs in.
    assert client.get(callback).status_code == 302 and _signed_in_account(client) is not None


def test_a_replayed_code_is_refused(identity_configured) -> None:
    person_create(name=VERIFIED_PERSON.name, rin=VERIFIED_PERSON.rin)
    victim = Client()
    callback = provider_sign_in(victim, identity_configured, VERIFIED_PERSON)
    assert victim.get(callback).status_code == 302

    # The same answer again in the same browser: its state was used up.
    assert _refusal_code(victim.get(callback)) == "identity.state_mismatch"
    # The code in another browser with a sign-in of its own: the provider does not exchange it twice (and the
    # PKCE verifier is not the one the code was issued for).
    attacker = Client()
    own_state = parse_qs(urlsplit(attacker.get("/identity/login/")["Location"]).query)["state"][0]
    stolen = parse_qs(urlsplit(callback).query)["code"][0]
    response = attacker.get("/identity/callback/?" + urlencode({"code": stolen, "state": own_state}))
    assert response.status_code == 403 and _refusal_code(response) == "identity.token_refused"
    assert _signed_in_account(attacker) is None
    assert ExternalIdentity.objects.count() == 1


def test_an_id_token_for_another_platform_or_expired_is_refused(identity_configured) -> None:
    token = other_client_id_token(identity_configured, VERIFIED_PERSON, nonce="n-1")
    ours = identity_settings()
    theirs = type(ours)(issuer=ours.issuer, client_id=OTHER_CLIENT_ID, client_secret=OTHER_CLIENT_SECRET)
    # The token is genuine: the platform it was issued to accepts it (the control) ...
    assert id_token_claims(token, nonce="n-1", config=theirs)["rin"] == VERIFIED_PERSON.rin
    # ... but not another nonce, not this platform (its audience), and not once expired.
    with pytest.raises(TokenRefused):
        id_token_claims(token, nonce="n-2", config=theirs)
    with pytest.raises(TokenRefused) as wrong_audience:
        id_token_claims(token, nonce="n-1", config=ours)
    assert "aud" in str(wrong_audience.value.details)
    with time_machine.travel(clock.now() + timedelta(hours=1)), pytest.raises(TokenRefused) as expired:
        id_token_claims(token, nonce="n-1", config=theirs)
    assert "exp" in str(expired.value.details).lower()


def test_a_weakly_verified_login_sees_less(identity_configured, market_unit) -> None:
    me = person_create(name=BASIC_PERSON.name, rin=BASIC_PERSON.rin)
    record = factories.penalty_create(subject=me, source_unit=market_unit)
    client = Client()
    assert client.get(provider_sign_in(client, identity_configured, BASIC_PERSON)).status_code == 302
    assert assurance_of(ExternalIdentity.objects.get().user) == AssuranceLevel.BASIC

    page = client.get("/me/")
    assert page.status_code == 403
    assert record.current_version.payload["decision_number"] not in page.content.decode()
    api = client.get("/api/v1/records/mine")
    assert api.status_code == 403 and api.json()["code"] == "identity.assurance_too_low"
    objection = client.post("/api/v1/objections", {"record_id": record.pk, "ground": "wrong_facts",
                                                   "description": "不是我"}, content_type="application/json")
    assert objection.status_code == 403 and objection.json()["code"] == "identity.assurance_too_low"


def test_a_sign_in_cancelled_at_the_provider_says_so(identity_configured) -> None:
    client = Client()
    state = parse_qs(urlsplit(client.get("/identity/login/")["Location"]).query)["state"][0]
    response = client.get("/identity/callback/?" + urlencode({"error": "access_denied", "state": state}))
    assert response.status_code == 403 and _refusal_code(response) == "identity.sign_in_cancelled"
    assert _signed_in_account(client) is None
