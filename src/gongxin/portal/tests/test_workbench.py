"""The workbench lists the working areas of the signed-in official's role, and nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User

pytestmark = pytest.mark.django_db


def _signed_in(client, role: str):
    user = User.objects.create_user(username=f"wb-{role}", password="pw-123456789", role=role)
    client.force_login(user)
    return client


def test_staff_see_every_area_of_the_office(client):
    html = _signed_in(client, Role.STAFF).get(reverse("portal:workbench")).content.decode()
    for url_name in ["rewards:index", "rewards:statistics", "sharing:overview", "monitoring:alerts",
                     "commitments:workbench", "lending:fund", "repairs:workbench", "scoring:overview",
                     "objections:workbench"]:
        assert f'href="{reverse(url_name)}"' in html
    assert f'href="{reverse("objections:tasks")}"' not in html  # the operators' view of objections
    assert 'data-nav="workbench" aria-current="page"' in html


def test_operators_see_their_areas_only(client):
    html = _signed_in(client, Role.OPERATOR).get(reverse("portal:workbench")).content.decode()
    assert f'href="{reverse("ingest:batches")}"' in html
    assert f'href="{reverse("objections:tasks")}"' in html
    assert f'href="{reverse("rewards:index")}"' not in html
    assert f'href="{reverse("lending:fund")}"' not in html


def test_subjects_and_visitors_are_kept_out(client):
    assert client.get(reverse("portal:workbench")).status_code == 302  # to the log-in page
    assert _signed_in(client, Role.PERSON).get(reverse("portal:workbench")).status_code == 403
