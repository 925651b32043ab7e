"""Seeding the demo city into the database, and the demo logins.

``demo_seed`` streams the generators of ``gongxin.demo.city`` through the platform's own bulk paths —
``subjects.services.organizations_register_bulk`` / ``persons_register_bulk`` and
``records.load.records_load`` — so the demo data is validated, versioned, clocked and announced on the
outbox exactly like ingested data. Nothing holds the whole city in memory: subjects and records go in
chunks, and each chunk of records looks up only its own subjects' ids.

Re-running is safe: subjects already registered are skipped by USCC / RIN hash, records already loaded
are "unchanged" by their (source unit, catalog item, source record id) identity and content hash,
departments and accounts are get-or-create.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from tqdm import tqdm

from gongxin.accounts.choices import Level, Role
from gongxin.accounts.models import Department, User
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.selectors import items_current
from gongxin.core import clock
from gongxin.core.seeds import migration_seeds_restore
from gongxin.demo import city
from gongxin.records.load import LoadResult, RecordRow, records_load
from gongxin.subjects.identifiers import rin_lookup_hash
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import (
    CODE_RIN_HASH,
    CODE_USCC,
    subject_by_rin,
    subject_by_uscc,
    subjects_by_codes,
)
from gongxin.subjects.services import (
    OrganizationRow,
    PersonRow,
    organizations_register_bulk,
    persons_register_bulk,
)

DEFAULT_SEED = 2026
DEFAULT_ORGANIZATIONS = 30_000
DEFAULT_PERSONS = 20_000
DEFAULT_RECORDS = 200_000
ACTOR_LABEL = "demo seed"
RELATIONS_ACTOR_LABEL = "demo seed (registration relations)"
CHUNK = 5_000
# The demo logins' password: public by design (printed by ``gongxin demo up``), overridable.
DEMO_PASSWORD = os.environ.get("GONGXIN_DEMO_PASSWORD", "gongxin-demo")


@dataclass
class SeedReport:
    """Counts of one ``demo_seed`` run and the seconds each phase took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    rejections: list[Any] = field(default_factory=list)  # the first rejected record rows, to explain them

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - started


# ---------------------------------------------------------------------------------------------------
# Departments and source units
# ---------------------------------------------------------------------------------------------------


def departments_ensure() -> dict[str, SourceUnit]:
    """The city's and districts' departments as source units (get-or-create by code). Code -> unit."""
    units: dict[str, SourceUnit] = {}
    with transaction.atomic():
        for authority in city.all_authorities():
            department, _created = Department.objects.get_or_create(
                code=authority.code,
                defaults={
                    "name": authority.name,
                    "level": Level.DISTRICT if authority.level == "district" else Level.CITY,
                    "region_code": authority.region_code,
                    "uscc": authority.uscc,
                },
            )
            unit, _created = SourceUnit.objects.get_or_create(
                department=department, defaults={"domain": authority.domain}
            )
            units[authority.code] = unit
    return units


def _authority_of_unit(unit: SourceUnit) -> city.Authority:
    known = {a.code: a for a in city.all_authorities()}
    department = unit.department
    if department.code in known:
        return known[department.code]
    return city.Authority(
        code=department.code, name=department.name, domain=unit.domain, short=department.name[:2],
        level="district" if department.level == Level.DISTRICT else "city",
        region_code=department.region_code or city.CITY_CODE,
    )


def reference_data_ensure() -> None:
    """What the data migrations seed (catalog, policies, list types, measures, models …), restored if emptied (e.g.
    by ``flush``; core.seeds)."""
    migration_seeds_restore()


def catalog_slots() -> tuple[list[city.RecordSlot], dict[str, CatalogItem]]:
    """The current catalog's active items as generator slots, and the items by code."""
    items = list(items_current())
    slots = [
        city.RecordSlot(
            key=item.code,
            kind=item.record_kind,
            subject_kinds=tuple(item.subject_kinds or ()),
            weight=city.KIND_WEIGHTS.get(item.record_kind, 0.0),
            authority=_authority_of_unit(item.source_unit) if item.source_unit is not None else None,
        )
        for item in items
    ]
    return [s for s in slots if s.weight > 0], {item.code: item for item in items}


# ---------------------------------------------------------------------------------------------------
# The seed
# ---------------------------------------------------------------------------------------------------


