"""Writes of the rewards app: measures (versioned), business systems and matters, checks, feedback,
and check certificates.

**The decision of a check** (``decision_of``): any hit punishment of class *legal restriction* →
``intercept`` (the system must not proceed); other punishments only → ``warn`` (the system decides,
with the hit in view); only rewards → ``reward``; no hit → ``pass``. Punishments win over rewards:
the rewards still appear among the hits.

**A check** reads one facts row (rewards.facts, joined to the subject lookup) and the cached measures
(rewards.rules), and writes in one transaction: the ``Check`` row(s), their ``CheckHit`` rows (one
INSERT for all) and the inquiries (one INSERT) — so it shows in the subject's inquiry log. A check is a
read: it emits no outbox event.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Case, Count, Model, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongxin.access.choices import Channel
from gongxin.access.persons import rin_lookup_count
from gongxin.access.services import (
    INQUIRY_COLUMNS,
    inquiries_record,
    inquiry_insert_sql,
    inquiry_params,
    inquiry_values,
)
from gongxin.accounts.capabilities import decides_for_office, looks_up_persons
from gongxin.accounts.choices import Scope
from gongxin.accounts.models import ApiClient, Department
from gongxin.accounts.viewer import ANONYMOUS, Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock, signing
from gongxin.core.cel import rule_compile, rule_evaluate_many
from gongxin.core.errors import GongxinError
from gongxin.core.events import (
    CERTIFICATE_ISSUED,
    CHECK_FEEDBACK_RECORDED,
    MATTER_REGISTERED,
    MEASURE_VERSIONED,
    SYSTEM_REGISTERED,
)
from gongxin.core.outbox import event_emit
from gongxin.core.prepared import prepared_rows
from gongxin.records.choices import Purpose
from gongxin.records.models import ListType
from gongxin.rewards import errors
from gongxin.rewards.choices import Decision, FeedbackOutcome, LiftHow, MatterType, MeasureClass, MeasureKind
from gongxin.rewards.facts import facts_refresh
from gongxin.rewards.ledger import certificate_log, certificate_proofs
from gongxin.rewards.models import (
    BusinessSystem,
    Check,
    CheckCertificate,
    CheckFeedback,
    CheckHit,
    Matter,
    Measure,
    MeasureVersion,
    SubjectFacts,
)
from gongxin.rewards.rules import CompiledMeasure, MatterInfo, RuleSet, rules_changed, ruleset
from gongxin.subjects.identifiers import InvalidRin, rin_lookup_hash, rin_validate, uscc_normalize
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import (
    CODE_RIN_HASH,
    CODE_USCC,
    subject_display_code,
    subjects_by_codes,
    subjects_by_codes_sql,
)

BATCH_MAX = 1000
CERTIFICATE_PREFIX = "GXC"
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_RANDOM_LENGTH = 10
DRY_RUN_SAMPLE = 20


def _staff_check(actor: Viewer) -> None:
    if not decides_for_office(actor):
        raise errors.NotStaff()


# --- measures --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeasureDraft:
    """What a measure version says (everything but its code, number and author)."""

    name: str
    kind: str
    measure_class: str
    trigger: str
    legal_basis: str
    department: str
    effective_from: date
    effective_to: date | None = None
    matter_types: Sequence[str] = ()
    matter_codes: Sequence[str] = ()
    content: str = ""
    is_active: bool = True


def measure_validate(draft: MeasureDraft) -> None:
    """Every rule a measure version must meet: a legal basis, known kind/class/matter types and matters,
    a coherent period, and a trigger that compiles over known facts (``rule.*`` errors)."""
    from gongxin.rewards.facts import fact_names

    if not draft.legal_basis.strip():
        raise errors.LegalBasisRequired()
    problems = []
    if not draft.name.strip():
        problems.append("name")
    if draft.kind not in MeasureKind.values:
        problems.append("kind")
    if draft.measure_class not in MeasureClass.values:
        problems.append("measure_class")
    if not draft.department.strip():
        problems.append("department")
    if any(t not in MatterType.values for t in draft.matter_types):
        problems.append("matter_types")
    if draft.effective_to is not None and draft.effective_to < draft.effective_from:
        problems.append("effective_to")
    if problems:
        raise errors.MeasureInvalid(details={"fields": problems})
    codes = set(draft.matter_codes)
    if codes:
        known = set(Matter.objects.filter(code__in=codes).values_list("code", flat=True))
        if codes - known:
            raise errors.UnknownMatter(details={"matters": sorted(codes - known)})
    rule_compile(draft.trigger, names=fact_names())


def measure_save(*, code: str, draft: MeasureDraft, actor: Viewer, note: str = "") -> MeasureVersion:
    """Create a measure or give it a new version (versions are immutable; the newest one applies)."""
    _staff_check(actor)
    code = code.strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{1,59}", code):
        raise errors.MeasureInvalid(details={"fields": ["code"]})
    measure_validate(draft)
    now = clock.now()
    with transaction.atomic():
        measure, _created = Measure.objects.get_or_create(code=code, defaults={"created_at": now})
        measure = Measure.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=measure.pk)
        previous = measure.current_version
        version = MeasureVersion.objects.create(
            measure=measure, number=(previous.number + 1) if previous else 1, name=draft.name.strip(),
            kind=draft.kind, measure_class=draft.measure_class, trigger=draft.trigger.strip(),
            matter_types=sorted(set(draft.matter_types)), matter_codes=sorted(set(draft.matter_codes)),
            department=draft.department.strip(), legal_basis=draft.legal_basis.strip(), content=draft.content,
            effective_from=draft.effective_from, effective_to=draft.effective_to, is_active=draft.is_active,
            actor_label=actor.label, note=note, created_at=now,
        )
        Measure.objects.filter(pk=measure.pk).update(current_version=version)
        measure.current_version = version
        rules_changed()
        event_emit(topic=MEASURE_VERSIONED, aggregate_type="measure", aggregate_id=measure.pk,
                   subject_id=None, payload={"code": code, "version": version.number, "kind": version.kind})
    return version


@dataclass(frozen=True)
class DryRunResult:
    trigger: str
    subjects_scanned: int
    subjects_hit: int
    sample: list[dict[str, Any]]


# The sample of a dry run is read among at most this many distinct facts values (the commonest).
DRY_RUN_SAMPLE_VALUES = 500
# The time a dry run's evaluations may take in all (GONGXIN_RULE_DRY_RUN_SECONDS overrides it); past it the
# worker is stopped and the dry run refused (rule.budget_exceeded).
DRY_RUN_SECONDS = 30.0


def measure_dry_run(*, trigger: str, actor: Viewer, sample_size: int = DRY_RUN_SAMPLE) -> DryRunResult:
    """How many subjects a draft trigger would hit now, with a sample. No inquiry is logged: nobody's data
    leaves, only counts and names of organizations.

    The trigger is evaluated once per distinct facts value, counted by one GROUP BY: a city's million
    rows hold a few thousand distinct values (most subjects have no facts at all), so a dry run costs a
    scan in the database instead of a million evaluations in Python. The sample is one query over the
    matching values.
    """
    from gongxin.rewards.facts import fact_names

    _staff_check(actor)
    names = fact_names()
    rule = rule_compile(trigger, names=names)
    groups = list(SubjectFacts.objects.order_by().values_list("facts").annotate(subjects=Count("pk"))
                  .iterator(chunk_size=2000))
    # In a worker process killed at the budget (core.cel, decision 035); a failing evaluation (a provider's
    # fact of the wrong type) is not a hit, as in a check.
    seconds = float(getattr(settings, "GONGXIN_RULE_DRY_RUN_SECONDS", DRY_RUN_SECONDS))
    verdicts = rule_evaluate_many(rule, [facts for facts, _n in groups], names=names, seconds=seconds)
    scanned = hit = 0
    matching: list[tuple[int, Any]] = []
    for (facts, subjects), matched in zip(groups, verdicts, strict=True):
        scanned += subjects
        if matched:
            hit += subjects
            matching.append((subjects, facts))
    sample_ids: list[int] = []
    if matching:
        commonest = [facts for _n, facts in sorted(matching, key=lambda m: -m[0])[:DRY_RUN_SAMPLE_VALUES]]
        sample_ids = list(SubjectFacts.objects.filter(facts__in=commonest).order_by()
                          .values_list("subject_id", flat=True)[:sample_size])
    subjects = Subject.objects.filter(pk__in=sample_ids).select_related("organization").order_by("pk")
    sample = [
        {"subject_id": s.pk, "kind": s.kind,
         "name": s.name if s.kind == SubjectKind.ORGANIZATION else _("(natural person)"),
         "uscc": s.organization.uscc if s.kind == SubjectKind.ORGANIZATION else ""}
        for s in subjects
    ]
    return DryRunResult(trigger=rule.expression, subjects_scanned=scanned, subjects_hit=hit, sample=sample)


# --- business systems and matters ------------------------------------------------------------------

def system_register(*, code: str, name: str, department: Department, client: ApiClient | None, actor: Viewer,
                    is_active: bool = True) -> BusinessSystem:
    """Register (or update) a business system by its code."""
    _staff_check(actor)
    if not code.strip() or not name.strip():
        raise errors.RegistryInvalid(details={"fields": ["code", "name"]})
    if client is not None and client.department_id != department.pk:
        raise errors.RegistryInvalid(_("The API client belongs to another department."))
    with transaction.atomic():
        system, _created = BusinessSystem.objects.update_or_create(
            code=code.strip(),
            defaults={"name": name.strip(), "department": department, "client": client, "is_active": is_active},
            create_defaults={"name": name.strip(), "department": department, "client": client,
                             "is_active": is_active, "created_at": clock.now()},
        )
        rules_changed()
        event_emit(topic=SYSTEM_REGISTERED, aggregate_type="business_system", aggregate_id=system.pk,
                   subject_id=None, payload={"code": system.code, "active": system.is_active})
    return system


def matter_register(*, code: str, name: str, system: BusinessSystem, matter_type: str, actor: Viewer,
                    is_active: bool = True) -> Matter:
    """Register (or update) a matter of a business system by its code."""
    _staff_check(actor)
    if not code.strip() or not name.strip() or matter_type not in MatterType.values:
        raise errors.RegistryInvalid(details={"fields": ["code", "name", "matter_type"]})
    with transaction.atomic():
        matter, _created = Matter.objects.update_or_create(
            code=code.strip(),
            defaults={"name": name.strip(), "system": system, "matter_type": matter_type, "is_active": is_active},
            create_defaults={"name": name.strip(), "system": system, "matter_type": matter_type,
                             "is_active": is_active, "created_at": clock.now()},
        )
        rules_changed()
        event_emit(topic=MATTER_REGISTERED, aggregate_type="matter", aggregate_id=matter.pk,
                   subject_id=None, payload={"code": matter.code, "system": system.code, "type": matter_type})
    return matter


# --- checks ----------------------------------------------------------------------------------------

def _name_key(name: str) -> str:
    """Names compared as people write them: width, case, spaces and bracket styles do not matter."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s\u3000]+", "", text)


