"""Benchmark of issue #19: records moved city → province by the exchange, against the province's own ingest of the
same rows (decision 068).

    flock /tmp/bench.lock .venv/bin/python bench/exchange.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    flock /tmp/bench.lock .venv/bin/python bench/exchange.py --postgres URL --records 100000   # a quicker run

Three platforms as separate processes, each with its own data directory and its own PostgreSQL database
(``gongxin_bench_exchange_<city|province|reference>``, created afresh and dropped at the end unless ``--keep``):

1. a CSV of ``--records`` penalty rows (bench/ingest_penalties.py's generator: ~1 % invalid rows) is ingested into
   the city (``gongxin ingest``; its rate is printed too);
2. the same file is ingested into the *reference*, a fresh platform like the province: the receiving node's own
   ingest rate of these rows, on this machine, now;
3. the city (330200) and the province (330000) are configured with ``gongxin exchange node|keys show|peer add``,
   the province subscribes to the city's penalties (``--chunk``, default 5,000 records a package), the province
   serves its API (``gongxin runserver``), and ``gongxin exchange send`` runs in the city until caught up.

Prints records/s of the exchange (records the packages carried ÷ wall time of the send, which includes building,
signing, sealing, pushing and the province applying every package before its receipt), the reference's ingest
rate, their ratio (target ≥ 0.5), and the lag of the packages — creation (in the city) to application (in the
province): median, 95th percentile and longest. On a shared machine run it under
``flock /tmp/bench.lock`` and quote medians of several runs.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ingest_penalties import file_generate  # bench/ is on the path of a script run from it

GONGXIN = str(Path(sys.executable).with_name("gongxin"))
UNIT = "NB-SCJG"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Platform:
    def __init__(self, name: str, postgres: str, root: Path) -> None:
        self.name = name
        self.database = f"gongxin_bench_exchange_{name}"
        self.url = urlunsplit(urlsplit(postgres)._replace(path=f"/{self.database}"))
        self.directory = root / name
        self.directory.mkdir(mode=0o700)
        self.port = _port()

    def env(self) -> dict[str, str]:
        return {**os.environ, "GONGXIN_DATA_DIR": str(self.directory), "DATABASE_URL": self.url,
                "DJANGO_SETTINGS_MODULE": "gongxin.settings", "GONGXIN_LOG_LEVEL": "ERROR"}

    def run(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([GONGXIN, *args], env=self.env(), input=stdin, capture_output=True, text=True,  # noqa: S603
                              check=False)
        if done.returncode != 0:
            raise SystemExit(f"{self.name} {args}: {done.stdout}\n{done.stderr}")
        return done.stdout

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url) as connection:
            return list(connection.execute(statement).fetchall())


def _databases(postgres: str, platforms: list[Platform], *, drop: bool) -> None:
    import psycopg

    with psycopg.connect(postgres, autocommit=True) as admin:
        for platform in platforms:
            admin.execute(f'DROP DATABASE IF EXISTS "{platform.database}" WITH (FORCE)')
            if not drop:
                admin.execute(f'CREATE DATABASE "{platform.database}"')


def _unit_create(platform: Platform) -> None:
    platform.run("shell", "-c", (
        "from gongxin.accounts.models import Department; from gongxin.catalog.models import SourceUnit; "
        f"d, _ = Department.objects.get_or_create(code='{UNIT}', defaults={{'name': '宁波市市场监督管理局', "
        "'region_code': '330200', 'uscc': '11330200002941712F'}); "
        "SourceUnit.objects.get_or_create(department=d, defaults={'domain': 'market_regulation'})"))


def _ingest(platform: Platform, path: Path) -> float:
    started = time.monotonic()
    platform.run("ingest", str(path), "--source-unit", UNIT, "--item", "penalty", "--chunk-size", "5000")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="A PostgreSQL URL whose user may create databases.")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=5000, help="Records per package.")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--keep", action="store_true", help="Keep the databases and data directories.")
    options = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="gongxin-bench-exchange-"))
    city, province, reference = (Platform(n, options.postgres, root) for n in ("city", "province", "reference"))
    platforms = [city, province, reference]
    _databases(options.postgres, platforms, drop=False)
    server: subprocess.Popen[bytes] | None = None
    try:
        migrations = [subprocess.Popen([GONGXIN, "migrate", "-v0"], env=p.env()) for p in platforms]  # noqa: S603
        if any(m.wait() != 0 for m in migrations):
            raise SystemExit("migrate failed")
        for platform in (city, reference):
            _unit_create(platform)
        source = root / "penalties.csv"
        invalid = file_generate(source, rows=options.records, organizations=max(1, options.records // 10),
                                seed=options.seed)
        print(f"{options.records} rows ({invalid} invalid on purpose)", flush=True)

        city_seconds = _ingest(city, source)
        records = int(city.sql("SELECT count(*) FROM records_record")[0][0])
        print(f"city ingest: {records} records in {city_seconds:.1f} s = {records / city_seconds:,.0f} records/s",
              flush=True)
        reference_seconds = _ingest(reference, source)
        reference_rate = records / reference_seconds
        print(f"reference ingest (the receiving node's own rate): {reference_seconds:.1f} s = "
              f"{reference_rate:,.0f} records/s", flush=True)

        city.run("exchange", "node", "330200", "宁波市公共信用信息平台")
        province.run("exchange", "node", "330000", "浙江省公共信用信息平台")
        city_keys, province_keys = city.run("exchange", "keys", "show"), province.run("exchange", "keys", "show")
        city.run("exchange", "peer", "add", "330000", "浙江省公共信用信息平台", "--direction", "upstream", "--url",
                 f"http://127.0.0.1:{province.port}", "--keys", "-", stdin=province_keys)
        province.run("exchange", "peer", "add", "330200", "宁波市公共信用信息平台", "--direction", "downstream",
                     "--keys", "-", stdin=city_keys)
        city.run("exchange", "subscribe", "330000", "penalty", "penalty", "--chunk", str(options.chunk),
                 "--snapshot-days", "0")
        log = (root / "province-server.log").open("ab")
        server = subprocess.Popen([GONGXIN, "runserver", f"127.0.0.1:{province.port}", "--noreload", "--insecure"],  # noqa: S603
                                  env=province.env(), stdout=log, stderr=log)
        time.sleep(5)

        started = time.monotonic()
        city.run("exchange", "send", "--peer", "330000")
        seconds = time.monotonic() - started
        sent = int(city.sql("SELECT coalesce(sum(record_count), 0) FROM exchange_package WHERE direction = 'sent' "
                            "AND status = 'acknowledged'")[0][0])
        applied = int(province.sql("SELECT count(*) FROM records_record")[0][0])
        lags = [float(row[0]) for row in province.sql(
            "SELECT extract(epoch FROM applied_at - created_at) FROM exchange_package "
            "WHERE direction = 'received' AND applied_at IS NOT NULL")]
        rate = sent / seconds
        print(f"exchange city -> province: {sent} records in {seconds:.1f} s = {rate:,.0f} records/s "
              f"({applied} records held by the province)")
        print(f"ratio to the province's own ingest: {rate / reference_rate:.2f} (target >= 0.5)")
        if lags:
            lags.sort()
            print(f"package lag, creation -> application: median {statistics.median(lags):.1f} s, "
                  f"p95 {lags[math.ceil(0.95 * len(lags)) - 1]:.1f} s, longest {lags[-1]:.1f} s "
                  f"({len(lags)} packages of up to {options.chunk} records)")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; quote medians of several runs")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if not options.keep:
            _databases(options.postgres, platforms, drop=True)
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept: {root} and databases {[p.database for p in platforms]}")


if __name__ == "__main__":
    main()
