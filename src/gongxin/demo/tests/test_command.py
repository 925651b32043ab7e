"""The ``gongxin demo`` command: ``seed`` and ``up --no-serve``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongxin.accounts.models import User
from gongxin.ingest.models import Batch
from gongxin.records.models import Record
from gongxin.subjects.models import Organization

pytestmark = pytest.mark.django_db

TINY = ["--organizations", "20", "--persons", "20", "--records", "100", "--no-progress"]


def test_demo_seed_command_seeds_and_reports() -> None:
    out = StringIO()
    call_command("demo", "seed", "--seed", "3", *TINY, stdout=out)
    assert "records +100" in out.getvalue()
    assert Organization.objects.count() == 20
    # The sample batch: a messy GBK file of penalties for the seeded organizations, with its rejected rows.
    batch = Batch.objects.get()
    assert (batch.status, batch.received, batch.rejected, batch.duplicate) == ("done", 21, 4, 1)
    # Beside the 100 credit records and the sample batch's: the registration relations (records of their own item).
    credit = Record.objects.exclude(catalog_item__code="registration_relation")
    assert credit.count() == 100 + batch.inserted
    assert Record.objects.filter(catalog_item__code="registration_relation").exists()
    assert {i.code for i in batch.issues.filter(level="error")} >= {"invalid_uscc_checksum", "invalid_date",
                                                                    "negative", "required"}

    out = StringIO()
    call_command("demo", "seed", "--seed", "3", *TINY, stdout=out)
    assert "organizations +0" in out.getvalue()
    assert "records +0" in out.getvalue()
    assert credit.count() == 100 + batch.inserted
    assert Batch.objects.count() == 1


def test_demo_up_without_serving_seeds_an_empty_database_and_prints_the_logins() -> None:
    out = StringIO()
    call_command("demo", "up", "--no-serve", "--port", "8123", *TINY, stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    for username in ("demo-public", "demo-person", "demo-org", "demo-operator", "demo-staff", "demo-auditor",
                     "demo-admin"):
        assert username in text
    assert Organization.objects.count() == 20
    # One login per role, and one per source unit deciding the demo firm's and person's records.
    assert User.objects.filter(username__startswith="demo-").exclude(username__startswith="demo-op-").count() == 7

    # With subjects present, `up` does not seed again.
    call_command("demo", "up", "--no-serve", "--organizations", "40", "--no-progress", stdout=StringIO())
    assert Organization.objects.count() == 20


def test_demo_needs_a_subcommand() -> None:
    with pytest.raises(CommandError):
        call_command("demo")
