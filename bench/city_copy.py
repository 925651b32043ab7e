"""COPY rows into a model's table with the columns the model declares, for bench/city_build.py.

The column list comes from the model's ``_meta`` (concrete fields and their ``db_column``), so a field
another change adds to a model flows through: it gets its default, NULL, or "" (blank text), and a NOT NULL
column without any of those stops the build with the model and column named (``UnknownColumn``) instead of
failing deep inside COPY. The caller gives values by field ``attname`` (``subject_id``, not ``subject``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import connection, models


class UnknownColumn(RuntimeError):
    """A NOT NULL column the builder gives no value for and the model gives no default for."""


def _fallback(model: type[models.Model], field: models.Field[Any, Any]) -> Any:
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField) and field.blank:
        return ""
    raise UnknownColumn(f"{model._meta.label}.{field.column} is NOT NULL without a default and the city builder "
                        "gives it no value: teach bench/city_build.py what to put there")


class CopyTable:
    """One table's COPY: ``given`` names the attnames every row supplies; the other fields get their
    fallback (checked now, before any row is written)."""

    def __init__(self, model: type[models.Model], given: Iterable[str]) -> None:
        self.model = model
        self.given = set(given)
        # An automatic id not given is left to the table's sequence.
        self.fields = [f for f in model._meta.concrete_fields
                       if f.attname in self.given or not (f.primary_key and isinstance(f, models.AutoField))]
        unknown = self.given - {f.attname for f in self.fields}
        if unknown:
            raise UnknownColumn(f"{model._meta.label} has no field {sorted(unknown)}")
        self.fallbacks = {f.attname: _fallback(model, f) for f in self.fields if f.attname not in self.given}
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.rows = 0

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def sql(self) -> str:
        quote = connection.ops.quote_name
        return f"COPY {quote(self.table)} ({', '.join(quote(f.column) for f in self.fields)}) FROM STDIN"

    def converters(self) -> list[Callable[[Any], Any]]:
        def as_json(value: Any) -> Any:
            return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                                                     default=_json_default)

        return [as_json if f.attname in self.json else _same for f in self.fields]

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        """COPY ``rows`` (dicts by attname) in one statement; returns how many."""
        attnames = [f.attname for f in self.fields]
        convert = self.converters()
        fallbacks = self.fallbacks
        count = 0
        with connection.cursor() as cursor, cursor.copy(self.sql()) as copy:
            for row in rows:
                try:
                    values = [c(row[name] if name in row else fallbacks[name])
                              for name, c in zip(attnames, convert, strict=True)]
                except KeyError as missing:
                    raise UnknownColumn(f"a row for {self.model._meta.label} lacks {missing}") from None
                copy.write_row(values)
                count += 1
        self.rows += count
        return count


def _same(value: Any) -> Any:
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def sequences_reset(models_: Iterable[type[models.Model]]) -> None:
    """Move each table's id sequence past the ids the build wrote itself."""
    with connection.cursor() as cursor:
        for model in models_:
            pk = model._meta.pk
            if pk is None or not isinstance(pk, models.AutoField | models.BigAutoField):
                continue
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(COALESCE(MAX({pk.column}), 0), 1), "
                f"COALESCE(MAX({pk.column}), 0) > 0) FROM {connection.ops.quote_name(table)}",
                [table, pk.column],
            )
