"""The credit brain's dashboards (decision 073): maintained statistics, read by pages that count nothing.

``dashboards_refresh`` recounts every series set-based (one GROUP BY per series, over an index or a small table)
and replaces the series' ``DashboardFigure`` rows in one transaction. It runs

- as the outbox consumer ``DashboardConsumer`` after events, at most once every
  ``GONGXIN_DASHBOARDS_REFRESH_SECONDS`` (300 s by default), and
- from ``gongxin monitoring dashboards`` (the nightly job, or by hand after a bulk load that wrote no events).

The series come from the apps that own the facts. Monitoring sits beside ingest, lending, objections, repairs and
rewards in the import layers (and below benefits), so it may not import them: their models are looked up by label
through Django's app registry (``apps.get_model``) and only *counted* here — never written, never shown row by row.
A series whose app is not installed is skipped.

Every series is an aggregate over organizations and persons alike; none names or singles out a subject. The series
marked ``public`` (counts of records, checks, objections and repairs decided on time, benefits and loans) are what
the home page's section shows; quality and timeliness by unit and alerts by field and district are for staff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.core.models import OutboxEvent
from gongxin.monitoring.choices import AlertKind
from gongxin.monitoring.models import Alert, DashboardFigure
from gongxin.records.models import Record

MONTHS = 12  # monthly series cover the last twelve months, the current one included
# Row = (month "YYYY-MM" or "", dimension, value)
Row = tuple[str, str, float]


@dataclass(frozen=True)
class Series:
    key: str
    title: Any  # lazy text
    public: bool
    count: Callable[[date], Iterable[Row]]


def _months(today: date) -> list[date]:
    months = [today.replace(day=1)]
    while len(months) < MONTHS:
        months.append(clock.add_months(months[-1], -1))
    return list(reversed(months))


def _since(today: date) -> datetime:
    return datetime.combine(_months(today)[0], time.min, tzinfo=timezone.get_default_timezone())


def _month(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value) if timezone.is_aware(value) else value
    return f"{value:%Y-%m}"


def _model(label: str) -> Any:
    app_label, name = label.split(".")
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _monthly(queryset: QuerySet[Any], field: str, *, value: Any = None, dimension: str = "") -> list[Row]:
    """``queryset`` grouped by the month of ``field`` (and ``dimension``): count, or ``value`` summed."""
    grouped = queryset.annotate(month=TruncMonth(field)).order_by()
    fields = ["month", dimension] if dimension else ["month"]
    rows = grouped.values_list(*fields).annotate(v=value if value is not None else Count("pk"))
    found: list[Row] = []
    for row in rows:
        month, dim, v = (row[0], row[1], row[2]) if dimension else (row[0], "", row[1])
        found.append((_month(month), str(dim or ""), float(v or 0)))
    return found


def _unit_codes() -> dict[int, str]:
    return dict(SourceUnit.objects.values_list("pk", "department__code"))


# --- the series -------------------------------------------------------------------------------------------------

def records_by_month_unit(today: date) -> list[Row]:
    """Records by month of their current version's decision and by source unit (the versions' decision-date
    index; the store's own home figures count the same way)."""
    months = _months(today)
    codes = _unit_codes()
    rows = (Record.objects.filter(current_version__decision_date__gte=months[0],
                                  current_version__decision_date__lte=today)
            .annotate(month=TruncMonth("current_version__decision_date")).order_by()
            .values_list("month", "source_unit_id").annotate(n=Count("pk")))
    return [(_month(month), codes.get(unit, str(unit)), float(n)) for month, unit, n in rows]


