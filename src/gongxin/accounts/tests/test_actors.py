"""``actors_shown``: the credit office sees who acted by name with the login beside it, never a stored code
(``user:…``, #18); everyone else a role-level name, never a login or a client's name (#22, High 4 and Low
"internal actors")."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongxin.accounts.actors import actor_shown, actors_shown
from gongxin.accounts.choices import Role
from gongxin.accounts.models import ApiClient, Department, User
from gongxin.accounts.viewer import ANONYMOUS, viewer_for_client, viewer_for_user
from gongxin.testing.subjects import organization_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> dict[str, object]:
    unit = Department.objects.create(code="NB-SCJG", name="宁波市市场监督管理局", region_code="330200")
    firm = organization_create()
    other = organization_create(name="宁波另一贸易有限公司")
    return {
        "unit": unit, "firm": firm,
        "staff": User.objects.create_user(username="credit-li", password="x", role=Role.STAFF),
        "operator": User.objects.create_user(username="scjg-wang", password="x", role=Role.OPERATOR, department=unit),
        "agent": User.objects.create_user(username="firm-zhang", password="x", role=Role.ORG_AGENT, subject=firm),
        "outsider": User.objects.create_user(username="other-zhao", password="x", role=Role.ORG_AGENT, subject=other),
        "client": ApiClient.objects.create(name="scjg-system", department=unit, key_prefix="gx_abc",
                                           key_hash="0" * 64, scopes=["records:write"]),
    }


LABELS = ["user:credit-li", "user:scjg-wang", "user:firm-zhang", "api-client:scjg-system", "system",
          "system:commitments-daily", "user:nobody-known"]


def test_the_credit_office_sees_names_with_logins_never_the_stored_codes(cast):
    cast["operator"].display_name = "王科员"
    cast["operator"].save(update_fields=["display_name"])
    staff = viewer_for_user(cast["staff"])
    with translation.override("zh-hans"):
        shown = actors_shown(labels=LABELS, viewer=staff, subject_id=cast["firm"].pk)
    assert shown == {
        "user:credit-li": "credit-li", "user:scjg-wang": "王科员（scjg-wang）", "user:firm-zhang": "firm-zhang",
        "api-client:scjg-system": "宁波市市场监督管理局（scjg-system）", "system": "平台",
        "system:commitments-daily": "平台", "user:nobody-known": "nobody-known",
    }


def test_the_subject_and_the_public_see_role_level_names(cast):
    firm_id = cast["firm"].pk
    with translation.override("en"):
        mine = actors_shown(labels=LABELS, viewer=viewer_for_user(cast["agent"]), subject_id=firm_id)
        public = actors_shown(labels=LABELS, viewer=ANONYMOUS, subject_id=firm_id)
        operator = actors_shown(labels=LABELS, viewer=viewer_for_user(cast["operator"]), subject_id=firm_id)
        client = actors_shown(labels=LABELS, viewer=viewer_for_client(cast["client"]), subject_id=firm_id)
    assert mine == {
        "user:credit-li": "the credit office", "user:scjg-wang": "宁波市市场监督管理局", "user:firm-zhang": "you",
        "api-client:scjg-system": "宁波市市场监督管理局", "system": "the platform",
        "system:commitments-daily": "the platform", "user:nobody-known": "the platform",
    }
    assert public == {**mine, "user:firm-zhang": "the applicant"}
    assert operator == client == public
    for shown in (mine, public, operator, client):
        text = " ".join(shown.values())
        assert "user:" not in text and "api-client:" not in text
        assert not any(name in text for name in ("credit-li", "scjg-wang", "firm-zhang", "scjg-system"))


def test_role_level_names_are_translated(cast):
    with translation.override("zh-hans"):
        assert actor_shown(label="user:credit-li", viewer=ANONYMOUS) == "信用办"
        assert actor_shown(label="system", viewer=ANONYMOUS) == "平台"
        assert actor_shown(label="user:firm-zhang", viewer=viewer_for_user(cast["agent"])) == "您"
        assert actor_shown(label="user:firm-zhang", viewer=ANONYMOUS, subject_id=cast["firm"].pk) == "申请人"


def test_another_subjects_agent_is_named_by_role(cast):
    with translation.override("en"):
        shown = actor_shown(label="user:other-zhao", viewer=viewer_for_user(cast["agent"]),
                            subject_id=cast["firm"].pk)
    assert shown == "Organization agent"
