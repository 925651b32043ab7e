"""Migrations of the search: the initials back-fill, and the PostgreSQL-only indexes (nothing on SQLite)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection

from gongxin.subjects.models import Subject
from gongxin.subjects.search_indexes import (
    INDEX_NAMES,
    NGRAMS_FUNCTION,
    name_initials_backfill,
    search_indexes_create,
)
from gongxin.testing import subjects as factories

pytestmark = pytest.mark.django_db

MIGRATION_BACKFILL = importlib.import_module("gongxin.subjects.migrations.0003_name_initials_backfill")
MIGRATION_INDEXES = importlib.import_module("gongxin.subjects.migrations.0004_search_indexes")


class _RecordingEditor:
    """What a migration's RunPython gets as ``schema_editor``: the connection, and ``execute`` (recorded)."""

    def __init__(self) -> None:
        self.connection = connection
        self.statements: list[str] = []

    def execute(self, sql: str, params: Any = ()) -> None:
        self.statements.append(sql)
        with connection.cursor() as cursor:
            cursor.execute(sql, params or None)


def test_backfill_sets_the_initials_of_organizations_only() -> None:
    a = factories.organization_create(name="宁波万业贸易有限公司")
    b = factories.organization_create(name="宁波银行股份有限公司")
    person = factories.person_create(name="张三")
    # As before migration 0002: the column exists but is blank.
    Subject.objects.update(name_initials="")
    assert name_initials_backfill(subject_model=Subject, batch_size=1) == 2
    assert dict(Subject.objects.values_list("pk", "name_initials")) == {
        a.pk: "nbwymyyxgs", b.pk: "nbyhgfyxgs", person.pk: ""}
    assert name_initials_backfill(subject_model=Subject) == 0  # a re-run changes nothing


def test_backfill_migration_uses_the_historical_model() -> None:
    a = factories.organization_create(name="宁波万业贸易有限公司")
    Subject.objects.filter(pk=a.pk).update(name_initials="stale")
    MIGRATION_BACKFILL.forward(django_apps, _RecordingEditor())
    assert Subject.objects.get(pk=a.pk).name_initials == "nbwymyyxgs"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's side of the vendor guard")
def test_index_migration_does_nothing_on_sqlite() -> None:
    editor = _RecordingEditor()
    MIGRATION_INDEXES.forward(django_apps, editor)
    MIGRATION_INDEXES.backward(django_apps, editor)
    assert editor.statements == []
    assert search_indexes_create(editor) is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'subjects_%'")
        names = {row[0] for row in cursor.fetchall()}
    assert not names & set(INDEX_NAMES)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's side of the vendor guard")
def test_index_migration_created_the_indexes_on_postgresql() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'subjects_%%'")
        names = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None
        cursor.execute(f"SELECT {NGRAMS_FUNCTION}('万业a')")
        assert sorted(cursor.fetchone()[0]) == sorted(["万", "业", "a", "万业", "业a"])
    assert set(INDEX_NAMES) <= names
    # Running it again is harmless (IF NOT EXISTS / OR REPLACE).
    assert search_indexes_create(_RecordingEditor()) is True
