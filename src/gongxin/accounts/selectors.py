"""Reads of accounts: firm agents' mandates in force (the acting-for check of every request) and the lists the
agents pages show. The writes are in ``accounts.agents``."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from gongxin.accounts.models import AgentMandate
from gongxin.core import clock


def _in_force_q(day: date) -> Q:
    return Q(revoked_at__isnull=True, valid_from__lte=day, valid_until__gte=day)


def mandate_in_force(*, mandate_id: int, agent_id: int | None) -> AgentMandate | None:
    """The mandate ``mandate_id`` when it is the person ``agent_id``'s and in force today (not revoked, within
    its period), else None. One indexed read: run on every request of a person acting for a firm."""
    if agent_id is None:
        return None
    return (AgentMandate.objects.filter(_in_force_q(clock.today()), pk=mandate_id, agent_id=agent_id)
            .select_related("organization").first())


def mandates_of_agent(*, agent_id: int) -> QuerySet[AgentMandate]:
    """The mandates in force of the person ``agent_id`` (the firms it may act for), by firm name."""
    return (AgentMandate.objects.filter(_in_force_q(clock.today()), agent_id=agent_id)
            .select_related("organization").order_by("organization__name", "pk"))


def mandates_of_organization(*, organization_id: int) -> QuerySet[AgentMandate]:
    """Every mandate the firm ``organization_id`` has given, newest first, with the agent (a person: shown by
    name and masked RIN only)."""
    return (AgentMandate.objects.filter(organization_id=organization_id)
            .select_related("agent", "agent__person").order_by("-granted_at", "-pk"))


def mandate_state(mandate: AgentMandate, *, day: date | None = None) -> str:
    """``revoked``, ``expired``, ``pending`` (its period has not begun) or ``in_force``."""
    day = day or clock.today()
    if mandate.revoked_at is not None:
        return "revoked"
    if mandate.valid_until < day:
        return "expired"
    if mandate.valid_from > day:
        return "pending"
    return "in_force"
