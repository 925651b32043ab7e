"""The profile template shows every mark a record carries, whatever view hands it over.

The public purpose never discloses repaired records (access.disclosure), so the "repaired" mark is
checked by rendering the template with a record as other purposes would show it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from gongxin.access.shown import ShownField, ShownRecord
from gongxin.portal.views import record_groups

pytestmark = pytest.mark.django_db


def _shown(**overrides) -> ShownRecord:
    base = ShownRecord(
        record_id=7, item_code="penalty", item_name="行政处罚信息", record_kind="penalty", polarity="negative",
        severity="serious", source_unit_name="宁波市市场监督管理局", legal_basis="《行政处罚法》",
        decision_date=date(2025, 1, 2), published=True, publicity_min_end=date(2026, 1, 2),
        publicity_max_end=date(2028, 1, 2), retention_end=date(2030, 1, 2), under_objection=True,
        repaired=True, status="active", version=3,
        fields=[ShownField(code="decision_number", label="行政处罚决定书文号", value="甬市监罚〔2025〕1号")],
    )
    return replace(base, **overrides)


def test_marks_clocks_and_fields_are_rendered(acme):
    with translation.override("zh-hans"):
        html = render_to_string("portal/organization.html", {
            "subject": acme, "organization": acme.organization,
            "groups": record_groups([_shown()]), "record_count": 1,
        })
    assert "异议中" in html and "已修复" in html
    assert "严重" in html
    assert "2028-01-02" in html and "2030-01-02" in html
    assert "行政处罚决定书文号" in html and "甬市监罚〔2025〕1号" in html


def test_grouping_orders_groups_and_newest_first():
    records = [
        _shown(record_id=1, record_kind="honour", decision_date=date(2024, 1, 1)),
        _shown(record_id=2, record_kind="penalty", decision_date=date(2023, 1, 1)),
        _shown(record_id=3, record_kind="penalty", decision_date=date(2025, 1, 1)),
        _shown(record_id=4, record_kind="judgment_debtor", decision_date=None),
        _shown(record_id=5, record_kind="basic", decision_date=date(2022, 1, 1)),
        _shown(record_id=6, record_kind="licence", decision_date=date(2021, 1, 1)),
        _shown(record_id=7, record_kind="commitment", decision_date=date(2021, 1, 1)),
    ]
    groups = record_groups(records)
    assert [g.key for g in groups] == ["licences", "penalties", "lists", "commitments", "honours", "other"]
    assert [r.record_id for r in groups[1].records] == [3, 2]
