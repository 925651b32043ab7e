"""No table of the platform holds a RIN in clear: every table of the database (so every app's new tables too)
is read raw after persons were registered, found by RIN, signed in through unified identity (first sign-in,
a refused changed claim), named a firm's agent by name and RIN, and their records written with a personal field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from gongxin.accounts import agents
from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import viewer_for_user
from gongxin.core import clock
from gongxin.identity.errors import ClaimChanged
from gongxin.identity.services import identity_sign_in
from gongxin.subjects.choices import RelationKind
from gongxin.subjects.selectors import subject_by_rin
from gongxin.subjects.services import relation_add
from gongxin.testing import factories
from gongxin.testing.personas import user_create
from gongxin.testing.records import market_unit  # noqa: F401 - a fixture of this module
from gongxin.testing.subjects import organization_create, person_create, rin_new

ISSUER = "https://id.example.gov.cn/o"


def test_no_table_holds_a_plain_rin(db, market_unit) -> None:  # noqa: F811 - the fixture
    rins = [rin_new() for _ in range(3)]
    registered = person_create(name="孙八", rin=rins[0])
    assert subject_by_rin(rins[0]) == registered
    identity_sign_in(issuer=ISSUER, claims={"sub": "s-1", "name": "孙八", "rin": rins[0], "acr": "2"})
    identity_sign_in(issuer=ISSUER, claims={"sub": "s-2", "name": "周九", "rin": rins[1], "acr": "1"})
    with pytest.raises(ClaimChanged):
        identity_sign_in(issuer=ISSUER, claims={"sub": "s-2", "name": "周九", "rin": rins[2], "acr": "1"})
    factories.penalty_create(subject=registered, source_unit=market_unit)
    # A firm's legal representative names that person its agent by name and RIN (accounts.agents), and the person
    # makes an invitation code: the mandates, their audit rows, events and the look-up's count are read below too.
    firm = organization_create()
    representative = person_create(name="吴十")
    relation_add(from_subject=representative, to_subject=firm, kind=RelationKind.LEGAL_REPRESENTATIVE,
                 actor_label="tests")
    rep_viewer = viewer_for_user(user_create("rep-wushi", role=Role.PERSON, subject=representative))
    candidate = agents.agent_candidate_by_rin(actor=rep_viewer, organization_id=firm.pk, name="孙八", rin=rins[0])
    agents.agent_authorize(actor=rep_viewer, organization_id=firm.pk, candidate=candidate, capabilities=["reports"],
                           valid_from=clock.today(), valid_until=clock.today() + timedelta(days=30))
    agents.agent_invitation_create(actor=viewer_for_user(user_create("sunba", role=Role.PERSON, subject=registered)))

    cells = 0
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert {"identity_externalidentity", "identity_identityevent", "accounts_user", "accounts_agentmandate",
                "accounts_agentmandateevent", "accounts_agentinvitation"} <= set(tables)
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - catalogued names
            for row in cursor.fetchall():
                for cell in row:
                    cells += 1
                    text = str(cell).upper()
                    for rin in rins:
                        assert rin.upper() not in text, f"plain RIN in {table}"
    assert cells > 1000
