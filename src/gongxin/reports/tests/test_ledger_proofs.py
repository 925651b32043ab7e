"""Reports prove their records in the tamper-evident log (reports.ledger, decision 063): each stated record's
leaf, index and inclusion proof against a signed checkpoint; ``report verify`` and the verification page check
them offline; a version changed in the database after it was logged fails them; older reports verify as before."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import translation

from gongxin.core import signing
from gongxin.ledger import merkle
from gongxin.ledger.kinds import REPORT_ISSUED
from gongxin.ledger.selectors import leaf_of
from gongxin.ledger.services import ledger_integrate
from gongxin.records.models import RecordVersion
from gongxin.records.services import record_revoke
from gongxin.reports.ledger import ledger_verify, report_leaf
from gongxin.reports.models import Report
from gongxin.reports.render import envelope_bytes
from gongxin.reports.selectors import report_verification
from gongxin.reports.services import report_issue
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _keys() -> list[bytes]:
    return list(signing.public_keys().values())


@pytest.fixture
def records(acme, source_unit):
    return [factories.penalty_create(subject=acme, source_unit=source_unit, decision_number=f"甬罚〔2026〕{i}号")
            for i in range(3)]


def _issue(acme, viewer, purpose="public") -> Report:
    return report_issue(subject=acme, kind="organization", viewer=viewer, purpose=purpose)


def _verify_file(tmp_path: Path, report: Report) -> str:
    path = tmp_path / f"{report.number}.json"
    path.write_bytes(envelope_bytes(report))
    out = StringIO()
    call_command("report", "verify", str(path), stdout=out)
    return out.getvalue()



def _refused_by_command_and_page(report: Report, client: Client, tmp_path: Path) -> None:
    """`gongxin report verify` exits 1 saying why, and the verification page marks the ledger proof invalid."""
    path = tmp_path / "report.json"
    path.write_bytes(envelope_bytes(report))
    with pytest.raises(CommandError) as caught:
        call_command("report", "verify", str(path), stdout=StringIO())
    assert caught.value.returncode == 1 and str(caught.value).startswith("INVALID (record_not_in_log)")
    with translation.override("zh-hans"):
        page = client.get(f"/verify/{report.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-ledger-valid="invalid"' in page

def test_a_report_carries_a_proof_for_every_record_it_states(tmp_path, acme, records, public):
    report = _issue(acme, public)
    block = report.content["ledger"]
    stated = {(r["record_id"], r["version"]) for s in report.content["details"] for r in s["records"]}
    assert len(stated) == 3 and block["pending"] == []
    assert {(p["record_id"], p["version"]) for p in block["records"]} == stated
    for proof in block["records"]:
        assert leaf_of("record.version", proof["record_id"], proof["version"]).index == proof["leaf_index"]
    check = ledger_verify(report.content, public_keys=_keys())
    assert (check.valid, check.code, check.proved, check.stated) == (True, "proved", 3, 3)
    output = _verify_file(tmp_path, report)
    assert output.startswith("VALID") and "3 of 3 records proved in the log" in output
    # The issue itself is a leaf, in the same transaction as the report.
    leaf = leaf_of(REPORT_ISSUED, report.pk)
    assert leaf is not None and leaf.leaf_hash == merkle.leaf_hash(report_leaf(report))


def test_a_version_changed_after_it_was_logged_fails_report_verification(tmp_path, acme, records, public, client):
    ledger_integrate()
    target = RecordVersion.objects.get(record=records[1])
    with connection.cursor() as cursor:  # a direct UPDATE with the immutability triggers out of the way
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS recordversion_no_update")
        cursor.execute("UPDATE records_recordversion SET decision_date = %s WHERE id = %s",
                       ["2020-01-02", target.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    report = _issue(acme, public)
    check = ledger_verify(report.content, public_keys=_keys())
    assert (check.valid, check.code, check.proved) == (False, "record_not_in_log", 2)
    assert check.failures == [f"{records[1].pk} v1"]
    _refused_by_command_and_page(report, client, tmp_path)


def _tamper(sql: str, params: list) -> None:
    """A direct SQL UPDATE with the immutability triggers out of the way."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS recordversion_no_update")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_a_record_moved_to_another_subject_fails_the_audit_and_the_verification_of_its_report(
        tmp_path, acme, records, public, client):
    """A penalty moved by SQL from one firm to another (records_record.subject_id): the audit finds it, and the
    report of the firm that now shows it does not verify (its leaf commits to the firm it was logged for)."""
    from gongxin.ledger.audit import audit_run
    from gongxin.ledger.models import AuditStatus

    ledger_integrate()
    other = factories.organization_create(name="宁波市鄞州区被嫁祸科技有限公司")
    factories.penalty_create(subject=other, source_unit=records[0].source_unit, decision_number="甬罚〔2026〕9号")
    assert ledger_verify(_issue(other, public).content, public_keys=_keys()).valid
    _tamper("UPDATE records_record SET subject_id = %s WHERE id = %s", [other.pk, records[1].pk])
    run = audit_run()
    assert run.status == AuditStatus.FAILED
    assert [(f["what"], f["ref"]) for f in run.findings] == [("changed", records[1].pk)]
    report = _issue(other, public)
    stated = {r["record_id"] for s in report.content["details"] for r in s["records"]}
    assert records[1].pk in stated and len(stated) == 2 and report.content["ledger"]["subject"] == other.pk
    check = ledger_verify(report.content, public_keys=_keys())
    assert (check.valid, check.code, check.proved) == (False, "record_not_in_log", 1)
    assert check.failures == [f"{records[1].pk} v1"]
    _refused_by_command_and_page(report, client, tmp_path)
    # The firm it was taken from: its report states the other two, proved.
    assert ledger_verify(_issue(acme, public).content, public_keys=_keys()).valid


