"""Fixtures of the portal's tests. The pages' Chinese comes from the compiled catalogs (.mo files are
build output, compiled by ``make setup``); compile them here when missing or stale so the language tests
also run straight after a checkout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from gongxin.catalog.models import SourceUnit
from gongxin.subjects.models import Subject
from gongxin.testing import factories

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
# The apps' own catalogs (the portal's among them) are compiled too: Django merges them with the main one.
APP_LOCALE_DIRS = sorted(Path(__file__).resolve().parents[2].glob("*/locale"))


def _compile_catalogs() -> None:
    msgfmt = shutil.which("msgfmt")
    for po in [po for directory in (LOCALE_DIR, *APP_LOCALE_DIRS) for po in directory.glob("*/LC_MESSAGES/*.po")]:
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if msgfmt is None:
            pytest.fail("GNU gettext (msgfmt) is needed to compile the message catalogs: apt-get install gettext")
        subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)  # noqa: S603


@pytest.fixture(scope="session", autouse=True)
def _catalogs_compiled() -> None:
    _compile_catalogs()
    # Catalogs are cached per process once loaded; start from the freshly compiled ones.
    translation.trans_real._translations = {}  # type: ignore[attr-defined]
    translation.trans_real._default = None  # type: ignore[attr-defined]


@pytest.fixture
def source_unit(db: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def acme(db: None) -> Subject:
    return factories.organization_create(name="宁波市海曙区示例科技有限公司")
