"""Build a believable city into a fresh PostgreSQL database by COPY, for bench/city.py.

Not through ingest: the point is a city of 20M records in the time of a coffee break, not a test of the
load path. What each row holds still comes from the platform's own functions, so the rows are the rows the
platform would have written:

- organizations and persons from the demo generators (``demo.city.organization_at`` / ``person_at``),
  cleaned and shaped by ``subjects.services`` (USCC checked, name initials, the RIN sealed, hashed and
  masked exactly as ``persons_register_bulk`` does);
- record payloads from the demo generators of each kind, validated by ``catalog.schema.payload_validate``,
  hashed, sealed and clocked by ``records.load.record_content`` (the bulk path's function: the policy
  book's two clocks, memoized per distinct clock inputs); list entries by ``records.lists``' projection;
- versions in the stored form of decision 047: the payload packed as ``[layout, values...]`` (the layouts
  and legal bases stored once by ``records.packing.texts_ensure`` in the COPY's transaction, before it), the
  legal basis by reference, the content hash as its 32 bytes; on PostgreSQL the version partitions for the
  ids a block writes are created first (``records.partitions.version_partitions_ensure``);
- the clocks already taken effect: a record whose publicity (retention) ended before yesterday carries the
  ``publicity_ended`` (``retention_ended``, archived) version the daily job would have written, so the
  nightly job measured afterwards has one day's work, not the city's history.

Sizes: 0.06 organizations and 0.1 persons per record (1.2M and 2M at 20M records). Who gets how many
records of which kind, and the red and black lists, are the demo city's own plan (``demo.city.records``
over ``demo.distributions``: most organizations 0–3 records, a lognormal tail to a few hundred, ~2 % on a
black list, never red and black on the same days, one big organization with exactly 500 records), so the
demo and the benchmark share one notion of "realistic". The records are generated in a second process
(the demo's ``_facts_stream``) while this one writes them, in blocks of 100,000 shuffled within the block
so that a subject's records are spread over the table as years of ingest leave them. Deterministic: the
same seed and day give the same city.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from city_copy import CopyTable, sequences_reset

ACTOR = "city bench"
ORGANIZATIONS_PER_RECORD = 0.06
PERSONS_PER_RECORD = 0.10
INQUIRIES_PER_RECORD = 0.05
CHECKS_PER_RECORD = 0.05
CONSENTS_PER_RECORD = 0.002
BLOCK = 20_000  # subjects per COPY transaction
RECORD_BLOCK = 100_000  # records shuffled together and written in one transaction


@dataclass
class Plan:
    records: int
    organizations: int
    persons: int
    big_index: int


@dataclass
class BuildStats:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def rate(self, name: str) -> float:
        return self.rows.get(name, 0) / self.seconds[name] if self.seconds.get(name) else 0.0


class Progress:
    """One line per phase on stderr, rewritten with rows and rows/s."""

    def __init__(self, label: str, total: int, enabled: bool = True) -> None:
        self.label, self.total, self.enabled = label, total, enabled
        self.started = self.last = time.perf_counter()
        self.done = 0

    def add(self, rows: int) -> None:
        self.done += rows
        now = time.perf_counter()
        if self.enabled and (now - self.last > 2 or self.done >= self.total):
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            eta = (self.total - self.done) / rate if rate else 0
            print(f"\r  {self.label}: {self.done:,}/{self.total:,} rows, {rate:,.0f} rows/s, ~{eta:,.0f} s left   ",
                  end="", file=sys.stderr, flush=True)

    def close(self) -> float:
        seconds = time.perf_counter() - self.started
        if self.enabled:
            print(f"\r  {self.label}: {self.done:,} rows in {seconds:,.1f} s "
                  f"({self.done / max(seconds, 1e-9):,.0f} rows/s)" + " " * 20, file=sys.stderr, flush=True)
        return seconds


# ---------------------------------------------------------------------------------------------------
# The plan: how many records each subject gets
# ---------------------------------------------------------------------------------------------------


def plan_counts(*, records: int, seed: int, as_of: date) -> Plan:
    """The city's size for ``records``; who gets how many records is the demo's plan (``demo.city.city_plan``)."""
    from gongxin.demo import city

    organizations = max(2, round(records * ORGANIZATIONS_PER_RECORD))
    persons = max(1, round(records * PERSONS_PER_RECORD))
    big = city.big_organization_index(seed, organizations=organizations, as_of=as_of)
    if big is None:
        raise SystemExit(f"no big organization in a city of {records:,} records: build at least 10,000")
    return Plan(records=records, organizations=organizations, persons=persons, big_index=big)


# ---------------------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------------------


def _then_none(items: Iterator[Any]) -> Iterator[Any]:
    yield from items
    yield None


def _stored_payload(content: Any, refs: dict[str, int | None]) -> str:
    """The payload as the version stores it: packed (``[layout, values...]``) when its layout's text is stored,
    else (an id collision, records.packing) the plain object, as the bulk load path writes it."""
    if refs.get(content.layout) is not None:
        return str(content.payload_json)
    return json.dumps(content.payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    from django.utils import timezone

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_default_timezone())


class Builder:
    def __init__(self, *, records: int, seed: int, as_of: date, progress: bool = True) -> None:
        self.seed, self.as_of, self.progress = seed, as_of, progress
        self.plan = plan_counts(records=records, seed=seed, as_of=as_of)
        self.stats = BuildStats()
        self.rng = random.Random(seed)

    # -- phases -----------------------------------------------------------------------------------

    def _phase(self, name: str, total: int, work: Callable[[Progress], int]) -> None:
        bar = Progress(name, total, self.progress)
        rows = work(bar)
        self.stats.seconds[name] = bar.close()
        self.stats.rows[name] = rows

    def run(self) -> BuildStats:
        from django.db import connection

        from gongxin.demo.services import departments_ensure, reference_data_ensure
        from gongxin.rewards.seed import registry_demo_seed

        reference_data_ensure()
        self.units = departments_ensure()
        registry_demo_seed()
        plan = self.plan
        self._phase("organizations", plan.organizations, self._organizations)
        self._phase("persons", plan.persons, self._persons)
        self._phase("relations", plan.organizations, self._relations)
        self._phase("records", plan.records, self._records)
        self._phase("profile summaries", plan.organizations + plan.persons, lambda bar: self._summaries())
        self._phase("consents", round(plan.records * CONSENTS_PER_RECORD), self._consents)
        self._phase("inquiries", round(plan.records * INQUIRIES_PER_RECORD), self._inquiries)
        self._phase("checks", round(plan.records * CHECKS_PER_RECORD), self._checks)
        self._sequences()
        self._phase("analyze", 0, lambda bar: self._sql("ANALYZE"))
        self._phase("subject facts", plan.organizations + plan.persons, self._facts)
        self._phase("scores", plan.organizations + plan.persons, self._scores)
        self._phase("early warning", plan.organizations, self._early_warning)
        self._phase("home figures", 0, self._figures)
        self._phase("vacuum analyze", 0, lambda bar: self._sql("VACUUM ANALYZE"))
        self._phase("checkpoint", 0, lambda bar: self._sql("CHECKPOINT"))
        connection.close()
        return self.stats

    def _sql(self, statement: str) -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(statement)
        return 0

    # -- subjects ---------------------------------------------------------------------------------

    def org_id(self, index: int) -> int:
        return index + 1

    def person_id(self, index: int) -> int:
        return self.plan.organizations + index + 1

    def _organizations(self, bar: Progress) -> int:
        from django.db import transaction

        from gongxin.catalog.choices import SubjectKind
        from gongxin.demo import city
        from gongxin.subjects.models import Organization, Subject
        from gongxin.subjects.services import (
            OrganizationRow,
            _organization_fields,
            _organization_row_clean,
            _subject_fields,
        )

        subjects = CopyTable(Subject, ["id", "kind", "name", "name_initials", "region_code", "created_at",
                                       "needs_enrichment"])
        organizations = CopyTable(Organization, ["subject_id", "uscc", "org_kind", "industry",
                                                 "legal_representative", "registration_date",
                                                 "registered_capital_yuan", "address", "status"])
        count = self.plan.organizations
        for start in range(0, count, BLOCK):
            subject_rows, org_rows = [], []
            for index in range(start, min(count, start + BLOCK)):
                spec = city.organization_at(self.seed, index, as_of=self.as_of, persons=self.plan.persons)
                row = _organization_row_clean(OrganizationRow(
                    uscc=spec.uscc, name=spec.name, org_kind=spec.org_kind, region_code=spec.district_code,
                    industry=spec.industry, legal_representative=spec.legal_representative,
                    registration_date=spec.registration_date, registered_capital_yuan=spec.registered_capital_yuan,
                    address=spec.address, status=spec.status))
                subject_rows.append({**_subject_fields(row, SubjectKind.ORGANIZATION), "id": self.org_id(index),
                                     "created_at": _aware(spec.registration_date, 9)})
                org_rows.append({"subject_id": self.org_id(index), **_organization_fields(row)})
            with transaction.atomic():
                subjects.write(subject_rows)
                organizations.write(org_rows)
            bar.add(len(org_rows))
        return count

    def _persons(self, bar: Progress) -> int:
        from django.db import transaction

        from gongxin.catalog.choices import SubjectKind
        from gongxin.demo import city
        from gongxin.subjects.models import Person, Subject
        from gongxin.subjects.services import PersonRow, _person_fields, _person_row_clean, _subject_fields

        subjects = CopyTable(Subject, ["id", "kind", "name", "name_initials", "region_code", "created_at",
                                       "needs_enrichment"])
        persons = CopyTable(Person, ["subject_id", "rin_sealed", "rin_hash", "rin_masked"])
        count = self.plan.persons
        created = _aware(date(2019, 7, 1), 9)
        for start in range(0, count, BLOCK):
            subject_rows, person_rows = [], []
            for index in range(start, min(count, start + BLOCK)):
                spec = city.person_at(self.seed, index)
                row, digest = _person_row_clean(PersonRow(rin=spec.rin, name=spec.name,
                                                          region_code=spec.district_code))
                subject_rows.append({**_subject_fields(row, SubjectKind.PERSON), "id": self.person_id(index),
                                     "created_at": created})
                person_rows.append({"subject_id": self.person_id(index), **_person_fields(row, digest)})
            with transaction.atomic():
                subjects.write(subject_rows)
                persons.write(person_rows)
            bar.add(len(person_rows))
        return count

    def _relations(self, bar: Progress) -> int:
        from gongxin.demo import city
        from gongxin.subjects.choices import RelationKind
        from gongxin.subjects.models import Relation

        table = CopyTable(Relation, ["from_subject_id", "to_subject_id", "kind", "start_date"])
        written = 0
        count = self.plan.organizations
        for start in range(0, count, BLOCK):
            rows = []
            for index in range(start, min(count, start + BLOCK)):
                spec = city.organization_at(self.seed, index, as_of=self.as_of, persons=self.plan.persons)
                if spec.legal_representative_index is not None:
                    rows.append({"from_subject_id": self.person_id(spec.legal_representative_index),
                                 "to_subject_id": self.org_id(index), "kind": RelationKind.LEGAL_REPRESENTATIVE.value,
                                 "start_date": spec.registration_date})
            written += table.write(rows)
            bar.add(min(count, start + BLOCK) - start)
        return written

    # -- records ----------------------------------------------------------------------------------

    def _catalog(self) -> None:
        from gongxin.catalog.models import Policy
        from gongxin.catalog.policy import PolicyBook
        from gongxin.demo.services import catalog_slots
        from gongxin.records.lists import list_types_by_code

        self.slots, self.items = catalog_slots()
        self.list_types = list_types_by_code()
        self.field_codes = {code: {f["code"] for f in item.fields} for code, item in self.items.items()}
        self.domains = {code: unit.domain for code, unit in self.units.items()}
        self.policies = PolicyBook.load()
        self.policy_basis = dict(Policy.objects.values_list("pk", "legal_basis"))
        self.clock_cache: dict[Any, dict[str, Any]] = {}

    def _one(self, fact: Any) -> dict[str, Any]:
        """One generated record: validated, hashed, sealed and clocked as the bulk load path does."""
        from gongxin.catalog.schema import payload_validate
        from gongxin.records.lists import _entry_values
        from gongxin.records.load import record_content

        item = self.items[fact.slot]
        codes = self.field_codes[fact.slot]
        unit = self.units[fact.authority.code]
        clean = payload_validate(item=item, payload={k: v for k, v in fact.payload.items() if k in codes},
                                 today=self.as_of)
        content = record_content(item=item, domain=unit.domain, payload=clean, severity=None,
                                 source_record_id=fact.source_record_id, policies=self.policies,
                                 fields_cache=self.clock_cache)
        subject_id = self.org_id(fact.subject_index) if fact.subject_kind == "organization" \
            else self.person_id(fact.subject_index)
        record = {"item": item, "unit": unit, "content": content, "source_record_id": content.identity,
                  "payload": clean, "subject_id": subject_id, "entry": None}
        if item.list_type_code:
            record["entry"] = lambda last: _entry_values(SimpleNamespace(
                payload=clean, decision_date=last["decision_date"], status=last["status"], repaired=False,
                retention_end=last["retention_end"], legal_basis=last["legal_basis"]), self.as_of)
        return record

    def _versions(self, rng: random.Random, record: dict[str, Any]) -> list[dict[str, Any]]:
        """The version chain the platform would hold today: created, then the clocks that took effect."""
        from gongxin.records.choices import ChangeKind, RecordStatus

        content, item = record["content"], record["item"]
        f = content.fields
        decided = f["decision_date"] or self.as_of - timedelta(days=rng.randrange(1, 2000))
        created = _aware(min(self.as_of, decided + timedelta(days=rng.randint(1, 7))), rng.randint(8, 18),
                         rng.randrange(60))
        base = {**f, "change": ChangeKind.CREATED.value, "status": RecordStatus.ACTIVE.value,
                "content_hash": bytes.fromhex(content.digest), "under_objection": False,
                "repaired": False, "publicity_ended": False, "actor_label": ACTOR, "reason": "",
                "legal_basis": item.legal_basis, "created_at": created}
        chain = [base]
        cut = self.as_of - timedelta(days=1)  # what ends yesterday is left to tonight's job
        end = f["publicity_max_end"]
        if f["published"] and end is not None and end < cut:
            chain.append({**chain[-1], "change": ChangeKind.PUBLICITY_ENDED.value, "publicity_ended": True,
                          "reason": f"Publicity ended by the daily clock job on {end.isoformat()}.",
                          "legal_basis": self.policy_basis.get(f["publicity_policy_id"], ""),
                          "created_at": _aware(end + timedelta(days=1), 1)})
        end = f["retention_end"]
        if end is not None and end < cut:
            chain.append({**chain[-1], "change": ChangeKind.RETENTION_ENDED.value,
                          "status": RecordStatus.ARCHIVED.value,
                          "reason": f"Retention ended by the daily clock job on {end.isoformat()}.",
                          "legal_basis": self.policy_basis.get(f["retention_policy_id"], ""),
                          "created_at": _aware(end + timedelta(days=1), 1, 30)})
        return chain

    def _records(self, bar: Progress) -> int:
        from django.db import transaction

        from gongxin.demo.services import _facts_stream
        from gongxin.records.models import ListEntry, Record, RecordVersion
        from gongxin.records.packing import texts_ensure
        from gongxin.records.partitions import version_partitions_ensure

        self._catalog()
        records = CopyTable(Record, ["id", "source_unit_id", "catalog_item_id", "source_record_id", "subject_id",
                                     "created_at", "current_version_id"])
        version_keys = ["id", "record_id", "number", "change", "status", "packed_payload", "content_hash",
                        "polarity", "severity", "decision_date", "under_objection", "repaired", "published",
                        "publicity_min_end", "publicity_max_end", "publicity_ended", "retention_end",
                        "publicity_policy_id", "retention_policy_id", "actor_label", "reason", "legal_basis_text",
                        "legal_basis_ref", "created_at"]
        versions = CopyTable(RecordVersion, version_keys)
        entries = CopyTable(ListEntry, ["list_type_id", "subject_id", "record_id", "start_date", "end_date",
                                        "basis", "is_active"])
        plan = self.plan
        # The demo's generators, subject by subject, in a second process (pure code) while this one writes.
        facts = _facts_stream(parallel=plan.records >= 20_000, seed=self.seed, count=plan.records, slots=self.slots,
                              organizations=plan.organizations, persons=plan.persons, as_of=self.as_of)
        rng = random.Random(f"{self.seed}:records")
        record_id = version_id = 0
        block: list[Any] = []
        for fact in _then_none(facts):
            if fact is not None:
                block.append(fact)
                if len(block) < RECORD_BLOCK:
                    continue
            if not block:
                break
            rng.shuffle(block)  # a subject's records spread over the table, as years of ingest leave them
            built = [self._one(one) for one in block]
            chains = [self._versions(rng, record) for record in built]
            record_rows, version_rows, entry_rows = [], [], []
            # The stored form (decision 047): the payloads' layouts and the legal bases are stored once
            # (texts_ensure), in the transaction of the COPY that refers to them, before it.
            texts = {record["content"].layout for record in built} | {
                values["legal_basis"] for chain in chains for values in chain if values["legal_basis"]}
            with transaction.atomic():
                refs = texts_ensure(texts)
                for record, chain in zip(built, chains, strict=True):
                    record_id += 1
                    packed = _stored_payload(record["content"], refs)
                    for number, values in enumerate(chain, start=1):
                        version_id += 1
                        basis = values["legal_basis"]
                        basis_ref = refs.get(basis) if basis else None
                        version_rows.append(
                            {k: values[k] for k in version_keys if k in values}
                            | {"id": version_id, "record_id": record_id, "number": number,
                               "packed_payload": packed, "legal_basis_ref": basis_ref,
                               "legal_basis_text": "" if basis_ref is not None else basis})
                    record_rows.append({"id": record_id, "source_unit_id": record["unit"].pk,
                                        "catalog_item_id": record["item"].pk,
                                        "source_record_id": record["source_record_id"],
                                        "subject_id": record["subject_id"], "created_at": chain[0]["created_at"],
                                        "current_version_id": version_id})
                    if record["entry"] is not None:
                        entry_rows.append({"list_type_id": self.list_types[record["item"].list_type_code].pk,
                                           "subject_id": record["subject_id"], "record_id": record_id,
                                           **record["entry"](chain[-1])})
                version_partitions_ensure(up_to=version_id)  # the ids written here, given, not drawn
                records.write(record_rows)
                versions.write(version_rows)
                entries.write(entry_rows)
            bar.add(len(record_rows))
            block = []
        self.stats.rows["record versions"] = versions.rows
        self.stats.rows["list entries"] = entries.rows
        return records.rows

    # -- derived and service tables ---------------------------------------------------------------

    def _summaries(self) -> int:
        """ProfileSummary as its outbox consumer keeps it (counts of records in effect by kind and polarity),
        for every subject with records, in one statement."""
        from django.db import connection

        from gongxin.catalog.models import CatalogItem
        from gongxin.records.models import ProfileSummary, Record, RecordVersion

        CopyTable(ProfileSummary, ["subject_id", "counts", "updated_at"])  # fails loudly on a new column
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"""
                INSERT INTO {q(ProfileSummary._meta.db_table)} (subject_id, counts, updated_at)
                SELECT subject_id, jsonb_object_agg(k, n), now() FROM (
                    SELECT r.subject_id, i.record_kind AS k, count(*) AS n
                    FROM {q(Record._meta.db_table)} r
                    JOIN {q(RecordVersion._meta.db_table)} v ON v.id = r.current_version_id
                    JOIN {q(CatalogItem._meta.db_table)} i ON i.id = r.catalog_item_id
                    WHERE v.status = 'active' GROUP BY 1, 2
                    UNION ALL
                    SELECT r.subject_id, 'polarity:' || v.polarity, count(*)
                    FROM {q(Record._meta.db_table)} r
                    JOIN {q(RecordVersion._meta.db_table)} v ON v.id = r.current_version_id
                    WHERE v.status = 'active' GROUP BY 1, 2
                ) per GROUP BY subject_id""")
            written = cursor.rowcount
        self._summaries_provided()
        return written

    def _summaries_provided(self) -> None:
        """The entries the summary providers add (``records.consumers.summary_providers``: access keeps what
        each purpose is shown, by kind), as the consumer merges them, for the subjects with a summary."""
        from django.db import connection

        from gongxin.records.consumers import summary_providers
        from gongxin.records.models import ProfileSummary

        providers = summary_providers()
        table = connection.ops.quote_name(ProfileSummary._meta.db_table)
        ids = list(ProfileSummary.objects.order_by("subject_id").values_list("subject_id", flat=True))
        for start in range(0, len(ids), 5_000):
            chunk = set(ids[start:start + 5_000])
            added: dict[int, dict[str, Any]] = {sid: {} for sid in chunk}
            for provider in providers:
                for sid, entry in provider.summary(chunk).items():
                    added[sid].update(entry)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET counts = counts || %s::jsonb WHERE subject_id = %s",
                                   [(json.dumps(entry, ensure_ascii=False), sid) for sid, entry in added.items()
                                    if entry])
        # The table as one write would have left it: the rows the UPDATE replaced are not counted as its bytes
        # (not inside a transaction: a test's build).
        if not connection.in_atomic_block:
            self._sql(f"VACUUM FULL {table}")

    def _random_subject(self, rng: random.Random) -> int:
        plan = self.plan
        if rng.random() < 0.85:
            return self.org_id(min(plan.organizations - 1, int(plan.organizations * rng.random() ** 1.5)))
        return self.person_id(min(plan.persons - 1, int(plan.persons * rng.random() ** 1.5)))

    def _moment(self, rng: random.Random, days: int) -> datetime:
        return _aware(self.as_of - timedelta(days=rng.randrange(days)), rng.randint(8, 20), rng.randrange(60))

    def _consents(self, bar: Progress) -> int:
        from gongxin.access.models import Consent
        from gongxin.accounts.models import Department

        rng = random.Random(f"{self.seed}:consents")
        departments = list(Department.objects.values_list("pk", "name"))
        table = CopyTable(Consent, ["subject_id", "grantee_department_id", "grantee_label", "purpose", "scope",
                                    "valid_from", "valid_until", "granted_at"])
        rows = []
        for _ in range(bar.total):
            department, name = rng.choice(departments)
            granted = self._moment(rng, 730)
            rows.append({"subject_id": self.person_id(rng.randrange(self.plan.persons)),
                         "grantee_department_id": department, "grantee_label": name,
                         "purpose": rng.choice(("贷款审批", "政府采购资格审查", "人才引进审核", "评优评先")),
                         "scope": [], "valid_from": granted, "valid_until": granted + timedelta(days=365),
                         "granted_at": granted})
        bar.add(len(rows))
        return table.write(rows)

    def _inquiries(self, bar: Progress) -> int:
        from gongxin.access.choices import Channel
        from gongxin.access.models import Inquiry
        from gongxin.accounts.models import Department

        rng = random.Random(f"{self.seed}:inquiries")
        departments = list(Department.objects.values_list("pk", "name"))
        table = CopyTable(Inquiry, ["subject_id", "viewer_label", "viewer_department_id", "purpose", "reason",
                                    "channel", "records_shown", "created_at"])
        written = 0
        for start in range(0, bar.total, 100_000):
            rows = []
            for _ in range(start, min(bar.total, start + 100_000)):
                department, name = rng.choice(departments)
                purpose, channel = rng.choice((("staff", Channel.PORTAL), ("sharing", Channel.API),
                                               ("authorized", Channel.REPORT), ("sharing", Channel.CHECK),
                                               ("staff", Channel.EXPORT)))
                rows.append({"subject_id": self._random_subject(rng), "viewer_label": name,
                             "viewer_department_id": department, "purpose": purpose, "reason": "业务办理",
                             "channel": channel.value, "records_shown": rng.randint(0, 40),
                             "created_at": self._moment(rng, 730)})
            written += table.write(rows)
            bar.add(len(rows))
        return written

    def _checks(self, bar: Progress) -> int:
        from gongxin.rewards.models import Check, Matter

        rng = random.Random(f"{self.seed}:checks")
        matters = list(Matter.objects.select_related("system").values_list("pk", "system_id", "system__client_id",
                                                                            "system__name"))
        table = CopyTable(Check, ["subject_id", "matter_id", "system_id", "client_id", "actor_label", "decision",
                                  "hits", "warnings", "created_at"])
        written = 0
        for start in range(0, bar.total, 100_000):
            rows = []
            for _ in range(start, min(bar.total, start + 100_000)):
                matter, system, client, name = rng.choice(matters)
                rows.append({"subject_id": self.org_id(min(self.plan.organizations - 1,
                                                           int(self.plan.organizations * rng.random() ** 1.5))),
                             "matter_id": matter, "system_id": system, "client_id": client, "actor_label": name,
                             "decision": rng.choices(("pass", "warn", "intercept", "reward"), (90, 5, 3, 2))[0],
                             "hits": [], "warnings": [], "created_at": self._moment(rng, 365)})
            written += table.write(rows)
            bar.add(len(rows))
        return written

    def _sequences(self) -> None:
        from django.apps import apps

        sequences_reset(m for m in apps.get_models() if not m._meta.proxy and m._meta.managed)

    def _facts(self, bar: Progress) -> int:
        from gongxin.rewards.facts import facts_rebuild

        done = 0
        for done, _total in facts_rebuild(day=self.as_of):
            bar.add(done - bar.done)
        return done

    def _scores(self, bar: Progress) -> int:
        from gongxin.accounts.viewer import SYSTEM
        from gongxin.scoring.services import scores_run

        scored = scores_run(actor=SYSTEM, as_of=self.as_of).subjects_scored
        bar.add(scored)
        return scored

    def _figures(self, bar: Progress) -> int:
        """The home page's figures (portal.PlatformFigure), counted once as after a bulk load that wrote no
        events (``gongxin figures refresh``)."""
        from gongxin.portal.statistics import figures_refresh

        return len(figures_refresh())

    def _early_warning(self, bar: Progress) -> int:
        from gongxin.accounts.viewer import SYSTEM
        from gongxin.core.errors import GongxinError
        from gongxin.monitoring.services import risk_run, scorecard_activate, scorecard_train

        try:
            scorecard = scorecard_train(actor=SYSTEM)  # on the features one horizon ago and what followed
            scorecard_activate(scorecard=scorecard, actor=SYSTEM)
            run = risk_run(actor=SYSTEM, as_of=self.as_of)
        except GongxinError as error:
            print(f"\n  early warning not trained: {error.code}", file=sys.stderr)
            return 0
        bar.add(run.subjects)
        return run.subjects