def ingest_quality_by_unit(today: date) -> list[Row]:
    """Quality and timeliness by source unit, from the statistics ingest keeps on each batch (counters and
    ``stats``: rows measured for timeliness, the sum of their lags in working days, the late ones): received,
    rejected, the rejection rate (%), the mean lag (working days) and the late share (%), over the last twelve
    months' batches. Dimensions ``<unit>|<figure>``."""
    batch = _model("ingest.Batch")
    if batch is None:
        return []
    codes = _unit_codes()
    totals: dict[str, dict[str, float]] = {}
    for unit, received, rejected, stats in (batch.objects.filter(created_at__gte=_since(today))
                                            .exclude(status="queued").order_by()
                                            .values_list("source_unit_id", "received", "rejected", "stats")
                                            .iterator(chunk_size=2000)):
        t = totals.setdefault(codes.get(unit, str(unit)), dict.fromkeys(
            ("received", "rejected", "measured", "lag_sum", "late"), 0.0))
        t["received"] += received or 0
        t["rejected"] += rejected or 0
        stats = stats or {}
        for key in ("measured", "lag_sum", "late"):
            t[key] += float(stats.get(key, 0) or 0)
    rows: list[Row] = []
    for code, t in totals.items():
        rows += [("", f"{code}|received", t["received"]), ("", f"{code}|rejected", t["rejected"]),
                 ("", f"{code}|rejection_rate", round(100 * t["rejected"] / t["received"], 2) if t["received"] else 0)]
        if t["measured"]:
            rows += [("", f"{code}|mean_lag", round(t["lag_sum"] / t["measured"], 2)),
                     ("", f"{code}|late_share", round(100 * t["late"] / t["measured"], 2))]
    return rows


def checks_by_month(today: date) -> list[Row]:
    """Checks of subjects before a matter (rewards' check log, its created_at index), by month and decision."""
    check = _model("rewards.Check")
    if check is None:
        return []
    return _monthly(check.objects.filter(created_at__gte=_since(today)), "created_at", dimension="decision")


def measures_by_month(today: date) -> list[Row]:
    """Measures that applied in checks (rewards' hits), by month and kind (reward or punishment)."""
    hit = _model("rewards.CheckHit")
    if hit is None:
        return []
    return _monthly(hit.objects.filter(created_at__gte=_since(today)), "created_at", dimension="kind")


def _decided_on_time(label: str, due_field: str, today: date) -> list[Row]:
    model = _model(label)
    if model is None:
        return []
    decided = model.objects.filter(decided_at__gte=_since(today), decided_at__isnull=False)
    rows = [(m, "decided", v) for m, _d, v in _monthly(decided, "decided_at")]
    on_time = decided.filter(**{f"{due_field}__isnull": False}).filter(
        decided_at__date__lte=F(due_field))
    rows += [(m, "on_time", v) for m, _d, v in _monthly(on_time, "decided_at")]
    return rows


def objections_by_month(today: date) -> list[Row]:
    """Objections decided by month, and those decided by their working-day deadline (``due_date``)."""
    return _decided_on_time("objections.Objection", "due_date", today)


def repairs_by_month(today: date) -> list[Row]:
    """Credit repairs decided by month, and those decided by the platform's deadline (``platform_due``)."""
    return _decided_on_time("repairs.RepairApplication", "platform_due", today)


def benefits_by_month(today: date) -> list[Row]:
    """Benefits used (usages started) by month: the number (``count``) and the amount in yuan (``amount``)."""
    usage = _model("benefits.Usage")
    if usage is None:
        return []
    started = usage.objects.filter(started_at__gte=_since(today))
    return ([(m, "count", v) for m, _d, v in _monthly(started, "started_at")]
            + [(m, "amount", v) for m, _d, v in _monthly(started, "started_at", value=Sum("amount_yuan"))])


def loans_by_month(today: date) -> list[Row]:
    """Credit loans approved by month of the decision: the number and the amount approved in yuan."""
    loan = _model("lending.Loan")
    if loan is None:
        return []
    approved = loan.objects.filter(decided_at__gte=_since(today), amount_approved_yuan__isnull=False,
                                   status__in=["approved", "repaid", "defaulted"])
    return ([(m, "count", v) for m, _d, v in _monthly(approved, "decided_at")]
            + [(m, "amount", v) for m, _d, v in _monthly(approved, "decided_at", value=Sum("amount_approved_yuan"))])


def alerts_by_month(today: date) -> list[Row]:
    """Alerts raised by month and kind (watches included)."""
    return _monthly(Alert.objects.filter(raised_at__gte=_since(today)), "raised_at", dimension="kind")


def alerts_open_by_field(today: date) -> list[Row]:
    """Open alerts (not watches) by district (``district:<code>``) and by regulatory domain (``domain:<code>``)."""
    open_alerts = Alert.objects.filter(status__in=["open", "acknowledged"]).exclude(kind=AlertKind.WATCH).order_by()
    rows = [("", f"district:{region or '-'}", float(n))
            for region, n in open_alerts.values_list("region_code").annotate(n=Count("pk"))]
    rows += [("", f"domain:{domain or '-'}", float(n))
             for domain, n in open_alerts.values_list("domain").annotate(n=Count("pk"))]
    return rows


