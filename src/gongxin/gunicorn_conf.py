"""Gunicorn settings for serving the platform: ``gunicorn -c python:gongxin.gunicorn_conf gongxin.wsgi``.

Sync workers, one more than the cores: a request waits on PostgreSQL for part of its time, but more
workers than that only trade CPU between them (bench/checks.py on 2 cores, 200k organizations: 3 workers
served 709 checks/s, 4 workers 587, 6 workers 548). Loading the application before forking and freezing
its objects out of the garbage collector (``preload_app``, ``gc.freeze`` in ``post_fork``) measured worse
in one run (566 checks/s, p99 at 500/s 578 ms against 72 ms), so neither is set; single runs on this
shared machine vary by about 20 %, so that is worth measuring again on a quiet one.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GONGXIN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GONGXIN_WEB_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
keepalive = 30
backlog = 2048
