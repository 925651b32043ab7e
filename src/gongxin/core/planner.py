"""Planner settings for one block of statements, on PostgreSQL only.

Some statements have one right plan that the planner, from its statistics, may not choose: a probe of an index
per id while a big load has not been analyzed yet, an ordered walk of an index that stops after a page. The
settings are transaction-local (``set_config(..., true)``) in a transaction of the block's own; inside a caller's
transaction they are put back as they were when the block ends normally (after an error the caller's transaction
is rolled back or its savepoint undone, which undoes them too). Elsewhere the block runs as it is.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

__all__ = ["planner_settings"]


@contextmanager
def planner_settings(settings: dict[str, str], *, using: str = "default", savepoint: bool = False) -> Iterator[None]:
    """Run the block with ``settings`` (e.g. ``{"enable_seqscan": "off"}``) local to its transaction."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings:
        yield
        return
    names = list(settings)
    nested = connection.in_atomic_block
    with transaction.atomic(using=using, savepoint=savepoint), connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["current_setting(%s)"] * len(names)) + ", "
            + ", ".join(["set_config(%s, %s, true)"] * len(names)),
            [*names, *(p for name in names for p in (name, settings[name]))],
        )
        previous = cursor.fetchone()[:len(names)]
        yield
        if nested:
            cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(names)),
                           [p for name, value in zip(names, previous, strict=True) for p in (name, value)])
