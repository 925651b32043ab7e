"""Measure a built city (bench/city_build.py): pages and APIs under open-loop load, report builds, the
nightly jobs, and bytes per record. For bench/city.py.

Pages are served by gunicorn with the platform's own settings (``gongxin.gunicorn_conf``) and loaded by
bench/_load.py at a fixed rate (latency counts from when each request was due). Sessions for the
self-service and staff pages are made in the database directly (a person bound to a subject with records,
an organization's agent bound to the big organization, a staff member). The nightly jobs run in this
process inside one transaction that is rolled back, so a kept database stays as it was built and a second
run measures the same work.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from _load import fixed_rate, wait_until_up

HOST, PORT = "127.0.0.1", 18095
RECORD_TABLES = ("records_record", "records_recordversion", "records_listentry", "records_profilesummary",
                 "records_versiontext")
DEEP_PAGES = 10  # the deep page of the big firm's profile: this many "next" links into its largest group


@dataclass
class Figure:
    name: str
    kind: str  # "page" (p50/p95 targets), "pdf" (p95 < 500), "check" (p99 < 20), "export", "nightly", "info"
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    errors: int = 0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# What to ask for
# ---------------------------------------------------------------------------------------------------


@dataclass
class Targets:
    usccs: list[str]
    big_uscc: str
    names: list[str]
    uscc_prefixes: list[str]
    initials: list[str]
    district: str
    department: str
    type_code: str
    pages: int
    middle_cursor: str  # the publicity listing is paged by keyset (decision 044): a cursor halfway down
    big_group: str  # the big firm's largest profile group (access.grouped) and a cursor DEEP_PAGES pages into it
    big_deep_cursor: str
    big_deep_page: int
    cookies: dict[str, str]
    reports: dict[str, str]  # label -> report number (issued by the staff user)
    check_key: str
    check_usccs: list[str]


def _session(user: Any) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _user(username: str, role: str, subject_id: int | None = None) -> Any:
    from gongxin.accounts.models import Department, User

    user, _created = User.objects.get_or_create(username=username)
    user.role = role
    user.subject_id = subject_id
    user.display_name = username
    if role == "staff":
        user.department = Department.objects.filter(code="nb-fgw").first()
    user.save()
    return user


def _sample_subjects(kind: str, count: int, rng: random.Random) -> list[int]:
    """Subjects of ``kind`` that have records, drawn from a block sample of the records table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT r.subject_id FROM records_record r TABLESAMPLE SYSTEM (2) "
                       "JOIN subjects_subject s ON s.id = r.subject_id WHERE s.kind = %s LIMIT %s", [kind, count * 4])
        ids = [row[0] for row in cursor.fetchall()]
    rng.shuffle(ids)
    return ids[:count]


