"""Named features an indicator may score, and the row sources they read — pluggable by name.

A *source* is a SQL ``SELECT`` that yields one row per fact about a subject (``subject_id``, ``day``,
``repaired`` and source-specific columns), already limited to what may still count on ``as_of``: records
in effect and within retention, active list entries, the organization's registration. A *feature* is
a condition over one source's columns, aggregated per subject as a count (each row weighted by decay
and by the model's repaired policy) or as whole years since ``day``.

Another app adds its own with ``source_register`` / ``feature_register`` from its ``AppConfig.ready``
(the commitments app, for instance, if it keeps fulfilment outside the records). Every value that
reaches SQL is validated here (codes against choices, numbers as numbers): models are data that staff
edit, and the generated SQL must never carry their text.
"""

# ruff: noqa: S608 - this module generates SQL; every value in it is validated here (codes against choices,
# numbers through Decimal, dates as ISO literals, ids through int) and no user text ever reaches it.

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import Polarity, RecordKind, Severity
from gongxin.catalog.models import CatalogItem
from gongxin.records.counting import counts_sql, current_version_join_sql, records_join_sql
from gongxin.records.models import ListEntry, ListType, Record
from gongxin.subjects.models import Organization

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


class FeatureParamsInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Source:
    """``sql(as_of, subject_filter)`` returns a SELECT with at least subject_id, day and repaired."""

    name: str
    sql: Callable[[date, str], str]


@dataclass(frozen=True)
class Feature:
    name: str
    source: str
    label: Any
    # "count": sum of rows matching ``condition`` (weighted); "years": whole years since ``day`` (one row).
    aggregate: str
    condition: Callable[[Mapping[str, Any]], str]
    # Negative facts: a repaired one counts with the model's repaired weight.
    negative: bool = False
    params_doc: str = ""


_SOURCES: dict[str, Source] = {}
_FEATURES: dict[str, Feature] = {}


def source_register(source: Source) -> None:
    _SOURCES[source.name] = source


def feature_register(feature: Feature) -> None:
    _FEATURES[feature.name] = feature


def source_get(name: str) -> Source:
    return _SOURCES[name]


def feature_get(name: str) -> Feature:
    try:
        return _FEATURES[name]
    except KeyError:
        raise FeatureParamsInvalid(f"unknown feature {name!r}") from None


def features_all() -> dict[str, Feature]:
    return dict(_FEATURES)


def sql_date(day: date) -> str:
    """A date literal (ISO text compares as a date on both SQLite and PostgreSQL)."""
    return f"'{day.isoformat()}'"


def sql_codes(values: Any, allowed: Any, what: str) -> str:
    """``'a', 'b'`` for an IN list, each checked against ``allowed``."""
    items = [values] if isinstance(values, str) else list(values)
    if not items or any(v not in allowed for v in items):
        raise FeatureParamsInvalid(f"{what}: {values!r} not among {sorted(allowed)!r}")
    return ", ".join(f"'{v}'" for v in items)


