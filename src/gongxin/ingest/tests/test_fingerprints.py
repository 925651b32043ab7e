"""Source-row fingerprints (decision 084): a full snapshot's unchanged rows are found by the fingerprint their
records keep, without being checked again; whatever changes what a row becomes (the row, the schema, the unit, the
record's content by another path) sends it through the full path."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from gongxin.accounts.models import Department
from gongxin.catalog.models import SourceUnit
from gongxin.catalog.policy import PolicyBook
from gongxin.core.models import OutboxEvent
from gongxin.ingest import parsing
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.fingerprint import RowFingerprinter, known_load
from gongxin.ingest.load import CheckedChunk, _checked_chunks
from gongxin.ingest.models import Batch
from gongxin.ingest.rows import CheckedRow, PresumedRows, RowChecker
from gongxin.ingest.services import batch_ingest_file, batch_run, batch_snapshot_confirm
from gongxin.ingest.tests.conftest import csv_write, penalty_row, uscc_complete
from gongxin.records.content import content_hash
from gongxin.records.models import Record, RecordVersion
from gongxin.records.services import record_version_append

pytestmark = pytest.mark.django_db


def _rows(numbers: range, **changed: dict[str, Any]) -> list[dict[str, Any]]:
    return [penalty_row(number=f"甬市监罚〔2026〕{n}号", uscc=uscc_complete(f"91330200MA{n % 4:07d}"),
                        name=f"宁波市第{n % 4}号公司", **changed.get(str(n), {})) for n in numbers]


def _load(tmp_path: Path, name: str, rows: list[dict[str, Any]], unit, item, actor, *, snapshot: bool = True,
          headers: list[str] | None = None) -> Batch:
    return batch_ingest_file(path=csv_write(tmp_path / name, rows, headers=headers), source_unit=unit, item=item,
                             actor=actor, snapshot=snapshot)


@pytest.fixture
def checked(monkeypatch) -> list[int]:
    """The numbers of the rows the reference validator checks (a spy: the validator still runs)."""
    numbers: list[int] = []
    original = RowChecker.accepted

    def accepted(self, row, payload):
        numbers.append(row.number)
        return original(self, row, payload)

    monkeypatch.setattr(RowChecker, "accepted", accepted)
    return numbers


def test_unchanged_rows_are_found_by_fingerprint_and_write_nothing(tmp_path, market_unit, penalty, operator,
                                                                   frozen_today, checked):
    first = _load(tmp_path, "a.csv", _rows(range(1, 11)), market_unit, penalty, operator, snapshot=False)
    assert first.inserted == 10 and Record.objects.filter(source_fingerprint__isnull=False).count() == 10
    assert len(known_load(unit_id=market_unit.pk, item_id=penalty.pk)) == 10
    versions, events = RecordVersion.objects.count(), OutboxEvent.objects.count()
    kept = dict(Record.objects.values_list("pk", "source_fingerprint"))
    checked.clear()

    rows = _rows(range(1, 11), **{"3": {"罚款金额（万元）": "2.5"}})
    rows.append(dict(rows[4]))  # an exact repeat of a row: a duplicate, as in any batch
    again = _load(tmp_path, "b.csv", rows, market_unit, penalty, operator)
    assert again.status == BatchStatus.DONE and again.rows_done == 11
    assert (again.received, again.unchanged, again.corrected, again.duplicate, again.inserted) == (11, 9, 1, 1, 0)
    assert checked == [4]  # only the changed row was normalized, validated and hashed
    assert RecordVersion.objects.count() == versions + 1 and OutboxEvent.objects.count() == events + 1
    corrected = Record.objects.get(source_record_id="nk:甬市监罚〔2026〕3号")
    assert corrected.current_version.payload["fine_amount"] == "25000.00"
    assert corrected.source_fingerprint not in (None, kept[corrected.pk])  # the correcting row's
    assert {pk: f for pk, f in Record.objects.values_list("pk", "source_fingerprint") if pk != corrected.pk} == {
        pk: f for pk, f in kept.items() if pk != corrected.pk}

    checked.clear()
    third = _load(tmp_path, "c.csv", rows, market_unit, penalty, operator)
    assert (third.unchanged, third.duplicate, third.corrected) == (10, 1, 0) and checked == []


def test_rejected_rows_and_missing_records_as_before(tmp_path, market_unit, penalty, operator, frozen_today, checked):
    _load(tmp_path, "a.csv", _rows(range(1, 21)), market_unit, penalty, operator, snapshot=False)
    rows = _rows(range(2, 21))
    rows[4]["处罚决定日期"] = "2026-02-30"  # rejected, but it names its record: that one is not "missing"
    checked.clear()
    batch = _load(tmp_path, "b.csv", rows, market_unit, penalty, operator)
    assert batch.status == BatchStatus.AWAITING and batch.missing == 1 and batch.rejected == 1
    assert (batch.unchanged, batch.corrected) == (18, 0) and checked == []
    assert batch.snapshot_plan["active"] == 20

    batch_snapshot_confirm(batch_id=batch.pk, actor=operator, background=False)
    batch = batch_run(batch_id=batch.pk, actor=operator)
    assert batch.status == BatchStatus.DONE and batch.revoked == 1
    revoked = Record.objects.get(source_record_id="nk:甬市监罚〔2026〕1号")
    assert revoked.current_version.status == "revoked"

    # The revoked record's row comes back: it stays revoked (unchanged), as in any batch, and nothing is missing.
    versions = RecordVersion.objects.count()
    back = _load(tmp_path, "c.csv", _rows(range(1, 21)), market_unit, penalty, operator)
    assert (back.status, back.unchanged, back.missing, back.corrected) == (BatchStatus.DONE, 20, 0, 0)
    assert RecordVersion.objects.count() == versions


def test_a_record_changed_by_another_path_is_corrected_back(tmp_path, market_unit, penalty, operator, frozen_today,
                                                            checked):
    _load(tmp_path, "a.csv", _rows(range(1, 6)), market_unit, penalty, operator, snapshot=False)
    record = Record.objects.get(source_record_id="nk:甬市监罚〔2026〕2号")
    held = record.source_fingerprint
    payload = {**record.current_version.payload, "fine_amount": "99000.00"}
    with transaction.atomic():
        record_version_append(record=record, change="corrected", actor=operator, reason="by hand", payload=payload,
                              content_hash=content_hash(payload=payload, severity=record.current_version.severity))
    record.refresh_from_db()
    assert record.source_fingerprint == held  # left as it was: bound to the content it no longer has

    checked.clear()
    batch = _load(tmp_path, "b.csv", _rows(range(1, 6)), market_unit, penalty, operator)
    assert (batch.unchanged, batch.corrected) == (4, 1)
    assert checked == [3]  # presumed by the reader, refused by the writer's verification, checked there
    record.refresh_from_db()
    assert record.current_version.payload["fine_amount"] == "12000.00"
    # The row's fingerprint again, bound to the content it wrote back (the first version's).
    assert record.source_fingerprint == held
    assert record.current_version.content_hash == record.versions.order_by("number").first().content_hash


def test_a_row_corrected_later_in_the_same_chunk_loads_in_file_order(tmp_path, market_unit, penalty, operator,
                                                                     frozen_today, checked):
    _load(tmp_path, "a.csv", _rows(range(1, 6)), market_unit, penalty, operator, snapshot=False)
    rows = _rows(range(1, 6))
    rows.append(penalty_row(number="甬市监罚〔2026〕2号", uscc=uscc_complete("91330200MA0000002"),
                            name="宁波市第2号公司", fine="4.4"))  # row 7: the same record, another fine
    checked.clear()
    batch = _load(tmp_path, "b.csv", rows, market_unit, penalty, operator)
    assert (batch.received, batch.unchanged, batch.corrected) == (6, 5, 1)
    assert sorted(checked) == [3, 7]  # the presumed row 3 is checked with the row that names its record again
    record = Record.objects.get(source_record_id="nk:甬市监罚〔2026〕2号")
    assert record.current_version.payload["fine_amount"] == "44000.00"


def test_another_header_order_takes_the_full_path_once_and_values_under_other_headers_are_other_rows(
        tmp_path, market_unit, penalty, operator, frozen_today, checked):
    rows = _rows(range(1, 6))
    _load(tmp_path, "a.csv", rows, market_unit, penalty, operator, snapshot=False)
    headers = list(rows[0])
    checked.clear()
    # A CSV record is fingerprinted by its text under a key holding the header line: the same rows with the columns
    # in another order are other lines. They take the full path once, stay unchanged by content, and keep the new
    # lines' fingerprints for the next snapshot in that order.
    reordered = _load(tmp_path, "b.csv", rows, market_unit, penalty, operator, headers=list(reversed(headers)))
    assert (reordered.unchanged, reordered.corrected) == (5, 0) and sorted(checked) == [2, 3, 4, 5, 6]
    checked.clear()
    again = _load(tmp_path, "c.csv", rows, market_unit, penalty, operator, headers=list(reversed(headers)))
    assert (again.unchanged, again.corrected) == (5, 0) and checked == []

    swapped = [dict(row) for row in rows]
    for row in swapped:  # the values of two columns under each other's header: other rows
        row["处罚决定日期"], row["处罚有效期"] = row["处罚有效期"], row["处罚决定日期"]
    checked.clear()
    batch = _load(tmp_path, "d.csv", swapped, market_unit, penalty, operator)
    assert batch.unchanged == 0 and batch.rejected + batch.corrected == 5


def test_a_quoted_cell_holding_line_breaks_is_one_record_presumed_on_the_next_snapshot(
        tmp_path, market_unit, penalty, operator, frozen_today, checked):
    rows = _rows(range(1, 6), **{"2": {"违法事实": "抽检不合格，\n经查属实。\r\n另有“说明”、\"引号\"。"},
                                 "4": {"处罚内容": '罚款, "从重"'}})
    first = _load(tmp_path, "a.csv", rows, market_unit, penalty, operator, snapshot=False)
    assert first.inserted == 5
    record = Record.objects.get(source_record_id="nk:甬市监罚〔2026〕2号")
    assert record.current_version.payload["violation_facts"].count("\n") == 2  # one record of three lines
    checked.clear()
    again = _load(tmp_path, "b.csv", rows, market_unit, penalty, operator)
    assert (again.received, again.unchanged, again.corrected, again.rejected) == (5, 5, 0, 0) and checked == []
    # The same text in another encoding is the same record text: still presumed.
    gbk = batch_ingest_file(path=csv_write(tmp_path / "c.csv", rows, encoding="gb18030"), source_unit=market_unit,
                            item=penalty, actor=operator, snapshot=True)
    assert (gbk.unchanged, gbk.corrected) == (5, 0) and checked == []


def test_a_record_differing_in_one_byte_is_not_presumed(tmp_path, market_unit, penalty, operator, frozen_today,
                                                        checked):
    rows = _rows(range(1, 6))
    _load(tmp_path, "a.csv", rows, market_unit, penalty, operator, snapshot=False)
    spaced = _rows(range(1, 6), **{"3": {"违法事实": "抽检不合格。 "}})  # a trailing space: the same content
    checked.clear()
    batch = _load(tmp_path, "b.csv", spaced, market_unit, penalty, operator)
    assert (batch.unchanged, batch.corrected) == (5, 0)
    assert checked == [4]  # that line was checked; the other four were presumed
    checked.clear()
    again = _load(tmp_path, "c.csv", spaced, market_unit, penalty, operator)
    assert again.unchanged == 5 and checked == []  # its record now holds the spaced line's fingerprint


def test_a_schema_change_or_another_unit_changes_every_fingerprint(tmp_path, market_unit, penalty, operator,
                                                                   frozen_today, checked):
    rows = _rows(range(1, 6))
    _load(tmp_path, "a.csv", rows, market_unit, penalty, operator, snapshot=False)
    cells = {"subject_name": "宁波市第1号公司", "decision_number": "甬市监罚〔2026〕1号"}
    before = RowFingerprinter(item=penalty, source_unit=market_unit).of(cells)
    department = Department.objects.create(code="NB-OTHER", name="宁波市另一局", region_code="330200")
    other_unit = SourceUnit.objects.create(department=department, domain=market_unit.domain)
    assert RowFingerprinter(item=penalty, source_unit=other_unit).of(cells) != before

    fields = [dict(f) for f in penalty.fields]
    for field in fields:
        if field["code"] == "penalty_content":
            field["max_length"] = int(field.get("max_length") or 2000) + 1  # a rule of validation changed
    penalty.fields = fields
    penalty.save(update_fields=["fields"])
    assert RowFingerprinter(item=penalty, source_unit=market_unit).of(cells) != before
    checked.clear()
    batch = _load(tmp_path, "b.csv", rows, market_unit, penalty, operator)
    assert (batch.unchanged, batch.corrected) == (5, 0)
    assert sorted(checked) == [2, 3, 4, 5, 6]  # every row took the full path; still unchanged by content

    checked.clear()
    again = _load(tmp_path, "c.csv", rows, market_unit, penalty, operator)
    assert again.unchanged == 5 and checked == []  # the unchanged rows kept their new fingerprints


def test_an_old_record_without_a_fingerprint_takes_the_full_path(tmp_path, market_unit, penalty, operator,
                                                                 frozen_today, checked):
    rows = _rows(range(1, 4))
    _load(tmp_path, "a.csv", rows, market_unit, penalty, operator, snapshot=False)
    Record.objects.update(source_fingerprint=None)  # as loaded before fingerprints
    assert known_load(unit_id=market_unit.pk, item_id=penalty.pk) == set()
    checked.clear()
    batch = _load(tmp_path, "b.csv", rows, market_unit, penalty, operator)
    assert (batch.unchanged, batch.corrected) == (3, 0) and sorted(checked) == [2, 3, 4]
    assert RecordVersion.objects.count() == 3


def _reader(unit, item) -> RowChecker:
    """A snapshot's reader as ``BatchLoader`` makes it: every fingerprint the unit and item's records hold known."""
    prints = RowFingerprinter(item=item, source_unit=unit, known=known_load(unit_id=unit.pk, item_id=item.pk))
    return RowChecker(item=item, digests=PolicyBook.load(), domain=unit.domain, fingerprints=prints)


def test_the_reader_sends_presumed_rows_as_three_columns_that_round_trip_the_pipe(tmp_path, market_unit, penalty,
                                                                                  operator, frozen_today):
    _load(tmp_path, "a.csv", _rows(range(1, 13)), market_unit, penalty, operator, snapshot=False)
    known = known_load(unit_id=market_unit.pk, item_id=penalty.pk)
    rows = _rows(range(1, 13), **{"3": {"罚款金额（万元）": "2.5"}})
    rows.append(dict(rows[4]))  # row 14, the same as row 6 in a later chunk: presumed (the writer: a duplicate)
    path = csv_write(tmp_path / "b.csv", rows)

    messages = list(_checked_chunks(path, path.name, _reader(market_unit, penalty), 0, 5))
    assert messages[0] == {}
    chunks: list[CheckedChunk] = messages[1:]
    assert [len(chunk.rows) + len(chunk.presumed) for chunk in chunks] == [5, 5, 3]
    for chunk in chunks:  # what the pipe carries: the same chunk, its presumed rows still three columns
        again = pickle.loads(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own bytes
        assert again == chunk and isinstance(again.presumed, PresumedRows)
        assert again.presumed.numbers.typecode == again.presumed.fingerprints.typecode == "q"
    numbers = [n for chunk in chunks for n in chunk.presumed.numbers]
    assert numbers == [2, 3, *range(5, 15)]  # every row but the changed one (row 4), in file order
    assert [i for chunk in chunks for i in chunk.presumed.identities] == [
        f"nk:甬市监罚〔2026〕{n}号" for n in (1, 2, *range(4, 13), 5)]
    assert all(f in known for chunk in chunks for f in chunk.presumed.fingerprints)
    [(number, changed)] = [row for chunk in chunks for row in chunk.rows]
    assert number == 4 and isinstance(changed, CheckedRow) and changed.source_fingerprint not in known

    # Resumed after 7 rows: first the identities those name (presumed and checked alike), then the rest.
    done, *rest = list(_checked_chunks(path, path.name, _reader(market_unit, penalty), 7, 5))
    assert set(done) == {f"nk:甬市监罚〔2026〕{n}号" for n in range(1, 8)}
    assert [n for chunk in rest for n in chunk.presumed.numbers] == [*range(9, 15)]


def test_a_presumed_row_another_row_of_its_chunk_names_is_checked_in_file_order(tmp_path, market_unit, penalty,
                                                                                operator, frozen_today):
    _load(tmp_path, "a.csv", _rows(range(1, 6)), market_unit, penalty, operator, snapshot=False)
    rows = _rows(range(1, 6))
    rows.insert(1, penalty_row(number="甬市监罚〔2026〕4号", uscc=uscc_complete("91330200MA0000000"),
                               name="宁波市第0号公司", fine="4.4"))  # row 3 names the record of row 6, another fine
    path = csv_write(tmp_path / "b.csv", rows)

    _done, chunk = list(_checked_chunks(path, path.name, _reader(market_unit, penalty), 0, 100))
    assert list(chunk.presumed.numbers) == [2, 4, 5, 7]  # row 6 left the columns ...
    assert [number for number, _checked in chunk.rows] == [3, 6]  # ... and was checked, after row 3
    assert [checked.payload["fine_amount"] for _number, checked in chunk.rows] == ["44000.00", "12000.00"]
    assert chunk.rows[1][1].source_fingerprint in known_load(unit_id=market_unit.pk, item_id=penalty.pk)


def test_a_presumed_row_whose_identity_an_earlier_chunk_changed_is_checked_by_the_writer_in_file_order(
        tmp_path, market_unit, penalty, operator, frozen_today, checked):
    _load(tmp_path, "a.csv", _rows(range(1, 7)), market_unit, penalty, operator, snapshot=False)
    rows = _rows(range(1, 7))
    rows.insert(0, penalty_row(number="甬市监罚〔2026〕2号", uscc=uscc_complete("91330200MA0000002"),
                               name="宁波市第2号公司", fine="4.4"))  # row 2: record 2 changed, then row 4 its old row
    rows[2], rows[3] = rows[3], rows[2]  # chunks of 3: rows 2, 3, 4 | 5 (record 2 as loaded), 6, 7 | 8
    checked.clear()
    batch = batch_ingest_file(path=csv_write(tmp_path / "b.csv", rows), source_unit=market_unit, item=penalty,
                              actor=operator, snapshot=True, chunk_size=3)
    assert (batch.received, batch.unchanged, batch.corrected, batch.duplicate) == (7, 5, 2, 0)
    assert sorted(checked) == [2, 5]  # the changed row, and the presumed row the writer refused and checked
    record = Record.objects.get(source_record_id="nk:甬市监罚〔2026〕2号")
    assert [v.payload["fine_amount"] for v in record.versions.order_by("number")] == [
        "12000.00", "44000.00", "12000.00"]  # in file order: changed, then back


def test_json_lines_rows_are_presumed_by_their_cells_and_checked_in_file_order_when_named_again(
        tmp_path, market_unit, penalty, operator, frozen_today, checked):
    def jsonl(name: str, rows: list[dict[str, Any]]) -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
        return path

    def load(name: str, rows: list[dict[str, Any]], *, snapshot: bool = True) -> Batch:
        return batch_ingest_file(path=jsonl(name, rows), source_unit=market_unit, item=penalty, actor=operator,
                                 snapshot=snapshot)

    assert load("a.jsonl", _rows(range(1, 6)), snapshot=False).inserted == 5
    rows = _rows(range(1, 6), **{"3": {"罚款金额（万元）": "2.5"}})
    rows.append(dict(rows[0]))  # line 6: an exact repeat of line 1
    rows.append(penalty_row(number="甬市监罚〔2026〕5号", uscc=uscc_complete("91330200MA0000001"),
                            name="宁波市第1号公司", fine="7.7"))  # line 7: the record of line 5 again, another fine
    checked.clear()
    batch = load("b.jsonl", rows)
    assert (batch.received, batch.unchanged, batch.corrected, batch.duplicate) == (7, 4, 2, 1)
    assert sorted(checked) == [3, 5, 7]  # the changed line, and line 5 with the line that names its record again
    record = Record.objects.get(source_record_id="nk:甬市监罚〔2026〕5号")
    assert record.current_version.payload["fine_amount"] == "77000.00"  # line 5, then line 7: in file order


@pytest.mark.parametrize("number", ["甬市监罚〔2026〕1号", "  甬市监罚〔２０２６〕１号\u3000", "ＡＢ－１２ ", " ", ""])
def test_the_presumed_identity_is_the_identity_checking_the_row_gives(market_unit, penalty, frozen_today, number):
    row = penalty_row(number=number)
    columns = parsing.header_map(penalty, list(row)).columns
    values = list(row.values())
    cells = {code: values[position] for position, code in columns.items()}
    checker = RowChecker(item=penalty, domain=market_unit.domain)
    checked = checker.check(parsing.SourceRow(2, cells))
    assert checker.presumed_identity(cells) == (checked.identity if isinstance(checked, CheckedRow) else None)
    with_id = {**cells, parsing.SOURCE_RECORD_ID: "  S-1 "}
    assert checker.presumed_identity(with_id) == "S-1"
