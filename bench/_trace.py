"""A per-second trace of a load run, to tell a slow second's cause: the answers' latencies that second beside the
machine's CPU (user, system, idle, I/O wait, steal — from /proc/stat), the stall pressure of CPU and I/O
(/proc/pressure, microseconds of that second some task waited) and what PostgreSQL's client backends were waiting
on (pg_stat_activity, sampled once a second) and the busiest processes.

    trace = Trace(dsn)        # starts sampling in a thread
    trace.answered(latency_ms)  # from the load generator's response callback
    trace.write(path)         # stops; one TSV line per second
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

import psycopg

_CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def _cpu() -> list[int]:
    with open("/proc/stat") as stat:
        return [int(value) for value in stat.readline().split()[1:1 + len(_CPU_FIELDS)]]


def _process_ticks() -> dict[int, tuple[str, int]]:
    """Each process's name (its command's first words) and CPU ticks so far."""
    ticks: dict[int, tuple[str, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                words = cmdline.read().split(b"\0")
        except OSError:
            continue
        name = " ".join(Path(word.decode(errors="replace")).name for word in words[:2] if word)[:40]
        ticks[int(entry.name)] = (name, int(fields[11]) + int(fields[12]))  # utime + stime
    return ticks


def _busiest(before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]) -> str:
    """The processes that used the most CPU between two samples, as "name=percent of a core", summed by name."""
    per_name: Counter[str] = Counter()
    for pid, (name, ticks) in after.items():
        per_name[name] += ticks - before.get(pid, (name, ticks))[1]
    hertz = os.sysconf("SC_CLK_TCK")
    return " ".join(f"{name}={100 * used // hertz}" for name, used in per_name.most_common(4) if used)


def _pressure(kind: str) -> int:
    try:
        with open(f"/proc/pressure/{kind}") as pressure:
            return int(pressure.readline().rsplit("total=", 1)[1])
    except (OSError, IndexError, ValueError):
        return 0


class Trace:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._latencies: dict[int, list[float]] = defaultdict(list)
        self._samples: dict[int, tuple[list[int], int, int, Counter[str]]] = {}
        self._processes: dict[int, dict[int, tuple[str, int]]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def answered(self, latency_ms: float) -> None:
        self._latencies[int(time.time())].append(latency_ms)

    def _sample(self) -> None:
        with psycopg.connect(self._dsn, autocommit=True) as connection:
            while not self._stop.is_set():
                second = int(time.time())
                waits: Counter[str] = Counter()
                for state, event in connection.execute(
                        "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'cpu') FROM pg_stat_activity "
                        "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"):
                    if state == "active":
                        waits[event] += 1
                self._samples[second] = (_cpu(), _pressure("cpu"), _pressure("io"), waits)
                self._processes[second] = _process_ticks()
                self._stop.wait(1.0 - time.time() % 1.0)

    def write(self, path: str | Path) -> None:
        self._stop.set()
        self._thread.join()
        seconds = sorted(self._samples)
        lines = ["utc\tanswers\tp50_ms\tp99_ms\tmax_ms\tuser%\tsystem%\tidle%\tiowait%\tsteal%\tcpu_stall_ms"
                 "\tio_stall_ms\tpostgres_active\tbusiest (% of a core)"]
        for before, after in pairwise(seconds):
            cpu0, cpu_stall0, io_stall0, _ = self._samples[before]
            cpu1, cpu_stall1, io_stall1, waits = self._samples[after]
            deltas = dict(zip(_CPU_FIELDS, (b - a for a, b in zip(cpu0, cpu1, strict=True)), strict=True))
            total = sum(deltas.values()) or 1
            latencies = sorted(self._latencies.get(before, []))

            def pct(p: float, values: list[float] = latencies) -> str:
                return f"{values[min(len(values) - 1, int(len(values) * p))]:.1f}" if values else "-"

            share = {name: 100 * deltas[name] / total for name in _CPU_FIELDS}
            lines.append("\t".join([
                time.strftime("%H:%M:%S", time.gmtime(before)), str(len(latencies)), pct(0.5), pct(0.99),
                f"{latencies[-1]:.1f}" if latencies else "-", f"{share['user'] + share['nice']:.0f}",
                f"{share['system'] + share['irq'] + share['softirq']:.0f}", f"{share['idle']:.0f}",
                f"{share['iowait']:.0f}", f"{share['steal']:.0f}", f"{(cpu_stall1 - cpu_stall0) / 1000:.0f}",
                f"{(io_stall1 - io_stall0) / 1000:.0f}", " ".join(f"{k}={v}" for k, v in waits.most_common()),
                _busiest(self._processes[before], self._processes[after]),
            ]))
        Path(path).write_text("\n".join(lines) + "\n")