def test_a_report_of_versions_logged_as_v1_leaves_verifies(tmp_path, acme, records, public):
    """Versions logged before leaf v2 keep their v1 leaves: a report carries those (whose proofs verify) and
    verifies; one record logged as v1, the others as v2, in the same report."""
    from gongxin.ledger.models import QueuedEntry
    from gongxin.records.ledger import version_leaves

    old = QueuedEntry.objects.filter(kind="record.version", ref=records[0].pk)
    leaf = version_leaves([(records[0].pk, 1)], alternatives=True)[(records[0].pk, 1)]
    old.update(leaf_hash=merkle.leaf_hash(leaf.alternatives[0]))
    report = _issue(acme, public)
    forms = {p["record_id"]: p["leaf"]["v"] for p in report.content["ledger"]["records"]}
    assert forms == {records[0].pk: 1, records[1].pk: 2, records[2].pk: 2}
    check = ledger_verify(report.content, public_keys=_keys())
    assert (check.valid, check.proved) == (True, 3)
    assert _verify_file(tmp_path, report).startswith("VALID")


def test_a_stated_field_or_mark_that_differs_from_the_log_fails(acme, records, public):
    report = _issue(acme, public)
    for change in ("decision_date", "repaired", "open", "proof", "checkpoint", "subject", "no_subject"):
        content = copy.deepcopy(report.content)
        entry = content["details"][1]["records"][0]
        proof = next(p for p in content["ledger"]["records"] if p["record_id"] == entry["record_id"])
        if change == "decision_date":
            entry["decision_date"] = "2020-01-01"
        elif change == "repaired":
            entry["repaired"] = True
        elif change == "open":
            key = next(iter(proof["open_fields"]))
            proof["open_fields"][key] = "别的内容"
        elif change == "proof":
            proof["proof"][0] = proof["proof"][0][::-1] if len(proof["proof"][0]) > 1 else "AAAA"
        elif change == "subject":  # the report states another subject than the one its records were logged for
            content["ledger"]["subject"] += 1
        elif change == "no_subject":
            del content["ledger"]["subject"]
        else:
            content["ledger"]["checkpoint"] = content["ledger"]["checkpoint"].replace("\n3\n", "\n2\n")
        assert not ledger_verify(content, public_keys=_keys()).valid, change


def test_a_checkpoint_needs_the_platforms_key(acme, records, public):
    report = _issue(acme, public)
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    check = ledger_verify(report.content, public_keys=[other])
    assert (check.valid, check.code) == (False, "checkpoint_invalid")


def test_a_report_without_proofs_verifies_as_before(tmp_path, acme, records, public):
    report = _issue(acme, public)
    content = {k: v for k, v in report.content.items() if k != "ledger"}
    check = ledger_verify(content, public_keys=_keys())
    assert (check.present, check.valid, check.code) == (False, True, "absent")
    data = signing.canonical_json(content)
    signature = signing.sign(data)
    Report.objects.filter(pk=report.pk).update(content=content, content_hash=signing.content_hash(data),
                                               signature=signature.value_b64)
    report.refresh_from_db()
    output = _verify_file(tmp_path, report)
    assert output.startswith("VALID") and "未附带防篡改日志证明" in output
    assert report_verification(report).signature.valid


def test_a_revoked_record_and_a_person_report_are_proved_too(acme, records, agent, source_unit):
    record_revoke(record=records[0], actor=_office(), reason="撤销")
    report = _issue(acme, agent, purpose="self")
    check = ledger_verify(report.content, public_keys=_keys())
    assert check.valid and check.proved == check.stated >= 2


def _office():
    from gongxin.accounts.choices import Role
    from gongxin.accounts.viewer import Viewer

    return Viewer(label="tests", role=Role.ADMIN)


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", "均按所列内容记载于平台防篡改日志"),
    ("en", "tamper-evident log exactly as"),
])
def test_the_verification_page_says_so_in_words(acme, records, public, language, words):
    report = _issue(acme, public)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    with translation.override(language):
        page = client.get(f"/verify/{report.number}/").content.decode()
    assert 'data-ledger-valid="valid"' in page and words in page
    assert json.loads(json.dumps(report.content["ledger"]))["schema"] == "gongxin.ledger-proofs/1"
