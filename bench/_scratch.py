"""A throw-away platform for a benchmark: a temporary data directory and a fresh database.

SQLite lives in the data directory; with a PostgreSQL URL a database ``gongxin_bench_<random>`` is created
on that server (the URL's user needs CREATEDB) and dropped on exit. Both are gone afterwards unless
``keep`` is set. Used by every script in bench/ (run as ``python bench/<script>.py``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def _postgres_database(url: str, *, keep: bool, database: str | None) -> Iterator[str]:
    import psycopg

    if database:  # an existing database (an earlier run's, kept): used as it is, never dropped
        yield urlunsplit(urlsplit(url)._replace(path=f"/{database}"))
        return
    name = f"gongxin_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    print(f"database {name} created", flush=True)
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"database {name} kept", flush=True)
        else:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"database {name} dropped", flush=True)


@contextmanager
def scratch_platform(postgres_url: str | None, *, keep: bool = False, database: str | None = None) -> Iterator[Path]:
    """Point the platform's settings at a fresh data directory and database (or the existing PostgreSQL
    ``database``); yield the directory. ``keep`` keeps both."""
    data_dir = Path(tempfile.mkdtemp(prefix="gongxin-bench-"))
    os.environ["GONGXIN_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("GONGXIN_LOG_LEVEL", "ERROR")
    try:
        if postgres_url:
            with _postgres_database(postgres_url, keep=keep, database=database) as url:
                os.environ["DATABASE_URL"] = url
                yield data_dir
        else:
            os.environ.pop("DATABASE_URL", None)
            yield data_dir
    finally:
        if keep:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
