"""Firm agents (decision 061): the legal representative authorizes a person, who acts for the firm with their
own login within the mandate's capabilities and period, and stops at once when it is revoked or ends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from gongxin.access.consents import consent_grant
from gongxin.access.errors import ConsentNotSubject
from gongxin.accounts import agents
from gongxin.accounts.choices import AgentCapability, MandateAction, Role
from gongxin.accounts.errors import AgentNotFound, NotLegalRepresentative
from gongxin.accounts.models import AgentMandate, AgentMandateEvent
from gongxin.accounts.viewer import Acting, viewer_for_user
from gongxin.core import clock, events
from gongxin.core.models import OutboxEvent
from gongxin.objections.errors import NotOwnRecord
from gongxin.objections.models import Objection
from gongxin.objections.services import objection_file
from gongxin.repairs.errors import RepairNotSubject
from gongxin.repairs.services import repair_apply
from gongxin.reports.models import Report
from gongxin.subjects.choices import RelationKind
from gongxin.subjects.services import relation_add
from gongxin.testing import factories
from gongxin.testing.personas import signed_in, user_create
from gongxin.testing.subjects import organization_create, person_create, rin_new

pytestmark = pytest.mark.django_db

AGENT_RIN = rin_new()


@pytest.fixture
def firm():
    return organization_create(name="宁波明州精密机械有限公司")


@pytest.fixture
def representative(firm):
    """The firm's registered legal representative, signed in as that person."""
    person = person_create(name="王五")
    relation_add(from_subject=person, to_subject=firm, kind=RelationKind.LEGAL_REPRESENTATIVE, actor_label="tests")
    return user_create("rep-wangwu", role=Role.PERSON, subject=person)


@pytest.fixture
def agent_user():
    return user_create("agent-zhao", role=Role.PERSON, subject=person_create(name="赵六", rin=AGENT_RIN))


@pytest.fixture
def record(firm):
    return factories.penalty_create(subject=firm, source_unit=factories.source_unit_create())


def _authorize(representative, firm, agent_user, *, capabilities, days=30):
    candidate = agents.AgentCandidate(person_id=agent_user.subject_id, name="赵六", rin_masked="")
    return agents.agent_authorize(actor=viewer_for_user(representative), organization_id=firm.pk, candidate=candidate,
                                  capabilities=capabilities, valid_from=clock.today(),
                                  valid_until=clock.today() + timedelta(days=days))


def _act(client, mandate):
    response = client.post(f"/accounts/agents/mandates/{mandate.pk}/act/")
    assert response.status_code == 302 and response["Location"] == "/me/"


def test_the_legal_representative_authorizes_an_agent_who_reports_and_objects_until_revoked(
        representative, firm, agent_user, record):
    agent = signed_in(agent_user)
    page = agent.post("/accounts/agents/invitation/")
    code = re.search(r"<strong>([2-9A-Z]{5}-[2-9A-Z]{5})</strong>", page.content.decode()).group(1)

    rep = signed_in(representative)
    assert firm.name in rep.get("/accounts/agents/").content.decode()
    form = {"way": "code", "code": code, "capabilities": ["reports", "objections"],
            "valid_from": clock.today().isoformat(), "valid_until": (clock.today() + timedelta(days=90)).isoformat()}
    confirm = rep.post(f"/accounts/agents/{firm.pk}/authorize/", form)
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "赵六" in text and agent_user.subject.person.rin_masked in text
    assert AGENT_RIN not in text and not AgentMandate.objects.exists()  # nothing written before the confirmation
    assert rep.post(f"/accounts/agents/{firm.pk}/authorize/", {**form, "confirm": "yes"}).status_code == 302
    mandate = AgentMandate.objects.get()
    assert (mandate.organization_id, mandate.agent_id, mandate.capabilities) == (
        firm.pk, agent_user.subject_id, ["reports", "objections"])
    assert list(mandate.events.values_list("action", flat=True)) == [MandateAction.AUTHORIZED]
    assert OutboxEvent.objects.filter(topic=events.AGENT_AUTHORIZED, aggregate_id=mandate.pk).count() == 1
    # The code was used up.
    again = rep.post(f"/accounts/agents/{firm.pk}/authorize/", form)
    assert again.status_code == 422 and AgentMandate.objects.count() == 1

    _act(agent, mandate)
    shown = agent.get("/accounts/agents/").content.decode()
    assert 'data-nav="acting"' in shown and f'data-acting="{firm.pk}"' in shown  # every page says for whom
    issued = agent.post("/api/v1/reports", {"subject": {"uscc": firm.organization.uscc}},
                        content_type="application/json")
    assert issued.status_code == 201, issued.content
    report = Report.objects.get(number=issued.json()["number"])
    assert report.subject_id == firm.pk and issued.json()["purpose"] == "self"
    filed = agent.post("/api/v1/objections", {"record_id": record.pk, "ground": "wrong_facts",
                                               "description": "处罚决定书已撤销"}, content_type="application/json")
    assert filed.status_code == 201, filed.content
    objection = Objection.objects.get()
    # The act records the firm (its subject) and the agent (its actor's login).
    assert objection.subject_id == firm.pk
    assert objection.events.get().actor_label == "user:agent-zhao"

    assert rep.post(f"/accounts/agents/mandates/{mandate.pk}/revoke/").status_code == 302
    assert list(AgentMandateEvent.objects.filter(mandate=mandate).values_list("action", flat=True)) == [
        MandateAction.AUTHORIZED, MandateAction.REVOKED]
    assert OutboxEvent.objects.filter(topic=events.AGENT_REVOKED, aggregate_id=mandate.pk).count() == 1
    # The very next request is the person's own again.
    refused = agent.post("/api/v1/reports", {"subject": {"uscc": firm.organization.uscc}, "purpose": "self"},
                         content_type="application/json")
    assert refused.status_code == 403
    assert agent.post("/api/v1/objections", {"record_id": record.pk, "ground": "wrong_facts", "description": "再次"},
                      content_type="application/json").status_code in (403, 404)
    assert Objection.objects.count() == 1 and Report.objects.filter(subject=firm, purpose="self").count() == 1
    assert agent.post(f"/accounts/agents/mandates/{mandate.pk}/act/").status_code == 404


