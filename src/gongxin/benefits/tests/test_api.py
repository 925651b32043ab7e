"""The benefits API end to end: a provider checks a consenting person, starts and ends usages,
records defaults until the benefit is suspended; without consent nothing is disclosed."""

from __future__ import annotations

from django.test import Client

from gongxin.access.models import Inquiry
from gongxin.benefits.models import EligibilityCheck, Suspension, Usage
from gongxin.benefits.tests.conftest import api, consent_to, rin_of
from gongxin.core.models import OutboxEvent
from gongxin.testing.personas import signed_in

BASE = "/api/v1/benefits"
JSON = "application/json"


def _check(key: str, code: str, subject_code: str) -> dict:
    response = api(key).post(f"{BASE}/scenarios/{code}/eligibility", {"subject_code": subject_code},
                             content_type="application/json")
    return {"status": response.status_code, **response.json()}


def test_scenarios_are_listed_with_their_rules(scenarios, client: Client):
    body = client.get(f"{BASE}/scenarios").json()
    codes = {s["code"] for s in body}
    assert {"public_bike", "pay_after_treatment", "library_borrowing", "homestay", "parking_pay_later"} <= codes
    treatment = next(s for s in body if s["code"] == "pay_after_treatment")
    assert treatment["parameters"][0]["values"] == {"AAA": 3000, "AA": 2000, "A": 1000, "B": 500}
    assert all(c["label"] and c["label_en"] for c in treatment["conditions"])


def test_without_consent_nothing_is_disclosed(scenario, person_user, library_key):
    _client, key = library_key
    rin = rin_of(person_user.subject)
    unknown = _check(key, scenario.code, "110101199003077777")
    no_consent = _check(key, scenario.code, rin)
    # The same answer for a person who does not exist and one who has not consented.
    assert no_consent["status"] == unknown["status"] == 403
    assert no_consent["code"] == unknown["code"] == "benefits.consent_required"
    assert "eligible" not in no_consent and "reasons" not in no_consent
    assert not Inquiry.objects.exists() and not EligibilityCheck.objects.exists()


def test_only_the_scenarios_provider_may_check(scenario, person_user, library_key, outsider_key):
    outsider, key = outsider_key
    consent_to(person_user, outsider)  # consent to the outsider does not make it the provider
    answer = _check(key, scenario.code, rin_of(person_user.subject))
    assert answer["status"] == 403 and answer["code"] == "benefits.not_provider"


def test_eligibility_with_consent_is_answered_and_logged(scenario, person_user, library_key):
    client, key = library_key
    consent = consent_to(person_user, client)
    answer = _check(key, scenario.code, rin_of(person_user.subject))
    assert answer["status"] == 200, answer
    assert answer["eligible"] is True
    assert answer["parameters"] == {"books": 10}
    assert [r["code"] for r in answer["reasons"]] == ["not_listed", "few_defaults"]
    assert all(r["met"] and r["label"] and r["label_en"] for r in answer["reasons"])
    inquiry = Inquiry.objects.get()
    assert inquiry.subject_id == person_user.subject_id and inquiry.consent_id == consent.pk
    assert inquiry.viewer_client_id == client.pk and inquiry.purpose == "authorized"


def test_seeded_scenario_explains_what_is_missing(library_key, person_user):
    client, key = library_key
    consent_to(person_user, client)
    answer = _check(key, "library_borrowing", rin_of(person_user.subject))
    assert answer["status"] == 200
    by_code = {r["code"]: r for r in answer["reasons"]}
    assert by_code["not_listed"]["met"] is True
    if answer["eligible"] is False:  # no score yet: the level condition says so, parameters withheld
        assert by_code["grade_b_or_better"]["met"] is False
        assert answer["parameters"] == {}