def targets_prepare(*, big_uscc: str, seed: int) -> Targets:
    from django.db import connection

    from gongxin.accounts.choices import Role
    from gongxin.accounts.viewer import Viewer
    from gongxin.portal.selectors import PublicityFilters, publicity_deep_cursor, publicity_records
    from gongxin.reports.services import purpose_default, report_issue
    from gongxin.subjects.models import Organization, Subject

    rng = random.Random(seed)
    org_ids = _sample_subjects("organization", 300, rng)
    orgs = list(Organization.objects.filter(subject_id__in=org_ids).select_related("subject")
                .values_list("uscc", "subject__name", "subject__name_initials"))
    names, prefixes, initials = [], [], []
    for uscc, name, letters in orgs:
        size = rng.choice((2, 3, 4))
        if len(name) >= size:
            start = rng.randrange(len(name) - size + 1)
            names.append(name[start:start + size])
        prefixes.append(uscc[:rng.randint(6, 18)])
        if len(letters) >= 3:
            initials.append(letters[:rng.randint(2, min(5, len(letters)))])
    person_id = _sample_subjects("person", 1, rng)[0]
    big = Subject.objects.get(organization__uscc=big_uscc)
    staff = _user("city-staff", Role.STAFF)
    person = _user("city-person", Role.PERSON, person_id)
    agent = _user("city-org", Role.ORG_AGENT, big.pk)
    cookies = {"staff": _session(staff), "person": _session(person), "agent": _session(agent)}
    viewer = Viewer(label=staff.username, role=Role.STAFF, user_id=staff.pk)
    reports = {}
    # The typical firm: the median record count of the sample (the sample holds firms with records).
    from django.db.models import Count

    from gongxin.records.models import Record

    counted = sorted(Record.objects.filter(subject_id__in=org_ids).values("subject_id").annotate(n=Count("id"))
                     .values_list("n", "subject_id"))
    typical = Subject.objects.get(pk=counted[len(counted) // 2][1])
    for label, subject in (("typical", typical), ("big", big)):
        report = report_issue(subject=subject, kind="organization", viewer=viewer,
                              purpose=purpose_default(kind="organization", subject=subject, viewer=viewer))
        reports[label] = report.number
    with connection.cursor() as cursor:
        cursor.execute("SELECT d.code FROM accounts_department d JOIN catalog_sourceunit u ON u.department_id = d.id "
                       "WHERE d.code LIKE %s ORDER BY d.code LIMIT 1", ["%-amr"])
        department = cursor.fetchone()[0]
    big_group, big_deep_cursor, big_deep_page = _profile_deep_cursor(big)
    # Counted exactly, once (the page itself says "about" or "10,000+" past 10,000): the middle is the true middle.
    total = publicity_records(PublicityFilters()).count()
    middle_cursor = publicity_deep_cursor(depth=total // 2)
    from checks import _system_register

    key = _system_register(f"city.system.{int(time.time())}")
    typical_uscc = Organization.objects.get(subject_id=typical.pk).uscc
    return Targets(
        usccs=[typical_uscc] + [o[0] for o in orgs], big_uscc=big_uscc, names=names, uscc_prefixes=prefixes,
        initials=initials,
        district="330212", department=department, type_code="罚款", pages=max(1, (total + 19) // 20),
        middle_cursor=middle_cursor, big_group=big_group, big_deep_cursor=big_deep_cursor,
        big_deep_page=big_deep_page, cookies=cookies, reports=reports, check_key=key, check_usccs=[o[0] for o in orgs],
    )


def _profile_deep_cursor(subject: Any) -> tuple[str, str, int]:
    """(group, cursor, page number): the public profile's largest group of ``subject``, and the cursor a reader
    holds after following "next" ``DEEP_PAGES`` times in it (access.grouped; keyset paging, decision 045)."""
    from django.contrib.auth.models import AnonymousUser

    from gongxin.access.grouped import profile_grouped
    from gongxin.accounts.viewer import viewer_for_user
    from gongxin.records.choices import Purpose

    viewer = viewer_for_user(AnonymousUser())
    overview = profile_grouped(subject=subject, viewer=viewer, purpose=Purpose.PUBLIC)
    group = max(overview.groups, key=lambda g: g.count)
    cursor, page = "", 1
    for _ in range(DEEP_PAGES):
        opened = profile_grouped(subject=subject, viewer=viewer, purpose=Purpose.PUBLIC, group=group.key,
                                 cursor=cursor or None)
        shown = opened.shown[0].page
        if shown is None or shown.next_cursor is None:
            break
        cursor, page = shown.next_cursor, page + 1
    return group.key, cursor, page


# ---------------------------------------------------------------------------------------------------
# Serving and loading
# ---------------------------------------------------------------------------------------------------


def server_start(workers: int) -> subprocess.Popen[bytes]:
    global WORKERS
    WORKERS = workers
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="checks_site",
               PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent), os.environ.get("PYTHONPATH", "")]))
    # Exports and report issues are throttled per caller and address; the load generator is one of each.
    for name in ("EXPORT_CALLER", "EXPORT_ADDRESS", "API_SESSION"):
        env[f"GONGXIN_THROTTLE_{name}"] = "1000000/60"
    command = [str(Path(sys.executable).with_name("gunicorn")), "gongxin.wsgi:application",
               "--config", "python:gongxin.gunicorn_conf", "--workers", str(workers),
               "--bind", f"{HOST}:{PORT}", "--log-level", "warning", "--timeout", "600"]
    process = subprocess.Popen(command, env=env)  # noqa: S603 - our own server binary
    wait_until_up(HOST, PORT)
    return process


def server_stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(60)


def _get(path_of: Callable[[int], str], cookie: str = "") -> Callable[[int], tuple[str, str, bytes, dict[str, str]]]:
    headers = {"Cookie": cookie} if cookie else {}
    return lambda i: ("GET", path_of(i), b"", headers)


WORKERS = 3  # set by server_start


