"""The scoring API and pages, with personas."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gongxin.accounts.models import User
from gongxin.accounts.viewer import SYSTEM
from gongxin.scoring.services import scores_run
from gongxin.subjects.models import Subject

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scoring_models")]


def _without_tokens(content: bytes) -> str:
    """A page without its CSRF tokens (each response masks the token anew) and ids in its own path (the
    language switch returns to it)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content.decode())
    return re.sub(r"/subjects/\d+/", "/subjects/ID/", text)


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_user(username="staff", password="x", role="staff")


@pytest.fixture
def person_user(person) -> User:
    return User.objects.create_user(username="zhang", password="x", role="person", subject=person)


def test_subject_endpoint_explains_for_the_subject_and_hides_from_others(person, person_user, staff):
    scores_run(actor=SYSTEM)

    own = _client(person_user).get(f"/api/v1/scoring/subjects/{person.pk}")
    other = _client(None).get(f"/api/v1/scoring/subjects/{person.pk}")

    assert own.status_code == 200
    body = own.json()
    assert (body["score"], body["grade"], body["stored_score"]) == (850, "AA", 850)
    assert [d["code"] for d in body["dimensions"]] == ["basic", "performance", "law", "economic", "social"]
    assert other.status_code == 401


def test_supervision_sample_endpoint_is_reproducible(staff, organization):
    scores_run(actor=SYSTEM)
    client = _client(staff)

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


def test_staff_pages_render_distributions_and_simulation(staff, organization, person):
    scores_run(actor=SYSTEM)
    client = _client(staff)

    overview = client.get("/scoring/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    model_id = organization.score.model_id
    model = client.get(f"/scoring/models/{model_id}/?simulate=1")

    assert overview.status_code == 200 and "bar-row" in overview.content.decode()
    assert "等级分布" in overview.content.decode() or "信用评价" in overview.content.decode()
    assert model.status_code == 200 and "行政监管" in model.content.decode()
    # Grades by name only, one language per page (#18 point 1): never "较差 (poor)".
    for code in ("excellent", "good", "fair", "poor"):
        assert f"({code})" not in model.content.decode() and f">{code}<" not in model.content.decode()


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


def test_a_persons_evaluation_page_is_not_found_for_other_logins(person, person_user):
    """Critical 2 of #22: the page answered any login with the person's name. For a login not entitled to the
    person the page is the same "not found" as an id that does not exist, so ids tell nothing."""
    scores_run(actor=SYSTEM)
    public = _client(User.objects.create_user(username="curious", password="x", role="public"))
    missing = Subject.objects.order_by("-pk").first().pk + 1000

    refused = public.get(f"/scoring/subjects/{person.pk}/")
    unknown = public.get(f"/scoring/subjects/{missing}/")

    assert refused.status_code == unknown.status_code == 404
    assert _without_tokens(refused.content) == _without_tokens(unknown.content)
    assert person.name not in refused.content.decode()
    assert _client(person_user).get(f"/scoring/subjects/{person.pk}/").status_code == 200
    api_refused = public.get(f"/api/v1/scoring/subjects/{person.pk}")
    api_unknown = public.get(f"/api/v1/scoring/subjects/{missing}")
    assert api_refused.status_code == api_unknown.status_code == 404
    assert api_refused.json() == api_unknown.json()


def test_supervision_needs_a_government_user_or_records_share(staff, organization):
    """Medium 6 of #22: a bank's or a benefit provider's client (no scope) read grades and inspection samples."""
    from gongxin.accounts.choices import Scope
    from gongxin.accounts.models import Department
    from gongxin.accounts.services import api_client_create

    scores_run(actor=SYSTEM)
    bank = Department.objects.create(code="BANK-NB", name="宁波银行", region_code="330200")
    _lender, lender_key = api_client_create(name="宁波银行信易贷系统", department=bank, scopes=[])
    _reader, reader_key = api_client_create(name="公示读取系统", department=bank, scopes=[Scope.RECORDS_READ_PUBLIC])
    _sharing, sharing_key = api_client_create(name="市场监管业务系统", department=bank, scopes=[Scope.RECORDS_SHARE])
    paths = ["/api/v1/scoring/supervision/fields", "/api/v1/scoring/supervision/market_regulation/classes",
             "/api/v1/scoring/supervision/market_regulation/sample?seed=abc"]
    for path in paths:
        for key in (lender_key, reader_key):
            refused = Client(HTTP_X_API_KEY=key).get(path)
            assert refused.status_code == 403 and "subject_ids" not in refused.content.decode(), path
        assert Client(HTTP_X_API_KEY=sharing_key).get(path).status_code == 200, path
        assert _client(staff).get(path).status_code == 200, path
        assert _client(User.objects.get_or_create(username="p", role="public")[0]).get(path).status_code == 403