def test_only_the_legal_representative_authorizes(representative, firm, agent_user):
    outsider = user_create("outsider", role=Role.PERSON, subject=person_create(name="钱七"))
    form = {"way": "rin", "name": "赵六", "rin": AGENT_RIN, "capabilities": ["reports"],
            "valid_from": clock.today().isoformat(), "valid_until": (clock.today() + timedelta(days=9)).isoformat(),
            "confirm": "yes"}
    assert signed_in(outsider).post(f"/accounts/agents/{firm.pk}/authorize/", form).status_code == 403
    with pytest.raises(NotLegalRepresentative):
        _authorize(outsider, firm, agent_user, capabilities=["reports"])
    # An agent acting for the firm does not authorize others either, whatever its capabilities.
    mandate = _authorize(representative, firm, agent_user, capabilities=list(AgentCapability.values))
    agent = signed_in(agent_user)
    _act(agent, mandate)
    assert agent.post(f"/accounts/agents/{firm.pk}/authorize/", form).status_code == 403
    assert AgentMandate.objects.count() == 1
    # The legal representative names a person by name and RIN; a wrong name is the same answer as an unknown RIN.
    rep = signed_in(representative)
    wrong_name = rep.post(f"/accounts/agents/{firm.pk}/authorize/", {**form, "name": "赵七"})
    unknown = rep.post(f"/accounts/agents/{firm.pk}/authorize/", {**form, "rin": rin_new()})
    assert wrong_name.status_code == unknown.status_code == 422
    assert str(AgentNotFound.default_message) in wrong_name.content.decode()
    assert str(AgentNotFound.default_message) in unknown.content.decode()
    assert rep.post(f"/accounts/agents/{firm.pk}/authorize/", form).status_code == 302
    assert AgentMandate.objects.count() == 2


def test_an_agent_stays_within_its_capabilities_and_period(representative, firm, agent_user, record):
    mandate = _authorize(representative, firm, agent_user, capabilities=["reports"], days=10)
    agent = signed_in(agent_user)
    _act(agent, mandate)
    assert agent.post("/api/v1/reports", {"subject": {"uscc": firm.organization.uscc}},
                      content_type="application/json").status_code == 201
    # As a service sees the agent: with the mandate the middleware puts on the request's user.
    agent_user.acting_for = Acting(mandate_id=mandate.pk, organization_id=firm.pk, capabilities=frozenset(["reports"]))
    acting = viewer_for_user(agent_user)
    assert acting.subject_id == firm.pk and acting.label == "user:agent-zhao"
    with pytest.raises(NotOwnRecord):
        objection_file(record=record, ground="wrong_facts", description="越权", actor=acting)
    with pytest.raises(RepairNotSubject):
        repair_apply(record=record, actor=acting, statement="已整改", commitment_accepted=True,
                     commitment_signer="赵六")
    assert agent.post("/api/v1/objections", {"record_id": record.pk, "ground": "wrong_facts", "description": "越权"},
                      content_type="application/json").status_code in (403, 404)
    assert not Objection.objects.exists()
    # Nor does it authorize others to query the firm's records (consents need the "lending" capability).
    lender_user = user_create("bank-reader", role=Role.PUBLIC)
    with pytest.raises(ConsentNotSubject):
        consent_grant(subject=firm, grantee_user=lender_user, purpose="贷款审查", scope=[],
                      valid_until=clock.now() + timedelta(days=3), actor=acting)

    # After the period the mandate is no ground: the session's choice is dropped on the next request.
    with time_machine.travel(clock.now() + timedelta(days=11)):
        refused = agent.post("/api/v1/reports", {"subject": {"uscc": firm.organization.uscc}, "purpose": "self"},
                             content_type="application/json")
        assert refused.status_code == 403
        assert agent.post(f"/accounts/agents/mandates/{mandate.pk}/act/").status_code == 404
    # A mandate whose period has not begun cannot be acted on either.
    later = agents.agent_authorize(
        actor=viewer_for_user(representative), organization_id=firm.pk,
        candidate=agents.AgentCandidate(person_id=agent_user.subject_id, name="赵六", rin_masked=""),
        capabilities=["objections"], valid_from=clock.today() + timedelta(days=3),
        valid_until=clock.today() + timedelta(days=30))
    assert signed_in(agent_user).post(f"/accounts/agents/mandates/{later.pk}/act/").status_code == 404


