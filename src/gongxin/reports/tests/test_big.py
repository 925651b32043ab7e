"""Reports of big subjects (docs/decisions/046-reports-of-big-subjects.md): a summary by category and year
and the lists in force first, then every record, one line each, grouped by category, newest first; the signed
JSON keeps every record with all its fields; reading the records costs the same queries for 3 records as for
300; the big report's JSON and PDF verify."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from html import unescape
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.core.documents import document_verify, pdf_attachments
from gongxin.ledger.checkpoints import checkpoint_ensure
from gongxin.ledger.services import ledger_integrate
from gongxin.records.load import RecordRow, records_load
from gongxin.records.models import ListType
from gongxin.reports.render import envelope_bytes, report_html, report_pdf
from gongxin.reports.selectors import report_by_number, report_verification
from gongxin.reports.services import report_issue
from gongxin.reports.templatetags.report_layout import LINE_BUDGET_EM, text_width
from gongxin.subjects.models import Subject
from gongxin.testing import factories
from gongxin.testing.payloads import item, licence_payload, penalty_payload

pytestmark = pytest.mark.django_db


def _own(subject: Subject) -> dict[str, str]:
    return {"subject_name": subject.name, "subject_category": "organization", "uscc": subject.organization.uscc}


def _records_load(subject: Subject, unit: SourceUnit, *, penalties: int, licences: int) -> set[int]:
    """Penalties a week to ~3 years old and licences up to ~4 years old, in one bulk load; their ids."""
    today = clock.today()
    rows = []
    for i in range(penalties):
        decided = today - timedelta(days=7 + 5 * i)
        rows.append(RecordRow(source_unit_id=unit.pk, catalog_item=item("penalty"),
                              source_record_id=f"P{subject.pk}-{i}", subject_id=subject.pk, payload=penalty_payload(
                                  **_own(subject), decision_number=f"甬市监罚〔{decided.year}〕{i + 1}号",
                                  decision_date=decided.isoformat(),
                                  penalty_valid_until=(decided + timedelta(days=365)).isoformat())))
    for i in range(licences):
        decided = today - timedelta(days=3 + 13 * i)
        rows.append(RecordRow(source_unit_id=unit.pk, catalog_item=item("licence"),
                              source_record_id=f"L{subject.pk}-{i}", subject_id=subject.pk, payload=licence_payload(
                                  **_own(subject), licence_decision_number=f"甬市监许〔{decided.year}〕{i + 1}号",
                                  decision_date=decided.isoformat(), valid_from=decided.isoformat(),
                                  valid_to=(decided + timedelta(days=1800)).isoformat())))
    result = records_load(rows, actor_label="test")
    assert (result.inserted, result.rejected) == (penalties + licences, 0)
    return {o.record_id for o in records_load(rows, actor_label="test", with_outcomes=True).outcomes}


def _listed(subject: Subject, unit: SourceUnit, *, listed: date) -> int:
    payload = {**_own(subject), "listing_date": listed.isoformat(), "list_name": "严重违法失信名单",
               "decision_number": "甬市监信〔2026〕7号", "listing_reason": "提交虚假材料取得许可",
               "listing_basis": "《市场监督管理严重违法失信名单管理办法》第十条",
               "authority_name": factories.SOURCE_UNIT_NAME}
    return factories.record_create(subject=subject, source_unit=unit, item=factories.seeded_item(
        "serious_dishonesty_list"), payload=payload).pk


@pytest.fixture
def big(acme: Subject, source_unit: SourceUnit) -> set[int]:
    """acme with 300 records: 200 penalties, 99 licences and a serious dishonesty list entry."""
    ids = _records_load(acme, source_unit, penalties=200, licences=99)
    return ids | {_listed(acme, source_unit, listed=clock.today() - timedelta(days=40))}


def _details(content: dict) -> dict[str, list[dict]]:
    return {section["key"]: section["records"] for section in content["details"]}


def test_a_300_record_report_lists_every_record_and_its_summary_counts_match_the_details(acme, big, agent):
    report = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    content = report.content
    details = _details(content)
    listed = [r["record_id"] for records in details.values() for r in records]
    assert len(listed) == 300 and set(listed) == big  # every record, once
    assert content["layout"] == "compact"
    assert all(r["fields"] for records in details.values() for r in records)  # with all their fields
    # The summary by category is the details counted.
    for row in content["overview"]["summary"]:
        records = details[row["key"]]
        assert row["total"] == len(records)
        assert row["negative"] == sum(r["polarity"] == "negative" for r in records)
        assert row["positive"] == sum(r["polarity"] == "positive" for r in records)
    assert content["overview"]["totals"]["total"] == 300
    assert (len(details["penalties"]), len(details["licences"]), len(details["lists"])) == (200, 99, 1)
    # By year, newest first: each year's count per category is the details counted by year of decision.
    keys = [row["key"] for row in content["overview"]["summary"]]
    by_year = content["overview"]["by_year"]
    assert [y["year"] for y in by_year] == sorted({y["year"] for y in by_year}, reverse=True)
    counted = Counter((r["decision_date"][:4], key) for key, records in details.items() for r in records)
    assert {(y["year"], key): n for y in by_year for key, n in zip(keys, y["sections"], strict=True) if n} == counted
    assert sum(y["total"] for y in by_year) == 300
    # Within each category, newest decision first.
    for records in details.values():
        dates = [r["decision_date"] for r in records]
        assert dates == sorted(dates, reverse=True)


def test_the_printed_big_report_names_every_record_once_and_says_where_all_fields_are(acme, big, agent):
    report = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    html = report_html(report, for_pdf=True)
    printed = [int(i) for chunk in html.split('data-records="')[1:] for i in chunk.split('"', 1)[0].split()]
    assert sorted(printed) == sorted(big)
    assert html.count('class="r-record ') == 0 and html.count("<table") == 3  # no block, no table per record
    years = html.split("data-by-year>", 1)[1].split("</div>", 1)[0].split("\n")  # by year: tab-separated lines
    assert years[0].split("\t")[0] == "年度" and len(years) == 1 + len(report.content["overview"]["by_year"])
    assert [line.split("\t")[0] for line in years[1:]] == [y["year"] for y in report.content["overview"]["by_year"]]
    assert f"{report.number}.json" in html and "无删减" in html  # the notes: nothing left out, all fields there
    penalty = _details(report.content)["penalties"][0]
    assert penalty["fields"][0]["value"] and f"1．{penalty['decision_date']}" in html  # newest first, numbered
    decision_number = next(f["value"] for f in penalty["fields"] if f["code"] == "decision_number")
    assert decision_number in html  # the essential fields: the document number ...
    assert "罚款人民币12,345元" in html and f"公示截止 {penalty['publicity_end']}" in html  # ... content, publicity
    # One line per record, each within the page's width (the content shortened first, never a field before it).
    lines = [line for block in re.findall(r'<div class="r-lines" data-records="[^"]*">(.*?)</div>', html, re.S)
             for line in unescape(block).split("\n")]
    assert len(lines) == 300 and all(text_width(line) <= LINE_BUDGET_EM for line in lines)
    listed = _details(report.content)["lists"][0]
    [line] = [line for line in lines if "甬市监信〔2026〕7号" in line]  # the list entry keeps its number ...
    assert line.startswith(f"1．{listed['decision_date']}") and "提交虚假" in line  # ... and the start of its reason


def test_the_lists_in_force_come_first_with_their_basis_and_way_out(acme, big, agent):
    report = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    [membership] = report.content["overview"]["lists"]
    list_type = ListType.objects.get(code="serious_dishonesty")
    assert membership["list_kind"] == "black" and membership["list_name"] == list_type.name
    assert membership["basis"] == "《市场监督管理严重违法失信名单管理办法》第十条"
    assert membership["exit_conditions"] == list_type.exit_conditions and membership["exit_conditions"]
    assert membership["record_id"] in {r["record_id"] for r in _details(report.content)["lists"]}
    html = report_html(report)
    assert html.index('data-list="serious_dishonesty"') < html.index("三、信用信息明细")
    assert list_type.exit_conditions in html


def test_a_list_entry_of_a_record_the_viewer_may_not_see_is_not_named(acme, source_unit, agent):
    _listed(acme, source_unit, listed=clock.today() - timedelta(days=40))
    factories.repair_mark(acme.records.get())  # repaired: no longer on the list, nor public
    report = report_issue(subject=acme, kind="organization", viewer=Viewer(label="anonymous"), purpose="public")
    assert report.content["overview"]["lists"] == []
    assert "data-no-lists" in report_html(report)


def test_reading_a_subject_costs_the_same_queries_for_3_records_as_for_300(acme, big, agent, source_unit):
    small = factories.organization_create(name="宁波市海曙区三条记录有限公司")
    _records_load(small, source_unit, penalties=2, licences=1)
    small_agent = Viewer(label="agent:small", role=agent.role, user_id=agent.user_id, subject_id=small.pk)
    ledger_integrate()  # the log is up to date before each issue (the task did it): both integrate nothing,
    checkpoint_ensure()  # and a signed checkpoint covers every record: neither signs one
    with CaptureQueriesContext(connection) as few:
        report_issue(subject=small, kind="organization", viewer=small_agent, purpose="self")
    ledger_integrate()
    with CaptureQueriesContext(connection) as many:
        report = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    assert len(_details(report.content)["penalties"]) == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many]


def test_a_big_report_verifies_as_json_pdf_online_and_with_the_command(acme, big, agent, tmp_path: Path):
    report = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    data = envelope_bytes(report)
    assert document_verify(data).valid
    pdf = report_pdf(report)
    assert pdf_attachments(pdf) == [data]
    result = document_verify(pdf)
    assert result.valid and result.content_hash == report.content_hash
    assert report_verification(report_by_number(report.number)).is_valid
    for name, body in (("report.json", data), ("report.pdf", pdf)):
        path = tmp_path / name
        path.write_bytes(body)
        out = StringIO()
        call_command("report", "verify", str(path), stdout=out)
        assert report.number in out.getvalue()


def test_a_long_list_prints_its_latest_entries_and_says_where_the_others_are(acme, source_unit, agent):
    today = clock.today()
    ids = {_listed(acme, source_unit, listed=today - timedelta(days=10 + i)) for i in range(12)}
    report = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    memberships = report.content["overview"]["lists"]
    assert {m["record_id"] for m in memberships} == ids  # the signed content names every one
    assert [m["start_date"] for m in memberships] == sorted((m["start_date"] for m in memberships), reverse=True)
    html = report_html(report)
    block = html[html.index('data-list="serious_dishonesty"'):html.index("三、信用信息明细")]
    assert block.count("列入日期 ") == 10 and "另有 2 项在列" in block
    assert (today - timedelta(days=10)).isoformat() in block and (today - timedelta(days=21)).isoformat() not in block
