"""The one sanctioned way around the immutability of record versions: an explicit, named purge.

While ``history_purge`` is open, the database triggers let DELETE and TRUNCATE of versions through
(never UPDATE). Uses: the ``flush`` command (the test suite resets its database with it); an erasure that a law
requires would use it too, audited by its caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

FLAG_TABLE = "gongxin_history_purge"


@contextmanager
def history_purge(*, reason: str, using: str = "default") -> Iterator[None]:
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLAG_TABLE} (reason) VALUES (%s)", [reason])  # noqa: S608 - constant
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FLAG_TABLE}")  # noqa: S608 - constant
