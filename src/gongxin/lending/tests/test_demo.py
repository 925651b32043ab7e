"""The demo set-up of lending and benefits: lenders and provider clients created once, keys usable."""

from __future__ import annotations

from gongxin.benefits.demo import benefits_demo_ensure
from gongxin.benefits.models import Provider
from gongxin.lending.demo import DEMO_CONTRIBUTION_YUAN, DEMO_LENDERS, lending_demo_ensure
from gongxin.lending.models import FundEntry, Lender
from gongxin.lending.tests.conftest import api


def test_demo_lenders_and_fund(lending_data):
    created = lending_demo_ensure()
    assert len(created) == len(DEMO_LENDERS) and lending_demo_ensure() == []
    assert Lender.objects.count() == len(DEMO_LENDERS)
    assert FundEntry.objects.get().balance_after_yuan == DEMO_CONTRIBUTION_YUAN
    _name, key = created[0]
    assert api(key).post("/api/v1/lending/profiles", {"codes": ["x"]}, content_type="application/json").json() == [
        {"code": "x", "authorized": False, "name": "", "uscc": "", "records": []}]


def test_demo_providers(seeded):
    created = benefits_demo_ensure()
    assert len(created) == Provider.objects.count() and benefits_demo_ensure() == []
    assert not Provider.objects.filter(client__isnull=True).exists()