def _sustainable(make: Callable[[int], tuple[str, str, bytes, dict[str, str]]], rate: float) -> float:
    """``rate``, or less for a page too slow to serve it: a fixed rate above what the workers can serve
    measures only the queue growing (and takes minutes). Three requests one after another tell the service
    time; the rate is then held to half of what the workers could serve."""
    for i in range(2 * WORKERS):  # each worker's first request of a page (imports, caches) is not its service time
        fixed_rate(HOST, PORT, lambda _j, i=i: make(i), rate=1000, seconds=0.001)
    samples = []
    for i in range(3):
        result = fixed_rate(HOST, PORT, lambda _j, i=i: make(i), rate=1000, seconds=0.001)
        samples.extend(result.latencies_ms)
    if not samples:
        return rate
    service_s = statistics.median(samples) / 1000
    return min(rate, max(0.2, WORKERS / max(service_s, 1e-6) / 2))


def _load(name: str, make: Callable[[int], tuple[str, str, bytes, dict[str, str]]], *, rate: float,
          seconds: float, kind: str = "page", adapt: bool = True) -> Figure:
    used = _sustainable(make, rate) if adapt else rate
    result = fixed_rate(HOST, PORT, make, rate=used, seconds=max(seconds, 5 / used), label=name)
    figure = Figure(name, kind, p50=result.percentile(50), p95=result.percentile(95), p99=result.percentile(99),
                    errors=result.errors, extra={"rate": used, "requests": result.sent})
    notes = []
    if used < rate:
        notes.append(f"at {used:.2g} req/s (too slow for {rate:g})")
    if result.errors:
        notes.append(f"{result.errors} errors {dict(sorted(result.statuses.items()))}")
    figure.note = "; ".join(notes)
    print(f"  {name:<44} p50 {figure.p50:8.1f} ms  p95 {figure.p95:8.1f} ms  {figure.note}", flush=True)
    return figure


def _lazy(name: str, make: Callable[[int], tuple[str, str, bytes, dict[str, str]]], **kwargs: Any,
          ) -> tuple[str, Callable[[], Figure]]:
    """A page figure by name, measured only when called (``--figures`` picks some by name)."""
    return name, lambda: _load(name, make, **kwargs)


EXPORT_SECONDS = 120.0  # a download is read for at most this long: its first byte and rate, its total if it ends


