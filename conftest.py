"""Test settings: a throw-away data directory and fixed keys, so tests never touch ./var."""

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