SERIES: tuple[Series, ...] = (
    Series("records", _("Records by month and source unit"), True, records_by_month_unit),
    Series("quality", _("Quality and timeliness by source unit"), False, ingest_quality_by_unit),
    Series("checks", _("Checks before matters"), True, checks_by_month),
    Series("measures", _("Measures applied"), True, measures_by_month),
    Series("objections", _("Objections decided, and on time"), True, objections_by_month),
    Series("repairs", _("Credit repairs decided, and on time"), True, repairs_by_month),
    Series("benefits", _("Benefits used"), True, benefits_by_month),
    Series("loans", _("Credit loans approved"), True, loans_by_month),
    Series("alerts", _("Alerts raised"), False, alerts_by_month),
    Series("alerts_open", _("Open alerts by district and domain"), False, alerts_open_by_field),
)
SERIES_BY_KEY = {s.key: s for s in SERIES}
PUBLIC_KEYS = frozenset(s.key for s in SERIES if s.public)


def dashboards_count(*, today: date | None = None, keys: Sequence[str] | None = None) -> dict[str, list[Row]]:
    """Every series (or those of ``keys``), counted now — the only place that counts; never called by a page."""
    day = today or clock.today()
    return {s.key: list(s.count(day)) for s in SERIES if keys is None or s.key in keys}


def dashboards_refresh(*, now: datetime | None = None, keys: Sequence[str] | None = None) -> dict[str, int]:
    """Count the series and replace their stored rows, in one transaction. Safe to re-run at any time. Returns
    the rows stored per series."""
    at = now or clock.now()
    counted = dashboards_count(today=clock.today(at), keys=keys)
    with transaction.atomic():
        DashboardFigure.objects.filter(series__in=list(counted)).delete()
        DashboardFigure.objects.bulk_create(
            [DashboardFigure(series=key, month=month, dimension=dimension[:60], value=value,
                             public=SERIES_BY_KEY[key].public, as_of=at)
             for key, rows in counted.items() for month, dimension, value in rows], batch_size=2000)
        # A series with no rows keeps a marker row, so the pages can say when it was counted.
        DashboardFigure.objects.bulk_create(
            [DashboardFigure(series=key, month="", dimension="", value=0, public=SERIES_BY_KEY[key].public, as_of=at)
             for key, rows in counted.items() if not any(m == "" and d == "" for m, d, _v in rows)],
            batch_size=2000)
    return {key: len(rows) for key, rows in counted.items()}


def _refresh_seconds() -> float:
    return float(getattr(settings, "GONGXIN_DASHBOARDS_REFRESH_SECONDS", 300))


class DashboardConsumer:
    """Recounts the dashboards after events, at most once per refresh interval (the nightly command recounts the
    rest). Idempotent: a recount reads the store as it is; events inside the interval are only skipped."""

    name = "monitoring.dashboards"
    label = _("Dashboards of the credit brain")

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        if not events:
            return
        now = clock.now()
        last = DashboardFigure.objects.order_by("as_of").values_list("as_of", flat=True).first()
        if last is not None and (now - last).total_seconds() < _refresh_seconds():
            return
        dashboards_refresh(now=now)


# --- reading (the pages): one query over the maintained rows, a few over names --------------------------------

@dataclass(frozen=True)
class Column:
    heading: Any
    tone: str = ""  # "", "positive", "negative" (the chart's colour)
    unit: str = ""


@dataclass(frozen=True)
class ChartRow:
    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """One chart of a dashboard and its table (the chart's data, and its fallback): rows of a label and one value
    per column; ``series`` names the CSV download."""

    name: str
    series: str
    title: Any
    kind: str  # "bar" (columns) or "hbar"
    label_heading: Any
    columns: tuple[Column, ...]
    rows: tuple[ChartRow, ...]


@dataclass(frozen=True)
class Dashboard:
    charts: list[Chart]
    as_of: datetime | None
    public: bool


@lru_cache(maxsize=512)
def district_name(code: str) -> str:
    """A GB/T 2260 county code's current name (stdnum's table), else the code."""
    try:
        from stdnum import numdb

        parts = numdb.get("cn/loc").info(code)
    except (ImportError, OSError):  # pragma: no cover - only without stdnum's data file
        return code
    counties = {k: v for _part, props in parts for k, v in props.items()}.get("county") or ""
    for entry in counties.split(","):
        name = entry.split("]", 1)[-1]
        if not entry.startswith("[") or entry[1:].split("]", 1)[0].endswith("-"):
            return name or code
    return code