def _bar(total: int, desc: str, enabled: bool) -> tqdm:
    return tqdm(total=total, desc=desc, unit="rows", file=sys.stderr, disable=not enabled, dynamic_ncols=True,
                smoothing=0.1)


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _organization_rows(specs: Iterable[city.OrganizationSpec]) -> Iterator[OrganizationRow]:
    for spec in specs:
        yield OrganizationRow(
            uscc=spec.uscc, name=spec.name, org_kind=spec.org_kind, region_code=spec.district_code,
            industry=spec.industry, legal_representative=spec.legal_representative,
            registration_date=spec.registration_date, registered_capital_yuan=spec.registered_capital_yuan,
            address=spec.address, status=spec.status,
        )


def _person_rows(specs: Iterable[city.PersonSpec]) -> Iterator[PersonRow]:
    for spec in specs:
        yield PersonRow(rin=spec.rin, name=spec.name, region_code=spec.district_code)


def _progress_delta(bar: tqdm) -> Callable[[int], None]:
    # The subjects' bulk services report rows read so far; tqdm wants increments.
    def report(done: int) -> None:
        bar.update(done - bar.n)

    return report


def _ids_by_uscc(usccs: Iterable[str]) -> dict[str, int]:
    return dict(subjects_by_codes(scheme=CODE_USCC, codes=usccs))


def _ids_by_rin_hash(digests: Iterable[str]) -> dict[str, int]:
    return dict(subjects_by_codes(scheme=CODE_RIN_HASH, codes=digests))


def _record_rows(
    facts: Iterable[city.RecordFacts],
    *,
    seed: int,
    as_of: date,
    organizations: int,
    persons: int,
    items: dict[str, CatalogItem],
    units: dict[str, SourceUnit],
    missing: list[int],
) -> Iterator[RecordRow]:
    """Bind generated records to catalog items, source units and subject ids, one chunk at a time."""
    field_codes = {code: {f["code"] for f in item.fields} for code, item in items.items()}
    for chunk in _chunks(facts, CHUNK):
        person_hashes = {f.subject_code: rin_lookup_hash(f.subject_code)
                         for f in chunk if f.subject_kind == "person"}
        org_ids = _ids_by_uscc(f.subject_code for f in chunk if f.subject_kind == "organization")
        person_ids = _ids_by_rin_hash(person_hashes.values())
        for fact in chunk:
            if fact.subject_kind == "organization":
                subject_id = org_ids.get(fact.subject_code)
            else:
                subject_id = person_ids.get(person_hashes[fact.subject_code])
            if subject_id is None:  # its subject is not registered (e.g. a smaller earlier run)
                missing[0] += 1
                continue
            item = items[fact.slot]
            codes = field_codes[fact.slot]
            yield RecordRow(
                source_unit_id=units[fact.authority.code].pk,
                catalog_item=item,
                source_record_id=fact.source_record_id,
                subject_id=subject_id,
                payload={k: v for k, v in fact.payload.items() if k in codes},
            )


# From this many records on, a second process generates them while this one loads (2 cores: the
# generators' ~25 µs per record then cost no wall time). Below it, the fork is not worth its start-up.
PARALLEL_FROM = 20_000


def _produce(out: Any, kwargs: dict[str, Any]) -> None:
    """Child process: generate the records and hand them over in chunks (None marks the end)."""
    try:
        for chunk in _chunks(city.records(**kwargs), CHUNK):
            out.put(chunk)
        out.put(None)
    except BaseException as exc:  # report, never hang the parent
        out.put(RuntimeError(f"record generator failed: {exc!r}"))


def _facts_stream(*, parallel: bool, **kwargs: Any) -> Iterator[city.RecordFacts]:
    """The generated records, from a forked producer process when ``parallel`` (pure code: the child
    touches no database connection), else inline. Same records, same order, either way."""
    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        yield from city.records(**kwargs)
        return
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=4)
    producer = context.Process(target=_produce, args=(channel, kwargs), daemon=True, name="demo-records")
    producer.start()
    try:
        while True:
            try:
                chunk = channel.get(timeout=1)
            except queue.Empty:
                if not producer.is_alive():
                    raise RuntimeError("the record generator process died") from None
                continue
            if chunk is None:
                break
            if isinstance(chunk, BaseException):
                raise chunk
            yield from chunk
    finally:
        if producer.is_alive():
            producer.terminate()
        producer.join()


