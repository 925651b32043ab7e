"""The four levels on loopback (issue #19, decision 068): the nation (100000), Zhejiang (330000), Ningbo (330200)
and Haishu (330203) as four platforms — separate processes, separate databases (SQLite files; the city on
PostgreSQL when the tests run on PostgreSQL) — each serving its API (``gongxin runserver``) and running
``gongxin exchange serve``. They are configured only through the ``gongxin exchange`` command (node, keys show,
peer add, subscribe), as operators would.

Penalties flow up (Haishu → Ningbo → Zhejiang → nation), the judgment-debtor list flows down. Proved here: a
district penalty reaches the nation; a national judgment-debtor entry reaches the district, where a procurement
check intercepts it within a few exchange rounds; a correction (up) and a revocation (down) travel as such; killing
the city's processes mid-exchange and restarting them loses and duplicates nothing; a tampered or unsigned package
is refused with a receipt that says why."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from gongxin.exchange.tests.kit import zip_rewrite
from gongxin.testing.processes import GONGXIN, Platforms

# The proof puts the city on PostgreSQL: the test runs in the PostgreSQL run of the suite (`.ci/run` has
# both), where it takes minutes; the SQLite run proves the same pieces in test_receiving, test_sending and test_crash.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                       reason="the four levels run with the city on PostgreSQL (DATABASE_URL=postgres://…)"),
]

INTERVAL = 1.0  # seconds between exchange rounds
WAIT = 180.0  # seconds any one flow may take on the shared machine before the test gives up


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Node:
    code: str
    name: str
    directory: Path
    database_url: str = ""
    port: int = field(default_factory=_free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
        env.update({"GONGXIN_DATA_DIR": str(self.directory), "DATABASE_URL": self.database_url,
                    "DJANGO_SETTINGS_MODULE": "gongxin.settings", "PYTHONUNBUFFERED": "1"})
        return env

    def run(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([GONGXIN, *args], env=self.env(), input=stdin, capture_output=True, text=True,  # noqa: S603
                              timeout=300, check=False)
        assert done.returncode == 0, f"{self.code} {args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def act(self, action: str, **arguments: Any) -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-m", "gongxin.exchange.tests.four_levels_node", action,  # noqa: S603
                               json.dumps(arguments, ensure_ascii=False)], env=self.env(), capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{self.code} {action}: {done.stdout}\n{done.stderr}"
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    def penalties_held(self, ids: list[str]) -> int:
        """How many of these penalties the node's database holds, read directly (milliseconds, not a process)."""
        marks = ", ".join(["%s" if self.database_url else "?"] * len(ids))
        statement = ("SELECT count(*) FROM records_record r JOIN catalog_catalogitem i ON i.id = r.catalog_item_id "  # noqa: S608
                     f"WHERE i.code = 'penalty' AND r.source_record_id IN ({marks})")  # placeholders only
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as connection:
                return int(connection.execute(statement, ids).fetchone()[0])
        import sqlite3

        with sqlite3.connect(self.directory / "gongxin.sqlite3", timeout=30) as connection:
            return int(connection.execute(statement, ids).fetchone()[0])

    def start(self) -> None:
        log = (self.directory / "processes.log").open("ab")
        self.processes["web"] = subprocess.Popen(  # noqa: S603 (our own command)
            [GONGXIN, "runserver", f"127.0.0.1:{self.port}", "--noreload", "--insecure"], env=self.env(),
            stdout=log, stderr=log)
        self.processes["exchange"] = subprocess.Popen(  # noqa: S603
            [GONGXIN, "exchange", "serve", "--interval", str(INTERVAL)], env=self.env(), stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise AssertionError(f"{self.code} did not start")

    def kill(self) -> None:
        """As a crash would: SIGKILL, no clean-up."""
        for process in self.processes.values():
            process.send_signal(signal.SIGKILL)
            process.wait()
        self.processes.clear()

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


@dataclass
class Levels:
    nation: Node
    province: Node
    city: Node
    district: Node

    def all(self) -> tuple[Node, ...]:
        return (self.nation, self.province, self.city, self.district)


def _register(node: Node, peer: Node, direction: str, keys: dict[str, str]) -> None:
    node.run("exchange", "peer", "add", peer.code, peer.name, "--direction", direction, "--url", peer.url,
             "--keys", "-", stdin=keys[peer.code])


@pytest.fixture(scope="module")
def levels(tmp_path_factory: pytest.TempPathFactory, migrated_platforms: Platforms) -> Iterator[Levels]:
    root = tmp_path_factory.mktemp("four-levels")
    # Each platform's database as `gongxin migrate` makes it, copied from the session's migrated template; the
    # city's is a PostgreSQL database of its own, dropped after the module.
    with migrated_platforms.postgres("gx_four_levels_city") as city_database:
        levels = Levels(Node("100000", "全国信用信息共享平台", root / "nation"),
                        Node("330000", "浙江省公共信用信息平台", root / "zhejiang"),
                        Node("330200", "宁波市公共信用信息平台", root / "ningbo", database_url=city_database),
                        Node("330203", "海曙区公共信用信息平台", root / "haishu"))
        for node in levels.all():
            if node.database_url:
                node.directory.mkdir(mode=0o700)
            else:
                migrated_platforms.sqlite(node.directory)
        yield from _configured_and_served(levels)


def _configured_and_served(levels: Levels) -> Iterator[Levels]:
    keys = {}
    for node in levels.all():
        node.run("exchange", "node", node.code, node.name)
        keys[node.code] = node.run("exchange", "keys", "show")
    nation, province, city, district = levels.all()
    for lower, upper in ((district, city), (city, province), (province, nation)):
        _register(lower, upper, "upstream", keys)
        _register(upper, lower, "downstream", keys)
        # Up: the penalties (small packages, so that a crash falls between them); down: the court's list.
        lower.run("exchange", "subscribe", upper.code, "penalty", "penalty", "--chunk", "5", "--snapshot-days", "0")
        upper.run("exchange", "subscribe", lower.code, "judgment_debtor", "judgment_debtor", "--chunk", "5",
                  "--snapshot-days", "0")
    for node in levels.all():
        node.start()
    try:
        yield levels
    finally:
        for node in levels.all():
            node.stop()


def _until(what: str, probe: Callable[[], Any], *, pause: float = 1.0) -> tuple[Any, float]:
    """Poll ``probe`` until it answers truthy; its answer and the seconds it took."""
    started = time.monotonic()
    while True:
        answer = probe()
        if answer:
            return answer, time.monotonic() - started
        if time.monotonic() - started > WAIT:
            raise AssertionError(f"{what}: not within {WAIT} s")
        time.sleep(pause)


FIRM = {"uscc": "91330203MA2H00001", "name": "宁波海曙四级贯通测试有限公司"}
DEBTOR = {"uscc": "91330203MA2H00002", "name": "宁波海曙失信测试有限公司"}


def _uscc(value: str) -> str:
    from gongxin.testing.payloads import uscc_with_check

    return uscc_with_check(value)


def test_a_district_penalty_reaches_the_nation_and_its_correction_follows(levels: Levels) -> None:
    firm = {**FIRM, "uscc": _uscc(FIRM["uscc"])}
    identity = levels.district.act("penalty", prefix="HS-FIRST", **firm)["ids"][0]
    found, seconds = _until("the penalty at the nation", lambda: levels.nation.act(
        "records", item="penalty", ids=[identity])["records"].get(identity))
    assert found == [{"changes": ["created"], "status": "active"}]
    for node in (levels.city, levels.province):
        assert node.act("records", item="penalty", ids=[identity])["records"][identity][0]["changes"] == ["created"]

    levels.district.act("correct", source_record_id=identity, fields={"penalty_content": "罚款人民币叁万元"})
    corrected, _seconds = _until("the correction at the nation", lambda: (
        lambda rows: rows if rows and rows[0]["changes"] == ["created", "corrected"] else None)(
        levels.nation.act("records", item="penalty", ids=[identity])["records"].get(identity)))
    assert corrected[0]["status"] == "active"
    print(f"district -> nation: {seconds:.1f} s")


def test_a_national_debtor_reaches_the_district_is_checked_there_and_its_revocation_follows(levels: Levels) -> None:
    debtor = {**DEBTOR, "uscc": _uscc(DEBTOR["uscc"])}
    levels.nation.act("debtor", source_record_id="ZGFY-2026-0001", **debtor)
    _listed, seconds = _until("the list entry in Haishu", lambda: levels.district.act(
        "listed", uscc=debtor["uscc"], list="judgment_debtor")["active"])
    assert seconds < 30 * INTERVAL + 60  # three hops, each within a few exchange rounds
    assert levels.district.act("check", uscc=debtor["uscc"])["decision"] == "intercept"

    levels.nation.act("revoke", source_record_id="ZGFY-2026-0001", item="judgment_debtor")
    _until("the entry ended in Haishu", lambda: (lambda seen: seen["all"] and not seen["active"])(
        levels.district.act("listed", uscc=debtor["uscc"], list="judgment_debtor")))
    assert levels.district.act("check", uscc=debtor["uscc"])["decision"] != "intercept"


def test_killing_the_city_mid_exchange_loses_and_duplicates_nothing(levels: Levels) -> None:
    firm = {"uscc": _uscc("91330203MA2H00003"), "name": "宁波海曙断点续传测试有限公司"}
    ids = [f"HS-KILL-{n}" for n in range(20)]
    # The district makes 20 records in one transaction: its next round pushes them to the city in 4 packages of 5.
    # As soon as the city holds the first ones, it is killed (web server and exchange loop, as a crash would), and
    # the nation's server with it: the district's later packages and the city's forwarding are cut off midway.
    maker = subprocess.Popen([sys.executable, "-m", "gongxin.exchange.tests.four_levels_node", "penalty",  # noqa: S603
                              json.dumps({"prefix": "HS-KILL", "count": 20, **firm}, ensure_ascii=False)],
                             env=levels.district.env(), stdout=subprocess.DEVNULL)
    try:
        _until("the first packages at the city", lambda: levels.city.penalties_held(ids), pause=0.05)
    finally:
        maker.wait(timeout=300)
    levels.city.kill()
    levels.nation.kill()
    try:
        assert levels.nation.penalties_held(ids) < len(ids)  # killed mid-exchange
        time.sleep(3 * INTERVAL)  # the district retries with backoff meanwhile
    finally:
        levels.nation.start()
        levels.city.start()
    _until("all 20 at the nation", lambda: levels.nation.penalties_held(ids) == len(ids))
    for node in (levels.city, levels.province, levels.nation):
        rows = node.act("records", item="penalty", ids=ids)["records"]
        assert sorted(rows) == sorted(ids), node.code
        assert all(r == [{"changes": ["created"], "status": "active"}] for r in rows.values()), node.code


def _push(node: Node, data: bytes, *, by: Node) -> dict[str, Any]:
    """``data`` pushed to ``node`` in a request signed by the peer ``by`` (the push's own signature)."""
    headers = {"Content-Type": "application/octet-stream", **by.act("push_headers", length=len(data))["headers"]}
    response = requests.post(f"{node.url}/api/v1/exchange/packages", data=data, timeout=60, headers=headers)
    return dict(response.json())


def test_a_tampered_or_unsigned_package_is_refused_with_a_clear_receipt(levels: Levels) -> None:
    data = base64.b64decode(levels.province.act("package", receiver=levels.nation.code)["package"])

    tampered = zip_rewrite(data, lambda name, content: content.replace("篡改测试".encode(), "改过了的".encode())
                           if name == "body.jsonl" else content)
    unsigned = zip_rewrite(data, lambda name, content: None if name == "signature.json" else content)
    for package, code in ((tampered, "exchange.package_tampered"), (unsigned, "exchange.package_unsigned")):
        receipt = _push(levels.nation, package, by=levels.province)
        document = receipt.get("document", receipt)
        assert (document["status"], document["code"]) == ("refused", code)
        assert document["message"]  # in words, zh-hans first
    assert not levels.nation.act("records", item="penalty", ids=["TAMPER-1"])["records"]
