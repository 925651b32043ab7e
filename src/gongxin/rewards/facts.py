"""Subject facts: what measures' triggers read, computed set-based from list entries and records, plus
facts from pluggable providers (scoring grades, commitments), stored one row per subject.

Built-in facts (name → CEL type; a missing fact takes its type's zero value, see core.cel):

- ``lists`` (list<string>): codes of the list types the subject is on now (active entry, end not passed);
- ``serious_dishonesty`` (bool): on any serious dishonesty list (the court's list of dishonest judgment
  debtors is one of them); ``judgment_debtor`` (bool): on the court's list; ``red_list`` (bool): on a red list;
- ``negative_minor`` / ``negative_general`` / ``negative_serious`` (int): negative records in effect, within
  retention and not repaired, by severity (list entries excluded: they count as lists);
  ``unrepaired_serious`` (bool): ``negative_serious > 0``;
- ``voluntary_performance``, ``honours`` (int): positive records of those kinds within retention;
  ``tax_grade_a`` (bool);
- ``subject_kind`` (string): "organization" or "person";
- ``grade``, ``score_level`` (string): declared here so seeded rules validate before the scoring provider
  exists; the provider ``gongxin.scoring.facts.ScoringFacts`` fills them (``grade`` is the evaluation band,
  e.g. "excellent" for organizations; ``score_level`` the letter level, for organizations the supervision
  class A–D — the seeded "grade A" incentives read ``score_level == "A"`` of organizations).
- ``legal_rep_of_judgment_debtor``, ``controller_of_judgment_debtor``, ``legal_rep_of_serious_dishonesty``,
  ``founded_while_listed`` (bool): declared here so the seeded measures on related subjects validate; the provider
  ``gongxin.rewards.related.RelatedFacts`` fills them, with bases naming the path (the firm, the relation).

Providers: ``settings.GONGXIN_FACT_PROVIDERS`` lists dotted paths of classes with ``names: dict[str, str]``
(fact → type label) and ``facts_for(subject_ids: Collection[int]) -> dict[int, dict[str, Any]]``. A provider
may declare a built-in name again with the same type (``grade``); its value then wins. A provider whose facts
rest on bases of its own (``rewards.related``: the path from a person to a listed firm) offers
``facts_with_bases(subject_ids, day=...)`` instead: per subject its facts, its bases and the days they change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import Polarity, RecordKind, Severity
from gongxin.catalog.policy import removal_authorities
from gongxin.core import clock
from gongxin.records.choices import ListKind
from gongxin.records.counting import counting_ends_on, counts_q
from gongxin.records.models import ListEntry, Record
from gongxin.rewards.choices import LiftHow
from gongxin.rewards.models import SubjectFacts
from gongxin.subjects.models import Subject

BUILTIN_FACTS: dict[str, str] = {
    "lists": "list<string>",
    "serious_dishonesty": "bool",
    "judgment_debtor": "bool",
    "red_list": "bool",
    "negative_minor": "int",
    "negative_general": "int",
    "negative_serious": "int",
    "unrepaired_serious": "bool",
    "voluntary_performance": "int",
    "honours": "int",
    "tax_grade_a": "bool",
    "subject_kind": "string",
    "grade": "string",
    "score_level": "string",
    # Declared here, like ``grade``, so the seeded measures on related subjects validate without their provider;
    # ``gongxin.rewards.related.RelatedFacts`` fills them (decision 071).
    "legal_rep_of_judgment_debtor": "bool",
    "controller_of_judgment_debtor": "bool",
    "legal_rep_of_serious_dishonesty": "bool",
    "founded_while_listed": "bool",
}

# A fact's type as staff read it beside the fact's name (the name itself is what a rule's author types).
FACT_TYPE_LABELS: dict[str, Any] = {
    "bool": _("yes / no"), "int": _("whole number"), "double": _("number"), "string": _("text"),
    "list<string>": _("list of texts"),
}

JUDGMENT_DEBTOR_LIST = "judgment_debtor"
REBUILD_CHUNK = 2000


class FactProvider(Protocol):
    names: dict[str, str]

    def facts_for(self, subject_ids: Collection[int]) -> dict[int, dict[str, Any]]: ...


@lru_cache(maxsize=4)
def _providers(paths: tuple[str, ...]) -> tuple[FactProvider, ...]:
    return tuple(import_string(path)() for path in paths)


def providers() -> tuple[FactProvider, ...]:
    return _providers(tuple(getattr(settings, "GONGXIN_FACT_PROVIDERS", [])))


def fact_type_label(type_name: str) -> str:
    """A fact's type label in words ("yes / no" for ``bool``); an unknown type as "value"."""
    return str(FACT_TYPE_LABELS.get(type_name, _("value")))


def fact_names() -> dict[str, str]:
    """Every fact a rule may read: the built-in ones and the providers' (fact → type label)."""
    names = dict(BUILTIN_FACTS)
    for provider in providers():
        names.update(provider.names)
    return names


