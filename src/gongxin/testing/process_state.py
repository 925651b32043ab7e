"""The process-wide state `gongxin demo up` sets, put back after every test.

`demo up` runs in its own process in real use, so it marks that process as the demo and gives it its public
address in the environment and in Django's settings (``demo.services.demo_mode_apply``,
``demo_public_address_apply``). A test that calls the command in the test process would leave both behind for
every later test: the "try this" guide answering, signed documents and card QR codes pointing at the demo's
port. This autouse fixture restores them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings

# Environment variables and settings of the same names that `demo up` sets in its own process.
DEMO_PROCESS_STATE = ("GONGXIN_DEMO", "GONGXIN_PUBLIC_URL", "GONGXIN_SIGNING_VERIFY_BASE_URL")
_ABSENT = object()


@pytest.fixture(autouse=True)
def demo_process_state_restored() -> Iterator[None]:
    environment = {name: os.environ.get(name) for name in DEMO_PROCESS_STATE}
    values = {name: getattr(settings, name, _ABSENT) for name in DEMO_PROCESS_STATE}
    yield
    for name, value in environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    for name, setting in values.items():
        if setting is _ABSENT:
            if hasattr(settings, name):
                delattr(settings, name)
        else:
            setattr(settings, name, setting)
