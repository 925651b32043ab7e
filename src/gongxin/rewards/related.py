"""Risk that follows people and capital: facts about a subject's related subjects, for measures' triggers
(a provider of ``settings.GONGXIN_FACT_PROVIDERS``; decision 071).

- ``legal_rep_of_judgment_debtor`` (bool): the subject is, today, the legal representative of an organization on
  the court's list of dishonest judgment debtors — the high-consumption restriction of the Supreme People's Court
  (法释〔2015〕17号 第三条) applies to that person;
- ``controller_of_judgment_debtor`` (bool): the subject is the registered actual controller of such an organization
  (the same article);
- ``legal_rep_of_serious_dishonesty`` (bool): legal representative of an organization on any serious dishonesty list;
- ``founded_while_listed`` (bool): the subject became legal representative or shareholder of an organization (a
  relation in effect today) on a day it was itself on a serious dishonesty list.

Each fact carries bases of type ``relation`` naming the **path**: the organization (name, USCC), the relation
(kind, start, end) and the list entry behind it, so a check's hit says why a person is hit by a firm's listing.
A fact holds only while the relation is in effect (``subjects.associations.in_effect_q``): a relation that ends
(its end date, or its record revoked) ends the hit — the relation's events name the person, whose row the facts
consumer recomputes; the firm's list events reach the persons related to it through ``related_sources``.

Set-based: two queries for any number of subjects (the relations with their organizations, the list entries).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from gongxin.catalog.policy import removal_authorities
from gongxin.core import clock
from gongxin.records.models import ListEntry
from gongxin.rewards.choices import LiftHow
from gongxin.rewards.models import SubjectFacts
from gongxin.subjects.associations import in_effect_q
from gongxin.subjects.choices import RelationKind
from gongxin.subjects.models import Relation

JUDGMENT_DEBTOR_LIST = "judgment_debtor"
LEGAL_REP = RelationKind.LEGAL_REPRESENTATIVE.value
CONTROLLER = RelationKind.ACTUAL_CONTROLLER.value
SHAREHOLDER = RelationKind.SHAREHOLDER.value
# The relations along which these facts follow a firm's listing to a subject.
FOLLOWED = (LEGAL_REP, CONTROLLER, SHAREHOLDER)

NAMES: dict[str, str] = {
    "legal_rep_of_judgment_debtor": "bool",
    "controller_of_judgment_debtor": "bool",
    "legal_rep_of_serious_dishonesty": "bool",
    "founded_while_listed": "bool",
}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _empty() -> dict[str, Any]:
    return dict.fromkeys(NAMES, False)


def _active_entries(subject_ids: Collection[int], today: date) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (ListEntry.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), is_active=True,
                                     subject_id__in=list(subject_ids))
            .order_by("pk").values("pk", "subject_id", "record_id", "start_date", "end_date", "list_type__code",
                                   "list_type__name", "list_type__is_serious_dishonesty",
                                   "record__catalog_item__record_kind"))
    for row in rows:
        found[row["subject_id"]].append(dict(row))
    return found


def related_facts(subject_ids: Collection[int], *, day: date | None = None
                  ) -> dict[int, tuple[dict[str, Any], list[dict[str, Any]], list[date]]]:
    """Per subject: its related facts, their bases (each naming the path) and the days they change by themselves."""
    today = day or clock.today()
    ids = list(subject_ids)
    result: dict[int, tuple[dict[str, Any], list[dict[str, Any]], list[date]]] = {
        sid: (_empty(), [], []) for sid in ids}
    if not ids:
        return result
    relations = list(
        Relation.objects.filter(in_effect_q(today), from_subject_id__in=ids, kind__in=FOLLOWED)
        .order_by("pk").values("pk", "from_subject_id", "to_subject_id", "kind", "share_ratio", "start_date",
                               "end_date", "to_subject__name", "to_subject__organization__uscc"))
    if not relations:
        return result
    firms = {r["to_subject_id"] for r in relations}
    entries = _active_entries(firms, today)
    removed_by = removal_authorities(day=today)
    # The subjects' own serious-dishonesty entries, past ones included: "founded while listed" asks about the day
    # the relation started.
    own: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (ListEntry.objects.filter(subject_id__in=ids, list_type__is_serious_dishonesty=True)
                .order_by("pk").values("pk", "subject_id", "record_id", "start_date", "end_date", "is_active",
                                       "list_type__code", "list_type__name")):
        own[row["subject_id"]].append(dict(row))
    for r in relations:
        sid = r["from_subject_id"]
        facts, bases, changes = result[sid]
        firm = {"subject_id": r["to_subject_id"], "name": r["to_subject__name"],
                "uscc": r["to_subject__organization__uscc"] or ""}
        path = [{"subject_id": r["to_subject_id"], "name": firm["name"], "uscc": firm["uscc"], "kind": r["kind"],
                 "direction": "out", "relation_id": r["pk"]}]
        relation_end = r["end_date"]
        if relation_end is not None:
            changes.append(relation_end)
        for e in entries.get(r["to_subject_id"], ()):
            named = []
            if r["kind"] == LEGAL_REP and e["list_type__code"] == JUDGMENT_DEBTOR_LIST:
                named.append("legal_rep_of_judgment_debtor")
            if r["kind"] == CONTROLLER and e["list_type__code"] == JUDGMENT_DEBTOR_LIST:
                named.append("controller_of_judgment_debtor")
            if r["kind"] == LEGAL_REP and e["list_type__is_serious_dishonesty"]:
                named.append("legal_rep_of_serious_dishonesty")
            if not named:
                continue
            for name in named:
                facts[name] = True
            if e["end_date"] is not None:
                changes.append(e["end_date"] + timedelta(days=1))
            by_list = {"how": removed_by.get(e["record__catalog_item__record_kind"]) or LiftHow.REPAIR.value,
                       "date": None}
            lifts = [by_list]
            if relation_end is not None:
                lifts.insert(0, {"how": LiftHow.END_DATE.value, "date": _iso(relation_end)})
            if e["end_date"] is not None:
                lifts.append({"how": LiftHow.END_DATE.value, "date": _iso(e["end_date"] + timedelta(days=1))})
            bases.append({
                "type": "relation", "facts": named, "id": r["pk"], "relation": r["kind"],
                "label": _("%(relation)s of %(firm)s, on the list: %(list)s") % {
                    "relation": RelationKind(r["kind"]).label, "firm": firm["name"], "list": e["list_type__name"]},
                "firm": firm, "path": path, "list": e["list_type__code"], "list_entry_id": e["pk"],
                "record_id": e["record_id"], "start": _iso(r["start_date"]), "end": _iso(relation_end),
                "listed_since": _iso(e["start_date"]), "lift": lifts[0], "lift_options": lifts,
            })
        if r["kind"] in (LEGAL_REP, SHAREHOLDER) and r["start_date"] is not None:
            started = r["start_date"]
            for e in own.get(sid, ()):
                if e["start_date"] <= started and (e["end_date"] is None or started <= e["end_date"]):
                    facts["founded_while_listed"] = True
                    lifts = [{"how": LiftHow.END_DATE.value, "date": _iso(relation_end)}]
                    bases.append({
                        "type": "relation", "facts": ["founded_while_listed"], "id": r["pk"], "relation": r["kind"],
                        "label": _("%(relation)s of %(firm)s since %(start)s, while on the list: %(list)s") % {
                            "relation": RelationKind(r["kind"]).label, "firm": firm["name"],
                            "start": started.isoformat(), "list": e["list_type__name"]},
                        "firm": firm, "path": path, "list": e["list_type__code"], "list_entry_id": e["pk"],
                        "record_id": e["record_id"], "start": _iso(started), "end": _iso(relation_end),
                        "listed_since": _iso(e["start_date"]), "lift": lifts[0], "lift_options": lifts,
                    })
                    break
    return result


class RelatedFacts:
    """The provider (``settings.GONGXIN_FACT_PROVIDERS``): facts with their bases (``facts_with_bases``, read by
    ``rewards.facts.facts_compute``) and the plain ``facts_for`` of the provider protocol."""

    names: dict[str, str] = NAMES

    def facts_for(self, subject_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        return {sid: facts for sid, (facts, _b, _c) in related_facts(subject_ids).items()}

    def facts_with_bases(self, subject_ids: Collection[int], *, day: date | None = None
                         ) -> dict[int, tuple[dict[str, Any], list[dict[str, Any]], list[date]]]:
        return related_facts(subject_ids, day=day)


def related_sources(subject_ids: Collection[int], *, day: date | None = None) -> set[int]:
    """The subjects whose related facts may follow from these organizations: their legal representatives, actual
    controllers and shareholders in effect (one query)."""
    if not subject_ids:
        return set()
    return set(Relation.objects.filter(in_effect_q(day), to_subject_id__in=list(subject_ids), kind__in=FOLLOWED)
               .values_list("from_subject_id", flat=True).distinct())


REFRESH_CHUNK = 2000


def related_candidates(*, day: date | None = None) -> set[int]:
    """Every subject whose related facts may be true, or are stored as true: the subjects related (``FOLLOWED``) to
    an organization with an active list entry, the listed subjects holding such relations, and the rows that
    say so now. Three set-based queries."""
    today = day or clock.today()
    listed = ListEntry.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), is_active=True)
    ids = set(Relation.objects.filter(in_effect_q(today), kind__in=FOLLOWED,
                                      to_subject_id__in=listed.values("subject_id"))
              .values_list("from_subject_id", flat=True).distinct())
    ids |= set(Relation.objects.filter(in_effect_q(today), kind__in=(LEGAL_REP, SHAREHOLDER),
                                       from_subject_id__in=ListEntry.objects.filter(
                                           list_type__is_serious_dishonesty=True).values("subject_id"))
               .values_list("from_subject_id", flat=True).distinct())
    stored = Q()
    for name in NAMES:
        stored |= Q(facts__has_key=name)
    ids |= set(SubjectFacts.objects.filter(stored).values_list("subject_id", flat=True))
    return ids


def related_refresh(*, day: date | None = None, chunk_size: int = REFRESH_CHUNK) -> Iterator[tuple[int, int]]:
    """The nightly association refresh: recompute the facts of every candidate (``related_candidates``), chunk by
    chunk; yields (done, total) after each chunk. Catches what no event announced (a list entry ending by date
    on a firm, whose persons' rows then say so). Idempotent."""
    from gongxin.rewards.facts import facts_refresh

    ids = sorted(related_candidates(day=day))
    total = len(ids)
    for start in range(0, total, chunk_size):
        facts_refresh(ids[start:start + chunk_size], day=day)
        yield min(start + chunk_size, total), total