@dataclass(frozen=True)
class ComputedFacts:
    facts: dict[str, Any]
    bases: list[dict[str, Any]]
    valid_until: date | None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _record_lifts(row: Mapping[str, Any], today: date, removed_by: Mapping[str, str]) -> list[dict[str, Any]]:
    """How a negative record stops being a basis: repaired (from the end of its minimum publicity) — or, for a
    kind repair does not reach, removed by its authority (``removed_by``: the court) —, an objection, or the end
    of retention."""
    authority = removed_by.get(row["catalog_item__record_kind"])
    repair_from = row["current_version__publicity_min_end"]
    first = ({"how": authority, "date": None} if authority else
             {"how": LiftHow.REPAIR.value, "date": _iso(max(repair_from, today) if repair_from else today)})
    lifts = [first, {"how": LiftHow.OBJECTION.value, "date": None}]
    ends = counting_ends_on(row["current_version__retention_end"])
    if ends is not None:
        lifts.append({"how": LiftHow.END_DATE.value, "date": _iso(ends)})
    return lifts


def _entry_lifts(row: Mapping[str, Any], removed_by: Mapping[str, str]) -> list[dict[str, Any]]:
    """A list entry ends on its end date; earlier by repair (exit after correcting the act and
    performing the obligation) — or, for a list repair does not reach, removal by its authority (``removed_by``:
    the court removes a judgment debtor after performance) — or a successful objection."""
    lifts = []
    if row["end_date"] is not None:
        lifts.append({"how": LiftHow.END_DATE.value, "date": _iso(row["end_date"] + timedelta(days=1))})
    lifts.append({"how": removed_by.get(row["record__catalog_item__record_kind"]) or LiftHow.REPAIR.value,
                  "date": None})
    lifts.append({"how": LiftHow.OBJECTION.value, "date": None})
    return lifts


def _empty_facts(kind: str) -> dict[str, Any]:
    return {
        "lists": [], "serious_dishonesty": False, "judgment_debtor": False, "red_list": False,
        "negative_minor": 0, "negative_general": 0, "negative_serious": 0, "unrepaired_serious": False,
        "voluntary_performance": 0, "honours": 0, "tax_grade_a": False, "subject_kind": kind,
    }


