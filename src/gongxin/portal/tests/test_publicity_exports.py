"""CSV and Excel exports of the double-publicity listing: same filters, same rows, nothing personal; a
listing longer than an export holds is cut with a note in the file itself."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from gongxin.core import clock
from gongxin.portal import exports
from gongxin.portal.selectors import EXPORT_MAX_ROWS, PublicityFilters
from gongxin.portal.tests import publicity_factories as pf
from gongxin.testing import factories

pytestmark = pytest.mark.django_db

URL = "/publicity/"
USCC_COLUMN = 3
DECISION_NUMBER_COLUMN = 5


@pytest.fixture
def listing(acme, source_unit):
    """Two public penalties and a licence of acme, plus what must never be exported."""
    today = clock.today()
    penalties = [
        factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=days))
        for days in (10, 40)
    ]
    licence = factories.licence_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=5))
    person = factories.person_create(name="赵六")
    factories.penalty_create(subject=person, source_unit=source_unit)
    factories.repair_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=4 * 365))
    return {"penalties": penalties, "licence": licence}


def _decision_number(record) -> str:
    payload = record.current_version.payload
    return payload.get("decision_number") or payload["licence_decision_number"]


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # a BOM, so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = workbook.worksheets[0]
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_csv_holds_exactly_the_public_rows_newest_first(client, listing):
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    assert response["X-Export-Limit"] == str(EXPORT_MAX_ROWS)

    rows = _csv(response)
    header, data = rows[0], rows[1:]
    assert "统一社会信用代码" in header
    expected = [listing["licence"], *listing["penalties"]]
    assert [row[DECISION_NUMBER_COLUMN] for row in data] == [_decision_number(r) for r in expected]
    assert all(len(row) == len(header) for row in data)


def test_csv_follows_the_filters(client, listing):
    rows = _csv(client.get(URL, {"format": "csv", "kind": "penalty"}))
    assert [row[DECISION_NUMBER_COLUMN] for row in rows[1:]] == [_decision_number(r) for r in listing["penalties"]]
    cut = (clock.today() - timedelta(days=20)).isoformat()
    rows = _csv(client.get(URL, {"format": "csv", "kind": "penalty", "date_to": cut}))
    assert [row[DECISION_NUMBER_COLUMN] for row in rows[1:]] == [_decision_number(listing["penalties"][1])]


def test_exports_never_hold_personal_fields_or_persons(client, listing):
    for export_format in ("csv", "xlsx"):
        response = client.get(URL, {"format": export_format})
        rows = _csv(response) if export_format == "csv" else _xlsx(response)
        text = "\n".join(",".join(row) for row in rows)
        assert pf.PERSONAL_ID not in text
        assert "证件号码" not in text
        assert "赵六" not in text


def test_xlsx_holds_the_same_rows_as_the_csv(client, listing):
    response = client.get(URL, {"format": "xlsx", "kind": "penalty"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert ".xlsx" in response["Content-Disposition"]
    rows = _xlsx(response)
    assert rows == _csv(client.get(URL, {"format": "csv", "kind": "penalty"}))
    assert [row[USCC_COLUMN] for row in rows[1:]] == [listing["penalties"][0].subject.organization.uscc] * 2


def test_an_export_cut_at_its_limit_says_so_in_the_file(listing):
    request_filters = PublicityFilters()
    note = exports.limit_note(2)
    response = exports.publicity_csv_response(filters=request_filters, limit=2)
    assert response["X-Export-Limit"] == "2"
    rows = _csv(response)
    assert len(rows) == 1 + 2 + 1 and rows[-1] == [note] and "2" in note
    rows = _xlsx(exports.publicity_xlsx_response(filters=request_filters, limit=2))
    assert len(rows) == 1 + 2 + 1 and rows[-1][0] == note
    # Exactly at the limit nothing is cut, and nothing is said.
    rows = _csv(exports.publicity_csv_response(filters=request_filters, limit=3))
    assert len(rows) == 1 + 3 and rows[-1][0] != note


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit, penalty_content="=HYPERLINK(\"http://x\")")
    rows = _csv(client.get(URL, {"format": "csv"}))
    assert rows[1][7] == "'=HYPERLINK(\"http://x\")"
    rows = _xlsx(client.get(URL, {"format": "xlsx"}))
    assert rows[1][7] == "'=HYPERLINK(\"http://x\")"


def test_a_bad_filter_exports_nothing(client, listing):
    response = client.get(URL, {"format": "csv", "date_from": "not-a-date"})
    assert response.status_code == 400
    assert "data-error" in response.content.decode()


def test_exports_are_bounded_per_address(client, listing, settings):
    settings.GONGXIN_THROTTLE_RATES = {"export.address": "2/3600", "export.caller": "100/3600"}
    assert [client.get(URL, {"format": "csv"}).status_code for _ in range(2)] == [200, 200]
    refused = client.get(URL, {"format": "xlsx"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get(URL).status_code == 200  # the listing itself is not an export


def test_an_export_reads_the_same_rows_as_the_pages(listing, acme, source_unit):
    """An export reads each record as plain values and each catalog item once, a page reads objects: the rows
    are the same (an export's leave the list of fields empty), in the same order across chunk boundaries, in
    Chinese and in English, with a licence category's label, another department and district, an objection."""
    from dataclasses import replace

    from gongxin.portal.selectors import publicity_export_rows, publicity_page

    other = pf.organization_in(name="宁波市北仑区示例港务有限公司", district="330206")
    pf.licence_of(subject=other, source_unit=pf.ecology_unit_create(), category="franchise")
    factories.objection_mark(factories.penalty_create(subject=other, source_unit=source_unit))
    factories.licence_create(subject=acme, source_unit=source_unit)
    for filters in (PublicityFilters(), PublicityFilters(kind="penalty"), PublicityFilters(district="330206")):
        for english in (False, True):
            page = publicity_page(filters=filters, size=50, english=english).rows
            exported = list(publicity_export_rows(filters=filters, english=english, chunk_size=2))
            assert exported == [replace(row, fields=[]) for row in page]
    everything = list(publicity_export_rows(filters=PublicityFilters(), chunk_size=2))
    assert len(everything) == 6 and any(row.under_objection for row in everything)
    assert any(row.type_label == "特许" for row in everything)


OLD_CAP = 100_000  # what an export held before it streamed (decision 044)


def _penalties_loaded(*, subject, source_unit, count: int) -> None:
    """``count`` public penalties of ``subject``, written set-based by the bulk path (records.load)."""
    from gongxin.records.load import RecordRow, records_load

    template = factories.penalty_create(subject=subject, source_unit=source_unit).current_version.payload
    item = factories.seeded_item("penalty")
    today = clock.today()
    rows = (
        RecordRow(source_unit_id=source_unit.pk, catalog_item=item, source_record_id=f"BIG{n}", subject_id=subject.pk,
                  payload={**template, "decision_number": f"甬市监罚〔大〕{n}号",
                           "decision_date": (today - timedelta(days=1 + n % 300)).isoformat()})
        for n in range(count)
    )
    result = records_load(rows, actor_label="tests", batch_size=10_000)
    assert result.inserted == count, result.rejections[:3]
    from django.db import connection

    if connection.vendor == "postgresql":
        # As after any bulk load (ingest analyzes the record tables after a big batch, a city's autovacuum too):
        # the statistics an earlier test left (ANALYZE's row counts outlive its rollback) would plan this
        # listing as if it held a handful of rows.
        with connection.cursor() as cursor:
            for table in ("records_record", "records_recordversion", "subjects_subject", "subjects_organization"):
                cursor.execute(f"ANALYZE {table}")


@pytest.mark.slow
def test_an_export_longer_than_the_old_cap_is_complete_and_read_in_bounded_chunks(acme, source_unit):
    """Every row of a listing past the old 100,000-row cap is in the file, none twice; the rows are read a
    bounded chunk at a time (each query has a LIMIT), and the first bytes leave after the first chunk only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongxin.portal.selectors import EXPORT_CHUNK_ROWS

    _penalties_loaded(subject=acme, source_unit=source_unit, count=OLD_CAP + 50)
    with CaptureQueriesContext(connection) as queries:
        lines = exports.publicity_csv_response(filters=PublicityFilters(kind="penalty")).streaming_content
        first = next(iter(lines))
        reads_before_first_bytes = len([q for q in queries if "records_record" in q["sql"]])
        body = first + b"".join(lines)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    numbers = [row[DECISION_NUMBER_COLUMN] for row in rows[1:]]
    assert len(numbers) == OLD_CAP + 50 + 1 and len(set(numbers)) == len(numbers)  # the template penalty too
    assert exports.limit_note(EXPORT_MAX_ROWS) not in body.decode("utf-8-sig")
    record_reads = [q["sql"] for q in queries if "records_record" in q["sql"]]
    assert reads_before_first_bytes <= 1
    limits = [re.search(r"LIMIT (\d+)", sql) for sql in record_reads]
    assert all(limit is not None and int(limit[1]) <= EXPORT_CHUNK_ROWS for limit in limits), record_reads[:2]
    assert len(record_reads) >= (OLD_CAP + 51) // EXPORT_CHUNK_ROWS  # read in chunks, not in one go
