"""The scoring engine: one model version → one SQL statement; runs that write scores set-based.

``model_sql`` generates, from the model's rows, a query that scores every subject of the model's kind
(or a given set) inside the database, on SQLite and PostgreSQL alike:

    sources (records, lists, organization …)  → per-subject feature values   (one CTE per source)
    → indicator points  clamp(points_per_unit × value, min, max)              (CTE "points")
    → dimension points  clamp(base + Σ indicator points, 0, max)              (CTE "dims")
    → score = round(Σ dimensions), grade by band                             (final SELECT)

``scores_write`` runs it into a temporary table, then with four set-based statements appends history for
the subjects whose score, grade or dimensions changed, queues ``scoring.score.changed`` events for changed
grades, and upserts the current scores. Nothing is read into Python row by row.
"""

# ruff: noqa: S608 - this module generates SQL; every value in it is validated here (codes against choices,
# numbers through Decimal, dates as ISO literals, ids through int) and no user text ever reaches it.

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from gongxin.core import clock
from gongxin.core.events import SCORE_CHANGED
from gongxin.scoring.features import FeatureParamsInvalid, feature_get, source_get, sql_date
from gongxin.scoring.models import Indicator, ScoringModel
from gongxin.subjects.models import Subject

NEW_TABLE = "scoring_new"


@dataclass(frozen=True)
class PlanIndicator:
    column: str
    code: str
    dimension: str
    name: str
    name_en: str
    feature: str
    points_per_unit: Decimal
    min_points: Decimal
    max_points: Decimal
    reason_code: str
    reason_zh: str
    reason_en: str
    recent_months: int | None


@dataclass(frozen=True)
class PlanDimension:
    column: str
    code: str
    name: str
    name_en: str
    base_points: Decimal
    max_points: Decimal
    indicators: tuple[PlanIndicator, ...]


@dataclass(frozen=True)
class Plan:
    """A model version read once, with the SQL column of each dimension and indicator."""

    model_id: int
    code: str
    subject_kind: str
    repaired_weight: Decimal
    dimensions: tuple[PlanDimension, ...]
    bands: tuple[tuple[str, int], ...]  # (grade code, min score), highest first
    indicator_rows: tuple[Indicator, ...] = field(default=(), repr=False)


def model_plan(model: ScoringModel) -> Plan:
    dimensions = []
    rows: list[Indicator] = []
    for d_index, dimension in enumerate(model.dimensions.order_by("position", "code").prefetch_related("indicators")):
        indicators = []
        for indicator in sorted(dimension.indicators.all(), key=lambda i: (i.position, i.code)):
            feature_get(indicator.feature)  # unknown names fail here, before any SQL
            first = indicator.decay[0] if indicator.decay else None
            indicators.append(PlanIndicator(
                column=f"i{len(rows)}", code=indicator.code, dimension=dimension.code, name=indicator.name,
                name_en=indicator.name_en, feature=indicator.feature,
                points_per_unit=indicator.points_per_unit, min_points=indicator.min_points,
                max_points=indicator.max_points, reason_code=indicator.reason_code, reason_zh=indicator.reason_zh,
                reason_en=indicator.reason_en,
                recent_months=int(first["months"]) if first and "months" in first else None,
            ))
            rows.append(indicator)
        dimensions.append(PlanDimension(
            column=f"d{d_index}", code=dimension.code, name=dimension.name, name_en=dimension.name_en,
            base_points=dimension.base_points, max_points=dimension.max_points, indicators=tuple(indicators),
        ))
    bands = tuple((b.code, b.min_score) for b in model.bands.order_by("-min_score"))
    return Plan(model_id=model.pk, code=model.code, subject_kind=model.subject_kind,
                repaired_weight=model.repaired_weight, dimensions=tuple(dimensions), bands=bands,
                indicator_rows=tuple(rows))


def _num(value: Any) -> str:
    """A numeric literal (NUMERIC on PostgreSQL, so ROUND(x, 1) exists; exact where binary allows)."""
    number = Decimal(str(value))
    if not number.is_finite():
        raise FeatureParamsInvalid(f"not a number: {value!r}")
    text = format(number.normalize(), "f")
    return f"({text})" if number < 0 else text


def _clamp(expression: str, low: str, high: str) -> str:
    if connection.vendor == "postgresql":
        return f"GREATEST({low}, LEAST({high}, {expression}))"
    return f"MAX({low}, MIN({high}, {expression}))"