def stored(*, public: bool, keys: Iterable[str] | None = None) -> tuple[dict[str, list[Row]], datetime | None]:
    """The maintained rows by series (the public ones only when ``public``; those of ``keys`` when given) and when
    they were counted. Staff: two queries (the time is one aggregate — a timestamp parsed per row cost more than the
    rows at city scale); public: one query (its few hundred rows carry their time)."""
    figures = DashboardFigure.objects.order_by()
    if public:
        figures = figures.filter(public=True, series__in=list(PUBLIC_KEYS))
    if keys is not None:
        figures = figures.filter(series__in=list(keys))
    by_series: dict[str, list[Row]] = {}
    as_of: datetime | None = None
    if public:
        for key, month, dimension, value, at in figures.values_list("series", "month", "dimension", "value", "as_of"):
            by_series.setdefault(key, []).append((month, dimension, value))
            as_of = at if as_of is None or at < as_of else as_of
    else:
        for key, month, dimension, value in figures.values_list("series", "month", "dimension", "value"):
            by_series.setdefault(key, []).append((month, dimension, value))
        as_of = figures.aggregate(at=Min("as_of"))["at"]
    for rows in by_series.values():
        rows.sort()
    return by_series, as_of


def _sum_by(rows: Iterable[Row], key: Callable[[Row], str]) -> dict[str, float]:
    sums: dict[str, float] = {}
    for row in rows:
        sums[key(row)] = sums.get(key(row), 0.0) + row[2]
    return sums


def _month_rows(months: list[str], *columns: dict[str, float]) -> tuple[ChartRow, ...]:
    return tuple(ChartRow(label=m, values=tuple(round(c.get(m, 0.0), 2) for c in columns)) for m in months)


def _unit_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(SourceUnit.objects.filter(department__code__in=list(codes))
                .values_list("department__code", "department__name"))


UNITS_SHOWN = 12


# The home page draws the records by month and by source unit itself (portal.statistics): its section leaves them out.
HOME_KEYS = tuple(key for key in PUBLIC_KEYS if key != "records")


