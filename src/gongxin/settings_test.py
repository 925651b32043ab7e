"""Settings of the test suite (pyproject's DJANGO_SETTINGS_MODULE): a throw-away data directory, fixed keys
and tasks run in-process — set in the environment *before* ``gongxin.settings`` reads it.

(pytest-django imports the settings before any conftest.py runs, so a conftest cannot set these.)
"""

from __future__ import annotations

import base64
import os
import tempfile

os.environ.setdefault("GONGXIN_TESTING", "1")
os.environ.setdefault("GONGXIN_DATA_DIR", tempfile.mkdtemp(prefix="gongxin-test-"))
os.environ.setdefault("GONGXIN_DATA_KEY", base64.urlsafe_b64encode(b"k" * 32).decode())
os.environ.setdefault("GONGXIN_LOOKUP_KEY", base64.urlsafe_b64encode(b"h" * 32).decode())
os.environ.setdefault("GONGXIN_SECRET_KEY", "test-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("GONGXIN_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from gongxin.settings import *  # noqa: F403 - the platform's settings, read with the values above

# Government users' sign-in timers (decision 060) are off in the suite, whose tests move the clock by days with a
# signed-in official; the second factor itself stays on (the test kit verifies sign-ins: gongxin.testing
# .second_factor). accounts/tests/test_second_factor.py turns the timers on with the platform's defaults.
GONGXIN_GOVERNMENT_SIGN_IN = {"idle_minutes": None, "reauthentication_minutes": None}

# On SQLite the outbox dispatcher pauses between a consumer's batches (core.outbox: 0.15 s by default) so that a
# sign-in waiting for the database's one write lock gets it. Each consumer that finds events pauses at least once
# before it finds none left, so every dispatch of a test would sleep about 0.15 s per consumer — most of the SQLite
# suite's time, with no other writer waiting. core/tests/test_outbox_pacing.py sets the pause it proves.
GONGXIN_OUTBOX_SQLITE_YIELD_SECONDS = 0.0
