"""Provenance made visible (issue #19, decision 077): a package received from the nation lands as the issuing body's
records and registers the subject it names; the credit office then reads, on its pages and in the record API, which
node and which package brought them — a version's actor in words, never the stored ``exchange:…`` label — while the
public reads the issuing body as the source unit and nothing of nodes or packages."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from gongxin.accounts.actors import actor_shown
from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.accounts.viewer import ANONYMOUS, viewer_for_user
from gongxin.core import clock
from gongxin.exchange.keys import NodeIdentity
from gongxin.exchange.models import ExchangedSubject, Package
from gongxin.exchange.packages import package_build
from gongxin.exchange.selectors_provenance import records_exchanged, subjects_exchanged
from gongxin.exchange.services import package_receive, provenance_label
from gongxin.exchange.tests.kit import recipient
from gongxin.records.models import Record
from gongxin.records.services import record_submit
from gongxin.subjects.models import Subject
from gongxin.testing.payloads import item, payload_for, penalty_payload
from gongxin.testing.personas import signed_in, user_create
from gongxin.testing.records import market_operator, market_unit  # noqa: F401 (fixtures)
from gongxin.testing.subjects import organization_create, uscc_new

COURT = {"code": "11100000000013127F", "name": "最高人民法院"}
TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)


def _debtor(uscc: str, name: str) -> dict[str, Any]:
    listed = (clock.today() - timedelta(days=10)).isoformat()
    return {"op": "new", "source_record_id": f"SXBZXR-{uscc}", "issuer": COURT,
            "fields": {"subject_name": name, "subject_category": "organization", "uscc": uscc,
                       "case_number": f"（2026）浙0203执{uscc[-4:]}号", "court": "宁波市海曙区人民法院",
                       "obligation": "支付货款人民币十万元", "dishonesty_circumstances": "有履行能力而拒不履行",
                       "listing_date": listed}}


def _text(html: str) -> str:
    return TAGS.sub(" ", html)


@pytest.fixture
def received(seeded: None, city: NodeIdentity, nation: NodeIdentity) -> dict[str, Any]:
    """A national judgment-debtor package naming a firm unknown here, received and applied."""
    uscc, guid = uscc_new(), uuid.uuid4()
    data = package_build(receiver=recipient(city), sender=nation, item_code="judgment_debtor", mode="incremental",
                         sequence=1, records=[_debtor(uscc, "宁波交换来源贸易有限公司")], guid=guid)
    receipt = package_receive(data=data, via="file")
    assert receipt.status == "applied", receipt.document
    record = Record.objects.select_related("current_version").get(source_record_id=f"SXBZXR-{uscc}")
    subject = Subject.objects.get(organization__uscc=uscc)
    return {"uscc": uscc, "guid": guid, "record": record, "subject": subject,
            "label": provenance_label(sender="100000", guid=guid),
            "package": Package.objects.get(guid=guid, direction="received")}


@pytest.fixture
def office() -> Client:
    return signed_in(user_create("credit-wang", role=Role.STAFF))


def test_the_actor_label_is_named_by_node_and_package_for_the_office_only(received: dict[str, Any]) -> None:
    label, short = received["label"], str(received["guid"])[:8]
    assert received["record"].current_version.actor_label == label
    staff = viewer_for_user(User.objects.create_user(username="credit-li", password="x", role=Role.STAFF))
    with translation.override("zh-hans"):
        assert actor_shown(label=label, viewer=staff) == f"数据交换：全国信用信息共享平台（100000），数据包 {short}"
        assert actor_shown(label=label, viewer=ANONYMOUS) == "平台"
    with translation.override("en"):
        assert actor_shown(label=label, viewer=staff) == (
            f"Data exchange: 全国信用信息共享平台 (100000), package {short}")
        assert actor_shown(label=label, viewer=ANONYMOUS) == "the platform"
    # A node no longer registered is named by its code; a label of another shape is left to accounts.
    with translation.override("en"):
        assert actor_shown(label=f"exchange:330000:{received['guid']}", viewer=staff) == (
            f"Data exchange: 330000, package {short}")
        assert actor_shown(label="system", viewer=staff) == "the platform"


def test_the_selectors_read_records_and_subjects_back(received: dict[str, Any], market_unit, market_operator,  # noqa: F811
                                                     django_assert_num_queries: Any) -> None:
    record, subject, package = received["record"], received["subject"], received["package"]
    local = record_submit(source_unit=market_unit, item=item("penalty"), source_record_id="CF-LOCAL-1",
                          subject=organization_create(), payload=payload_for(item("penalty")),
                          actor=market_operator).record
    with django_assert_num_queries(3):  # first versions, peers' names, packages: whatever the number of records
        found = records_exchanged([record.pk, local.pk])
    assert set(found) == {record.pk}
    origin = found[record.pk]
    assert (origin.via, origin.node, origin.node_name, origin.package) == (
        "exchange", "100000", "全国信用信息共享平台", str(received["guid"]))
    assert origin.at == package.received_at and origin.audit_url == "/exchange/audit/"
    with django_assert_num_queries(2):
        marks = subjects_exchanged([subject.pk, local.subject_id])
    assert set(marks) == {subject.pk}
    assert marks[subject.pk].at == ExchangedSubject.objects.get(subject=subject).registered_at


def test_the_record_api_carries_provenance_for_staff_and_null_for_the_public(
        received: dict[str, Any], office: Client) -> None:
    record_id, uscc, guid = received["record"].pk, received["uscc"], str(received["guid"])
    body = office.get(f"/api/v1/records/{record_id}", {"purpose": "staff"}).json()
    assert body["provenance"]["via"] == "exchange" and body["provenance"]["node"] == "100000"
    assert body["provenance"]["package"] == guid and body["provenance"]["node_name"] == "全国信用信息共享平台"
    assert body["provenance"]["received_at"]
    assert body["source_unit_name"] == "最高人民法院"  # the issuing body, for everyone

    listing = office.get("/api/v1/records", {"subject": uscc, "purpose": "staff"}).json()
    assert listing["exchanged_from"]["node"] == "100000" and listing["exchanged_from"]["package"] == guid
    assert listing["exchanged_from"]["at"]
    assert [r["provenance"]["package"] for r in listing["records"]] == [guid]

    with translation.override("zh-hans"):
        versions = office.get(f"/api/v1/records/{record_id}/versions", {"purpose": "staff"},
                              HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert versions[0]["actor"].startswith("数据交换：全国信用信息共享平台（100000）")

    public = Client()
    body = public.get(f"/api/v1/records/{record_id}").json()
    assert body["provenance"] is None and body["source_unit_name"] == "最高人民法院"
    listing = public.get("/api/v1/records", {"subject": uscc}).json()
    assert listing["exchanged_from"] is None and listing["records"][0]["provenance"] is None
    versions = public.get(f"/api/v1/records/{record_id}/versions", {"purpose": "public"}).json()
    assert guid[:8] not in str(versions) and "exchange" not in str(versions).lower()


def test_the_offices_pages_show_where_the_record_and_the_subject_came_from(
        received: dict[str, Any], office: Client) -> None:
    record, subject, guid = received["record"], received["subject"], str(received["guid"])
    page = office.get(f"/office/records/{record.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    text = _text(html)
    assert 'data-provenance="exchange"' in html and guid in html and 'href="/exchange/audit/"' in html
    assert "从全国信用信息共享平台（100000）经数据交换接收" in text
    assert f"数据交换：全国信用信息共享平台（100000），数据包 {guid[:8]}" in text  # the version's actor
    assert "exchange:" not in text and "最高人民法院" in text

    page = office.get(f"/office/subjects/{subject.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-exchanged" in html and guid in html
    assert "Registered from a data exchange package (全国信用信息共享平台 (100000)," in _text(html)
    assert f'href="/office/records/{record.pk}/"' in html and "Data exchange from" in _text(html)


def test_the_public_page_names_the_issuing_body_and_nothing_of_packages(
        received: dict[str, Any], office: Client) -> None:
    guid = str(received["guid"])
    html = Client().get(f"/org/{received['uscc']}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert received["subject"].name in html
    assert guid not in html and guid[:8] not in html and "数据交换" not in html and "100000" not in html
    assert "data-office-link" not in html
    # The office, on the same public page, is led to its own page of the subject.
    html = office.get(f"/org/{received['uscc']}/").content.decode()
    assert f'href="/office/subjects/{received["subject"].pk}/"' in html


def test_the_offices_pages_are_the_offices(received: dict[str, Any]) -> None:
    record, subject = received["record"], received["subject"]
    anonymous = Client().get(f"/office/records/{record.pk}/")
    assert anonymous.status_code == 302
    operator = signed_in(user_create("unit-zhao", role=Role.OPERATOR))
    assert operator.get(f"/office/records/{record.pk}/").status_code == 403
    assert operator.get(f"/office/subjects/{subject.pk}/").status_code == 403
    auditor = signed_in(user_create("credit-audit", role=Role.AUDITOR))
    page = auditor.get(f"/office/records/{record.pk}/")
    assert page.status_code == 200 and str(received["guid"]) in page.content.decode()
    assert signed_in(user_create("credit-zhou", role=Role.STAFF)).get("/office/records/987654321/").status_code == 404


def test_an_upward_record_names_the_district(seeded: None, city: NodeIdentity, district: NodeIdentity,
                                             office: Client) -> None:
    fields = penalty_payload(decision_number="海市监罚〔2026〕77号")
    record = {"op": "new", "source_record_id": "HS-XZCF-77",
              "issuer": {"code": "11330203MB1234567X", "name": "宁波市海曙区市场监督管理局"}, "fields": fields}
    guid = uuid.uuid4()
    data = package_build(receiver=recipient(city), sender=district, item_code="penalty", mode="incremental",
                         sequence=1, records=[record], guid=guid)
    assert package_receive(data=data, via="service").status == "applied"
    found = Record.objects.get(source_record_id="HS-XZCF-77")
    body = office.get(f"/api/v1/records/{found.pk}", {"purpose": "staff"}).json()
    assert (body["provenance"]["node"], body["provenance"]["node_name"]) == ("330203", "海曙区")
    text = _text(office.get(f"/office/records/{found.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Received by data exchange from 海曙区 (330203)" in text