def decision_of(hits: Sequence[dict[str, Any]]) -> str:
    punishments = [h for h in hits if h["kind"] == MeasureKind.PUNISHMENT]
    if any(h["class"] == MeasureClass.LEGAL for h in punishments):
        return Decision.INTERCEPT
    if punishments:
        return Decision.WARN
    if hits:
        return Decision.REWARD
    return Decision.PASS


def _bases_for(measure: CompiledMeasure, bases: list[dict[str, Any]], facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The list entries and records behind a hit: those that carry a fact its trigger reads. A list entry
    carried only by ``lists`` counts when the trigger names its list code (or names no code at all)."""
    variables = set(measure.rule.variables)
    expression = measure.rule.expression
    list_codes_named = {b["list"] for b in bases if b["type"] == "list_entry" and f'"{b["list"]}"' in expression}
    found = []
    covered: set[str] = set()
    for basis in bases:
        named = set(basis["facts"]) & variables
        if not named:
            continue
        if named == {"lists"} and list_codes_named and basis["list"] not in list_codes_named:
            continue
        found.append({k: v for k, v in basis.items() if k != "facts"})
        covered |= named
    for name in measure.rule.variables:
        value = facts.get(name)
        if name not in covered and name not in {"lists", "subject_kind"} and value not in (None, "", 0, False, []):
            found.append({"type": "fact", "fact": name, "value": facts.get(name), "label": name,
                          "lift": {"how": LiftHow.END_DATE.value, "date": None}})
    return found


def _hit_lift(bases: list[dict[str, Any]]) -> dict[str, Any]:
    """When the hit goes away by itself (every basis has an end date: the last of them), else how it
    can be lifted earliest: by the court when a basis is one that only the court removes (a judgment debtor's
    entry: no repair lifts the hit while it stands), else a repair, else an objection."""
    lifts = [b["lift"] for b in bases if b.get("lift")]
    ends = [lift["date"] for lift in lifts if lift["how"] == LiftHow.END_DATE and lift["date"]]
    if lifts and len(ends) == len(lifts):
        return {"how": LiftHow.END_DATE.value, "date": max(ends)}
    if any(lift["how"] == LiftHow.COURT for lift in lifts):
        return {"how": LiftHow.COURT.value, "date": None}
    repairs = [lift["date"] for lift in lifts if lift["how"] == LiftHow.REPAIR]
    if repairs:
        dated = [d for d in repairs if d]
        return {"how": LiftHow.REPAIR.value, "date": max(dated) if dated else None}
    return {"how": LiftHow.OBJECTION.value, "date": None}


def _evaluate(rules: RuleSet, matter: MatterInfo, day: date, facts: dict[str, Any], bases: list[dict[str, Any]]
              ) -> tuple[list[dict[str, Any]], tuple[CompiledMeasure, ...]]:
    """The hits of one subject: the measures whose trigger holds on its facts, each with its basis."""
    hit_measures = rules.measures_matched(matter, day, facts)
    hits = []
    for measure in hit_measures:
        found = _bases_for(measure, bases, facts)
        hits.append({
            "measure": measure.code, "name": measure.name, "version": measure.version, "kind": measure.kind,
            "class": measure.measure_class, "department": measure.department,
            "legal_basis": measure.legal_basis, "content": measure.content, "basis": found, "lift": _hit_lift(found),
        })
    return hits, hit_measures


@dataclass
class CheckRequest:
    """One subject of a check request: ``uscc`` or ``rin``, and optionally the name the system holds."""

    uscc: str = ""
    rin: str = ""
    name: str = ""


@dataclass
class _Resolved:
    subject_id: int
    name: str
    kind: str
    code: str  # the USCC, or the masked RIN
    facts: dict[str, Any] | None
    bases: list[dict[str, Any]] | None
    valid_until: date | None
    facts_updated_at: Any


@dataclass
class CheckOutcome:
    """A check as answered: its row, or (in a batch) the error for that subject."""

    request: CheckRequest
    row: dict[str, Any] | None = None  # the check's columns as written, with its "id"
    error: GongxinError | None = None
    subject_code: str = ""
    subject_name: str = ""
    subject_kind: str = ""
    matter: MatterInfo | None = field(default=None, repr=False)
    _check: Check | None = field(default=None, init=False, repr=False)

    @property
    def check(self) -> Check | None:
        """The check as a model instance, made on first use: the API answers from ``row`` (on the check
        path of business systems an instance cost more than the check's rules)."""
        if self._check is None and self.row is not None:
            self._check = Check(**self.row)
            self._check._state.adding = False
        return self._check


_FACTS_COLUMNS = ("rewards_facts__facts", "rewards_facts__bases", "rewards_facts__valid_until",
                  "rewards_facts__updated_at")


def _on_postgresql() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def _resolve_usccs(codes: set[str]) -> dict[str, _Resolved]:
    if not codes:
        return {}
    if _on_postgresql():
        return _resolve_usccs_sql(codes)
    rows = subjects_by_codes(scheme=CODE_USCC, codes=codes, fields=("name", "kind", *_FACTS_COLUMNS))
    return {
        uscc: _Resolved(subject_id=pk, name=name, kind=kind, code=uscc, facts=facts, bases=bases,
                        valid_until=valid_until, facts_updated_at=updated_at)
        for uscc, pk, name, kind, facts, bases, valid_until, updated_at in rows
    }


@lru_cache(maxsize=2)
def _resolve_usccs_statement(*, one: bool) -> str:
    """The lookup by USCC (``subjects_by_codes_sql``) joined with the subject's facts; ``one`` compares with
    one value, which PostgreSQL plans once per connection (a prepared ``= ANY(array)`` was planned again on
    every run: 0.21 against 0.035 ms of its CPU)."""
    lookup = subjects_by_codes_sql(scheme=CODE_USCC, one=one)
    q = connection.ops.quote_name
    return (
        f"SELECT {lookup.code}, s.id, s.name, s.kind, f.facts, f.bases, f.valid_until, f.updated_at"  # noqa: S608
        f" FROM {lookup.tables} LEFT JOIN {q(SubjectFacts._meta.db_table)} f ON f.subject_id = s.id"
        f" WHERE {lookup.where}"
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _resolve_usccs_sql(codes: set[str]) -> dict[str, _Resolved]:
    """PostgreSQL, the check path of business systems: the same lookup as the ORM one, as one prepared
    statement — building the ORM query cost more CPU than the database spent answering it."""
    if len(codes) == 1:
        rows = prepared_rows(_resolve_usccs_statement(one=True), [next(iter(codes))])
    else:  # a batch: planned for its array each time (a prepared ``= ANY`` is planned again anyway)
        with connection.cursor() as cursor:
            cursor.execute(_resolve_usccs_statement(one=False), [list(codes)])
            rows = cursor.fetchall()
    return {
        uscc: _Resolved(subject_id=pk, name=name, kind=kind, code=uscc, facts=_json(facts), bases=_json(bases),
                        valid_until=valid_until, facts_updated_at=updated_at)
        for uscc, pk, name, kind, facts, bases, valid_until, updated_at in rows
    }


def _resolve_rins(hashes: set[str]) -> dict[str, _Resolved]:
    if not hashes:
        return {}
    rows = subjects_by_codes(scheme=CODE_RIN_HASH, codes=hashes,
                             fields=("person__rin_masked", "name", "kind", *_FACTS_COLUMNS))
    return {
        rin_hash: _Resolved(subject_id=pk, name=name, kind=kind, code=masked, facts=facts, bases=bases,
                            valid_until=valid_until, facts_updated_at=updated_at)
        for rin_hash, pk, masked, name, kind, facts, bases, valid_until, updated_at in rows
    }


def _matter_for(rules: RuleSet, matter_code: str, actor: Viewer) -> tuple[MatterInfo, int | None]:
    """The matter, and the system checking (None for staff and subjects). A system checks only its own
    matters; a business system must be registered and active."""
    matter = rules.matters.get(matter_code.strip())
    if matter is None or not matter.is_active:
        raise errors.UnknownMatter(details={"matter": matter_code})
    if actor.client_id is not None:
        system = rules.systems_by_client.get(actor.client_id)
        if system is None or not system.is_active:
            raise errors.NotABusinessSystem()
        if system.id != matter.system_id:
            raise errors.MatterNotOfSystem()
        return matter, system.id
    if decides_for_office(actor) or actor.subject_id is not None:
        return matter, None
    raise errors.NotABusinessSystem()


def _may_check_persons(actor: Viewer) -> bool:
    return decides_for_office(actor) or Scope.RECORDS_SHARE in actor.scopes


def checks_perform(*, requests: Sequence[CheckRequest], matter_code: str, actor: Viewer) -> list[CheckOutcome]:
    """Check subjects (by USCC or RIN) before a matter, all at once: one lookup query per identifier
    kind (joined with the facts rows), the cached measures, one transaction of three INSERTs.

    Errors of one subject (unknown code, a person without the sharing scope) come back in its outcome;
    errors of the whole request (matter, caller, size) are raised.
    """
    if len(requests) > BATCH_MAX:
        raise errors.BatchTooLarge(details={"max": BATCH_MAX, "given": len(requests)})
    rules = ruleset()
    matter, system_id = _matter_for(rules, matter_code, actor)
    outcomes = [CheckOutcome(request=r, matter=matter) for r in requests]
    usccs: dict[int, str] = {}
    rins: dict[int, str] = {}
    for i, outcome in enumerate(outcomes):
        request = outcome.request
        if bool(request.uscc.strip()) == bool(request.rin.strip()):
            outcome.error = errors.SubjectCodeRequired()
        elif request.uscc.strip():
            usccs[i] = uscc_normalize(request.uscc)
        elif not (_may_check_persons(actor) or actor.subject_id is not None):
            outcome.error = errors.PersonCheckNotAllowed()
        else:
            try:
                rins[i] = rin_lookup_hash(rin_validate(request.rin).rin)
            except InvalidRin:
                outcome.error = errors.SubjectNotFound()
    by_uscc = _resolve_usccs(set(usccs.values()))
    if rins and actor.client_id is None and not looks_up_persons(actor):
        # A subject checking itself by RIN: counted as look-ups (access.persons), so the answer (the same
        # "not found" for another person as for an unknown RIN) cannot be asked at will either.
        rin_lookup_count(viewer=actor, lookups=len(rins))
    by_rin = _resolve_rins(set(rins.values()))
    resolved: dict[int, _Resolved] = {}
    for i, code in usccs.items():
        if code in by_uscc:
            resolved[i] = by_uscc[code]
        else:
            outcomes[i].error = errors.SubjectNotFound()
    for i, code in rins.items():
        found = by_rin.get(code)
        # A subject checking itself by RIN is the one exception to the scope rule (its own data).
        if found is not None:
            resolved[i] = found
        else:
            outcomes[i].error = errors.SubjectNotFound()
    if actor.client_id is None and not decides_for_office(actor):
        for i, r in list(resolved.items()):
            if r.subject_id != actor.subject_id:  # a subject checks only itself
                outcomes[i].error = errors.SubjectNotFound()
                del resolved[i]
    return _checks_write(outcomes=outcomes, resolved=resolved, rules=rules, matter=matter, system_id=system_id,
                         actor=actor)


def _facts_current(resolved: dict[int, _Resolved], day: date) -> None:
    """Recompute (and store) the facts of subjects without a row or whose row is past its valid_until."""
    stale = {r.subject_id for r in resolved.values()
             if r.facts is None or (r.valid_until is not None and r.valid_until <= day)}
    if not stale:
        return
    fresh = facts_refresh(stale, day=day)
    for r in resolved.values():
        row = fresh.get(r.subject_id)
        if row is not None:
            r.facts, r.bases, r.valid_until, r.facts_updated_at = row.facts, row.bases, row.valid_until, row.updated_at


def _checks_write(*, outcomes: list[CheckOutcome], resolved: dict[int, _Resolved], rules: RuleSet,
                  matter: MatterInfo, system_id: int | None, actor: Viewer) -> list[CheckOutcome]:
    now = clock.now()
    day = clock.today(now)
    _facts_current(resolved, day)
    rows: list[tuple[int, dict[str, Any], tuple[CompiledMeasure, ...]]] = []
    for i, r in resolved.items():
        request = outcomes[i].request
        hits, hit_measures = _evaluate(rules, matter, day, r.facts or {}, r.bases or [])
        warnings = []
        if request.name.strip() and _name_key(request.name) != _name_key(r.name):
            warnings.append({"code": "name_mismatch",
                             "message": _("The name given does not match the subject's registered name.")})
        values = {
            "subject_id": r.subject_id, "matter_id": matter.id, "system_id": system_id, "client_id": actor.client_id,
            "actor_label": actor.label, "decision": decision_of(hits), "hits": hits, "warnings": warnings,
            "name_given": request.name.strip()[:200], "facts_updated_at": r.facts_updated_at, "created_at": now,
        }
        rows.append((i, values, hit_measures))
        outcomes[i].subject_code, outcomes[i].subject_name, outcomes[i].subject_kind = r.code, r.name, r.kind
    if not rows:
        return outcomes
    inquiries = [_inquiry_values(check=values, actor=actor, matter=matter, at=now) for _i, values, _m in rows]
    if len(rows) == 1 and _on_postgresql():
        # The check path of business systems: all three INSERTs in one statement (one round trip).
        i, values, hit_measures = rows[0]
        values["id"] = _check_insert_one(values, hit_measures, inquiries[0])
        outcomes[i].row = values
        return outcomes
    if _on_postgresql() and _batch_params(rows) <= BATCH_STATEMENT_PARAMS:
        # A batch: its checks' ids first, then the checks, hits and inquiries in one statement (two round trips,
        # not a transaction of five).
        ids = _checks_insert_many([(values, hit_measures) for _i, values, hit_measures in rows], inquiries)
        for check_id, (i, values, _m) in zip(ids, rows, strict=True):
            values["id"] = check_id
            outcomes[i].row = values
        return outcomes
    with transaction.atomic():
        checks = Check.objects.bulk_create([Check(**values) for _i, values, _m in rows])
        hit_rows = [
            CheckHit(check_row_id=check.pk, measure_id=m.measure_id, measure_version_id=m.version_id, kind=m.kind,
                     measure_class=m.measure_class, created_at=now)
            for check, (_i, _c, hit_measures) in zip(checks, rows, strict=True) for m in hit_measures
        ]
        if hit_rows:
            CheckHit.objects.bulk_create(hit_rows)
        inquiries_record(inquiries)
    for check, (i, values, _m) in zip(checks, rows, strict=True):
        values["id"] = check.pk
        outcomes[i].row, outcomes[i]._check = values, check
    return outcomes


def _inquiry_values(*, check: dict[str, Any], actor: Viewer, matter: MatterInfo, at: datetime) -> dict[str, Any]:
    """The inquiry log row of a check (access.services.inquiry_values), written by access with the batch's
    other rows (one INSERT) or inside the check's own statement (a single check: no model instance)."""
    subject_id = check["subject_id"]
    return inquiry_values(subject_id=subject_id, viewer=actor,
                          purpose=Purpose.SELF if actor.subject_id == subject_id else Purpose.SHARING,
                          channel=Channel.CHECK, at=at, reason=f"{matter.code} {matter.name}",
                          records_shown=len(check["hits"]))


_CHECK_COLUMNS = ("subject_id", "matter_id", "system_id", "client_id", "actor_label", "decision", "hits", "warnings",
                  "name_given", "facts_updated_at", "created_at")
_JSON_COLUMNS = frozenset({"hits", "warnings"})
_HIT_COLUMNS = ("check_row_id", "measure_id", "measure_version_id", "kind", "measure_class", "applied", "created_at")


def _columns_of(model: type[Model]) -> set[str | None]:  # the stubs type a column as optional
    return {f.column for f in model._meta.concrete_fields if not f.primary_key}


@lru_cache(maxsize=1)
def _check_placeholders() -> str:
    """The placeholders of a check's ``_CHECK_COLUMNS`` (JSON ones cast), once the model is known to have those."""
    if _columns_of(Check) != set(_CHECK_COLUMNS):
        raise RuntimeError("rewards: the check columns changed; update _CHECK_COLUMNS")
    return ", ".join("%s::jsonb" if c in _JSON_COLUMNS else "%s" for c in _CHECK_COLUMNS)


def _check_params(check: dict[str, Any]) -> list[Any]:
    """The parameters of ``_check_placeholders`` for one check's values."""
    return [_json_text(check[c]) if c in _JSON_COLUMNS else check[c] for c in _CHECK_COLUMNS]


@lru_cache(maxsize=64)
def _check_insert_statement(hit_count: int) -> str:
    """The one-statement INSERT of a check with ``hit_count`` hits and its inquiry (cached per shape)."""
    q = connection.ops.quote_name
    # Only model table and column names are formatted into the SQL; every value is a parameter.
    sql = [f"WITH c AS (INSERT INTO {q(Check._meta.db_table)} ({', '.join(map(q, _CHECK_COLUMNS))})"  # noqa: S608
           f" VALUES ({_check_placeholders()}) RETURNING id)"]
    if hit_count:
        # Typed here: a prepared statement's parameters take their types from their context, and a VALUES
        # list or a SELECT list gives them none.
        values = ", ".join(["(%s::bigint, %s::bigint, %s::text, %s::text)"] * hit_count)
        sql.append(
            f", h AS (INSERT INTO {q(CheckHit._meta.db_table)} ({', '.join(map(q, _HIT_COLUMNS))})"  # noqa: S608
            f" SELECT c.id, v.m, v.mv, v.k, v.cl, NULL, %s::timestamptz FROM c,"
            f" (VALUES {values}) AS v(m, mv, k, cl))"
        )
    # The inquiry's INSERT is access's (the inquiry log's one writer); it runs in this statement.
    sql.append(f", i AS ({inquiry_insert_sql()}) SELECT id FROM c")  # noqa: S608 - SQL text of access, no values
    return " ".join(sql)


def _check_insert_one(check: dict[str, Any], measures: Sequence[CompiledMeasure], inquiry: dict[str, Any]) -> int:
    """PostgreSQL: INSERT the check (its columns), its hits and the inquiry as one statement of
    data-modifying CTEs (atomic by itself); returns the check's id. Values go straight to the driver:
    adapting them field by field through the ORM cost more than the statement."""
    params = _check_params(check)
    if measures:
        params.append(check["created_at"])
        for m in measures:
            params.extend([m.measure_id, m.version_id, m.kind, m.measure_class])
    params.extend(inquiry_params(inquiry))
    return int(prepared_rows(_check_insert_statement(len(measures)), params)[0][0])


# A batch's checks, hits and inquiries go in one statement up to this many values (the driver's and the server's
# limits are far above it); a batch of many hits each takes the ORM's bulk INSERTs in a transaction instead.
BATCH_STATEMENT_PARAMS = 30_000


def _batch_params(rows: Sequence[tuple[int, dict[str, Any], Sequence[CompiledMeasure]]]) -> int:
    return sum(len(_CHECK_COLUMNS) + 1 + len(INQUIRY_COLUMNS) + len(_HIT_COLUMNS) * len(m) for _i, _v, m in rows)


def _checks_insert_many(checks: Sequence[tuple[dict[str, Any], Sequence[CompiledMeasure]]],
                        inquiries: Sequence[dict[str, Any]]) -> list[int]:
    """PostgreSQL: INSERT a batch's checks (ids drawn first from their sequence), their hits and their inquiries
    as one statement of data-modifying CTEs (atomic by itself); returns the checks' ids in order."""
    q = connection.ops.quote_name
    check_table, hit_table = q(Check._meta.db_table), q(CheckHit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [Check._meta.db_table, len(checks)])
        ids = [int(row[0]) for row in cursor.fetchall()]
        check_row = f"(%s, {_check_placeholders()})"
        params: list[Any] = []
        hits: list[Any] = []
        for check_id, (values, measures) in zip(ids, checks, strict=True):
            params.append(check_id)
            params.extend(_check_params(values))
            for m in measures:
                hits.extend([check_id, m.measure_id, m.version_id, m.kind, m.measure_class, None,
                             values["created_at"]])
        # Only model table and column names are formatted into the SQL; every value is a parameter.
        sql = [f"WITH c AS (INSERT INTO {check_table} (id, {', '.join(map(q, _CHECK_COLUMNS))})"  # noqa: S608
               f" VALUES {', '.join([check_row] * len(checks))})"]
        if hits:
            hit_row = "(" + ", ".join(["%s"] * len(_HIT_COLUMNS)) + ")"
            sql.append(f", h AS (INSERT INTO {hit_table} ({', '.join(map(q, _HIT_COLUMNS))})"  # noqa: S608
                       f" VALUES {', '.join([hit_row] * (len(hits) // len(_HIT_COLUMNS)))})")
            params.extend(hits)
        sql.append(f", i AS ({inquiry_insert_sql(len(inquiries))}) SELECT 1")  # access's INSERT, no values in it
        for inquiry in inquiries:
            params.extend(inquiry_params(inquiry))
        cursor.execute(" ".join(sql), params)
    return ids


_JSON_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


def _json_text(value: Any) -> str:
    return _JSON_ENCODER.encode(value) if value else "[]"


def check_perform(*, subject: Subject, matter: Matter | str, actor: Viewer, name: str = "") -> Check:
    """Check one subject before a matter (the stable service other apps call, e.g. commitments' instant
    payout). Raises the request's error when the check cannot be made."""
    rules = ruleset()
    matter_code = matter if isinstance(matter, str) else matter.code
    info, system_id = _matter_for(rules, matter_code, actor)
    row = SubjectFacts.objects.filter(pk=subject.pk).values_list("facts", "bases", "valid_until", "updated_at").first()
    code = ""
    if subject.kind == SubjectKind.ORGANIZATION:
        code = subject.organization.uscc
    elif subject.kind == SubjectKind.PERSON:
        if not _may_check_persons(actor) and actor.subject_id != subject.pk:
            raise errors.PersonCheckNotAllowed()
        code = subject.person.rin_masked
    if actor.client_id is None and not decides_for_office(actor) and actor.subject_id != subject.pk:
        raise errors.SubjectNotFound()
    facts, bases, valid_until, updated_at = row if row else (None, None, None, None)
    resolved = {0: _Resolved(subject_id=subject.pk, name=subject.name, kind=subject.kind, code=code, facts=facts,
                             bases=bases, valid_until=valid_until, facts_updated_at=updated_at)}
    outcomes = _checks_write(outcomes=[CheckOutcome(request=CheckRequest(name=name), matter=info)],
                             resolved=resolved, rules=rules, matter=info, system_id=system_id, actor=actor)
    assert outcomes[0].check is not None
    return outcomes[0].check


# --- feedback --------------------------------------------------------------------------------------

def check_feedback(*, check: Check, measures_applied: Sequence[str], outcome: str, note: str, actor: Viewer
                   ) -> CheckFeedback:
    """The system reports what it did: the measures it applied (codes among the hits), the outcome, a
    note. Once per check; marks each hit applied or not, which the statistics count."""
    if actor.client_id is None or check.client_id != actor.client_id:
        raise errors.FeedbackNotAllowed()
    if outcome not in FeedbackOutcome.values:
        raise errors.OutcomeInvalid()
    hit_codes = {h["measure"] for h in check.hits}
    applied = sorted(set(measures_applied))
    if set(applied) - hit_codes:
        raise errors.MeasureNotHit(details={"measures": sorted(set(applied) - hit_codes)})
    # The check row's unique constraint decides whether a report exists (two at once: the loser gets 409), without
    # a look first or a savepoint: a feedback is five round trips, not nine (issue #23).
    try:
        with transaction.atomic():
            feedback = CheckFeedback.objects.create(check_row=check, measures_applied=applied, outcome=outcome,
                                                    note=note[:4000], actor_label=actor.label,
                                                    created_at=clock.now())
            # One UPDATE of the check's hit rows by their index, the measures named by id: filtered through the
            # measure's code, Django updated ``WHERE id IN (a join)``, which PostgreSQL answered with a scan of
            # every hit ever logged (decision 043).
            CheckHit.objects.filter(check_row=check).update(
                applied=Case(When(measure_id__in=_measure_ids(applied), then=Value(True)), default=Value(False)))
            event_emit(topic=CHECK_FEEDBACK_RECORDED, aggregate_type="check", aggregate_id=check.pk,
                       subject_id=check.subject_id, payload={"outcome": outcome, "applied": applied})
    except IntegrityError as exc:
        raise errors.FeedbackExists() from exc
    return feedback


def _measure_ids(codes: Sequence[str]) -> list[int]:
    """The ids of measures named by code: from the cached rules, the database only for a code they no longer hold."""
    rules = ruleset()
    ids = [i for c in codes if (i := rules.measure_id(c)) is not None]
    missing = [c for c in codes if rules.measure_id(c) is None]
    if missing:
        ids += Measure.objects.filter(code__in=missing).values_list("pk", flat=True)
    return ids


# --- certificates ----------------------------------------------------------------------------------

def certificate_number_new(*, day: date) -> str:
    """``GXC-<yyyymmdd>-<10 base32 characters>`` (credit reports are ``GX-``)."""
    suffix = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM_LENGTH))
    return f"{CERTIFICATE_PREFIX}-{day:%Y%m%d}-{suffix}"


def _certificate_content(*, check: Check, number: str, subject_code: str, verify_url: str) -> dict[str, Any]:
    rules = ruleset()
    matter = check.matter
    day = timezone.localtime(check.created_at).date()
    info = rules.matters.get(matter.code)
    checked = rules.measures_for(info, day) if info is not None else ()
    lists = sorted(ListType.objects.values_list("name", flat=True))
    if check.decision == Decision.PASS:
        statement = _("Not on any of the lists checked; no measure of this matter applies.")
    else:
        statement = _("The measures listed below apply to this subject for this matter.")
    hits = [
        {"measure": h["measure"], "name": h["name"], "kind": h["kind"], "class": h["class"],
         "legal_basis": h["legal_basis"],
         "basis": [{"type": b["type"], "label": str(b.get("label", "")), "end": b.get("end") or None,
                    **({"record_id": b["record_id"]} if isinstance(b.get("record_id"), int) else {})}
                   for b in h["basis"]]}
        for h in check.hits
    ]
    return {
        "kind": "check_certificate",
        "number": number,
        "issuer": settings.GONGXIN_SIGNING_ISSUER,
        # Times in the platform's zone (+08:00), as every page shows them: a person reads the certificate.
        "issued_at": clock.local().isoformat(timespec="seconds"),
        "check": {"id": check.pk, "checked_at": clock.local(check.created_at).isoformat(timespec="seconds"),
                  "date": day.isoformat(), "decision": check.decision},
        "subject": {"name": check.subject.name, "kind": check.subject.kind, "code": subject_code},
        "matter": {"code": matter.code, "name": matter.name, "system": matter.system.name,
                   "department": matter.system.department.name},
        "statement": statement,
        "lists_checked": lists,
        "measures_checked": [{"measure": m.code, "name": m.name, "kind": m.kind} for m in checked],
        "hits": hits,
        "verification": {"url": verify_url, "key_id": signing.key_id()},
    }


def certificate_issue(*, check: Check, actor: Viewer) -> CheckCertificate:
    """Issue a check's result as a signed certificate (Ed25519 over canonical JSON, the envelope and
    verification page of credit reports). The subject itself, the system that made the check, or staff."""
    from gongxin.core.documents import verify_url_for

    allowed = (decides_for_office(actor) or (actor.client_id is not None and actor.client_id == check.client_id)
               or (actor.subject_id is not None and actor.subject_id == check.subject_id))
    if not allowed:
        raise errors.CertificateNotAllowed()
    check = Check.objects.select_related("subject__organization", "subject__person", "matter__system__department"
                                         ).get(pk=check.pk)
    subject = check.subject
    # A certificate goes to third parties: a person's RIN in the form they see (subjects.selectors).
    code = subject_display_code(subject=subject, viewer=ANONYMOUS)
    number = certificate_number_new(day=clock.today())
    with translation.override(settings.LANGUAGE_CODE):
        content = _certificate_content(check=check, number=number, subject_code=code,
                                       verify_url=verify_url_for(number))
    # The records its hits rest on, proved in the tamper-evident log (rewards.ledger, decision 063).
    content["ledger"] = certificate_proofs(content["hits"], subject_id=subject.pk)
    data = signing.canonical_json(content)
    signature = signing.sign(data)
    with transaction.atomic():
        certificate = CheckCertificate.objects.create(
            number=number, check_row=check, subject=subject, requested_by_label=actor.label, content=content,
            content_hash=signing.content_hash(data), signature=signature.value_b64, key_id=signature.key_id,
            created_at=clock.now(),
        )
        certificate_log(certificate)  # its leaf of the tamper-evident log, in this transaction
        event_emit(topic=CERTIFICATE_ISSUED, aggregate_type="check_certificate",
                   aggregate_id=certificate.pk, subject_id=subject.pk,
                   payload={"number": number, "check": check.pk, "decision": check.decision})
    return certificate
