"""The local OpenID Connect provider for tests (decision 056): a real provider process on loopback, started
once per test session, and the sign-in through it as a browser would do it.

- ``identity_provider`` (session fixture): starts ``python -m gongxin.identity.provider`` on a free loopback
  port with the people of ``PEOPLE`` and two relying parties — the platform under test (``CLIENT_ID``, its
  callback at ``http://testserver/identity/callback/``) and another one (``OTHER_CLIENT_ID``), whose tokens
  the platform must refuse.
- ``identity_configured`` (fixture): points the platform's ``GONGXIN_IDENTITY`` setting at that provider.
- ``provider_sign_in(client, provider, person)``: the whole flow — the platform's login redirect, the
  provider's login form, its authorization redirect — and returns the callback URL the provider sent the
  browser to (not yet followed), so a test can follow it, replay it or tamper with it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client

from gongxin.identity.local import local_provider_start
from gongxin.subjects.identifiers import rin_generate, uscc_generate

CLIENT_ID = "gongxin-tests"
CLIENT_SECRET = "gongxin-tests-secret-0123456789"
CALLBACK = "http://testserver/identity/callback/"
OTHER_CLIENT_ID = "another-platform"
OTHER_CLIENT_SECRET = "another-platform-secret-0123456789"
OTHER_CALLBACK = "http://127.0.0.1:9/callback"


@dataclass(frozen=True)
class ProviderPerson:
    username: str
    password: str
    name: str
    rin: str = ""
    uscc: str = ""
    acr: str = "2"

    def claims(self) -> dict[str, str]:
        values = {"name": self.name, "acr": self.acr}
        if self.rin:
            values["rin"] = self.rin
        if self.uscc:
            values["uscc"] = self.uscc
        return values


# Fixed people (the provider runs for the whole session; tests register the matching subjects themselves).
# Their codes are of an area and a birth year that the kit's other generators do not use.
VERIFIED_PERSON = ProviderPerson("zhang.ming", "zhang-ming-pw", "张明",
                                 rin=rin_generate(area="330205", birth_date=date(1975, 3, 1), sequence=11))
OTHER_PERSON = ProviderPerson("wang.fang", "wang-fang-pw", "王芳",
                              rin=rin_generate(area="330205", birth_date=date(1975, 3, 2), sequence=12))
BASIC_PERSON = ProviderPerson("li.hua", "li-hua-pw", "李华", acr="1",
                              rin=rin_generate(area="330205", birth_date=date(1975, 3, 3), sequence=13))
FIRM = ProviderPerson("yongjiang.firm", "yongjiang-firm-pw", "宁波甬江统一身份测试有限公司",
                      uscc=uscc_generate(prefix="91", division="330200", org_code="770000011"))
PEOPLE = (VERIFIED_PERSON, OTHER_PERSON, BASIC_PERSON, FIRM)


@dataclass(frozen=True)
class Provider:
    issuer: str
    directory: Path

    @property
    def base(self) -> str:
        return self.issuer.rsplit("/o", 1)[0]


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    directory = tmp_path_factory.mktemp("identity-provider")
    started = local_provider_start(
        directory=directory,
        people=[{"username": p.username, "password": p.password, "claims": p.claims()} for p in PEOPLE],
        clients=[(CLIENT_ID, CLIENT_SECRET, CALLBACK), (OTHER_CLIENT_ID, OTHER_CLIENT_SECRET, OTHER_CALLBACK)],
    )
    try:
        yield Provider(issuer=started.issuer, directory=directory)
    finally:
        started.stop()


@pytest.fixture
def identity_configured(db: None, settings: Any, identity_provider: Provider) -> Provider:
    settings.GONGXIN_IDENTITY = {"ISSUER": identity_provider.issuer, "CLIENT_ID": CLIENT_ID,
                                 "CLIENT_SECRET": CLIENT_SECRET, "SCOPES": "openid profile"}
    return identity_provider


def provider_login(session: requests.Session, url: str, person: ProviderPerson) -> str:
    """Follow ``url`` (an authorization request) through the provider's login form: the URL the provider
    finally redirects the browser to (the relying party's callback, with the code and the state)."""
    provider = urlsplit(url).netloc
    response = session.get(url, allow_redirects=False, timeout=10)
    for _ in range(3):
        assert response.status_code in (301, 302, 303), response.status_code
        target = urljoin(response.url, response.headers["Location"])
        if urlsplit(target).netloc != provider or urlsplit(target).path != "/accounts/login/":
            return target
        form = session.get(target, timeout=10)
        posted = session.post(
            target, allow_redirects=False, timeout=10, headers={"Referer": form.url},
            data={"username": person.username, "password": person.password,
                  "next": parse_qs(urlsplit(target).query).get("next", [""])[0],
                  "csrfmiddlewaretoken": session.cookies.get("provider_csrftoken", "")},
        )
        if posted.status_code not in (301, 302, 303):
            raise AssertionError(f"the provider refused the login of {person.username}: {posted.status_code}")
        response = session.get(urljoin(target, posted.headers["Location"]), allow_redirects=False, timeout=10)
        # A browser shares one host's cookies across its ports: the provider must not set the platform's.
        clash = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME} & set(session.cookies.keys())
        assert not clash, f"the provider set the platform's cookies {clash}"
    raise AssertionError("the provider kept asking for a login")


def provider_sign_in(client: Client, provider: Provider, person: ProviderPerson) -> str:
    """Start the platform's sign-in with ``client`` and sign ``person`` in at the provider: the callback URL
    (with the code and the state) that the provider redirects the browser to, not yet followed."""
    start = client.get("/identity/login/")
    assert start.status_code == 302, start.status_code
    authorize = start["Location"]
    assert authorize.startswith(provider.issuer), authorize
    return provider_login(requests.Session(), authorize, person)


def other_client_id_token(provider: Provider, person: ProviderPerson, *, nonce: str) -> dict[str, Any]:
    """A real token response of the provider to the *other* relying party for ``person`` (authorization code
    with PKCE, then the token endpoint): an ID token whose audience is not this platform."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    session = requests.Session()
    query = {"response_type": "code", "client_id": OTHER_CLIENT_ID, "redirect_uri": OTHER_CALLBACK,
             "scope": "openid profile", "state": "s", "nonce": nonce, "code_challenge": challenge,
             "code_challenge_method": "S256"}
    authorize = requests.Request("GET", f"{provider.issuer}/authorize/", params=query).prepare().url or ""
    callback = provider_login(session, authorize, person)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    response = requests.post(f"{provider.issuer}/token/", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": OTHER_CALLBACK,
        "client_id": OTHER_CLIENT_ID, "client_secret": OTHER_CLIENT_SECRET, "code_verifier": verifier})
    response.raise_for_status()
    token: dict[str, Any] = response.json()
    return token
