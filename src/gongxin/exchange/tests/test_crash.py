"""Killed mid-apply: a node receiving a package is killed with SIGKILL while ingest loads it; the next pass
(``packages_resume``) finishes it — every record once, one version each, the package applied once with its receipt.

The receiving node runs in subprocesses against its own database (a fresh SQLite file, or a fresh PostgreSQL
database when the suite runs on PostgreSQL): the test database of pytest is not visible to another process.
"""

# ruff: noqa: S603 - the subprocesses run this platform's own Python with scripts the test builds
from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gongxin.exchange.keys import KeyPair, NodeIdentity, unb64
from gongxin.exchange.nodes import PublicKeys, public_keys_json, public_keys_parse
from gongxin.exchange.packages import PackageRecipient, package_write
from gongxin.testing.payloads import penalty_payload, uscc_with_check
from gongxin.testing.processes import Platforms, database_value, python_run

RECORDS = 12_000  # ingest's chunks are 5,000 rows: killed after the first, two are left


@pytest.fixture
def node_env(tmp_path: Path, migrated_platforms: Platforms) -> Iterator[dict[str, str]]:
    """The receiving node's environment: its data directory and its migrated database (a PostgreSQL database of
    its own when the suite runs on PostgreSQL, dropped after the test)."""
    with migrated_platforms.on_suite_backend(tmp_path / "data", "gx_xcrash") as env:
        yield env


def _rows_done(env: dict[str, str]) -> int:
    return int(database_value(env, "SELECT coalesce(max(rows_done), 0) FROM ingest_batch") or 0)


_STATE = (
    "import json\n"
    "from gongxin.exchange.models import Package, Receipt\n"
    "from gongxin.ingest.models import Batch\n"
    "from gongxin.records.models import Record, RecordVersion\n"
    "p = Package.objects.get()\n"
    "r = Receipt.objects.filter(package_guid=p.guid).first()\n"
    "print(json.dumps({'status': p.status, 'batches': Batch.objects.count(), 'records': Record.objects.count(),"
    " 'versions': RecordVersion.objects.count(), 'receipt': r.document['counts'] if r else None,"
    " 'receipt_status': r.status if r else None}))\n"
)


def test_a_node_killed_while_applying_finishes_the_package_once(node_env: dict[str, str], tmp_path: Path) -> None:
    district = NodeIdentity("330203", "district", "海曙区", (KeyPair.generate(),))
    keys_file = tmp_path / "district-keys.json"
    keys_file.write_text(public_keys_json([PublicKeys.of_pair(district.current)]))
    city_keys = public_keys_parse(python_run(node_env, (
        "from gongxin.accounts.viewer import SYSTEM\n"
        "from gongxin.exchange.nodes import node_configure, node_public_keys, peer_register, public_keys_json,"
        " public_keys_parse\n"
        "node_configure(code='330200', name='宁波市', actor=SYSTEM)\n"
        f"peer_register(code='330203', name='海曙区', direction='downstream', actor=SYSTEM,"
        f" keys=public_keys_parse(open({str(keys_file)!r}).read()))\n"
        "print(public_keys_json(node_public_keys()))\n"
    )))
    city = PackageRecipient(code="330200", sealing_key_id=city_keys[-1].key_id,
                            sealing_public=unb64(city_keys[-1].sealing_public))
    records = ({"op": "new", "source_record_id": f"HS-{n}", "issuer": {"code": "11330203MB1234567X"},
                "fields": penalty_payload(decision_number=f"海市监罚〔2026〕{n}号",
                                          uscc=uscc_with_check(f"91330200MA{n % 3000:07d}"),
                                          subject_name=f"宁波市第{n % 3000}号公司")} for n in range(RECORDS))
    package = tmp_path / "package.gxp"
    package_write(package, receiver=city, sender=district, item_code="penalty", mode="incremental", sequence=1,
                  records=records)

    receive = subprocess.Popen([sys.executable, "-c", (
        "import django; django.setup()\n"
        "from gongxin.exchange.services import package_receive\n"
        f"package_receive(data={str(package)!r}, via='file')\n")], env=node_env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    killed = False
    while time.monotonic() < deadline and receive.poll() is None:
        time.sleep(0.2)
        with contextlib.suppress(Exception):  # the batch table is written in the receiver's transactions
            if _rows_done(node_env) > 0:
                receive.send_signal(signal.SIGKILL)
                receive.wait()
                killed = True
                break
    assert killed, "the package was applied before it could be killed; raise RECORDS"
    after_kill = json.loads(python_run(node_env, _STATE))
    assert after_kill["status"] == "applying" and after_kill["receipt"] is None
    assert 0 < after_kill["records"] < RECORDS and after_kill["versions"] == after_kill["records"]

    resumed = python_run(node_env, "from gongxin.exchange.services import packages_resume\nprint(packages_resume())\n")
    assert resumed.splitlines()[-1] == "1"
    final = json.loads(python_run(node_env, _STATE))
    assert final["status"] == "applied" and final["receipt_status"] == "applied"
    assert final["batches"] == 1  # the same batch, resumed after its committed chunk
    assert final["records"] == final["versions"] == RECORDS  # every record once, nothing loaded twice
    assert final["receipt"] == {"records": RECORDS, "applied": RECORDS, "duplicates": 0, "rejected": 0}

    # The sender sends the package again (it had no receipt): the same receipt, nothing applied again.
    again = json.loads(python_run(node_env, (
        "import json\nfrom gongxin.exchange.services import package_receive\n"
        f"r = package_receive(data={str(package)!r}, via='file')\n"
        "from gongxin.records.models import RecordVersion\n"
        "print(json.dumps({'status': r.status, 'versions': RecordVersion.objects.count()}))\n")).splitlines()[-1])
    assert again == {"status": "applied", "versions": RECORDS}