def _relations_add(*, seed: int, as_of: date, organizations: int, persons: int, units: dict[str, SourceUnit],
                   progress: bool) -> int:
    """The city's relation graph (city.relations: legal representatives, executives, shareholders with their
    shares, holding chains with a few cycles, branches, actual controllers) as records of the catalog item
    ``registration_relation`` from the market regulation bureau, loaded like every record (records.load:
    set-based, the party's identity number sealed), then projected onto ``subjects.Relation`` by
    ``monitoring.relations`` — what its outbox consumer does, done here set-based for all of them. Safe to re-run:
    unchanged records write nothing and the projection is recomputed. Returns the relations added."""
    from gongxin.catalog.selectors import item_by_code
    from gongxin.monitoring.relations import relations_project
    from gongxin.records.models import Record

    item = item_by_code("registration_relation")
    missing = [0]
    bar = _bar(organizations, "relations", progress)
    facts = city.relations(seed=seed, organizations=organizations, persons=persons, as_of=as_of)
    records_load(
        _record_rows(facts, seed=seed, as_of=as_of, organizations=organizations, persons=persons,
                     items={"registration_relation": item}, units=units, missing=missing),
        actor_label=RELATIONS_ACTOR_LABEL, batch_size=CHUNK, progress=bar.update,
    )
    bar.close()
    ids = list(Record.objects.filter(catalog_item=item).order_by("pk").values_list("pk", flat=True))
    return relations_project(ids)["added"]


def demo_seed(
    *,
    seed: int = DEFAULT_SEED,
    organizations: int = DEFAULT_ORGANIZATIONS,
    persons: int = DEFAULT_PERSONS,
    records: int = DEFAULT_RECORDS,
    progress: bool = True,
    as_of: date | None = None,
    report: SeedReport | None = None,
) -> dict[str, int]:
    """Generate the demo city of ``seed`` into the database; returns what was added (and kept).

    ``as_of`` is the day the city is generated as of (default ``city.DEMO_AS_OF``, or today when that
    lies in the future); keep it fixed between runs for re-runs to add nothing.
    """
    if min(organizations, persons, records) < 0:
        raise ValueError("counts must not be negative")
    as_of = as_of or min(city.DEMO_AS_OF, clock.today())
    report = report or SeedReport()
    counts = report.counts

    with report.phase("departments"):
        reference_data_ensure()
        units = departments_ensure()
        counts["source_units"] = len(units)

    with report.phase("organizations"):
        bar = _bar(organizations, "organizations", progress)
        counts["organizations"] = organizations_register_bulk(
            _organization_rows(city.organizations(seed=seed, count=organizations, as_of=as_of, persons=persons)),
            actor_label=ACTOR_LABEL, progress=_progress_delta(bar),
        )
        bar.close()

    with report.phase("persons"):
        bar = _bar(persons, "persons", progress)
        counts["persons"] = persons_register_bulk(
            _person_rows(city.persons(seed=seed, count=persons)), actor_label=ACTOR_LABEL,
            progress=_progress_delta(bar),
        )
        bar.close()

    with report.phase("relations"):
        counts["relations"] = _relations_add(seed=seed, as_of=as_of, organizations=organizations,
                                             persons=persons, units=units, progress=progress) if persons else 0

    with report.phase("records"):
        slots, items = catalog_slots()
        missing = [0]
        bar = _bar(records, "records", progress)
        facts = _facts_stream(parallel=records >= PARALLEL_FROM, seed=seed, count=records, slots=slots,
                              organizations=organizations, persons=persons, as_of=as_of)
        result: LoadResult = records_load(
            _record_rows(facts, seed=seed, as_of=as_of, organizations=organizations, persons=persons,
                         items=items, units=units, missing=missing),
            actor_label=ACTOR_LABEL, batch_size=CHUNK, progress=bar.update,
        )
        bar.close()
        counts["records"] = result.inserted
        counts["records_corrected"] = result.corrected
        counts["records_unchanged"] = result.unchanged
        counts["records_rejected"] = result.rejected
        counts["records_without_subject"] = missing[0]
        report.rejections = result.rejections[:20]

    with report.phase("sample batch"):
        from gongxin.demo.batches import demo_batch_ensure

        batch = demo_batch_ensure(unit=units[OPERATOR_DEPARTMENT])
        counts["sample_batch_rows"] = batch.received if batch else 0
    return counts