def dashboard_read(*, public: bool, today: date | None = None) -> Dashboard:
    """The charts of the staff dashboard, or of the home page's public section (``public``: one query), from the
    stored rows."""
    data, as_of = stored(public=public, keys=HOME_KEYS if public else None)
    months = [f"{m:%Y-%m}" for m in _months(today or clock.today())]
    charts: list[Chart] = []
    count = Column(_("Count"))
    if "records" in data:
        rows = [r for r in data["records"] if r[0]]
        charts.append(Chart("records_by_month", "records", _("Records by month of decision"), "bar", _("Month"),
                            (Column(_("Records")),), _month_rows(months, _sum_by(rows, lambda r: r[0]))))
        by_unit = sorted(_sum_by(rows, lambda r: r[1]).items(), key=lambda kv: (-kv[1], kv[0]))[:UNITS_SHOWN]
        names = _unit_names(code for code, _v in by_unit)
        charts.append(Chart("records_by_unit", "records", _("Records of the last twelve months by source unit"),
                            "hbar", _("Source unit"), (Column(_("Records")),),
                            tuple(ChartRow(names.get(code, code), (value,)) for code, value in by_unit)))
    if "quality" in data:
        figures: dict[str, dict[str, float]] = {}
        for _m, dimension, value in data["quality"]:
            if "|" in dimension:
                code, figure = dimension.split("|", 1)
                figures.setdefault(code, {})[figure] = value
        names = _unit_names(figures)
        ordered = sorted(figures.items(), key=lambda kv: -kv[1].get("received", 0))[:UNITS_SHOWN]
        charts.append(Chart("timeliness_by_unit", "quality", _("Mean lag of reporting by source unit (working days)"),
                            "hbar", _("Source unit"), (Column(_("Mean lag (working days)")),
                                                       Column(_("Late (%)"), "negative", "%")),
                            tuple(ChartRow(names.get(code, code), (f.get("mean_lag", 0.0), f.get("late_share", 0.0)))
                                  for code, f in ordered)))
        charts.append(Chart("quality_by_unit", "quality", _("Rows received and rejected by source unit"), "hbar",
                            _("Source unit"), (Column(_("Received")), Column(_("Rejected"), "negative"),
                                               Column(_("Rejected (%)"), "negative", "%")),
                            tuple(ChartRow(names.get(code, code), (f.get("received", 0.0), f.get("rejected", 0.0),
                                                                    f.get("rejection_rate", 0.0)))
                                  for code, f in ordered)))
    for key, name, title in (("checks", "checks_by_month", _("Checks before matters by month")),
                             ("measures", "measures_by_month", _("Measures applied by month"))):
        if key in data:
            rows = [r for r in data[key] if r[0]]
            charts.append(Chart(name, key, title, "bar", _("Month"), (count,),
                                _month_rows(months, _sum_by(rows, lambda r: r[0]))))
    for key, name, title in (("objections", "objections_by_month", _("Objections decided by month, and on time")),
                             ("repairs", "repairs_by_month", _("Credit repairs decided by month, and on time"))):
        if key in data:
            decided = {m: v for m, d, v in data[key] if d == "decided"}
            on_time = {m: v for m, d, v in data[key] if d == "on_time"}
            charts.append(Chart(name, key, title, "bar", _("Month"),
                                (Column(_("Decided")), Column(_("By the deadline"), "positive")),
                                _month_rows(months, decided, on_time)))
    for key, name, title, heading in (("benefits", "benefits_by_month", _("Benefits used by month"), _("Usages")),
                                      ("loans", "loans_by_month", _("Credit loans approved by month"), _("Loans"))):
        if key in data:
            number = {m: v for m, d, v in data[key] if d == "count"}
            amount = {m: v / 10000 for m, d, v in data[key] if d == "amount"}
            charts.append(Chart(name, key, title, "bar", _("Month"),
                                (Column(heading), Column(_("Amount (10,000 yuan)"), "positive")),
                                _month_rows(months, number, amount)))
    if "alerts" in data:
        rows = [r for r in data["alerts"] if r[0]]
        charts.append(Chart("alerts_by_month", "alerts", _("Alerts raised by month"), "bar", _("Month"),
                            (Column(_("Alerts")),), _month_rows(months, _sum_by(rows, lambda r: r[0]))))
    if "alerts_open" in data:
        districts = sorted(((d.removeprefix("district:"), v) for _m, d, v in data["alerts_open"]
                            if d.startswith("district:")), key=lambda kv: (-kv[1], kv[0]))
        charts.append(Chart("alerts_by_district", "alerts_open", _("Open alerts by district"), "hbar",
                            _("District"), (Column(_("Alerts")),),
                            tuple(ChartRow(district_name(code) if code != "-" else str(_("No district")), (v,))
                                  for code, v in districts)))
        labels = dict(DOMAIN_LABELS)
        domains = sorted(((d.removeprefix("domain:"), v) for _m, d, v in data["alerts_open"]
                          if d.startswith("domain:")), key=lambda kv: (-kv[1], kv[0]))
        charts.append(Chart("alerts_by_domain", "alerts_open", _("Open alerts by regulatory domain"), "hbar",
                            _("Regulatory domain"), (Column(_("Alerts")),),
                            tuple(ChartRow(str(labels.get(code, code)), (v,)) for code, v in domains)))
    return Dashboard(charts=charts, as_of=as_of, public=public)


# The regulatory domains as the dashboards name them (catalog.SourceUnit.domain codes).
DOMAIN_LABELS: tuple[tuple[str, Any], ...] = (
    ("market_regulation", _("Market regulation")), ("tax", _("Taxation")),
    ("ecology_environment", _("Ecology and environment")), ("work_safety", _("Work safety")),
    ("housing", _("Housing and construction")), ("human_resources", _("Human resources")),
    ("transport", _("Transport")), ("health", _("Health")), ("court", _("Courts")), ("fire", _("Fire safety")),
    ("credit", _("Credit")), ("-", _("No domain")),
)


def series_csv_rows(*, key: str, public: bool) -> list[list[str]]:
    """A series' stored rows for its CSV download: month, dimension (a source unit's name where it is one), value."""
    data, _as_of = stored(public=public, keys=[key])
    rows = data.get(key, [])
    codes = {d.split("|", 1)[0] for _m, d, _v in rows}
    names = _unit_names(codes)
    out = [["month", "dimension", "name", "value"]]
    for month, dimension, value in rows:
        code = dimension.split("|", 1)[0]
        name = names.get(code, "")
        if dimension.startswith("district:"):
            name = district_name(dimension.removeprefix("district:"))
        out.append([month, dimension, name, f"{value:g}"])
    return out
