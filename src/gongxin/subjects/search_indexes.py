"""Database support of the public organization search: initials back-fill and PostgreSQL indexes.

Used by migrations 0003 (back-fill ``Subject.name_initials``) and 0004 (indexes); kept here so that
tests can run them too. On PostgreSQL, organization rows (partial indexes, ``kind = 'organization'``)
get:

- GIN trigram indexes (``pg_trgm``) on ``name`` and ``name_initials``: ``LIKE``/``ILIKE '%…%'`` with
  three or more characters, and initials prefixes (``LIKE 'nb%'``), are answered from the index;
- a GIN index on ``gongxin_name_ngrams(name)`` (the name's 1- and 2-character substrings),
  because trigrams cannot serve the one- and two-character Chinese queries people type most ("万业");
  with extended statistics on that expression, so that the planner knows "公司" is in most names.

USCC prefixes (``LIKE '9133%'``) need nothing more: Django already gives the unique ``uscc`` column a
``varchar_pattern_ops`` index on PostgreSQL (``subjects_organization_uscc_…_like``).

SQLite gets none of them (it scans; fine at its scale) and these functions do nothing there.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction

from gongxin.subjects.names import name_initials

NGRAMS_FUNCTION = "gongxin_name_ngrams"
NGRAMS_STATISTICS = "subjects_org_name_ngrams_stats"
INDEX_NAMES = (
    "subjects_org_name_trgm",
    "subjects_org_initials_trgm",
    "subjects_org_name_ngrams",
)

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""CREATE OR REPLACE FUNCTION {NGRAMS_FUNCTION}(name text) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT ARRAY(
                SELECT substr(name, i, 1) FROM generate_series(1, char_length(name)) AS i
                UNION ALL
                SELECT substr(name, i, 2) FROM generate_series(1, char_length(name) - 1) AS i
            )
        $$""",  # noqa: S608 - constant (repeated grams are fine: GIN keeps each key once per row)
    """CREATE INDEX IF NOT EXISTS subjects_org_name_trgm ON subjects_subject
        USING gin (name gin_trgm_ops) WHERE kind = 'organization'""",
    """CREATE INDEX IF NOT EXISTS subjects_org_initials_trgm ON subjects_subject
        USING gin (name_initials gin_trgm_ops) WHERE kind = 'organization'""",
    f"""CREATE INDEX IF NOT EXISTS subjects_org_name_ngrams ON subjects_subject
        USING gin ({NGRAMS_FUNCTION}(name)) WHERE kind = 'organization'""",
    # The planner ignores a partial index's expression statistics: without these it guesses 0.5 % for
    # any n-gram ("公司" is in 60 % of names) and plans joins and sorts for a handful of rows.
    f"""CREATE STATISTICS IF NOT EXISTS {NGRAMS_STATISTICS} ON ({NGRAMS_FUNCTION}(name))
        FROM subjects_subject""",
    "ANALYZE subjects_subject",
]
POSTGRES_BACKWARD = [
    *(f"DROP INDEX IF EXISTS {name}" for name in INDEX_NAMES),
    f"DROP STATISTICS IF EXISTS {NGRAMS_STATISTICS}",
    f"DROP FUNCTION IF EXISTS {NGRAMS_FUNCTION}(text)",
    # pg_trgm stays: other tables may use it, and dropping an extension is the administrator's call.
]


def search_indexes_create(schema_editor: Any) -> bool:
    """Create the search's extension, function and indexes on PostgreSQL; returns whether it did
    (``False`` on any other database, which it leaves alone)."""
    if schema_editor.connection.vendor != "postgresql":
        return False
    for statement in POSTGRES_FORWARD:
        schema_editor.execute(statement)
    return True


def search_indexes_drop(schema_editor: Any) -> bool:
    """Undo ``search_indexes_create`` (PostgreSQL only; ``False`` elsewhere)."""
    if schema_editor.connection.vendor != "postgresql":
        return False
    for statement in POSTGRES_BACKWARD:
        schema_editor.execute(statement)
    return True


def name_initials_backfill(*, subject_model: Any, using: str = "default", batch_size: int = 5000) -> int:
    """Set ``name_initials`` of every organization whose stored value differs from its name's initials;
    returns how many rows changed. Set-based: reads (id, name) in key order, one UPDATE per batch, one
    transaction per batch — an interrupted run resumes by running again (rows already right are skipped).
    """
    connection = connections[using]
    table = connection.ops.quote_name(subject_model._meta.db_table)
    rows_of = subject_model._default_manager.using(using).filter(kind="organization").order_by("pk")
    changed = 0
    last_pk = 0
    while True:
        batch = list(rows_of.filter(pk__gt=last_pk).values_list("pk", "name", "name_initials")[:batch_size])
        if not batch:
            return changed
        last_pk = batch[-1][0]
        updates = [(pk, fresh) for pk, name, stored in batch if (fresh := name_initials(name)) != stored]
        if not updates:
            continue
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = (f"UPDATE {table} AS s SET name_initials = v.initials "  # noqa: S608 - model's table
                       "FROM unnest(%s::bigint[], %s::text[]) AS v(id, initials) WHERE s.id = v.id")
                cursor.execute(sql, [[pk for pk, _ in updates], [initials for _, initials in updates]])
            else:
                sql = f"UPDATE {table} SET name_initials = %s WHERE id = %s"  # noqa: S608 - model's table
                cursor.executemany(sql, [(initials, pk) for pk, initials in updates])
        changed += len(updates)