# ---------------------------------------------------------------------------------------------------
# Demo logins
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    display_name: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(Role.PUBLIC, "demo-public", "公众用户"),
    DemoAccount(Role.PERSON, "demo-person", ""),  # named after the person subject
    DemoAccount(Role.ORG_AGENT, "demo-org", ""),  # named after the organization's legal representative
    DemoAccount(Role.OPERATOR, "demo-operator", "市场监管局信息员"),
    DemoAccount(Role.STAFF, "demo-staff", "信用办工作人员"),
    DemoAccount(Role.AUDITOR, "demo-auditor", "审计员"),
    DemoAccount(Role.ADMIN, "demo-admin", "系统管理员"),
)
# What each demo login is for (printed by ``demo up``; the guide page at /demo/ says it in the page's language).
JOURNEYS: dict[str, str] = {
    Role.PUBLIC: "a public account (searching and public reports need no login)",
    Role.PERSON: "the demo person: /me/, objections, repair, commitments, benefits, who queried me",
    Role.ORG_AGENT: "the demo firm's agent: its profile, reports, objections, repair, consents, lending",
    Role.OPERATOR: "the market regulation bureau: batches (/ingest/), its records, objections and repairs",
    Role.STAFF: "the credit office: accept and forward objections, lists, measures, statistics",
    Role.AUDITOR: "read-only: every workbench and the audit trail",
    Role.ADMIN: "everything, and /admin/",
}
OPERATOR_DEPARTMENT = city.CITY_AUTHORITIES[0].code  # 宁波市市场监督管理局
STAFF_DEPARTMENT = next(a.code for a in city.CITY_AUTHORITIES if a.domain == "credit")  # 发展和改革委员会


def _organization_of(seed: int, index: int | None) -> Subject | None:
    if index is None:
        return None
    as_of = min(city.DEMO_AS_OF, clock.today())
    return subject_by_uscc(city.organization_at(seed, index, as_of=as_of).uscc)


def _demo_subjects(seed: int) -> tuple[Subject | None, Subject | None]:
    """The person and the organization the demo logins act for: the city's demo person and demo firm (whose
    histories the generator plans, ``city.DEMO_PERSON_PLAN`` / ``DEMO_FIRM_PLAN``), else the first that exists."""
    as_of = min(city.DEMO_AS_OF, clock.today())
    person = next((s for s in (subject_by_rin(city.person_at(seed, i).rin)
                               for i in (city.DEMO_PERSON_INDEX, 1, 2)) if s), None)
    org = _organization_of(seed, city.demo_firm_index(seed, organizations=city.SHOWCASE_SEARCH, as_of=as_of))
    if org is None:
        for index in range(50):
            spec = city.organization_at(seed, index, as_of=as_of)
            if spec.org_kind == "enterprise":
                org = subject_by_uscc(spec.uscc)
                if org is not None:
                    break
    if person is None:
        person = Subject.objects.filter(kind="person").order_by("pk").first()
    if org is None:
        org = Subject.objects.filter(kind="organization").order_by("pk").first()
    return person, org


@dataclass(frozen=True)
class Showcase:
    """A subject ``gongxin demo up`` points at, with the size of its history."""

    label: str
    name: str
    code: str  # the USCC, or the masked RIN
    records: int
    list_entries: int


def demo_showcase(*, seed: int = DEFAULT_SEED) -> list[Showcase]:
    """The demo firm and person (the logins act for them) and the big organization (deep paging), as seeded."""
    from gongxin.records.models import ListEntry, Record

    as_of = min(city.DEMO_AS_OF, clock.today())
    person, firm = _demo_subjects(seed)
    big = _organization_of(seed, city.big_organization_index(seed, organizations=city.SHOWCASE_SEARCH, as_of=as_of))
    rows: list[Showcase] = []
    for label, subject in (("demo firm", firm), ("demo person", person), ("big organization", big)):
        if subject is None or (label == "big organization" and subject == firm):
            continue
        records = Record.objects.filter(subject=subject).count()
        if label == "big organization" and records < city.BIG_ORGANIZATION_RECORDS:  # a small city has none
            continue
        code = subject.organization.uscc if subject.kind == "organization" else subject.person.rin_masked
        rows.append(Showcase(
            label=label, name=subject.name, code=code,
            records=records,
            list_entries=ListEntry.objects.filter(subject=subject).count(),
        ))
    return rows