def _code(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise FeatureParamsInvalid(f"{what}: {value!r} is not a code")
    return value


# --- sources ------------------------------------------------------------------------------------------


def _records_sql(as_of: date, subject_filter: str) -> str:
    # The records that count on as_of (records.counting: in effect, within retention — a lagging clock job
    # must not keep an expired record counting). A repaired one is kept: the model's repaired policy weighs it.
    where = f" AND r.subject_id IN ({subject_filter})" if subject_filter else ""
    return (
        "SELECT r.subject_id AS subject_id, ci.record_kind AS kind, v.polarity AS polarity, "
        "v.severity AS severity, v.decision_date AS day, v.repaired AS repaired "
        f"FROM {records_join_sql(record='r', version='v')} "
        f"JOIN {CatalogItem._meta.db_table} ci ON ci.id = r.catalog_item_id "
        f"WHERE {counts_sql(day=as_of, version='v')}{where}"
    )


def _lists_sql(as_of: date, subject_filter: str) -> str:
    where = f" AND le.subject_id IN ({subject_filter})" if subject_filter else ""
    day = sql_date(as_of)
    return (
        "SELECT le.subject_id AS subject_id, lt.code AS list_code, lt.kind AS list_kind, "
        "lt.is_serious_dishonesty AS serious, le.start_date AS day, v.repaired AS repaired "
        f"FROM {ListEntry._meta.db_table} le "
        f"JOIN {ListType._meta.db_table} lt ON lt.id = le.list_type_id "
        f"JOIN {Record._meta.db_table} r ON r.id = le.record_id {current_version_join_sql(record='r', version='v')} "
        f"WHERE le.is_active AND le.start_date <= {day} AND (le.end_date IS NULL OR le.end_date >= {day})"
        f"{where}"
    )


def _organization_sql(as_of: date, subject_filter: str) -> str:
    where = f" AND o.subject_id IN ({subject_filter})" if subject_filter else ""
    return (
        "SELECT o.subject_id AS subject_id, o.registration_date AS day, FALSE AS repaired "
        f"FROM {Organization._meta.db_table} o WHERE o.registration_date IS NOT NULL{where}"
    )


source_register(Source("records", _records_sql))
source_register(Source("lists", _lists_sql))
source_register(Source("organization", _organization_sql))


# --- features -----------------------------------------------------------------------------------------


def _kind(kind: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda params: f"kind = '{kind}'"


def _negative_records(params: Mapping[str, Any]) -> str:
    parts = ["polarity = 'negative'"]
    if "kinds" in params:
        parts.append(f"kind IN ({sql_codes(params['kinds'], RecordKind.values, 'kinds')})")
    if "severity" in params:
        parts.append(f"severity IN ({sql_codes(params['severity'], Severity.values, 'severity')})")
    return " AND ".join(parts)


def _commitments(polarity: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda params: f"kind = '{RecordKind.COMMITMENT}' AND polarity = '{polarity}'"


def _on_list(params: Mapping[str, Any]) -> str:
    if "lists" in params:
        codes = [_code(c, "lists") for c in ([params["lists"]] if isinstance(params["lists"], str)
                                             else params["lists"])]
        return f"list_code IN ({', '.join(repr(c) for c in codes)})"
    if params.get("serious_only"):
        return "serious"
    return "list_kind = 'black'"


for _feature in (
    Feature("negative_records", "records", _("Negative records"), "count", _negative_records, negative=True,
            params_doc='{"kinds": ["penalty"], "severity": ["general"]} (both optional)'),
    Feature("licences", "records", _("Licences held"), "count", _kind(RecordKind.LICENCE)),
    Feature("honours", "records", _("Honours (red list)"), "count", _kind(RecordKind.HONOUR)),
    Feature("voluntary_performance", "records", _("Voluntary performance of judgments"), "count",
            _kind(RecordKind.VOLUNTARY_PERFORMANCE)),
    Feature("tax_grade_a", "records", _("Tax credit grade A"), "count", _kind(RecordKind.TAX_GRADE_A)),
    # A commitment record is neutral when made; the commitments app marks it positive when kept and
    # negative when broken (a broken one is also a negative record of its own).
    Feature("commitments_kept", "records", _("Commitments kept"), "count", _commitments(Polarity.POSITIVE)),
    Feature("commitments_broken", "records", _("Commitments broken"), "count", _commitments(Polarity.NEGATIVE),
            negative=True),
    Feature("on_list", "lists", _("Active entries on black lists"), "count", _on_list, negative=True,
            params_doc='{"lists": ["judgment_debtor"]} or {"serious_only": true}; default: black lists'),
    Feature("registration_years", "organization", _("Years since registration"), "years",
            lambda params: "1 = 1", params_doc='{"max_years": 10}'),
):
    feature_register(_feature)
