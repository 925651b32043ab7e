"""PostgreSQL: statements run so often that the driver's machinery costs more than the database does.

``prepared_rows(sql, params)`` prepares ``sql`` once per connection (PostgreSQL parses and plans it
once) and runs it through libpq directly (``psycopg.pq``), its values dumped and its rows loaded by the
connection's own adapters — so the rows hold the same Python values Django's cursors return — when the
connection is in autocommit; inside a transaction it runs on a driver cursor (prepared too). It is the
check path's (rewards): there, a psycopg cursor's execute cost a third more client CPU than the statement
(query conversion, the prepared-statement manager, its generator loop), measured in decision 028.

Errors are Django's and mark the connection as Django's cursors do, so a broken connection is replaced
after the request. Behind a pooler that cannot keep prepared statements (``GONGXIN_DB_PREPARE=0``: the
connection's ``prepare_threshold`` is None) the statement runs unprepared on a driver cursor.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

_names = itertools.count()  # statement names unique in the process, so never one a connection already holds
_UNDEFINED_STATEMENT = "26000"  # invalid_sql_statement_name: deallocated behind our back (DISCARD ALL …)


@dataclass
class _Statements:
    """The statements prepared on one driver connection, and the adapters' state that runs them."""

    connection: Any  # psycopg.Connection
    transformer: Any  # psycopg.adapt.Transformer
    names: dict[str, bytes] = field(default_factory=dict)
    cursor: Any = None  # for the unprepared fallback


def _numbered(sql: str) -> bytes:
    """``%s`` placeholders as PostgreSQL's ``$1 … $n`` (only our own statements come here: no literal %)."""
    parts = sql.split("%s")
    if any("%" in part for part in parts):
        raise ValueError("prepared_rows takes %s placeholders only")
    numbered = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        numbered.append(f"${n}{part}")
    return "".join(numbered).encode()


def _statements(wrapper: Any) -> _Statements:
    import psycopg
    from psycopg.adapt import Transformer

    raw = wrapper.connection
    state: _Statements | None = getattr(wrapper, "_gongxin_statements", None)
    if state is None or state.connection is not raw:
        # One per connection (a Django connection belongs to one thread); a new connection prepares anew.
        state = _Statements(connection=raw, transformer=Transformer(raw), cursor=psycopg.Cursor(raw))
        wrapper._gongxin_statements = state
    return state


def prepared_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run ``sql`` (``%s`` placeholders) with ``params`` on the default PostgreSQL connection, prepared
    once per connection; return its rows (none for a statement without RETURNING).

    Values are sent as text and the statement is prepared without parameter types, so each parameter
    takes its type from its context (a column, an operator, a cast): write ``%s::type`` where there is
    none (a VALUES list, a SELECT list). One prepared statement per ``sql``, whatever the values, so a
    connection holds as many as its callers have distinct texts (the check path: the lookup, and one INSERT
    per number of hits)."""
    from psycopg import errors as driver_errors
    from psycopg import pq
    from psycopg.adapt import PyFormat

    # The thread's connection wrapper looked up once: each attribute read through ``django.db.connection``
    # goes through a thread-local proxy.
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    state = _statements(wrapper)
    raw = state.connection
    with wrapper.wrap_database_errors:
        if raw.prepare_threshold is None or not raw.autocommit:
            # Behind a pooler: unprepared. Inside a transaction: the driver's cursor, which begins it as Django
            # expects (a statement sent past the driver would run outside it); the check path runs in neither.
            cursor = state.cursor
            cursor.execute(sql, params, prepare=raw.prepare_threshold is not None)
            return cursor.fetchall() if cursor.pgresult.status == pq.ExecStatus.TUPLES_OK else []
        transformer = state.transformer
        values = transformer.dump_sequence(params, [PyFormat.TEXT] * len(params))
        pgconn = raw.pgconn
        result = pgconn.exec_prepared(_prepared_name(state, sql, driver_errors), values, None, pq.Format.TEXT)
        if (result.status == pq.ExecStatus.FATAL_ERROR
                and result.error_field(pq.DiagnosticField.SQLSTATE) == _UNDEFINED_STATEMENT.encode()):
            # The server forgot our statements (a pooler's reset, DISCARD ALL, a DEALLOCATE ALL after a
            # rollback of the driver's own): prepare again and run again — in autocommit nothing was done.
            state.names.clear()
            if pgconn.transaction_status == pq.TransactionStatus.IDLE:
                result = pgconn.exec_prepared(_prepared_name(state, sql, driver_errors), values, None, pq.Format.TEXT)
        _checked(result, raw, driver_errors)
        if result.status != pq.ExecStatus.TUPLES_OK:
            return []
        transformer.set_pgresult(result)
        return transformer.load_rows(0, result.ntuples, tuple)


def _prepared_name(state: _Statements, sql: str, driver_errors: Any) -> bytes:
    name = state.names.get(sql)
    if name is None:
        name = f"gongxin_{next(_names)}".encode()
        _checked(state.connection.pgconn.prepare(name, _numbered(sql)), state.connection, driver_errors)
        state.names[sql] = name
    return name


def _checked(result: Any, raw: Any, driver_errors: Any) -> Any:
    from psycopg import pq

    if result.status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        return result
    raise driver_errors.error_from_result(result, encoding=raw.info.encoding)