def _download(name: str, path: str, cookie: str = "", limit: float = EXPORT_SECONDS, timeout: float = 900) -> Figure:
    """Time to the first body byte and to the last, and the size, of a streamed download. A download still
    running after ``limit`` seconds is left there: its first byte and its rate so far are measured, its total
    is not (None)."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    status = response.status
    chunk = response.read(1)
    first = (time.perf_counter() - started) * 1000
    size, complete = len(chunk), True
    while chunk := response.read(1 << 16):
        size += len(chunk)
        if time.perf_counter() - started > limit:
            complete = False
            break
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    total = elapsed if complete else None
    rate = size / 1e6 / max(elapsed / 1000, 1e-9)
    if complete:
        note = f"first byte {first:,.0f} ms, total {elapsed:,.0f} ms, {size / 1e6:.1f} MB, status {status}"
    else:
        note = (f"first byte {first:,.0f} ms; left after {elapsed / 1000:,.0f} s at {size / 1e6:.1f} MB "
                f"({rate:.2f} MB/s), total not measured, status {status}")
    figure = Figure(name, "export", p50=first, p95=total, errors=0 if status == 200 else 1, note=note)
    figure.extra = {"first_byte_ms": first, "total_ms": total, "bytes": size, "seconds_read": elapsed / 1000,
                    "mb_per_s": rate, "complete": complete}
    print(f"  {name:<44} {figure.note}", flush=True)
    return figure


def pages_measure(t: Targets, *, rate: float, seconds: float, only: Sequence[str] = ()) -> list[Figure]:
    """Every page figure, or with ``only`` those whose name contains one of its words (case-insensitive)."""
    rng = random.Random(7)

    def pick(values: list[str]) -> Callable[[int], str]:
        chosen = [rng.choice(values) for _ in range(4096)]
        return lambda i: chosen[i % len(chosen)]

    name, prefix, initials, uscc = pick(t.names), pick(t.uscc_prefixes), pick(t.initials), pick(t.usccs)
    staff, person, agent = t.cookies["staff"], t.cookies["person"], t.cookies["agent"]
    middle, last = max(1, t.pages // 2), t.pages
    listing = "/publicity/?"
    figures: list[tuple[str, Callable[[], Figure]]] = [
        _lazy("home", _get(lambda i: "/"), rate=rate, seconds=seconds),
        _lazy("search by name", _get(lambda i: "/search/?" + urlencode({"q": name(i)})), rate=rate, seconds=seconds),
        _lazy("search by USCC", _get(lambda i: "/search/?" + urlencode({"q": prefix(i)})), rate=rate,
              seconds=seconds),
        _lazy("search by initials", _get(lambda i: "/search/?" + urlencode({"q": initials(i)})), rate=rate,
              seconds=seconds),
        _lazy("profile, first page", _get(lambda i: f"/org/{uscc(i)}/"), rate=rate, seconds=seconds),
        _lazy("profile of the 500-record firm, first page", _get(lambda i: f"/org/{t.big_uscc}/"), rate=rate,
              seconds=seconds),
        _lazy(f"profile of the 500-record firm, deep page ({t.big_group} p. {t.big_deep_page})",
              _get(lambda i: f"/org/{t.big_uscc}/?group={t.big_group}&cursor={quote(t.big_deep_cursor)}"),
              rate=rate, seconds=seconds),
        _lazy("publicity, first page", _get(lambda i: listing), rate=rate, seconds=seconds),
        _lazy(f"publicity, middle page ({middle:,})", _get(lambda i: f"{listing}cursor={quote(t.middle_cursor)}"),
              rate=rate, seconds=seconds),
        _lazy(f"publicity, last page ({last:,})", _get(lambda i: f"{listing}cursor=last"), rate=rate, seconds=seconds),
        _lazy("publicity, kind=penalty", _get(lambda i: f"{listing}kind=penalty"), rate=rate, seconds=seconds),
        _lazy("publicity, kind=licence", _get(lambda i: f"{listing}kind=licence"), rate=rate, seconds=seconds),
        _lazy("publicity, department", _get(lambda i: f"{listing}department={t.department}"), rate=rate,
              seconds=seconds),
        _lazy("publicity, district", _get(lambda i: f"{listing}district={t.district}"), rate=rate, seconds=seconds),
        _lazy("publicity, type=fine", _get(lambda i: f"{listing}kind=penalty&type={quote(t.type_code)}"), rate=rate,
              seconds=seconds),
        _lazy("publicity, date range (one month)",
              _get(lambda i: f"{listing}date_from=2025-03-01&date_to=2025-03-31"), rate=rate, seconds=seconds),
        _lazy("credit card", _get(lambda i: f"/card/{uscc(i)}/"), rate=rate, seconds=seconds),
        _lazy("verify page of a report", _get(lambda i: f"/verify/{t.reports['typical']}/"), rate=rate,
              seconds=seconds),
        _lazy("/me/ (a person with records)", _get(lambda i: "/me/", person), rate=rate, seconds=seconds),
        _lazy("/me/inquiries/", _get(lambda i: "/me/inquiries/", person), rate=rate, seconds=seconds),
        _lazy("/me/consents/", _get(lambda i: "/me/consents/", person), rate=rate, seconds=seconds),
        _lazy("/me/ (agent of the 500-record firm)", _get(lambda i: "/me/", agent), rate=rate, seconds=seconds),
        _lazy("staff workbench", _get(lambda i: "/workbench/", staff), rate=rate, seconds=seconds),
        _lazy("report JSON (typical firm)", _get(lambda i: f"/reports/{t.reports['typical']}/json", staff), rate=rate,
              seconds=seconds),
        _lazy("report JSON (500-record firm)", _get(lambda i: f"/reports/{t.reports['big']}/json", staff), rate=rate,
              seconds=seconds),
        _lazy("report PDF download, stored file (typical firm)",
              _get(lambda i: f"/reports/{t.reports['typical']}/pdf", staff),
              rate=rate, seconds=seconds, kind="pdf"),
        _lazy("report PDF download, stored file (500-record firm)",
              _get(lambda i: f"/reports/{t.reports['big']}/pdf", staff), rate=rate, seconds=seconds, kind="pdf"),
    ]
    wanted = [word.casefold() for word in only]
    return [load() for name, load in figures
            if not wanted or any(word in name.casefold() for word in wanted)]


def exports_measure(t: Targets) -> list[Figure]:
    return [
        _download("export CSV, one district's penalties", f"/publicity/?district={t.district}&kind=penalty&format=csv"),
        _download("export XLSX, one district's penalties",
                  f"/publicity/?district={t.district}&kind=penalty&format=xlsx"),
        _download("export CSV, unfiltered", "/publicity/?format=csv"),
        _download("export XLSX, unfiltered", "/publicity/?format=xlsx"),
    ]


def check_measure(t: Targets, *, rate: float, seconds: float) -> Figure:
    import json

    headers = {"X-API-Key": t.check_key, "Content-Type": "application/json"}
    rng = random.Random(3)
    bodies = [json.dumps({"matter": "bench.procurement", "uscc": rng.choice(t.check_usccs)}).encode()
              for _ in range(4096)]
    fixed_rate(HOST, PORT, lambda i: ("POST", "/api/v1/checks", bodies[i % 4096], headers), rate=rate, seconds=2)
    return _load(f"check API at {rate:g}/s", lambda i: ("POST", "/api/v1/checks", bodies[i % 4096], headers),
                 rate=rate, seconds=seconds, kind="check", adapt=False)


# ---------------------------------------------------------------------------------------------------
# In-process: report builds, nightly jobs, storage
# ---------------------------------------------------------------------------------------------------


def report_builds(t: Targets, runs: int = 5) -> list[Figure]:
    """Issue (freeze, hash, sign, store) + render PDF of a report, in this process: the build time."""
    from gongxin.accounts.choices import Role
    from gongxin.accounts.models import User
    from gongxin.accounts.viewer import Viewer
    from gongxin.reports import render
    from gongxin.reports.services import purpose_default, report_issue
    from gongxin.subjects.models import Subject

    staff = User.objects.get(username="city-staff")
    viewer = Viewer(label=staff.username, role=Role.STAFF, user_id=staff.pk)
    figures = []
    for label, uscc in (("typical firm", t.usccs[0]), ("500-record firm", t.big_uscc)):
        subject = Subject.objects.get(organization__uscc=uscc)
        samples = []
        for run in range(runs + 1):
            started = time.perf_counter()
            report = report_issue(subject=subject, kind="organization", viewer=viewer,
                                  purpose=purpose_default(kind="organization", subject=subject, viewer=viewer))
            output = render.report_pdf(report)
            if run:  # the first warms templates and fonts
                samples.append((time.perf_counter() - started) * 1000)
        figure = Figure(f"report issue + PDF build ({label})", "pdf", p50=statistics.median(samples),
                        p95=max(samples), note=f"{len(output) / 1e3:,.0f} kB")
        print(f"  {figure.name:<44} median {figure.p50:8.1f} ms  max {figure.p95:8.1f} ms  {figure.note}", flush=True)
        figures.append(figure)
    return figures


def _timed(name: str, work: Callable[[], int]) -> Figure:
    started = time.perf_counter()
    rows = work()
    seconds = time.perf_counter() - started
    figure = Figure(name, "nightly", note=f"{rows:,} rows, {seconds:,.1f} s, {rows / max(seconds, 1e-9):,.0f} rows/s")
    figure.extra = {"seconds": seconds, "rows": rows}
    print(f"  {name:<44} {figure.note}", flush=True)
    return figure


class _Rollback(Exception):
    pass


def nightly_measure(*, as_of: date, records: int, seed: int, organizations: int) -> list[Figure]:
    """The nightly jobs on the built city, then an ingest of ``records / 20`` new records through the bulk
    path and the outbox's catch-up after it; all in one transaction, rolled back."""
    from django.db import transaction

    from gongxin.accounts.viewer import SYSTEM
    from gongxin.core.models import OutboxEvent
    from gongxin.core.outbox import outbox_dispatch
    from gongxin.monitoring.selectors import scorecard_active
    from gongxin.monitoring.services import risk_run, scorecard_activate, scorecard_train
    from gongxin.records.expiry import clocks_run
    from gongxin.rewards.facts import facts_stale_refresh
    from gongxin.scoring.services import scores_run

    figures: list[Figure] = []
    try:
        with transaction.atomic():
            figures.append(_timed("nightly: clocks run", lambda: clocks_run(day=as_of).changed))
            figures.append(_timed("nightly: rewards facts-stale", lambda: facts_stale_refresh(day=as_of)))
            figures.append(_timed("nightly: scoring run",
                                  lambda: scores_run(actor=SYSTEM, as_of=as_of).subjects_scored))
            if scorecard_active() is None:  # a city built without one: trained now, outside the timing
                scorecard_activate(scorecard=scorecard_train(actor=SYSTEM), actor=SYSTEM)
            figures.append(_timed("nightly: monitoring run", lambda: risk_run(actor=SYSTEM, as_of=as_of).subjects))
            before = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            figures.append(_timed(f"ingest of {records // 20:,} records (bulk path)",
                                  lambda: _ingest(records // 20, seed=seed, as_of=as_of, organizations=organizations)))
            events = OutboxEvent.objects.filter(id__gt=before).count()
            figure = _timed("nightly: outbox catch-up after the ingest", lambda: (outbox_dispatch(), events)[1])
            figures.append(figure)
            raise _Rollback
    except _Rollback:
        pass
    total = sum(f.extra["seconds"] for f in figures if f.name.startswith("nightly"))
    figures.append(Figure("nightly jobs, total", "nightly", note=f"{total:,.1f} s", extra={"seconds": total}))
    print(f"  nightly jobs, total: {total:,.1f} s", flush=True)
    return figures


def _ingest(count: int, *, seed: int, as_of: date, organizations: int) -> int:
    """``count`` new penalties and licences through ``records.load.records_load`` (what an ingest writes:
    versions, list entries, outbox events) about the city's organizations (the builder's ids: index + 1)."""
    from gongxin.demo import city
    from gongxin.demo.services import catalog_slots, departments_ensure
    from gongxin.records.load import RecordRow, records_load

    slots, items = catalog_slots()
    units = departments_ensure()
    usable = [s for s in slots if s.kind in ("penalty", "licence") and "organization" in (s.subject_kinds or ())]
    facts = city.records(seed=seed, count=count, slots=usable, organizations=organizations, persons=0, as_of=as_of)
    codes = {code: {f["code"] for f in item.fields} for code, item in items.items()}
    stamp = int(time.time())
    rows = (RecordRow(source_unit_id=units[fact.authority.code].pk, catalog_item=items[fact.slot],
                      source_record_id=f"NIGHT{stamp}-{fact.sequence}", subject_id=fact.subject_index + 1,
                      payload={k: v for k, v in fact.payload.items() if k in codes[fact.slot]})
            for fact in facts)
    return records_load(rows, actor_label="city bench ingest").inserted


def storage_measure(records: int) -> list[Figure]:
    """Bytes of the record tables: heap, indexes, TOAST (with its index), per record; a partitioned table
    (record versions, decision 047) counted over all its partitions."""
    from django.db import connection

    figures = []
    total = 0
    with connection.cursor() as cursor:
        for table in RECORD_TABLES:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cursor.fetchone()[0]:
                continue  # a city built before the table existed
            cursor.execute("SELECT relid::oid FROM pg_partition_tree(%s::regclass) WHERE isleaf", [table])
            leaves = [row[0] for row in cursor.fetchall()]  # none for a table that is not partitioned
            cursor.execute(
                "SELECT COALESCE(sum(pg_relation_size(c.oid)), 0), COALESCE(sum(pg_indexes_size(c.oid)), 0), "
                "COALESCE(sum(pg_total_relation_size(NULLIF(c.reltoastrelid, 0))), 0), "
                "COALESCE(sum(GREATEST(c.reltuples, 0)), 0)::bigint "
                "FROM pg_class c WHERE c.oid = ANY(%s::oid[]) OR (c.oid = %s::regclass AND %s)",
                [leaves, table, not leaves])
            heap, indexes, toast, rows = (int(v) for v in cursor.fetchone())
            size = heap + indexes + toast
            total += size
            figure = Figure(f"bytes: {table}", "info",
                            note=f"heap {heap / 1e6:,.0f} MB + indexes {indexes / 1e6:,.0f} MB + TOAST "
                                 f"{toast / 1e6:,.0f} MB = {size / records:,.0f} B per record ({rows:,} rows)")
            figure.extra = {"heap": heap, "indexes": indexes, "toast": toast, "rows": rows,
                            "per_record": size / records}
            figures.append(figure)
    figure = Figure("bytes per record (all record tables)", "info", note=f"{total / records:,.0f} B",
                    extra={"per_record": total / records, "total": total})
    figures.append(figure)
    for f in figures:
        print(f"  {f.name:<44} {f.note}", flush=True)
    return figures