def demo_accounts_ensure(*, seed: int = DEFAULT_SEED) -> list[tuple[str, str, str]]:
    """One login per role (get-or-create by username); returns (role, username, password) rows.

    The password is set when an account is created (or has none usable); a changed password is kept.
    """
    units = departments_ensure()
    person, org = _demo_subjects(seed)
    departments: dict[str, Department | None] = {
        Role.OPERATOR: units[OPERATOR_DEPARTMENT].department,
        Role.STAFF: units[STAFF_DEPARTMENT].department,
    }
    subjects: dict[str, Subject | None] = {Role.PERSON: person, Role.ORG_AGENT: org}
    rows: list[tuple[str, str, str]] = []
    with transaction.atomic():
        for account in DEMO_ACCOUNTS:
            subject = subjects.get(account.role)
            display = account.display_name
            if account.role == Role.PERSON and subject is not None:
                display = subject.name
            elif account.role == Role.ORG_AGENT and subject is not None:
                display = f"{subject.name}经办人"
            user, created = User.objects.get_or_create(username=account.username)
            user.role = account.role
            user.display_name = display
            user.department = departments.get(account.role)
            user.subject = subject
            user.is_staff = account.role == Role.ADMIN
            user.is_superuser = account.role == Role.ADMIN
            if created or not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
            user.save()
            rows.append((str(account.role), account.username, DEMO_PASSWORD))
    return rows


@dataclass(frozen=True)
class Decider:
    """A source unit's operator login that decides objections forwarded to the unit and repair applications
    of its records: one per unit holding records of the demo firm or the demo person."""

    username: str
    unit: str  # the department's name
    firm_records: int
    person_records: int


def decider_username(department: Department) -> str:
    """``demo-operator`` for the market regulation bureau (its batch and most penalties), else
    ``demo-op-<department code>`` (``demo-op-nb-tax``)."""
    return "demo-operator" if department.code == OPERATOR_DEPARTMENT else f"demo-op-{department.code.lower()}"


def demo_deciders_ensure(*, seed: int = DEFAULT_SEED) -> list[Decider]:
    """The operator login of every source unit that holds records of the demo firm or the demo person
    (get-or-create by username; a changed password is kept), so that each objection and repair of theirs has a
    decider to sign in as — not only the admin. Returns them, the firm's units first."""
    from django.db.models import Count

    from gongxin.records.models import Record

    person, firm = _demo_subjects(seed)
    subjects = {s.pk: s for s in (firm, person) if s is not None}
    counts: dict[int, dict[int, int]] = {}
    for unit_id, subject_id, n in (Record.objects.filter(subject_id__in=subjects)
                                   .values_list("source_unit_id", "subject_id").annotate(n=Count("id"))
                                   .order_by()):
        counts.setdefault(unit_id, {})[subject_id] = n
    departments = Department.objects.in_bulk(list(counts))
    firm_id = firm.pk if firm is not None else None
    person_id = person.pk if person is not None else None
    deciders: list[Decider] = []
    with transaction.atomic():
        for unit_id, by_subject in counts.items():
            department = departments[unit_id]
            username = decider_username(department)
            user, created = User.objects.get_or_create(username=username)
            user.role = Role.OPERATOR
            user.department = department
            user.subject = None
            user.display_name = user.display_name or f"{department.name}信息员"
            if created or not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
            user.save()
            deciders.append(Decider(username=username, unit=department.name,
                                    firm_records=by_subject.get(firm_id or -1, 0),
                                    person_records=by_subject.get(person_id or -1, 0)))
    deciders.sort(key=lambda d: (-d.firm_records, -d.person_records, d.username))
    return deciders


# The demo business system's API key is shown once when it is created; the demo keeps it in the data directory
# (0700, beside keys.json) so that every `demo up` can print a key that works.
BUSINESS_SYSTEM = "demo business system"


def _keys_file() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "demo" / "api-keys.json"


