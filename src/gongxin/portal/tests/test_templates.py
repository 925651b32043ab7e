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

from gongxin.access.grouped import GroupedProfile, ProfileGroup
from gongxin.access.shown import ShownField, ShownPage, ShownRecord
from gongxin.access.summary import ShownCounts

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


def _grouped(records: list[ShownRecord]) -> GroupedProfile:
    group = ProfileGroup(key="penalties", heading="行政处罚", count=len(records),
                         page=ShownPage(records=records, next_cursor=None, previous_cursor=None))
    return GroupedProfile(counts=ShownCounts(kinds={"penalty": len(records)}), groups=[group], opened=None)


def test_marks_clocks_and_fields_are_rendered(acme):
    with translation.override("zh-hans"):
        html = render_to_string("portal/organization.html", {
            "subject": acme, "organization": acme.organization, "grouped": _grouped([_shown()]), "record_count": 1,
        })
    assert "异议中" in html and "已修复" in html
    assert "严重" in html
    assert "2028-01-02" in html and "2030-01-02" in html
    assert "行政处罚决定书文号" in html and "甬市监罚〔2025〕1号" in html
