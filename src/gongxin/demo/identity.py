"""The demo's unified identity: the local OpenID Connect provider (decision 056) with the demo city's people.

``demo up`` starts it beside the web server when no provider is configured: its accounts are the demo person
(verified real name), a second person of the city with a basic, unchecked identity (who sees less), and the
demo firm (a firm's sign-in, by its USCC). ``demo_identity_people`` says who they are; the provider keeps its
own SQLite file and signing key under ``<data dir>/identity-provider``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from gongxin.core import clock
from gongxin.demo import city
from gongxin.identity.local import LocalProvider, local_provider_start
from gongxin.subjects.selectors import subject_by_rin, subject_by_uscc

CLIENT_ID = "gongxin-demo"
PASSWORD = "demo-identity"  # noqa: S105 - the demo provider's printed password, like the demo logins'


@dataclass(frozen=True)
class IdentityPerson:
    username: str
    name: str
    who: str  # what the account stands for, as `demo up` prints it
    assurance: str  # the provider's acr value: 1 basic, 2 verified real name
    rin: str = ""
    uscc: str = ""

    def as_provider_person(self) -> dict[str, object]:
        claims = {"name": self.name, "acr": self.assurance, **({"rin": self.rin} if self.rin else {}),
                  **({"uscc": self.uscc} if self.uscc else {})}
        return {"username": self.username, "password": PASSWORD, "claims": claims}


def demo_identity_people(*, seed: int) -> list[IdentityPerson]:
    """The provider's accounts: the city's people that exist in this database."""
    people: list[IdentityPerson] = []
    persons = [city.person_at(seed, index) for index in (city.DEMO_PERSON_INDEX, 1, 2, 3)]
    persons = [spec for spec in persons if subject_by_rin(spec.rin) is not None]
    if persons:
        people.append(IdentityPerson("person", persons[0].name, "the demo person, verified real name", "2",
                                     rin=persons[0].rin))
    if len(persons) > 1:
        people.append(IdentityPerson("person-basic", persons[1].name, "a person, identity not checked (sees less)",
                                     "1", rin=persons[1].rin))
    as_of = min(city.DEMO_AS_OF, clock.today())
    index = city.demo_firm_index(seed, organizations=city.SHOWCASE_SEARCH, as_of=as_of)
    if index is not None:
        firm = city.organization_at(seed, index, as_of=as_of)
        if subject_by_uscc(firm.uscc) is not None:
            people.append(IdentityPerson("firm", firm.name, "the demo firm's own sign-in", "2", uscc=firm.uscc))
    return people


def demo_identity_start(*, seed: int, host: str, port: int, provider_port: int) -> tuple[LocalProvider,
                                                                                       list[IdentityPerson]]:
    """Start the local provider on loopback at ``provider_port`` and point this process's platform (served at
    ``host:port``) at it."""
    people = demo_identity_people(seed=seed)
    secret = secrets.token_urlsafe(32)
    # The browser comes back to the platform's own address (loopback when it listens on every interface).
    browser_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - compared, not bound
    callback = f"http://{browser_host}:{port}/identity/callback/"
    directory = Path(settings.DATA_DIR) / "identity-provider"
    provider = local_provider_start(directory=directory, people=[p.as_provider_person() for p in people],
                                    clients=[(CLIENT_ID, secret, callback)], host="127.0.0.1", port=provider_port)
    settings.GONGXIN_IDENTITY = {**getattr(settings, "GONGXIN_IDENTITY", {}), "ISSUER": provider.issuer,
                                 "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": secret, "REDIRECT_URI": callback}
    return provider, people
