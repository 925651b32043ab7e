"""The credit brain (decisions 072, 073): association events as alert triggers (a related subject newly listed, a
controller change of a listed firm), the dashboards from maintained statistics (staff page, public home section,
CSV), and a subject's relation graph with natural persons shown only to those entitled."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongxin.access.models import Inquiry
from gongxin.catalog.models import SourceUnit
from gongxin.core.events import RECORD_CREATED, RELATION_ADDED
from gongxin.core.models import OutboxEvent
from gongxin.core.outbox import event_emit, outbox_dispatch
from gongxin.monitoring.choices import AlertKind
from gongxin.monitoring.dashboards import PUBLIC_KEYS, dashboard_read, dashboards_refresh
from gongxin.monitoring.models import Alert, DashboardFigure
from gongxin.monitoring.services import association_alerts_raise, risk_run
from gongxin.monitoring.tests.conftest import TODAY, handmade_scorecard, penalty, viewer
from gongxin.records.models import Record
from gongxin.subjects.models import Relation, Subject
from gongxin.testing import factories
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

PERSON_NAME = "张关联"


def judgment_debtor_create(*, subject: Subject, source_unit: SourceUnit, listed: date | None = None) -> Record:
    """A record of the court's list of dishonest judgment debtors (a black list) about ``subject``."""
    listed = listed or TODAY - timedelta(days=30)
    part = ({"subject_name": subject.name, "subject_category": "organization", "uscc": subject.organization.uscc}
            if subject.kind == "organization" else {"subject_name": subject.name, "subject_category": "person"})
    payload = {**part, "case_number": f"（2026）浙0203执{subject.pk}号", "court": "宁波市海曙区人民法院",
               "obligation": "支付货款人民币十万元",
               "dishonesty_circumstances": "有履行能力而拒不履行生效法律文书确定义务",
               "listing_date": listed.isoformat()}
    return factories.record_create(subject=subject, source_unit=source_unit,
                                   item=factories.seeded_item("judgment_debtor"), payload=payload)


@pytest.fixture
def web(acme: Subject, policies: None) -> dict[str, Subject]:
    """A person who represents acme and a sister firm; a holding firm with 60 % of acme."""
    person = factories.person_create(name=PERSON_NAME)
    sister = factories.organization_create(name="宁波市海曙区姐妹贸易有限公司")
    holder = factories.organization_create(name="宁波市控股投资有限公司")
    Relation.objects.create(from_subject=person, to_subject=acme, kind="legal_representative")
    Relation.objects.create(from_subject=person, to_subject=sister, kind="legal_representative")
    Relation.objects.create(from_subject=holder, to_subject=acme, kind="shareholder", share_ratio=Decimal("0.6"))
    return {"acme": acme, "person": person, "sister": sister, "holder": holder}


def test_a_related_subject_newly_listed_alerts_its_related_organizations(web, unit) -> None:
    record = judgment_debtor_create(subject=web["acme"], source_unit=unit, listed=TODAY - timedelta(days=3))
    events = list(OutboxEvent.objects.filter(topic=RECORD_CREATED, aggregate_id=record.pk))
    assert association_alerts_raise(events=events) == 2
    alerts = {a.subject_id: a for a in Alert.objects.filter(kind=AlertKind.RELATED_LISTED)}
    assert set(alerts) == {web["sister"].pk, web["holder"].pk}  # organizations only: the person gets none
    sister = alerts[web["sister"].pk]
    assert sister.cause == "related_listed" and sister.detail["listed_subject"] == web["acme"].pk
    assert [(h["subject_id"], h["kind"]) for h in sister.detail["path"]] == [
        (web["person"].pk, "legal_representative"), (web["sister"].pk, "legal_representative")]
    assert association_alerts_raise(events=events) == 0  # idempotent
    assert Alert.objects.filter(kind=AlertKind.RELATED_LISTED).count() == 2