def demo_keys_remember(keys: list[tuple[str, str]]) -> None:
    """Keep the API keys created by the seed (name -> key) for later ``demo up`` runs (file mode 0600)."""
    if not keys:
        return
    path = _keys_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    known: dict[str, str] = {}
    if path.is_file():
        try:
            known = dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            known = {}
    known.update(dict(keys))
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.touch(mode=0o600)
    partial.write_text(json.dumps(known, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(path)


def demo_business_key() -> str | None:
    """The demo business system's API key when the demo kept it and it still works, else None."""
    from gongxin.accounts.services import api_client_authenticate
    from gongxin.core.errors import GongxinError

    try:
        key = json.loads(_keys_file().read_text(encoding="utf-8")).get(BUSINESS_SYSTEM)
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(key, str):
        return None
    try:
        api_client_authenticate(key)
    except GongxinError:
        return None
    return key


def demo_mode_apply() -> None:
    """The platform runs as the demo (``GONGXIN_DEMO``): the home page links the "try this" guide (/demo/),
    which production never shows. In this process (the web server runs in it) and in the workers."""
    from django.conf import settings

    os.environ["GONGXIN_DEMO"] = "1"
    settings.GONGXIN_DEMO = True


def demo_public_address_apply(*, host: str, port: int) -> str:
    """The address the demo serves on, made the platform's public address — what signed reports and check
    certificates point their QR codes at — unless ``GONGXIN_PUBLIC_URL`` (or the verification address) is set:
    in this process (the web server runs in it) and, through the environment, in the worker processes."""
    from django.conf import settings

    configured = os.environ.get("GONGXIN_SIGNING_VERIFY_BASE_URL") or os.environ.get("GONGXIN_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    shown = "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host  # noqa: S104 - a name, nothing is bound here
    address = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    os.environ["GONGXIN_PUBLIC_URL"] = address
    settings.GONGXIN_PUBLIC_URL = address
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = address
    return address


# The demo firm's record that is under objection when the demo starts (the penalty its plan dates this many
# days before the city's day); its newest penalty is left for the visitor to object to, and the fined one
# of half a year ago to repair.
OBJECTED_PENALTY_DAYS = 600
OBJECTION_DESCRIPTION = "处罚决定书载明的违法事实与现场检查记录不符，当事人已在检查当日整改完毕，请求核实更正。"


def demo_objection_ensure(*, seed: int = DEFAULT_SEED) -> str | None:
    """One of the demo firm's penalties under objection (filed by its agent, accepted by the credit office),
    unless the firm has an objection already. Returns the objection's number when one is filed now."""
    from gongxin.accounts.viewer import viewer_for_user
    from gongxin.objections.choices import Ground
    from gongxin.objections.models import Objection
    from gongxin.objections.services import objection_accept, objection_file
    from gongxin.records.models import Record

    _person, firm = _demo_subjects(seed)
    agent = User.objects.filter(username="demo-org", subject=firm).first() if firm else None
    staff = User.objects.filter(username="demo-staff").first()
    if firm is None or agent is None or staff is None or Objection.objects.filter(subject=firm).exists():
        return None
    day = min(city.DEMO_AS_OF, clock.today()) - timedelta(days=OBJECTED_PENALTY_DAYS)
    record = (Record.objects.filter(subject=firm, catalog_item__record_kind="penalty",
                                    current_version__decision_date=day, current_version__status="active")
              .order_by("pk").first())
    if record is None:
        return None
    objection = objection_file(record=record, ground=Ground.WRONG_FACTS, description=OBJECTION_DESCRIPTION,
                               actor=viewer_for_user(agent))
    objection_accept(objection=objection, actor=viewer_for_user(staff))
    return objection.number


# ---------------------------------------------------------------------------------------------------
# The services built on the records: a business system, scores, facts, an early-warning scorecard
# ---------------------------------------------------------------------------------------------------


@dataclass
class ServicesSeed:
    api_keys: list[tuple[str, str]] = field(default_factory=list)  # (API client, key) created now: shown once
    scored: int = 0
    facts: int = 0
    scorecard: str = ""  # how the early-warning scorecard went
    summaries: int = 0
    skipped: list[str] = field(default_factory=list)  # consumers whose seed events the set-based steps covered


SUMMARY_CHUNK = 2_000


def profile_summaries_rebuild(*, chunk_size: int = SUMMARY_CHUNK) -> int:
    """Every subject's profile summary, as its consumer (records.consumers.ProfileSummaryConsumer) keeps it, by
    chunks of subjects that hold records: the consumer itself handles one record event per subject, so the
    counts are its own. Returns the subjects summarized."""
    from gongxin.core.models import OutboxEvent
    from gongxin.records.consumers import ProfileSummaryConsumer
    from gongxin.records.models import Record

    consumer = ProfileSummaryConsumer()
    done = 0
    last = 0
    while True:
        ids = list(Record.objects.filter(subject_id__gt=last).order_by("subject_id")
                   .values_list("subject_id", flat=True).distinct()[:chunk_size])
        if not ids:
            return done
        with transaction.atomic():
            consumer.handle([OutboxEvent(aggregate_type="record", subject_id=subject_id) for subject_id in ids])
        done += len(ids)
        last = ids[-1]


def demo_services_seed(*, report: SeedReport | None = None) -> ServicesSeed:
    """Make the seeded city's services usable at once: the demo business system and its matters (for the
    check API), benefit providers and lenders (API clients), every subject scored, the facts rows the
    checks read, and an early-warning scorecard trained on the city and run. Idempotent; each step is the
    owning app's own service."""
    from gongxin.accounts.viewer import SYSTEM
    from gongxin.benefits.demo import benefits_demo_ensure
    from gongxin.core.errors import GongxinError
    from gongxin.core.outbox import consumers_advance, outbox_settled_position
    from gongxin.lending.demo import lending_demo_ensure
    from gongxin.monitoring.consumers import AssociationAlertConsumer, WatchConsumer
    from gongxin.monitoring.dashboards import DashboardConsumer, dashboards_refresh
    from gongxin.monitoring.models import Watch
    from gongxin.monitoring.relations import RelationProjection
    from gongxin.monitoring.selectors import scorecard_active
    from gongxin.monitoring.services import risk_run, scorecard_activate, scorecard_train
    from gongxin.portal.statistics import FiguresConsumer, figures_refresh
    from gongxin.records.consumers import ProfileSummaryConsumer
    from gongxin.rewards.consumers import SubjectFactsConsumer
    from gongxin.rewards.facts import facts_rebuild
    from gongxin.rewards.seed import registry_demo_seed
    from gongxin.scoring.consumers import RescoreConsumer
    from gongxin.scoring.services import scores_run
    from gongxin.sharing.consumers import SubscriptionFanout
    from gongxin.sharing.models import Subscription

    report = report or SeedReport()
    done = ServicesSeed()
    with report.phase("business system, benefit providers, lenders"):
        key = registry_demo_seed()
        if key:
            done.api_keys.append((BUSINESS_SYSTEM, key))
        done.api_keys += benefits_demo_ensure() + lending_demo_ensure()
    # Each set-based step below does for every subject what an outbox consumer would do for the seed's events:
    # that consumer's cursor is moved past the events the step saw (consumers_advance), so the background
    # catch-up after the seed does not redo it event batch by event batch.
    with report.phase("profile summaries"):
        marked = outbox_settled_position()
        done.summaries = profile_summaries_rebuild()
        done.skipped += consumers_advance(names=[ProfileSummaryConsumer.name], position=marked)
    with report.phase("scores"):
        marked = outbox_settled_position()
        done.scored = scores_run(actor=SYSTEM).subjects_scored
        done.skipped += consumers_advance(names=[RescoreConsumer.name], position=marked)
    with report.phase("facts"):
        marked = outbox_settled_position()
        for count, _total in facts_rebuild():
            done.facts = count
        done.skipped += consumers_advance(names=[SubjectFactsConsumer.name], position=marked)
    with report.phase("early warning"):
        try:
            scorecard = scorecard_active()
            if scorecard is None:
                scorecard = scorecard_train(actor=SYSTEM)
                scorecard_activate(scorecard=scorecard, actor=SYSTEM)
                run = risk_run(actor=SYSTEM)
                done.scorecard = f"{scorecard.code} v{scorecard.version}, {run.subjects} scored"
            else:
                done.scorecard = f"{scorecard.code} v{scorecard.version} (already active)"
        except GongxinError as error:  # a city too small or too young to learn from
            done.scorecard = f"not trained: {error.code}"
    with report.phase("figures, idle consumers"):
        # The home page's figures and the dashboards counted now, and the relations projected by the seed itself
        # (_relations_add); alerts of watched subjects and subscriptions' deliveries have nothing to do for the seed's
        # events while nobody watches or subscribes (none does in a new city); related-party alerts are about news,
        # and the seed's listings are the city's past (the early-warning run above ranks the city as it is).
        marked = outbox_settled_position()
        idle = [FiguresConsumer.name, DashboardConsumer.name, RelationProjection.name, AssociationAlertConsumer.name]
        figures_refresh()
        dashboards_refresh()
        if not Watch.objects.exists():
            idle.append(WatchConsumer.name)
        if not Subscription.objects.exists():
            idle.append(SubscriptionFanout.name)
        done.skipped += consumers_advance(names=idle, position=marked)
    report.counts.update({"scored": done.scored, "facts": done.facts})
    return done