def _decay_sql(decay: Sequence[dict[str, Any]], as_of: date) -> str:
    """Weight of one row by its age: the first band whose ``months`` it is younger than."""
    if not decay:
        return "1"
    parts = []
    for band in decay:
        weight = _num(band.get("weight", 1))
        if "months" in band:
            cut = clock.add_months(as_of, -int(band["months"]))
            parts.append(f"WHEN day IS NULL OR day > {sql_date(cut)} THEN {weight}")
        else:
            parts.append(f"ELSE {weight}")
            break
    else:
        parts.append("ELSE 0")
    return "CASE " + " ".join(parts) + " END"


def _years_sql(max_years: int, as_of: date) -> str:
    terms = [f"CASE WHEN day <= {sql_date(clock.add_months(as_of, -12 * k))} THEN 1 ELSE 0 END"
             for k in range(1, max_years + 1)]
    return " + ".join(terms) if terms else "0"


def model_sql(plan: Plan, *, as_of: date, subject_ids: Collection[int] | None = None,
              explain: bool = False) -> str:
    """The scoring query of one model (see ``models_sql``); ``explain`` adds, per indicator, its points
    (i0…), records counted (n_i0…) and of them in the first decay band (r_i0…)."""
    return models_sql([plan], as_of=as_of, subject_ids=subject_ids, explain=explain)


