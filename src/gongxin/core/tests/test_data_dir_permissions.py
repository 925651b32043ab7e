"""The data directory, the keys and the SQLite database are readable by the platform's user only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from gongxin.core.keys import load_or_create_keys, private_file_ensure


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_and_its_keys_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    load_or_create_keys(data_dir, environ={})
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "keys.json") == 0o600


def test_a_world_readable_database_file_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "gongxin.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    private_file_ensure(database)
    assert _mode(database) == 0o600


def test_the_platform_creates_its_sqlite_database_and_journal_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
                   "GONGXIN_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "gongxin.settings"}
    script = ("import django; django.setup(); from django.db import connection; "
              "connection.cursor().execute('CREATE TABLE t (x int)'); connection.close()")
    subprocess.run([sys.executable, "-c", script], env=environment, check=True, timeout=120)  # noqa: S603
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "keys.json") == 0o600
    for name in ("gongxin.sqlite3", "gongxin.sqlite3-wal", "gongxin.sqlite3-shm"):
        path = data_dir / name
        if path.exists():
            assert _mode(path) == 0o600, name
    assert (data_dir / "gongxin.sqlite3").stat().st_size > 0
