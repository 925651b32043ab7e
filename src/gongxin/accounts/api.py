"""JSON API of firm agents (mounted at /api/v1/agents, decision 061): the legal representative authorizes and
revokes, a person makes an invitation code and sees the firms it may act for, the firm sees its agents.

Session callers only (persons and firms sign in; an API client is never an agent). An agent acts for a firm
through the same session: ``POST /agents/mandates/{id}/act`` chooses the firm, ``POST /agents/act/stop`` ends
it; the mandate is checked again on every request (accounts.middleware)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from gongxin.accounts import agents
from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.choices import AgentCapability, Role
from gongxin.accounts.doors import has_account, viewer_for_request
from gongxin.accounts.errors import MandateInvalid, MandateNotFound
from gongxin.accounts.middleware import ACTING_KEY
from gongxin.accounts.models import AgentMandate
from gongxin.accounts.selectors import mandate_in_force, mandate_state, mandates_of_agent, mandates_of_organization

router = Router(tags=["agents"], auth=viewer_auth)


class MandateOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    agent_name: str
    agent_rin_masked: str = Field(..., description="The agent's identity number, masked")
    capabilities: list[AgentCapability]
    valid_from: date
    valid_until: date
    state: str = Field(..., description="in_force, pending (not yet begun), expired or revoked")
    granted_at: datetime
    revoked_at: datetime | None


class InvitationOut(Schema):
    code: str = Field(..., description="Shown once: give it to the legal representative")
    expires_at: datetime


class AuthorizeIn(Schema):
    organization_id: int
    invitation_code: str = Field("", max_length=20, description="The person's invitation code, or name and RIN")
    name: str = Field("", max_length=100)
    rin: str = Field("", max_length=18)
    capabilities: list[AgentCapability] = Field(..., min_length=1)
    valid_from: date
    valid_until: date


def _out(mandate: AgentMandate) -> MandateOut:
    return MandateOut(
        id=mandate.pk, organization_id=mandate.organization_id, organization_name=mandate.organization.name,
        agent_name=mandate.agent.name, agent_rin_masked=mandate.agent.person.rin_masked,
        capabilities=[AgentCapability(c) for c in mandate.capabilities if c in AgentCapability.values],
        valid_from=mandate.valid_from, valid_until=mandate.valid_until, state=mandate_state(mandate),
        granted_at=mandate.granted_at, revoked_at=mandate.revoked_at,
    )


def _full(mandate_id: int) -> AgentMandate:
    return AgentMandate.objects.select_related("organization", "agent", "agent__person").get(pk=mandate_id)


@router.get("/organizations/{organization_id}/mandates", response=list[MandateOut],
            summary="A firm's agents (its legal representative or its own account)")
def mandates_list(request: HttpRequest, organization_id: int) -> list[MandateOut]:
    viewer = viewer_for_request(request, require=has_account)
    agents.agents_manage_check(actor=viewer, organization_id=organization_id)
    return [_out(m) for m in mandates_of_organization(organization_id=organization_id)
            .select_related("organization")]


@router.post("/mandates", response={201: MandateOut}, summary="Authorize an agent (the legal representative)")
def mandate_authorize(request: HttpRequest, body: AuthorizeIn) -> Status:
    viewer = viewer_for_request(request, require=has_account)
    if body.invitation_code:
        candidate = agents.agent_candidate_by_invitation(actor=viewer, organization_id=body.organization_id,
                                                         code=body.invitation_code)
    elif body.name and body.rin:
        candidate = agents.agent_candidate_by_rin(actor=viewer, organization_id=body.organization_id,
                                                  name=body.name, rin=body.rin)
    else:
        agents.authorizing_check(actor=viewer, organization_id=body.organization_id)
        raise MandateInvalid(details={"field": "invitation_code", "or": ["name", "rin"]})
    mandate = agents.agent_authorize(actor=viewer, organization_id=body.organization_id, candidate=candidate,
                                     capabilities=[c.value for c in body.capabilities], valid_from=body.valid_from,
                                     valid_until=body.valid_until)
    return Status(201, _out(_full(mandate.pk)))


@router.post("/mandates/{mandate_id}/revoke", response=MandateOut, summary="Revoke an agent's authorization")
def mandate_revoke(request: HttpRequest, mandate_id: int) -> MandateOut:
    mandate = agents.agent_revoke(actor=viewer_for_request(request, require=has_account), mandate_id=mandate_id)
    return _out(_full(mandate.pk))


@router.post("/invitations", response={201: InvitationOut}, summary="Make an invitation code (a person)")
def invitation_create(request: HttpRequest) -> Status:
    invitation, code = agents.agent_invitation_create(actor=viewer_for_request(request, require=has_account))
    return Status(201, InvitationOut(code=code, expires_at=invitation.expires_at))


@router.get("/mine", response=list[MandateOut], summary="The firms the signed-in person may act for")
def mandates_mine(request: HttpRequest) -> list[MandateOut]:
    viewer = viewer_for_request(request, require=has_account)
    person_id = viewer.agent_subject_id or (viewer.subject_id if viewer.role == Role.PERSON else None)
    if person_id is None:
        return []
    return [_out(m) for m in mandates_of_agent(agent_id=person_id).select_related("agent", "agent__person")]


@router.post("/mandates/{mandate_id}/act", response=MandateOut,
             summary="Act for the mandate's firm from the next request on (this session)")
def mandate_act(request: HttpRequest, mandate_id: int) -> MandateOut:
    viewer_for_request(request, require=has_account)
    user = request.user
    mandate = None
    if getattr(user, "role", None) == Role.PERSON:
        mandate = mandate_in_force(mandate_id=mandate_id, agent_id=getattr(user, "subject_id", None))
    if mandate is None:
        raise MandateNotFound()
    request.session[ACTING_KEY] = mandate.pk
    return _out(_full(mandate.pk))


@router.post("/act/stop", response={204: None}, summary="Act for oneself again (this session)")
def mandate_act_stop(request: HttpRequest) -> Status:
    viewer_for_request(request, require=has_account)
    request.session.pop(ACTING_KEY, None)
    return Status(204, None)