def models_sql(plans: Sequence[Plan], *, as_of: date, subject_ids: Collection[int] | None = None,
               explain: bool = False) -> str:
    """The scoring query of ``plans`` on ``as_of``: one row per subject of each plan's kind (or of
    ``subject_ids``). The sources are read once for all plans (one pass over the records).

    Columns: subject_id, model_id, d0…dn (dimension points; NULL past a model's last dimension), score,
    grade, dims_key.
    """
    if explain and len(plans) != 1:
        raise ValueError("explain takes one plan")
    subject_filter = ", ".join(str(int(i)) for i in subject_ids) if subject_ids is not None else ""
    if subject_ids is not None and not subject_filter:
        subject_filter = "NULL"
    per_source: dict[str, list[str]] = {}
    value_of: dict[tuple[int, str], str] = {}
    for m, plan in enumerate(plans):
        repaired = _num(plan.repaired_weight)
        for indicator_row, indicator in zip(plan.indicator_rows, _indicators(plan), strict=True):
            feature = feature_get(indicator.feature)
            params = indicator_row.params or {}
            condition = feature.condition(params)
            column = f"m{m}_{indicator.column}"
            columns = per_source.setdefault(feature.source, [])
            if feature.aggregate == "years":
                max_years = int(params.get("max_years", 10))
                columns.append(f"MAX({_years_sql(max_years, as_of)}) AS v_{column}")
            else:
                # Aggregates with FILTER (SQLite ≥ 3.30, PostgreSQL): a row is weighed only by the indicators
                # it matches, and an unweighted count stays an integer count.
                weight = _decay_sql(indicator_row.decay or [], as_of)
                counted_where = condition
                if feature.negative and plan.repaired_weight == 0:
                    counted_where = f"({condition}) AND NOT repaired"
                elif feature.negative and plan.repaired_weight != 1:
                    weight = f"({weight}) * (CASE WHEN repaired THEN {repaired} ELSE 1 END)"
                aggregate = "COUNT(*)" if weight == "1" else f"SUM({weight})"
                columns.append(f"{aggregate} FILTER (WHERE {counted_where}) AS v_{column}")
                if explain:
                    not_repaired = " AND NOT repaired" if feature.negative and not plan.repaired_weight else ""
                    counted = f"({condition}){not_repaired}"
                    columns.append(f"COUNT(*) FILTER (WHERE {counted}) AS n_{column}")
                    if indicator.recent_months is not None:
                        cut = sql_date(clock.add_months(as_of, -indicator.recent_months))
                        columns.append(f"COUNT(*) FILTER (WHERE {counted} AND (day IS NULL OR day > {cut})) "
                                       f"AS r_{column}")
            value_of[(m, indicator.column)] = f"COALESCE(src_{feature.source}.v_{column}, 0)"
    ctes = [
        f"src_{name} AS (SELECT subject_id, {', '.join(columns)} FROM ({source_get(name).sql(as_of, subject_filter)}) "
        f"rows_{name} GROUP BY subject_id)"
        for name, columns in per_source.items()
    ]
    joins = " ".join(f"LEFT JOIN src_{name} ON src_{name}.subject_id = s.id" for name in per_source)
    width = max((len(p.dimensions) for p in plans), default=0)
    selects = []
    for m, plan in enumerate(plans):
        point_columns = []
        explain_columns = []
        for indicator in _indicators(plan):
            column = indicator.column
            expression = f"{_num(indicator.points_per_unit)} * {value_of[(m, column)]}"
            clamped = _clamp(expression, _num(indicator.min_points), _num(indicator.max_points))
            point_columns.append(f"{clamped} AS {column}")
            if explain:
                explain_columns.append(column)
                feature = feature_get(indicator.feature)
                if feature.aggregate != "years":
                    src = f"src_{feature.source}"
                    point_columns.append(f"COALESCE({src}.n_m{m}_{column}, 0) AS n_{column}")
                    explain_columns.append(f"n_{column}")
                    if indicator.recent_months is not None:
                        point_columns.append(f"COALESCE({src}.r_m{m}_{column}, 0) AS r_{column}")
                        explain_columns.append(f"r_{column}")
                else:
                    point_columns.append(f"{value_of[(m, column)]} AS n_{column}")
                    explain_columns.append(f"n_{column}")
        where = f"s.kind = '{_grade_code(plan.subject_kind)}'"
        if subject_filter:
            where += f" AND s.id IN ({subject_filter})"
        ctes.append(f"points_m{m} AS (SELECT s.id AS subject_id, {', '.join(point_columns)} "
                    f"FROM {Subject._meta.db_table} s {joins} WHERE {where})")
        dim_columns = []
        for dimension in plan.dimensions:
            total = " + ".join([_num(dimension.base_points), *(i.column for i in dimension.indicators)])
            dim_columns.append(f"{_clamp(total, '0', _num(dimension.max_points))} AS {dimension.column}")
        ctes.append(f"dims_m{m} AS (SELECT subject_id, {', '.join(dim_columns + explain_columns)} FROM points_m{m})")
        dims = [d.column for d in plan.dimensions]
        score = f"CAST(ROUND({' + '.join(dims) or '0'}) AS INTEGER)"
        key = " || ',' || ".join(f"CAST(ROUND({d}, 1) AS VARCHAR(20))" for d in dims) or "''"
        grade_cases = " ".join(f"WHEN score >= {int(low)} THEN '{_grade_code(code)}'" for code, low in plan.bands)
        grade = f"CASE {grade_cases} ELSE '' END" if grade_cases else "''"
        rounded = [f"ROUND({d}, 1) AS {d}" for d in dims] + [f"NULL AS d{k}" for k in range(len(dims), width)]
        selects.append(
            f"SELECT subject_id, {int(plan.model_id)} AS model_id, {''.join(r + ', ' for r in rounded)}score, "
            f"{grade} AS grade, dims_key{''.join(', ' + c for c in explain_columns)} "
            f"FROM (SELECT dims_m{m}.*, {score} AS score, {key} AS dims_key FROM dims_m{m}) scored_m{m}"
        )
    return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(selects)


def _grade_code(code: str) -> str:
    if not code.replace("_", "").isalnum():
        raise FeatureParamsInvalid(f"grade code {code!r}")
    return code


def _indicators(plan: Plan) -> list[PlanIndicator]:
    return [i for d in plan.dimensions for i in d.indicators]


# --- writing ------------------------------------------------------------------------------------------


@dataclass
class WriteResult:
    scored: int = 0
    changed: int = 0
    grades_changed: int = 0


def _json_object(pairs: Sequence[tuple[str, str]]) -> str:
    inner = ", ".join(f"'{k}', {v}" for k, v in pairs)
    if connection.vendor == "postgresql":
        return f"jsonb_build_object({inner})"
    return f"json_object({inner})"