def test_the_agents_api(representative, firm, agent_user):
    agent, rep = signed_in(agent_user), signed_in(representative)
    invitation = agent.post("/api/v1/agents/invitations")
    assert invitation.status_code == 201
    body = {"organization_id": firm.pk, "invitation_code": invitation.json()["code"], "capabilities": ["reports"],
            "valid_from": clock.today().isoformat(), "valid_until": (clock.today() + timedelta(days=5)).isoformat()}
    assert agent.post("/api/v1/agents/mandates", body, content_type="application/json").status_code == 403
    created = rep.post("/api/v1/agents/mandates", body, content_type="application/json")
    assert created.status_code == 201, created.content
    mandate = created.json()
    assert mandate["agent_name"] == "赵六" and mandate["state"] == "in_force" and mandate["capabilities"] == ["reports"]
    assert mandate["agent_rin_masked"] == agent_user.subject.person.rin_masked
    assert AGENT_RIN not in created.content.decode()
    assert [m["id"] for m in rep.get(f"/api/v1/agents/organizations/{firm.pk}/mandates").json()] == [mandate["id"]]
    assert agent.get(f"/api/v1/agents/organizations/{firm.pk}/mandates").status_code == 403
    assert [m["id"] for m in agent.get("/api/v1/agents/mine").json()] == [mandate["id"]]

    assert agent.post(f"/api/v1/agents/mandates/{mandate['id']}/act").status_code == 200
    assert agent.post("/api/v1/reports", {"subject": {"uscc": firm.organization.uscc}},
                      content_type="application/json").json()["purpose"] == "self"
    revoked = rep.post(f"/api/v1/agents/mandates/{mandate['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert agent.post("/api/v1/reports", {"subject": {"uscc": firm.organization.uscc}, "purpose": "self"},
                      content_type="application/json").status_code == 403
    assert agent.post(f"/api/v1/agents/mandates/{mandate['id']}/act").status_code == 404
    assert agent.post("/api/v1/agents/act/stop").status_code == 204


def test_a_weakly_verified_legal_representative_authorizes_no_agent(representative, firm, agent_user, settings):
    """Handing the firm's acts to others needs the level the assurance policy asks (decision 055): a basic
    sign-in of the legal representative is refused by the service, the page and the API, and writes nothing."""
    from gongxin.identity.errors import AssuranceTooLow

    settings.GONGXIN_IDENTITY = {"LOCAL_ASSURANCE": "basic"}
    with pytest.raises(AssuranceTooLow):
        _authorize(representative, firm, agent_user, capabilities=["reports"])
    form = {"way": "rin", "name": "赵六", "rin": AGENT_RIN, "capabilities": ["reports"],
            "valid_from": clock.today().isoformat(), "valid_until": (clock.today() + timedelta(days=9)).isoformat(),
            "confirm": "yes"}
    rep = signed_in(representative)
    assert rep.post(f"/accounts/agents/{firm.pk}/authorize/", form).status_code == 403
    api = rep.post("/api/v1/agents/mandates", {"organization_id": firm.pk, "name": "赵六", "rin": AGENT_RIN,
                                               "capabilities": ["reports"], "valid_from": form["valid_from"],
                                               "valid_until": form["valid_until"]}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "identity.assurance_too_low"
    assert not AgentMandate.objects.exists()

    settings.GONGXIN_IDENTITY = {"LOCAL_ASSURANCE": "verified"}
    assert rep.post(f"/accounts/agents/{firm.pk}/authorize/", form).status_code == 302
    assert AgentMandate.objects.count() == 1
