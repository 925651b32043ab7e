"""No table of the platform holds a RIN in clear: every table of the database (so every app's new tables too)
is read raw after persons were registered, found by RIN, signed in through unified identity (first sign-in,
a refused changed claim) and their records written with a personal field."""

from __future__ import annotations

import pytest
from django.db import connection

from gongxin.identity.errors import ClaimChanged
from gongxin.identity.services import identity_sign_in
from gongxin.subjects.selectors import subject_by_rin
from gongxin.testing import factories
from gongxin.testing.records import market_unit  # noqa: F401 - a fixture of this module
from gongxin.testing.subjects import person_create, rin_new

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

    cells = 0
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert {"identity_externalidentity", "identity_identityevent", "accounts_user"} <= set(tables)
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - catalogued names
            for row in cursor.fetchall():
                for cell in row:
                    cells += 1
                    text = str(cell).upper()
                    for rin in rins:
                        assert rin.upper() not in text, f"plain RIN in {table}"
    assert cells > 1000