def facts_compute(subject_ids: Collection[int], *, day: date | None = None) -> dict[int, ComputedFacts]:
    """The facts of many subjects at once (three queries plus one call per provider)."""
    today = day or clock.today()
    ids = list(subject_ids)
    if not ids:
        return {}
    facts: dict[int, dict[str, Any]] = {
        sid: _empty_facts(kind) for sid, kind in Subject.objects.filter(pk__in=ids).values_list("pk", "kind")
    }
    bases: dict[int, list[dict[str, Any]]] = {sid: [] for sid in facts}
    changes: dict[int, list[date]] = {sid: [] for sid in facts}

    entries = (
        ListEntry.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), subject_id__in=facts,
                                 is_active=True)
        .order_by("pk")
        .values("pk", "subject_id", "record_id", "start_date", "end_date", "basis", "list_type__code",
                "list_type__name", "list_type__kind", "list_type__is_serious_dishonesty",
                "record__catalog_item__record_kind")
    )
    removed_by = removal_authorities(day=today)  # kinds credit repair does not reach, and who removes them
    for row in entries:
        sid, code = row["subject_id"], row["list_type__code"]
        subject_facts = facts[sid]
        named = ["lists"]
        if code not in subject_facts["lists"]:
            subject_facts["lists"].append(code)
        if row["list_type__is_serious_dishonesty"]:
            subject_facts["serious_dishonesty"] = True
            named.append("serious_dishonesty")
        if code == JUDGMENT_DEBTOR_LIST:
            subject_facts["judgment_debtor"] = True
            named.append("judgment_debtor")
        if row["list_type__kind"] == ListKind.RED:
            subject_facts["red_list"] = True
            named.append("red_list")
        if row["end_date"] is not None:
            changes[sid].append(row["end_date"] + timedelta(days=1))
        lifts = _entry_lifts(row, removed_by)
        bases[sid].append({
            "type": "list_entry", "facts": named, "list": code, "id": row["pk"], "record_id": row["record_id"],
            "label": row["list_type__name"], "start": _iso(row["start_date"]), "end": _iso(row["end_date"]),
            "basis": row["basis"][:500], "lift": lifts[0], "lift_options": lifts,
        })

    records = (
        # Records that count today (records.counting); a repaired negative one no longer does.
        Record.objects.filter(counts_q(day=today), subject_id__in=facts)
        .filter(Q(current_version__polarity=Polarity.NEGATIVE, current_version__repaired=False,
                  catalog_item__list_type_code="")
                | Q(current_version__polarity=Polarity.POSITIVE,
                    catalog_item__record_kind__in=[RecordKind.VOLUNTARY_PERFORMANCE, RecordKind.HONOUR,
                                                   RecordKind.TAX_GRADE_A]))
        .order_by("pk")
        .values("pk", "subject_id", "source_record_id", "catalog_item__code", "catalog_item__name",
                "catalog_item__record_kind", "catalog_item__list_type_code", "current_version__polarity",
                "current_version__severity", "current_version__decision_date",
                "current_version__publicity_min_end", "current_version__retention_end")
    )
    for record_row in records:
        sid = record_row["subject_id"]
        subject_facts = facts[sid]
        ends = counting_ends_on(record_row["current_version__retention_end"])
        if ends is not None:
            changes[sid].append(ends)
        kind = record_row["catalog_item__record_kind"]
        if record_row["current_version__polarity"] == Polarity.POSITIVE:
            if kind == RecordKind.VOLUNTARY_PERFORMANCE:
                subject_facts["voluntary_performance"] += 1
                named = ["voluntary_performance"]
            elif kind == RecordKind.HONOUR:
                subject_facts["honours"] += 1
                named = ["honours"]
            else:
                subject_facts["tax_grade_a"] = True
                named = ["tax_grade_a"]
            lifts = [{"how": LiftHow.END_DATE.value, "date": _iso(ends)}]
        else:
            severity = record_row["current_version__severity"] or Severity.GENERAL
            fact = f"negative_{severity}"
            subject_facts[fact] += 1
            named = [fact]
            if severity == Severity.SERIOUS:
                subject_facts["unrepaired_serious"] = True
                named.append("unrepaired_serious")
            lifts = _record_lifts(record_row, today, removed_by)
        bases[sid].append({
            "type": "record", "facts": named, "id": record_row["pk"], "item": record_row["catalog_item__code"],
            "label": record_row["catalog_item__name"], "source_record_id": record_row["source_record_id"],
            "severity": record_row["current_version__severity"],
            "date": _iso(record_row["current_version__decision_date"]),
            "lift": lifts[0], "lift_options": lifts,
        })

    for provider in providers():
        with_bases = getattr(provider, "facts_with_bases", None)
        if with_bases is not None:  # a provider that names its bases too (rewards.related: the path to a firm)
            for sid, (values, found, days) in with_bases(list(facts), day=today).items():
                if sid in facts:
                    facts[sid].update({k: v for k, v in values.items() if v is not None})
                    bases[sid].extend(found)
                    changes[sid].extend(days)
            continue
        for sid, values in provider.facts_for(list(facts)).items():
            if sid in facts:
                facts[sid].update({k: v for k, v in values.items() if v is not None})

    result = {}
    for sid, subject_facts in facts.items():
        subject_facts["lists"].sort()
        upcoming = [d for d in changes[sid] if d > today]
        result[sid] = ComputedFacts(facts=subject_facts, bases=bases[sid], valid_until=min(upcoming, default=None))
    return result


def facts_compact(facts: dict[str, Any]) -> dict[str, Any]:
    """What is stored: the facts that differ from their zero value (rules read a missing fact as zero,
    core.cel), plus the subject kind. Most subjects have no list entry and no negative record, so their
    row stays small (a million rows, one short JSON each)."""
    return {k: v for k, v in facts.items() if k == "subject_kind" or v not in (False, 0, "", [], None)}


def facts_refresh(subject_ids: Iterable[int], *, day: date | None = None) -> dict[int, SubjectFacts]:
    """Recompute and store the facts of these subjects (one upsert). Idempotent."""
    computed = facts_compute(set(subject_ids), day=day)
    if not computed:
        return {}
    now = clock.now()
    rows = [
        SubjectFacts(subject_id=sid, facts=facts_compact(c.facts), bases=c.bases, valid_until=c.valid_until,
                     updated_at=now)
        for sid, c in computed.items()
    ]
    SubjectFacts.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["subject"],
        update_fields=["facts", "bases", "valid_until", "updated_at"], batch_size=1000,
    )
    return {row.subject_id: row for row in rows}


def facts_rebuild(*, chunk_size: int = REBUILD_CHUNK, day: date | None = None) -> Iterator[tuple[int, int]]:
    """Recompute every subject's facts, chunk by chunk (keyset by id); yields (done, total) after each chunk."""
    total = Subject.objects.count()
    done = 0
    last = 0
    while True:
        ids = list(Subject.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return
        facts_refresh(ids, day=day)
        done += len(ids)
        last = ids[-1]
        yield done, total


def facts_stale_refresh(*, day: date | None = None, chunk_size: int = REBUILD_CHUNK) -> int:
    """Recompute the rows whose ``valid_until`` has come (the daily job; checks also do it on read)."""
    today = day or clock.today()
    count = 0
    while True:
        ids = list(SubjectFacts.objects.filter(valid_until__lte=today).order_by("pk")
                   .values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return count
        facts_refresh(ids, day=today)
        count += len(ids)
