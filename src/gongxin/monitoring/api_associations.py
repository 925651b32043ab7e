"""Association analysis API (关联分析), mounted at /api/v1/associations: related subjects with paths, ultimate
controllers, shared legal representatives and addresses, through the disclosure policy (docs/monitoring.md).

The credit office and government sharing (``records:share``) only; natural persons are named to the office alone.
Every call about a subject logs an inquiry the subject sees.

- ``GET /subjects/{subject_id}/related?depth=2&kinds=legal_representative,shareholder&as_of=2026-06-01``
- ``GET /subjects/{subject_id}/controllers?as_of=``
- ``GET /subjects/{subject_id}/shared?as_of=``
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from gongxin.access.choices import Channel
from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import viewer_for_request
from gongxin.monitoring.associations import (
    associations_controllers,
    associations_may_read,
    associations_related,
    associations_shared,
    shown_as_dict,
)
from gongxin.subjects.associations import DEFAULT_DEPTH, MAX_DEPTH
from gongxin.subjects.choices import RelationKind

router = Router(tags=["associations"], auth=viewer_auth)


class PartyOut(Schema):
    subject_id: int | None = Field(..., description="null for a natural person the caller may not see")
    kind: str = Field(..., description="organization | person")
    name: str
    code: str = Field("", description="the USCC of an organization; the masked RIN of a person (office only)")


class HopOut(Schema):
    party: PartyOut
    kind: str = Field(..., description="legal_representative | shareholder | executive | investment | branch | "
                                       "actual_controller")
    kind_label: str
    direction: str = Field(..., description="out: the subject the step starts at is the kind of party; in: party is "
                                            "the kind of it")
    share_percent: str | None = None
    relation_id: int | None = None


class AssociationOut(Schema):
    party: PartyOut
    depth: int
    path: list[HopOut]


class ControllerOut(Schema):
    party: PartyOut
    share: str = Field(..., description="the exact integrated share as a fraction, e.g. 21/110")
    share_percent: str
    declared: bool = Field(..., description="registered as the actual controller")
    exact: bool = Field(..., description="false only for a holding cycle of 100 % both ways (approximated)")
    paths: list[list[HopOut]]


class SharedOut(Schema):
    party: PartyOut
    kind: str = Field(..., description="legal_representative | address")
    via: PartyOut | None = None
    address: str = ""


def _kinds(kinds: str) -> list[str] | None:
    wanted = [k.strip() for k in kinds.split(",") if k.strip()]
    return [k for k in wanted if k in RelationKind.values] or None if wanted else None


@router.get("/subjects/{subject_id}/related", response=list[AssociationOut],
            summary="Subjects related to a subject within depth hops (1-3), each with its path")
def related_endpoint(request: HttpRequest, subject_id: int, depth: int = DEFAULT_DEPTH, kinds: str = "",
                     as_of: date | None = None) -> list[dict[str, Any]]:
    viewer = viewer_for_request(request, require=associations_may_read)
    found = associations_related(viewer=viewer, subject_id=subject_id, channel=Channel.API,
                                 depth=max(1, min(depth, MAX_DEPTH)), kinds=_kinds(kinds), as_of=as_of)
    return shown_as_dict(found)


@router.get("/subjects/{subject_id}/controllers", response=list[ControllerOut],
            summary="Who stands behind an organization: ultimate controllers, exact shares, holding chains")
def controllers_endpoint(request: HttpRequest, subject_id: int, as_of: date | None = None) -> list[dict[str, Any]]:
    viewer = viewer_for_request(request, require=associations_may_read)
    return shown_as_dict(associations_controllers(viewer=viewer, subject_id=subject_id, channel=Channel.API,
                                                  as_of=as_of))


@router.get("/subjects/{subject_id}/shared", response=list[SharedOut],
            summary="Organizations sharing a legal representative or the registered address")
def shared_endpoint(request: HttpRequest, subject_id: int, as_of: date | None = None) -> list[dict[str, Any]]:
    viewer = viewer_for_request(request, require=associations_may_read)
    return shown_as_dict(associations_shared(viewer=viewer, subject_id=subject_id, channel=Channel.API, as_of=as_of))