def test_a_controller_change_of_a_listed_firm_alerts_it_once_while_open(web, unit) -> None:
    judgment_debtor_create(subject=web["acme"], source_unit=unit)
    newcomer = factories.organization_create(name="宁波市新控股有限公司")
    relation = Relation.objects.create(from_subject=newcomer, to_subject=web["acme"], kind="shareholder",
                                       share_ratio=Decimal("0.3"))
    with transaction.atomic():
        for kind in ("shareholder", "branch"):
            event_emit(topic=RELATION_ADDED, aggregate_type="subject", aggregate_id=newcomer.pk,
                       subject_id=newcomer.pk, payload={"relation_id": relation.pk, "kind": kind,
                                                        "to_subject_id": web["acme"].pk, "actor": "tests"})
    events = list(OutboxEvent.objects.filter(topic=RELATION_ADDED))
    assert association_alerts_raise(events=events) == 1  # a branch is no change of control
    alert = Alert.objects.get(kind=AlertKind.CONTROLLER_CHANGED)
    assert (alert.subject_id, alert.cause, alert.detail["relation_kind"]) == (web["acme"].pk, "controller_changed",
                                                                              "shareholder")
    with transaction.atomic():
        event_emit(topic=RELATION_ADDED, aggregate_type="subject", aggregate_id=newcomer.pk,
                   subject_id=newcomer.pk, payload={"relation_id": relation.pk, "kind": "actual_controller",
                                                    "to_subject_id": web["acme"].pk, "actor": "tests"})
    later = list(OutboxEvent.objects.filter(topic=RELATION_ADDED).order_by("-pk")[:1])
    assert association_alerts_raise(events=later) == 0  # one open alert per subject and cause: renewed
    alert.refresh_from_db()
    assert alert.detail["renewed"] == 1 and alert.detail["occurrences"][0]["relation_kind"] == "actual_controller"
    assert association_alerts_raise(events=later) == 0 and alert.detail["renewed"] == 1


def test_dashboards_are_counted_once_and_read_without_counting(acme, unit, staff) -> None:
    handmade_scorecard()
    penalty(acme, unit, TODAY - timedelta(days=30))
    risk_run(actor=viewer(staff))
    stored = dashboards_refresh()
    assert stored["records"] >= 1
    records = sum(f.value for f in DashboardFigure.objects.filter(series="records"))
    assert records == Record.objects.filter(current_version__decision_date__gte=TODAY.replace(day=1) - timedelta(
        days=340)).count()
    with CaptureQueriesContext(connection) as queries:
        dashboard = dashboard_read(public=False)
    assert len(queries) <= 6  # the stored rows and a few names; no table of the store is counted
    assert not any("records_record" in q["sql"] for q in queries)
    names = {c.name for c in dashboard.charts}
    assert {"records_by_month", "alerts_by_district", "alerts_by_domain", "objections_by_month"} <= names
    html = signed_in(staff).get("/monitoring/dashboards/").content.decode()
    assert 'data-chart-name="records_by_month"' in html and "vendor/chart.js/chart.umd.min.js" in html
    csv = signed_in(staff).get("/monitoring/dashboards/alerts_open.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "district:" in csv.content.decode("utf-8-sig")


def test_the_public_section_shows_public_series_only_and_no_person(web, unit, staff) -> None:
    judgment_debtor_create(subject=web["person"], source_unit=unit)
    outbox_dispatch()
    dashboards_refresh()
    public = dashboard_read(public=True)
    assert public.charts and {c.series for c in public.charts} <= PUBLIC_KEYS
    home = Client().get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "data-brain-public" in home and PERSON_NAME not in home
    assert Client().get("/monitoring/public/loans.csv").status_code == 200
    assert Client().get("/monitoring/public/alerts_open.csv").status_code == 404
    assert Client().get("/monitoring/dashboards/").status_code == 302  # staff only


def test_relation_graph_names_persons_only_for_the_office(web, staff, auditor, outsider) -> None:
    path = f"/monitoring/subjects/{web['acme'].pk}/relations/"
    html = signed_in(staff).get(path).content.decode()
    assert "data-relation-graph" in html and "<svg" in html and "data-relations-table" in html
    assert PERSON_NAME in html and web["sister"].name in html and web["holder"].name in html
    assert "60.00 %" in html
    assert Inquiry.objects.filter(subject=web["acme"], reason="monitoring: relation graph").exists()
    # Auditors are of the office: persons by name, as on the association pages; their look is logged as an audit.
    seen = signed_in(auditor).get(path).content.decode()
    assert PERSON_NAME in seen and web["sister"].name in seen
    assert Inquiry.objects.filter(subject=web["acme"], purpose="audit", reason="monitoring: relation graph").exists()
    assert signed_in(auditor).get(f"/monitoring/subjects/{web['person'].pk}/relations/").status_code == 200
    assert signed_in(outsider).get(path).status_code == 403
    one = signed_in(staff).get(path + "?depth=1").content.decode()
    assert web["sister"].name not in one and PERSON_NAME in one
