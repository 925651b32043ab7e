"""Two defaults of one person reported at the same moment (PostgreSQL: real row locks, two connections):
the scenario row is locked before defaults are counted, so the threshold of two is reached and the benefit
suspended exactly once."""

from __future__ import annotations

import pytest
from django.db import connection

from gongxin.accounts.viewer import viewer_for_client
from gongxin.benefits.models import Suspension, Usage
from gongxin.benefits.services import usage_default_record, usage_start
from gongxin.benefits.tests.conftest import consent_to, rin_of
from gongxin.core.errors import GongxinError
from gongxin.testing.races import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_simultaneous_defaults_suspend_once(scenario, person_user, library_key):
    client, _key = library_key
    consent_to(person_user, client)
    actor = viewer_for_client(client)
    rin = rin_of(person_user.subject)
    ids = [usage_start(scenario=scenario, subject_code=rin, reference=ref, actor=actor).pk for ref in ("A", "B")]
    pending = list(ids)

    def one_default() -> Usage:
        usage = Usage.objects.select_related("scenario__provider").get(pk=pending.pop())
        return usage_default_record(usage=usage, amount_yuan="10", actor=actor)

    results = race(one_default)
    assert not [r for r in results if isinstance(r, GongxinError)]
    assert Suspension.objects.filter(subject=person_user.subject, scenario=scenario).count() == 1
