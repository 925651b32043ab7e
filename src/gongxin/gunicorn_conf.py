"""Gunicorn settings for serving the platform: ``gunicorn -c python:gongxin.gunicorn_conf gongxin.wsgi``.

Sync workers, one more than the cores: a request waits on PostgreSQL for part of its time, but more
workers than that only trade CPU between them (bench/checks.py on 2 cores: 3 workers served 709 checks/s,
4 workers 587, 6 workers 548). The application is loaded once before forking, and each worker then moves
everything loaded so far out of the garbage collector's way (``gc.freeze``) and collects less often: a
full collection over Django's import-time objects is a pause of several milliseconds in the middle of a
request, which is what a p99 is made of.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any

bind = os.environ.get("GONGXIN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GONGXIN_WEB_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
keepalive = 30
backlog = 2048
preload_app = True


def post_fork(server: Any, worker: Any) -> None:
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
