"""The scoring API and pages, with personas."""

from __future__ import annotations

import pytest
from django.test import Client

from gongxin.accounts.models import User
from gongxin.accounts.viewer import SYSTEM
from gongxin.scoring.services import scores_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scoring_models")]


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def staff_user(db: None) -> User:
    return User.objects.create_user(username="staff", password="x", role="staff")


@pytest.fixture
def person_user(person) -> User:
    return User.objects.create_user(username="zhang", password="x", role="person", subject=person)


def test_subject_endpoint_explains_for_the_subject_and_hides_from_others(person, person_user, staff_user):
    scores_run(actor=SYSTEM)

    own = _client(person_user).get(f"/api/v1/scoring/subjects/{person.pk}")
    other = _client(None).get(f"/api/v1/scoring/subjects/{person.pk}")

    assert own.status_code == 200
    body = own.json()
    assert (body["score"], body["grade"], body["stored_score"]) == (850, "AA", 850)
    assert [d["code"] for d in body["dimensions"]] == ["basic", "performance", "law", "economic", "social"]
    assert other.status_code == 401


def test_supervision_sample_endpoint_is_reproducible(staff_user, organization):
    scores_run(actor=SYSTEM)
    client = _client(staff_user)

    first = client.get("/api/v1/scoring/supervision/market_regulation/sample?seed=abc").json()
    again = client.get("/api/v1/scoring/supervision/market_regulation/sample?seed=abc").json()

    assert first == again
    assert {c["class_code"]: c["population"] for c in first["classes"]}["B"] == 1


def test_partner_translation_is_public():
    response = _client(None).get("/api/v1/scoring/partners/hangzhou_qianjiang/translate?score=720")

    assert response.status_code == 200
    assert response.json()["local_level"] == "AA"
    assert _client(None).get("/api/v1/scoring/partners/nowhere/translate?score=1").json()["code"] == \
        "scoring.unknown_partner"


def test_staff_pages_render_distributions_and_simulation(staff_user, organization, person):
    scores_run(actor=SYSTEM)
    client = _client(staff_user)

    overview = client.get("/scoring/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    model_id = organization.score.model_id
    model = client.get(f"/scoring/models/{model_id}/?simulate=1")

    assert overview.status_code == 200 and "bar-row" in overview.content.decode()
    assert "等级分布" in overview.content.decode() or "信用评价" in overview.content.decode()
    assert model.status_code == 200 and "行政监管" in model.content.decode()


def test_subject_page_shows_the_panel_only_to_those_allowed(person, person_user):
    scores_run(actor=SYSTEM)

    own = _client(person_user).get("/scoring/me/", follow=True)
    outsider = _client(User.objects.create_user(username="x", password="x", role="public")).get(
        f"/scoring/subjects/{person.pk}/")

    assert "score-panel" in own.content.decode() and "850" in own.content.decode()
    assert "score-panel" not in outsider.content.decode()
    assert _client(None).get("/scoring/partners/").status_code == 200


def test_admin_pages_render_and_active_models_are_frozen(organization):
    scores_run(actor=SYSTEM)
    admin_user = User.objects.create_superuser(username="root", password="x")
    client = _client(admin_user)
    from gongxin.scoring.models import ScoringModel

    active = ScoringModel.objects.get(code="org.zj")
    for path in ("/admin/scoring/scoringmodel/", "/admin/scoring/subjectscore/", "/admin/scoring/indicator/",
                 f"/admin/scoring/scoringmodel/{active.pk}/change/"):
        assert client.get(path).status_code == 200, path
    response = client.post(f"/admin/scoring/scoringmodel/{active.pk}/change/", {"name": "x"})
    assert response.status_code == 403
