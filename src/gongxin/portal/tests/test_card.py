"""The credit card (企业信用名片) and its credit code (QR): current status, lists, counts; persons never."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from gongxin.accounts.viewer import SYSTEM
from gongxin.core import clock
from gongxin.portal.selectors import organization_card
from gongxin.portal.tests import publicity_factories as pf
from gongxin.scoring.choices import ModelStatus
from gongxin.scoring.models import GradeBand, ScoringModel, SubjectScore
from gongxin.scoring.services import scores_run
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _card(client, subject) -> str:
    response = client.get(reverse("portal:card", args=[subject.organization.uscc]))
    assert response.status_code == 200
    return response.content.decode()


def _count(html: str, key: str) -> int:
    match = re.search(rf'data-count="{key}"><strong>(\d+)</strong>', html)
    assert match, key
    return int(match.group(1))


def test_urls():
    assert reverse("portal:card", args=["91330200MA2H1234X0"]) == "/card/91330200MA2H1234X0/"
    assert reverse("portal:card_qr_svg", args=["91330200MA2H1234X0"]) == "/card/91330200MA2H1234X0/qr.svg"
    assert reverse("portal:card_qr_png", args=["91330200MA2H1234X0"]) == "/card/91330200MA2H1234X0/qr.png"


def test_shows_name_code_status_and_an_empty_grade(client, acme):
    html = _card(client, acme)
    assert acme.name in html
    assert f"data-uscc>{acme.organization.uscc}<" in html
    assert 'data-status="active"' in html and "存续" in html
    assert "data-grade>—<" in html and "暂未评价" in html  # no scoring yet
    assert "data-lists-empty" in html
    for key in ("licences", "penalties", "honours", "commitments"):
        assert _count(html, key) == 0
    assert "data-as-of" in html


def test_shows_the_grade_of_a_scored_organization_under_the_active_model(client, acme):
    scores_run(actor=SYSTEM, subject_ids=[acme.pk])
    score = SubjectScore.objects.get(subject=acme)
    band = GradeBand.objects.get(model_id=score.model_id, code=score.grade)
    html = _card(client, acme)
    assert f'data-grade="{band.code}">{band.name}<' in html  # the band, as the public sees it
    assert str(score.score) not in re.sub(r"<[^>]+>", " ", html).split()  # never the score
    assert "Not evaluated yet" not in html and "暂未评价" not in html
    assert organization_card(uscc=acme.organization.uscc).grade.code == band.code


def test_a_score_left_by_a_model_no_longer_active_is_not_shown_and_the_card_says_not_public(client, acme):
    scores_run(actor=SYSTEM, subject_ids=[acme.pk])
    ScoringModel.objects.filter(status=ModelStatus.ACTIVE, subject_kind="organization").update(
        status=ModelStatus.RETIRED)
    card = organization_card(uscc=acme.organization.uscc)
    assert card.grade is None and card.evaluated is True
    html = _card(client, acme)
    # Evaluated, but no grade the policy makes public: "不公开", never "暂未评价" (not evaluated yet).
    assert 'data-grade="not-public">不公开<' in html and "暂未评价" not in html


def test_counts_public_records_by_kind(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit)
    factories.penalty_create(subject=acme, source_unit=source_unit)
    factories.repair_mark(factories.penalty_create(subject=acme, source_unit=source_unit))  # not public
    factories.penalty_create(subject=acme, source_unit=source_unit,
                             decided=clock.today() - timedelta(days=4 * 365))  # publicity over
    factories.licence_create(subject=acme, source_unit=source_unit)
    factories.honour_create(subject=acme, source_unit=source_unit)
    pf.commitment_of(subject=acme, source_unit=source_unit)
    factories.penalty_create(subject=acme, source_unit=source_unit, item=factories.internal_item_create())

    html = _card(client, acme)

    assert _count(html, "penalties") == 2
    assert _count(html, "licences") == 1
    assert _count(html, "honours") == 1
    assert _count(html, "commitments") == 1
    assert "data-updated-at" in html


def test_shows_the_red_and_black_lists_it_is_on_now(client, acme, source_unit):
    factories.honour_create(subject=acme, source_unit=source_unit)  # honours are entries of the red list
    pf.serious_dishonesty_of(subject=acme, source_unit=source_unit)

    html = _card(client, acme)

    assert 'data-list="red_list" data-list-kind="red"' in html
    assert 'data-list="serious_dishonesty" data-list-kind="black"' in html
    assert "严重失信主体名单" in html
    assert "data-lists-empty" not in html


def test_a_repaired_list_entry_is_not_shown(client, acme, source_unit):
    factories.repair_mark(pf.serious_dishonesty_of(subject=acme, source_unit=source_unit))
    html = _card(client, acme)
    assert 'data-list="serious_dishonesty"' not in html
    assert "data-lists-empty" in html


def test_another_organizations_records_do_not_count(client, acme, source_unit):
    other = factories.organization_create(name="宁波其他公司")
    factories.penalty_create(subject=other, source_unit=source_unit)
    pf.serious_dishonesty_of(subject=other, source_unit=source_unit)
    card = organization_card(uscc=acme.organization.uscc)
    assert card.counts["penalties"] == 0 and card.lists == []


def test_the_qr_code_points_to_the_cards_own_absolute_url(client, acme):
    html = _card(client, acme)
    url = f"http://testserver/card/{acme.organization.uscc}/"
    assert f"data-card-url>{url}<" in html
    assert re.search(r'data-qr><svg [^>]*class="qr"><title>' + re.escape(url) + "</title>", html)
    assert f'href="/card/{acme.organization.uscc}/qr.png"' in html


@override_settings(GONGXIN_PUBLIC_URL="https://credit.example.gov.cn/")
def test_a_configured_public_url_wins_over_the_request_host(client, acme):
    assert f"data-card-url>https://credit.example.gov.cn/card/{acme.organization.uscc}/<" in _card(client, acme)


def test_qr_files_for_printing(client, acme):
    uscc = acme.organization.uscc
    svg = client.get(reverse("portal:card_qr_svg", args=[uscc]))
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml") and b"<svg" in svg.content
    assert f"http://testserver/card/{uscc}/".encode() in svg.content
    png = client.get(reverse("portal:card_qr_png", args=[uscc]))
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_lower_case_code_finds_the_card_and_the_qr_carries_the_canonical_url(client, acme):
    uscc = acme.organization.uscc
    response = client.get(f"/card/{uscc.lower()}/")
    assert response.status_code == 200
    assert f"data-card-url>http://testserver/card/{uscc}/<" in response.content.decode()


def test_persons_unknown_and_malformed_codes_are_not_found(client, source_unit):
    person = factories.person_create(name="周八")
    factories.penalty_create(subject=person, source_unit=source_unit)
    unknown = factories.uscc_new()
    for path in (f"/card/{unknown}/", f"/card/{unknown}/qr.svg", f"/card/{unknown}/qr.png",
                 "/card/not-a-code/", "/card/330203199001010012/", "/card/330203199001010012/qr.png"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "周八" not in response.content.decode()
