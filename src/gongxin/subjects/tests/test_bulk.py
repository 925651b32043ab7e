"""Set-based registration for the demo and ingest: counts, idempotent re-runs, no per-row saves."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.catalog.choices import SubjectKind
from gongxin.core.models import OutboxEvent
from gongxin.subjects.errors import InvalidRin, InvalidUscc
from gongxin.subjects.models import Organization, Person, Subject
from gongxin.subjects.selectors import subject_by_rin
from gongxin.subjects.services import (
    OrganizationRow,
    PersonRow,
    organizations_register_bulk,
    persons_register_bulk,
)
from gongxin.testing import subjects as factories

pytestmark = pytest.mark.django_db


def _org_rows(n: int) -> list[OrganizationRow]:
    return [OrganizationRow(uscc=factories.uscc_new(), name=f"宁波测试企业{i}有限公司") for i in range(n)]


def test_organizations_bulk_inserts_and_a_rerun_inserts_nothing() -> None:
    rows = _org_rows(25)
    progress: list[int] = []
    assert organizations_register_bulk(rows, actor_label="demo", batch_size=10, progress=progress.append) == 25
    assert progress == [10, 20, 25]
    assert Organization.objects.count() == 25
    assert OutboxEvent.objects.filter(topic="subjects.subject.created").count() == 25
    assert organizations_register_bulk(rows, actor_label="demo", batch_size=10) == 0
    more = _org_rows(5)
    assert organizations_register_bulk(rows + more, actor_label="demo", batch_size=10) == 5
    assert Subject.objects.filter(kind=SubjectKind.ORGANIZATION).count() == 30
    assert OutboxEvent.objects.filter(topic="subjects.subject.created").count() == 30


def test_organizations_bulk_skips_repeats_within_the_input() -> None:
    row = _org_rows(1)[0]
    assert organizations_register_bulk([row, row, row], actor_label="demo") == 1


def test_organizations_bulk_is_set_based() -> None:
    rows = _org_rows(200)
    with CaptureQueriesContext(connection) as queries:
        organizations_register_bulk(rows, actor_label="demo", batch_size=100)
    # Per batch: existing-code check, subjects, organizations, events (+ savepoints); never per row.
    assert len(queries) < 30


def test_organizations_bulk_names_the_invalid_row() -> None:
    rows = _org_rows(3)
    rows.insert(2, OrganizationRow(uscc="91110000600037341M", name="坏代码"))
    with pytest.raises(InvalidUscc) as caught:
        organizations_register_bulk(rows, actor_label="demo", batch_size=2)
    assert caught.value.details == {"reason": "check", "row": 2}
    assert Organization.objects.count() == 2  # the batch before the bad row was committed; re-run resumes


def test_persons_bulk_inserts_seals_and_is_idempotent() -> None:
    rins = [factories.rin_new() for _ in range(12)]
    rows = [PersonRow(rin=rin, name=f"居民{i}") for i, rin in enumerate(rins)]
    assert persons_register_bulk(rows, actor_label="demo", batch_size=5) == 12
    assert persons_register_bulk(rows, actor_label="demo", batch_size=5) == 0
    assert persons_register_bulk([PersonRow(rin=rins[0].lower(), name="居民0")], actor_label="demo") == 0
    assert Person.objects.count() == 12
    found = subject_by_rin(rins[7])
    assert found is not None and found.name == "居民7"
    assert not Person.objects.filter(rin_sealed__contains=rins[7]).exists()
    with pytest.raises(InvalidRin):
        persons_register_bulk([PersonRow(rin="123", name="坏号码")], actor_label="demo")