def test_usage_loop_defaults_suspend_the_benefit(scenario, person_user, library_key):
    client, key = library_key
    consent_to(person_user, client)
    rin = rin_of(person_user.subject)
    provider = api(key)
    usages = f"{BASE}/scenarios/{scenario.code}/usages"

    started = provider.post(usages, {"subject_code": rin, "reference": "LB-1", "amount_yuan": "120.00"},
                            content_type="application/json")
    assert started.status_code == 201, started.content
    assert started.json()["status"] == "open"
    again = provider.post(usages, {"subject_code": rin, "reference": "LB-1"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "benefits.usage_duplicate"
    ended = provider.post(f"{usages}/LB-1/end", {"amount_yuan": "100.00"}, content_type="application/json")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert ended.json()["amount_yuan"] == "100.00"

    for n, reference in enumerate(["LB-2", "LB-3"], start=1):
        assert provider.post(usages, {"subject_code": rin, "reference": reference},
                             content_type="application/json").status_code == 201
        defaulted = provider.post(f"{usages}/{reference}/default", {"amount_yuan": "35.50", "note": "逾期未还"},
                                  content_type="application/json")
        assert defaulted.status_code == 200, defaulted.content
        assert defaulted.json()["status"] == "defaulted"
        assert (defaulted.json()["suspended_until"] is None) == (n < scenario.default_threshold)

    events = OutboxEvent.objects.filter(topic="benefits.default.recorded")
    assert events.count() == 2
    assert set(events.values_list("subject_id", flat=True)) == {person_user.subject_id}
    assert OutboxEvent.objects.filter(topic="benefits.suspension.started").count() == 1
    suspension = Suspension.objects.get()
    assert suspension.defaults_counted == 2

    # Suspended: the check says no, with the reason; a new usage is refused.
    answer = _check(key, scenario.code, rin)
    assert answer["eligible"] is False
    assert answer["reasons"][-1]["code"] == "not_suspended" and answer["reasons"][-1]["met"] is False
    refused = provider.post(usages, {"subject_code": rin, "reference": "LB-4"}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "benefits.not_eligible"
    assert Usage.objects.count() == 3

    # The person sees it all on /mine.
    mine = signed_in(person_user).get(f"{BASE}/mine").json()
    own = next(b for b in mine if b["scenario"] == scenario.code)
    assert own["eligible"] is False and len(own["usages"]) == 3


def test_default_twice_is_refused(scenario, person_user, library_key):
    client, key = library_key
    consent_to(person_user, client)
    provider = api(key)
    usages = f"{BASE}/scenarios/{scenario.code}/usages"
    provider.post(usages, {"subject_code": rin_of(person_user.subject), "reference": "X"},
                  content_type="application/json")
    first = provider.post(f"{usages}/X/default", {"amount_yuan": "1"}, content_type="application/json")
    assert first.status_code == 200
    twice = provider.post(f"{usages}/X/default", {"amount_yuan": "1"}, content_type="application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "benefits.usage_already_defaulted"


def test_statistics_for_staff_only(scenario, person_user, library_key, staff):
    client, key = library_key
    consent_to(person_user, client)
    _check(key, scenario.code, rin_of(person_user.subject))
    assert signed_in(person_user).get(f"{BASE}/statistics").status_code == 403
    figures = signed_in(staff).get(f"{BASE}/statistics").json()
    row = next(f for f in figures if f["code"] == scenario.code)
    assert row["checks"] == 1 and row["checks_eligible"] == 1 and row["usages"] == 0


def test_scored_person_gets_the_credit_line_of_the_grade(person_user, library_key, staff):
    """With the scoring app's score (a run over this person), the seeded rule and parameter table apply."""
    from gongxin.accounts.viewer import viewer_for_user
    from gongxin.benefits.models import Provider
    from gongxin.scoring.selectors import scores_current
    from gongxin.scoring.services import scores_run

    client, key = library_key
    Provider.objects.filter(code="health").update(client=None)
    Provider.objects.filter(code="library").update(client=client)
    scores_run(actor=viewer_for_user(staff), subject_ids=[person_user.subject_id])
    grade = scores_current(subject_ids=[person_user.subject_id])[person_user.subject_id].grade
    consent_to(person_user, client)
    answer = _check(key, "library_borrowing", rin_of(person_user.subject))
    books = {"AAA": 20, "AA": 15, "A": 10, "B": 5}
    assert answer["eligible"] is (grade in books), (grade, answer)
    if grade in books:
        assert answer["parameters"]["books"] == books[grade]


def test_partner_score_passed_with_the_check(person_user, library_key):
    from gongxin.benefits.models import Provider, Scenario

    client, key = library_key
    Scenario.objects.filter(code="homestay").update(provider=Provider.objects.get(code="library"))
    consent_to(person_user, client)
    body = {"subject_code": rin_of(person_user.subject), "partner_scheme": "hangzhou_qianjiang",
            "partner_score": 760}
    answer = api(key).post(f"{BASE}/scenarios/homestay/eligibility", body, content_type="application/json").json()
    by_code = {r["code"]: r["met"] for r in answer["reasons"]}
    assert by_code["grade_or_partner_grade"] is True and answer["eligible"] is True
    low = api(key).post(f"{BASE}/scenarios/homestay/eligibility", {**body, "partner_score": 500},
                        content_type="application/json").json()
    # Never scored here, so only the partner score can meet the condition: 500 is below Hangzhou's level A.
    assert {r["code"]: r["met"] for r in low["reasons"]}["grade_or_partner_grade"] is False
    unknown = api(key).post(f"{BASE}/scenarios/homestay/eligibility", {**body, "partner_scheme": "nowhere"},
                            content_type="application/json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "scoring.unknown_partner"


def test_a_scenario_that_ended_still_takes_defaults_of_its_usages(scenario, person_user, library_key):
    from datetime import timedelta

    from gongxin.core import clock

    client, key = library_key
    consent_to(person_user, client)
    rin = rin_of(person_user.subject)
    usages = f"{BASE}/scenarios/{scenario.code}/usages"
    assert api(key).post(usages, {"subject_code": rin, "reference": "OLD"}, content_type=JSON).status_code == 201
    scenario.effective_to = clock.today() - timedelta(days=1)
    scenario.save(update_fields=["effective_to"])
    assert _check(key, scenario.code, rin)["code"] == "benefits.scenario_not_found"
    late = api(key).post(f"{usages}/OLD/default", {"amount_yuan": "5"}, content_type=JSON)
    assert late.status_code == 200 and late.json()["status"] == "defaulted"
