"""Two people act at the same moment: ``race`` runs one action in threads released together, each on its own
database connection (row locks are real on PostgreSQL; tests using it are ``transaction=True``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection

from gongxin.core.errors import GongxinError


def race(action: Callable[[], Any], times: int = 2) -> list[Any]:
    """Run ``action`` in ``times`` threads released together; return each result or error."""
    barrier = threading.Barrier(times)
    results: list[Any] = [None] * times

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except GongxinError as error:
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
