"""The event catalog (core.events) is the one place topics are named: every emitter and consumer uses its
constants, every topic follows ``<app>.<entity>.<event>``, docs/api.md lists them all, and stored v1 names
are renamed by the data migrations."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import transaction

from gongxin.core.events import CATALOG, CATALOG_VERSION, RENAMED_IN_V2, record_topic, topics_rename
from gongxin.core.models import OutboxEvent
from gongxin.core.outbox import EventDraft, event_emit, events_emit_bulk
from gongxin.lending.choices import EntryKind
from gongxin.lending.services import FUND_TOPICS
from gongxin.objections.choices import Action
from gongxin.records.choices import ChangeKind

SRC = Path(__file__).resolve().parents[1] / "src" / "gongxin"
DOCS = Path(__file__).resolve().parents[1] / "docs"
NAME = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")
# v1 names and the prefixes v1 built topics from (f"record.{change}", f"lending.fund.{kind}" ...).
OLD_PREFIXES = ("record.", "subject.", "consent.", "objection.", "repair.", "report.", "lending.fund.",
                "sharing.subscription.")
# A v1 topic that is also an error code (core errors are a contract of their own, docs/api.md "Errors").
V1_ERROR_CODES = {"record.revoked"}


def _sources() -> list[Path]:
    return [p for p in SRC.rglob("*.py")
            if "migrations" not in p.parts and "tests" not in p.parts and p.name != "events.py"]


def test_topics_are_named_one_way_by_installed_apps() -> None:
    labels = {config.label for config in django_apps.get_app_configs()}
    for name, topic in CATALOG.items():
        assert NAME.match(name), name
        assert topic.owner in labels, name
        assert topic.meaning and topic.payload and topic.aggregate_type, name
    assert CATALOG_VERSION == 2


def test_every_v1_name_has_a_v2_name() -> None:
    assert set(RENAMED_IN_V2.values()) <= set(CATALOG)
    assert not set(RENAMED_IN_V2) & set(CATALOG)


def test_every_kind_of_step_has_its_topic() -> None:
    assert {record_topic(c) for c in ChangeKind.values} <= set(CATALOG)
    assert set(Action.values) <= set(CATALOG)
    assert set(FUND_TOPICS) == set(EntryKind.values) and set(FUND_TOPICS.values()) <= set(CATALOG)


def test_no_topic_is_spelled_outside_the_catalog() -> None:
    """No string literal in src names a topic (v2 or v1), and no f-string builds one."""
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in CATALOG or (node.value in RENAMED_IN_V2 and node.value not in V1_ERROR_CODES):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value}")
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = str(node.values[0].value)
                if any(head.startswith(f"{t.owner}.{t.name.split('.')[1]}.") for t in CATALOG.values()) or (
                        head in OLD_PREFIXES):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} f{head!r}...")
    assert not found, found


def test_emitters_pass_catalog_constants() -> None:
    """Every event_emit / EventDraft call passes its topic as a name (a catalog constant), not a literal."""
    bad = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "event_emit", "EventDraft"):
                for kw in node.keywords:
                    if kw.arg == "topic" and isinstance(kw.value, (ast.Constant, ast.JoinedStr)):
                        bad.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not bad, bad


@pytest.mark.django_db
def test_the_outbox_refuses_a_topic_outside_the_catalog() -> None:
    # Each refusal in its own savepoint: on PostgreSQL a refused bulk emit aborts its COPY (and transaction).
    with pytest.raises(ValueError, match="not in the event catalog"), transaction.atomic():
        event_emit(topic="record.created", aggregate_type="record", aggregate_id=1, subject_id=None, payload={})
    with pytest.raises(ValueError, match="is about 'record'"), transaction.atomic():
        event_emit(topic="records.record.created", aggregate_type="report", aggregate_id=1, subject_id=None,
                   payload={})
    with pytest.raises(ValueError, match="not in the event catalog"), transaction.atomic():
        events_emit_bulk([EventDraft(topic="record.created", aggregate_type="record", aggregate_id=1,
                                     subject_id=None, payload={})])
    with transaction.atomic():
        event_emit(topic="records.record.created", aggregate_type="record", aggregate_id=1, subject_id=None,
                   payload={})
    assert OutboxEvent.objects.filter(topic="records.record.created").count() == 1


@pytest.mark.django_db
def test_stored_v1_topics_are_renamed() -> None:
    from gongxin.core import clock
    for old in ("record.created", "objection.filed", "lending.fund.claim", "monitoring.alert.raised"):
        OutboxEvent.objects.create(topic=old, aggregate_type="x", aggregate_id=1, payload={}, created_at=clock.now())
    topics_rename(django_apps, None, model="core.OutboxEvent", field="topic")
    assert sorted(OutboxEvent.objects.values_list("topic", flat=True)) == [
        "lending.fund.claim_paid", "monitoring.alert.raised", "objections.objection.filed", "records.record.created"]


def test_docs_api_lists_the_catalog() -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    assert f"event catalog v{CATALOG_VERSION}" in text.lower()
    missing = [name for name in CATALOG if f"`{name}`" not in text]
    assert not missing, missing
    renamed = [f"{old} → {new}" for old, new in RENAMED_IN_V2.items() if f"`{old}` → `{new}`" not in text]
    assert not renamed, renamed
