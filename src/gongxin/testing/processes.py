"""Platforms in processes of their own, for tests that run Gongxin as an operator does (its commands, its server)
or kill it midway: the test database of pytest is not visible to another process, so each such platform gets a
database of its own.

- ``migrated_platforms`` (session fixture): a ``Platforms`` that hands out databases already migrated. The
  migrations run once per session into a template — a SQLite file, and (when the suite runs on PostgreSQL) a
  template database — and each platform gets a copy: the file copied into its data directory, or
  ``CREATE DATABASE … TEMPLATE``. A copy takes milliseconds where ``gongxin migrate`` takes seconds of CPU per
  platform. The migrations read no setting and no key, so a copy is the database ``gongxin migrate`` would make.
- ``postgres_database(prefix)``: a PostgreSQL database created for one test and dropped after it, even when the test
  fails (empty, or a copy of a template).
- ``subprocess_env(data_dir)``: the environment of a platform process — the platform's own settings, not the
  suite's, and none of the suite's ``GONGXIN_*`` values.
- ``python_run(env, code)``: a few lines of Python run after ``django.setup()`` in such a process; its output.
- ``database_value(env, query)``: one value read straight from such a platform's database (a poll that starts no
  Django: milliseconds instead of a second of CPU).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

GONGXIN = str(Path(sys.executable).with_name("gongxin"))
SQLITE_FILE = "gongxin.sqlite3"


def suite_postgres_url() -> str:
    """The suite's ``DATABASE_URL`` when it runs on PostgreSQL, else ''."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _admin(statement: str) -> None:
    """One statement on the suite's PostgreSQL server, through its maintenance database (CREATE / DROP DATABASE)."""
    import psycopg

    with psycopg.connect(_with_database(suite_postgres_url(), "postgres"), autocommit=True) as connection:
        connection.execute(statement)


@contextmanager
def postgres_database(prefix: str, *, template: str = "") -> Iterator[str]:
    """A PostgreSQL database of its own on the suite's server (``<prefix>_<random>``, a copy of ``template`` if
    given): its URL, and the database dropped afterwards (connections still open on it closed by force)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield _with_database(suite_postgres_url(), name)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def subprocess_env(data_dir: Path, *, database_url: str = "", **extra: str) -> dict[str, str]:
    """The environment of a platform process on ``data_dir`` (and ``database_url``, or SQLite in the data
    directory): the platform's settings, tasks run in-process, errors only in its log."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GONGXIN_", "PYTEST", "DJANGO_SETTINGS")) and k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "gongxin.settings", "GONGXIN_DATA_DIR": str(data_dir),
                "DATABASE_URL": database_url,
                "GONGXIN_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                "GONGXIN_LOG_LEVEL": "ERROR", **extra})
    return env


def python_run(env: dict[str, str], code: str) -> str:
    """``code`` run in a process of the platform of ``env`` after ``django.setup()``: what it printed."""
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], env=env,  # noqa: S603
                          check=True, capture_output=True, text=True).stdout.strip()


def database_value(env: dict[str, str], query: str) -> Any:
    """The first value of the first row ``query`` answers on the database of the platform of ``env``, or None:
    read straight (milliseconds), for a poll that must not start Django every time."""
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as connection:
            row = connection.execute(query).fetchone()
    else:
        with closing(sqlite3.connect(Path(env["GONGXIN_DATA_DIR"]) / SQLITE_FILE, timeout=30)) as connection:
            row = connection.execute(query).fetchone()
    return row[0] if row else None


def _migrate(env: dict[str, str]) -> None:
    done = subprocess.run([GONGXIN, "migrate", "-v0"], env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=900, check=False)
    assert done.returncode == 0, f"gongxin migrate: {done.stdout}\n{done.stderr}"


class Platforms:
    """Migrated databases for platform processes, each a copy of a template migrated once (on first use)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._sqlite: Path | None = None
        self._postgres = ""

    def sqlite(self, data_dir: Path) -> None:
        """A migrated SQLite database in ``data_dir`` (created, 0700, if missing)."""
        if self._sqlite is None:
            template = self.root / "sqlite-template"
            template.mkdir(mode=0o700)
            _migrate(subprocess_env(template))
            self._sqlite = template / SQLITE_FILE
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = data_dir / SQLITE_FILE
        shutil.copyfile(self._sqlite, target)
        target.chmod(0o600)

    @contextmanager
    def postgres(self, prefix: str) -> Iterator[str]:
        """A migrated PostgreSQL database of its own (the suite must run on PostgreSQL): its URL, dropped after."""
        if not self._postgres:
            name = f"gx_template_{uuid.uuid4().hex[:10]}"
            _admin(f'CREATE DATABASE "{name}"')
            self._postgres = name  # dropped by close() even if the migrations fail
            _migrate(subprocess_env(self.root / "postgres-template",
                                    database_url=_with_database(suite_postgres_url(), name)))
        with postgres_database(prefix, template=self._postgres) as url:
            yield url

    @contextmanager
    def on_suite_backend(self, data_dir: Path, prefix: str) -> Iterator[dict[str, str]]:
        """The environment of a migrated platform in ``data_dir`` on the suite's backend: a PostgreSQL database of
        its own (``prefix``…, dropped after) when the suite runs on PostgreSQL, else SQLite in the data directory."""
        if not suite_postgres_url():
            self.sqlite(data_dir)
            yield subprocess_env(data_dir)
            return
        with self.postgres(prefix) as url:
            yield subprocess_env(data_dir, database_url=url)

    def close(self) -> None:
        if self._postgres:
            _admin(f'DROP DATABASE IF EXISTS "{self._postgres}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_platforms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platforms]:
    platforms = Platforms(tmp_path_factory.mktemp("platforms"))
    try:
        yield platforms
    finally:
        platforms.close()
