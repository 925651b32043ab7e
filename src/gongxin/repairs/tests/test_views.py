"""The repair pages: the application form with its eligibility, my repairs, the workbench and the decision."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongxin.records.models import Record
from gongxin.repairs.models import RepairApplication
from gongxin.repairs.services import repair_apply
from gongxin.repairs.tests.conftest import apply_kwargs, as_viewer, at
from gongxin.testing import factories
from gongxin.testing.personas import signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def test_the_form_explains_eligibility_and_files_the_application(penalty, agent):
    own = signed_in(agent)
    url = reverse("repairs:apply") + f"?record={penalty.pk}"
    page = own.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-eligible="true"' in html
    assert 'data-condition="min_publicity" data-met="true"' in html
    assert "郑重承诺" in html
    response = own.post(url, {
        "record": penalty.pk, "statement": "罚款已缴清。", "commitment_accepted": "on", "commitment_signer": "王五",
        "evidence": [SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf")],
    })
    application = RepairApplication.objects.get(record=penalty)
    assert response.status_code == 302 and response.url == reverse("repairs:detail", args=[application.pk])
    detail = own.get(response.url).content.decode()
    assert 'data-status="forwarded"' in detail and "2026-10-10" in detail and "receipt.pdf" in detail
    mine = own.get(reverse("repairs:mine")).content.decode()
    assert f'data-repair="{application.pk}"' in mine
    evidence = application.evidence.get()
    download = own.get(reverse("repairs:evidence", args=[application.pk, evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_form_refuses_without_the_commitment(penalty, agent):
    own = signed_in(agent)
    url = reverse("repairs:apply") + f"?record={penalty.pk}"
    response = own.post(url, {"record": penalty.pk, "statement": "已整改。", "commitment_signer": "王五"})
    assert response.status_code == 400
    assert not RepairApplication.objects.exists()


def test_other_subjects_records_and_anonymous_visitors(penalty, other_agent):
    assert signed_in(other_agent).get(reverse("repairs:apply") + f"?record={penalty.pk}").status_code == 404
    response = Client().get(reverse("repairs:apply") + f"?record={penalty.pk}")
    assert response.status_code == 302 and "login" in response.url


def test_the_workbench_puts_overdue_first_and_the_operator_decides(acme, unit, penalty, agent, operator, staff):
    first = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    second_record = factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 5, 2))
    with at(date(2026, 10, 9)):  # due 10-14: not overdue on 10-12
        second = repair_apply(record=second_record, actor=as_viewer(agent), **apply_kwargs())
    desk = signed_in(operator)
    with at(date(2026, 10, 12)):
        html = desk.get(reverse("repairs:workbench")).content.decode()
        assert html.index(f'data-repair="{first.pk}"') < html.index(f'data-repair="{second.pk}"')
        assert f'data-repair="{first.pk}" class="overdue" data-overdue' in html
        assert f'data-repair="{second.pk}" class="overdue"' not in html
        only_overdue = desk.get(reverse("repairs:workbench"), {"overdue": "on"}).content.decode()
        assert f'data-repair="{second.pk}"' not in only_overdue
        assert f'data-repair="{first.pk}"' in only_overdue
        staff_view = signed_in(staff).get(reverse("repairs:decide", args=[first.pk])).content.decode()
        assert "data-decision-form" not in staff_view  # the credit office oversees; the unit decides

        page = desk.get(reverse("repairs:decide", args=[first.pk]))
        assert "data-decision-form" in page.content.decode()
        response = desk.post(reverse("repairs:decide", args=[first.pk]),
                             {"outcome": "approve", "obligations_confirmed": "on", "note": "已核实"})
        assert response.status_code == 302
    assert Record.objects.get(pk=penalty.pk).current_version.repaired is True
    rejected = desk.post(reverse("repairs:decide", args=[second.pk]), {"outcome": "reject", "note": ""})
    assert rejected.status_code == 400
    desk.post(reverse("repairs:decide", args=[second.pk]),
              {"outcome": "reject", "reasons": ["not_corrected"], "note": "尚未整改"})
    second.refresh_from_db()
    assert second.status == "rejected"


def test_the_public_and_subjects_have_no_workbench(agent):
    assert signed_in(agent).get(reverse("repairs:workbench")).status_code == 403


def test_staff_filter_the_workbench_by_source_unit(acme, unit, other_unit, penalty, agent, staff):
    ours = repair_apply(record=penalty, actor=as_viewer(agent), **apply_kwargs())
    theirs_record = factories.penalty_create(subject=acme, source_unit=other_unit, decided=date(2026, 5, 1))
    theirs = repair_apply(record=theirs_record, actor=as_viewer(agent), **apply_kwargs())
    desk = signed_in(staff)
    everything = desk.get(reverse("repairs:workbench")).content.decode()
    assert f'data-repair="{ours.pk}"' in everything and f'data-repair="{theirs.pk}"' in everything
    filtered = desk.get(reverse("repairs:workbench"), {"unit": other_unit.pk}).content.decode()
    assert f'data-repair="{ours.pk}"' not in filtered and f'data-repair="{theirs.pk}"' in filtered


def test_the_workbench_and_the_list_do_not_grow_queries_with_the_queue(acme, unit, agent, operator, settings):
    # The queue's own queries: the session's rate-limit window (core.throttle) opens with an INSERT on a
    # window's first call and is counted by an UPDATE after, which would differ between the two counts.
    settings.GONGXIN_THROTTLE_RATES = {"api.session": "0/60"}

    def queries(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    desk = signed_in(operator)
    record = factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 5, 1))
    repair_apply(record=record, actor=as_viewer(agent), **apply_kwargs())
    one = (queries(desk, reverse("repairs:workbench")), queries(desk, "/api/v1/repairs"))
    for day in range(2, 8):
        record = factories.penalty_create(subject=acme, source_unit=unit, decided=date(2026, 5, day))
        repair_apply(record=record, actor=as_viewer(agent), **apply_kwargs())
    seven = (queries(desk, reverse("repairs:workbench")), queries(desk, "/api/v1/repairs"))
    assert seven == one