def scores_write(plans: Sequence[Plan], *, as_of: date, run_id: int, at: datetime,
                 subject_ids: Collection[int] | None = None) -> WriteResult:
    """Score ``plans``' subjects (all, or ``subject_ids``) into the current scores; must run in a transaction."""
    result = WriteResult()
    if not plans:
        return result
    ops = connection.ops
    changed = ("(c.subject_id IS NULL OR c.score <> n.score OR c.grade <> n.grade OR c.model_id <> n.model_id "
               "OR c.dims_key <> n.dims_key)")
    dims_json = "CASE n.model_id " + " ".join(
        f"WHEN {int(p.model_id)} THEN {_json_object([(d.code, f'n.{d.column}') for d in p.dimensions])}"
        for p in plans) + " END"
    model_code = "CASE n.model_id " + " ".join(f"WHEN {int(p.model_id)} THEN '{_code(p.code)}'" for p in plans) + " END"
    grade_json = _json_object([("model", model_code), ("from", "c.grade"), ("to", "n.grade"),
                               ("score", "n.score"), ("previous_score", "c.score")])
    stamp = ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {NEW_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {NEW_TABLE} AS "
                       f"{models_sql(plans, as_of=as_of, subject_ids=subject_ids)}")
        result.scored = max(cursor.rowcount, 0)
        if connection.vendor == "postgresql" and result.scored > 10_000:
            cursor.execute(f"ANALYZE {NEW_TABLE}")
        if connection.vendor != "postgresql":
            result.scored = _count(cursor, f"SELECT COUNT(*) FROM {NEW_TABLE}")
        base = f"FROM {NEW_TABLE} n LEFT JOIN scoring_subjectscore c ON c.subject_id = n.subject_id"
        cursor.execute(
            "INSERT INTO scoring_scorehistory (subject_id, model_id, run_id, score, grade, previous_score, "
            "previous_grade, as_of) "
            f"SELECT n.subject_id, n.model_id, {int(run_id)}, n.score, n.grade, c.score, COALESCE(c.grade, ''), "
            f"{sql_date(as_of)} {base} WHERE {changed}"
        )
        result.changed = max(cursor.rowcount, 0)
        if not result.changed:
            cursor.execute(f"DROP TABLE {NEW_TABLE}")
            return result
        # A grade that changes (not a first grade): the event other apps (rewards, benefits) follow.
        cursor.execute(
            "INSERT INTO core_outboxevent (topic, aggregate_type, aggregate_id, subject_id, payload, created_at) "
            f"SELECT %s, 'subject_score', n.subject_id, n.subject_id, {grade_json}, %s "
            f"FROM {NEW_TABLE} n JOIN scoring_subjectscore c ON c.subject_id = n.subject_id "
            "WHERE c.grade <> n.grade",
            [SCORE_CHANGED, stamp],
        )
        result.grades_changed = max(cursor.rowcount, 0)
        cursor.execute(
            "INSERT INTO scoring_subjectscore (subject_id, model_id, score, grade, dimensions, dims_key, as_of, "
            "changed_at) "
            f"SELECT n.subject_id, n.model_id, n.score, n.grade, {dims_json}, n.dims_key, {sql_date(as_of)}, %s "
            f"{base} WHERE {changed} "
            "ON CONFLICT (subject_id) DO UPDATE SET model_id = excluded.model_id, score = excluded.score, "
            "grade = excluded.grade, dimensions = excluded.dimensions, dims_key = excluded.dims_key, "
            "as_of = excluded.as_of, changed_at = excluded.changed_at",
            [stamp],
        )
        if connection.vendor == "postgresql" and result.changed > 10_000:
            # Many rows changed at once (a first run, a new model): the next run's join needs fresh statistics
            # long before autovacuum would take them.
            cursor.execute("ANALYZE scoring_subjectscore")
        cursor.execute(f"DROP TABLE {NEW_TABLE}")
    return result


def _code(value: str) -> str:
    if not value.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise FeatureParamsInvalid(f"code {value!r}")
    return value


def _count(cursor: Any, sql: str) -> int:
    cursor.execute(sql)
    return int(cursor.fetchone()[0])


def explain_rows(plan: Plan, *, as_of: date, subject_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """The explain query's rows by subject id (indicator points and counts as well as dimensions)."""
    with connection.cursor() as cursor:
        cursor.execute(model_sql(plan, as_of=as_of, subject_ids=subject_ids, explain=True))
        names = [c[0] for c in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def distribution_sql(plan: Plan, *, as_of: date) -> str:
    """Grades of every subject under ``plan`` without writing anything (simulation)."""
    return f"SELECT grade, COUNT(*) FROM ({model_sql(plan, as_of=as_of)}) simulated GROUP BY grade"
