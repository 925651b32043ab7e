"""Personal fields of payloads are sealed at rest, shown only as the disclosure policy says, and sealing does
not disturb "same content is unchanged" — on the single-record path and on the bulk path."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from gongxin.access.disclosure import fields_shown
from gongxin.records.choices import Purpose
from gongxin.records.load import RecordRow, records_load
from gongxin.records.models import RecordVersion
from gongxin.records.personal import PREFIX, payload_unseal
from gongxin.records.services import record_submit
from gongxin.testing.payloads import item, payload_for

pytestmark = pytest.mark.django_db
ID_NUMBER = "330203198005171236"


def _raw_payload_text(version_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM records_recordversion WHERE id = %s", [version_id])
        return str(cursor.fetchone()[0])


def test_submit_seals_the_id_number_and_disclosure_unseals_it_only_where_allowed(market_unit, market_operator,
                                                                                organization):
    penalty = item("penalty")
    payload = payload_for(penalty, decision_date=date(2026, 6, 1), id_number=ID_NUMBER, id_type="身份证")
    result = record_submit(source_unit=market_unit, item=penalty, source_record_id="CF-P1", subject=organization,
                           payload=payload, actor=market_operator)
    version = result.version
    assert version.payload["id_number"].startswith(PREFIX)
    assert ID_NUMBER not in _raw_payload_text(version.pk)
    assert payload_unseal(item=penalty, payload=version.payload)["id_number"] == ID_NUMBER

    def shown(purpose: str) -> dict[str, str]:
        return {code: value for code, _label, value in fields_shown(item=penalty, payload=version.payload,
                                                                   purpose=purpose)}

    assert shown(Purpose.SELF)["id_number"] == ID_NUMBER
    assert shown(Purpose.SHARING)["id_number"] == "**************1236"
    assert "id_number" not in shown(Purpose.PUBLIC)

    again = record_submit(source_unit=market_unit, item=penalty, source_record_id="CF-P1", subject=organization,
                          payload=payload, actor=market_operator)
    assert again.outcome == "unchanged"  # the hash is of the plain content


def test_the_bulk_path_seals_too_and_a_rerun_changes_nothing(market_unit, organization):
    penalty = item("penalty")
    rows = [RecordRow(source_unit_id=market_unit.pk, catalog_item=penalty, source_record_id=f"CF-B{i}",
                      subject_id=organization.pk,
                      payload=payload_for(penalty, decision_date=date(2026, 6, 1), id_number=ID_NUMBER))
            for i in range(3)]
    assert records_load(rows, actor_label="test").inserted == 3
    for version in RecordVersion.objects.all():
        assert version.payload["id_number"].startswith(PREFIX)
        assert ID_NUMBER not in _raw_payload_text(version.pk)
    again = records_load(rows, actor_label="test")
    assert (again.inserted, again.corrected, again.unchanged) == (0, 0, 3)
