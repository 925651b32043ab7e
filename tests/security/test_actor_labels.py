"""No login of staff or operators, nor a client's name, reaches a subject or the public (#22, High 4 and Low
"internal actors"): signed in as a person, as an organization's agent, as a member of the public and anonymous,
every page of the URL conf and every GET operation of the OpenAPI document is asked about side A's objects of
the authorization matrix's world, after the credit office, the source unit and a lender acted on them; no
answer may contain ``user:`` / ``api-client:`` nor a staff member's, an operator's or a client's login."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from gongxin.accounts.models import ApiClient, User
from gongxin.accounts.viewer import viewer_for_client, viewer_for_user
from tests.security.test_authorization_matrix import API_PREFIX, World, _fill, api_operations, page_routes, world_build

# A sweep over every page and operation (half a minute); each app's test_actors proves its own labels fast.
pytestmark = pytest.mark.slow

ASKERS = ("person", "agent", "public", "anon")
PREFIXES = ("user:", "api-client:")


def _act_on_side_a(world: World) -> None:
    """The office accepts and forwards objection A, the unit decides it and rejects repair A and verifies
    commitment A; the lender queries person A under its consent (an inquiry in the person's log)."""
    from gongxin.access.choices import Channel
    from gongxin.access.services import inquiry_record
    from gongxin.commitments.models import Commitment
    from gongxin.commitments.services import commitment_fulfil
    from gongxin.lending.models import Lender
    from gongxin.objections.models import Objection
    from gongxin.objections.services import objection_accept, objection_decide, objection_forward
    from gongxin.records.choices import Purpose
    from gongxin.repairs.models import RepairApplication
    from gongxin.repairs.services import repair_reject

    staff, operator = viewer_for_user(world.logins["staff"]), viewer_for_user(world.logins["operator"])
    objection = Objection.objects.get(pk=world.params["objection_id"][0])
    objection_accept(objection=objection, actor=staff, note="已受理")
    objection_forward(objection=objection, actor=staff)
    objection_decide(objection=Objection.objects.get(pk=objection.pk), actor=operator, decision="uphold",
                     reason="经核实，记录无误。")
    repair_reject(application=RepairApplication.objects.get(pk=world.params["repair_id"][0]), actor=operator,
                  reasons=["other"], note="罚款尚未缴清。")
    commitment_fulfil(commitment=Commitment.objects.get(pk=world.params["commitment_id"][0]), actor=operator,
                      note="已履行。")
    lender = Lender.objects.get(code="mxbank").client
    inquiry_record(subject_id=int(world.params["subject_id"][0]), viewer=viewer_for_client(lender),
                   purpose=Purpose.AUTHORIZED, channel=Channel.API, reason="贷款审查", records_shown=1)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = world_build()
            _act_on_side_a(built)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _internal_names(world: World, asker: str) -> list[str]:
    """Logins of everyone but the asker itself (a page's header names the signed-in account), clients' names."""
    own = world.logins[asker].username if asker in world.logins else None
    logins = [u.username for u in User.objects.exclude(username=own)]
    return [*PREFIXES, *logins, *ApiClient.objects.values_list("name", flat=True)]


def _reads() -> list[str]:
    pages = [route.removeprefix("GET ") for route in page_routes() if route.startswith("GET ")]
    operations = [API_PREFIX + op.removeprefix("GET ") for op in api_operations() if op.startswith("GET ")]
    return ["/" + page if not page.startswith("/") else page for page in pages] + operations


@pytest.mark.django_db
@pytest.mark.parametrize("asker", ASKERS)
def test_no_internal_actor_reaches_subjects_or_the_public(asker: str, world: World) -> None:
    client = Client()
    if asker in world.logins:
        client.force_login(world.logins[asker])
    names = _internal_names(world, asker)
    leaks, answered = [], 0
    for template in _reads():
        path = _fill(template, 0, world)
        with transaction.atomic():
            response = client.get(path)
            transaction.set_rollback(True)
        if response.status_code != 200 or response.get("Content-Type", "").split(";")[0] not in (
                "text/html", "application/json"):
            continue
        answered += 1
        body = response.content.decode()
        leaks += [f"{path}: {name!r}" for name in names if name in body]
    assert answered > 20
    assert not leaks, "\n".join(leaks)
