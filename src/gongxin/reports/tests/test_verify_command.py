"""``gongxin report verify FILE``: a downloaded JSON or PDF verifies offline; one changed byte anywhere
fails with exit code 1; the public key may come from a PEM file; standard tools (OpenSSL) agree."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command
from django.core.management.base import CommandError

from gongxin.core import signing
from gongxin.core.documents import PDF_SIGNATURE_MARK
from gongxin.reports.render import envelope_bytes, report_pdf
from gongxin.reports.services import report_issue
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(acme, source_unit, public):
    factories.penalty_create(subject=acme, source_unit=source_unit)
    return report_issue(subject=acme, kind="organization", viewer=public, purpose="public")


@pytest.fixture
def pdf(report) -> bytes:
    return report_pdf(report)


def _verify(path: Path, *extra: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("report", "verify", str(path), *extra, stdout=out)
    return out.getvalue()


def _fails(path: Path, *extra: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        _verify(path, *extra)
    assert caught.value.returncode == 1
    assert str(caught.value).startswith("INVALID") or "Not an Ed25519" in str(caught.value)
    return caught.value


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] = changed[position] ^ 0x01 if changed[position] not in (0x0A,) else 0x20
    return bytes(changed)


def test_a_downloaded_json_report_verifies(tmp_path, report):
    path = tmp_path / "report.json"
    path.write_bytes(envelope_bytes(report))
    out = _verify(path)
    assert out.startswith("VALID") and report.number in out and report.content_hash in out


@pytest.mark.parametrize("where", ["content", "hash", "signature", "key_id", "verify_url", "first", "last"])
def test_one_changed_byte_in_a_json_report_fails(tmp_path, report, where):
    data = envelope_bytes(report)
    text = data.decode()
    positions = {
        "content": data.index("宁波市公共信用信息平台".encode()) + 1,
        "hash": text.index(report.content_hash) + 5,
        "signature": text.index(report.signature) + 10,
        "key_id": text.index(f'"key_id":"{report.key_id}"') + 12,
        "verify_url": text.index('"verify_url":"') + 20,
        "first": 0,
        "last": len(data) - 1,
    }
    path = tmp_path / "report.json"
    path.write_bytes(_flip(data, positions[where]))
    _fails(path)


def test_a_reformatted_json_report_fails(tmp_path, report):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(json.loads(envelope_bytes(report)), ensure_ascii=False, indent=2, sort_keys=True))
    error = _fails(path)
    assert "not_canonical" in str(error)


def test_a_downloaded_pdf_report_verifies(tmp_path, report, pdf):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = _verify(path)
    assert out.startswith("VALID") and report.number in out


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.25, 0.5, 0.75, 0.97])
def test_one_changed_byte_in_a_pdf_report_fails(tmp_path, pdf, fraction):
    body_end = pdf.rindex(b"\n" + PDF_SIGNATURE_MARK)
    path = tmp_path / "report.pdf"
    path.write_bytes(_flip(pdf, int(body_end * fraction)))
    _fails(path)


@pytest.mark.parametrize("offset", [3, 30, -5, -1])
def test_one_changed_byte_in_the_pdf_signature_line_fails(tmp_path, pdf, offset):
    line_start = pdf.rindex(b"\n" + PDF_SIGNATURE_MARK) + 1
    position = line_start + offset if offset >= 0 else len(pdf) + offset
    path = tmp_path / "report.pdf"
    path.write_bytes(_flip(pdf, position))
    _fails(path)


def test_a_pdf_without_the_signature_line_fails(tmp_path, pdf):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf[:pdf.rindex(b"\n" + PDF_SIGNATURE_MARK) + 1])
    assert "pdf_unsigned" in str(_fails(path))


def test_the_public_key_may_come_from_a_pem_file(tmp_path, report):
    path = tmp_path / "report.json"
    path.write_bytes(envelope_bytes(report))
    platform_pem = tmp_path / "platform.pem"
    platform_pem.write_text(signing.public_key_pem())
    assert _verify(path, "--public-key", str(platform_pem)).startswith("VALID")

    stranger = Ed25519PrivateKey.generate().public_key()
    stranger_pem = tmp_path / "stranger.pem"
    stranger_pem.write_bytes(stranger.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    _fails(path, "--public-key", str(stranger_pem))

    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    _fails(path, "--public-key", str(garbage))


def test_unreadable_or_foreign_files_fail(tmp_path):
    with pytest.raises(CommandError):
        _verify(tmp_path / "missing.json")
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    assert "malformed" in str(_fails(other))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="OpenSSL is not installed")
def test_standard_tools_verify_the_json_and_the_pdf(tmp_path, report, pdf):
    """The recipe of core.documents' docstring, with OpenSSL 3."""
    key = tmp_path / "key.pem"
    key.write_text(signing.public_key_pem())
    envelope = json.loads(envelope_bytes(report))
    (tmp_path / "report.bin").write_bytes(
        json.dumps(envelope["report"], sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
    (tmp_path / "report.sig").write_bytes(base64.b64decode(envelope["signature"]))
    (tmp_path / "report.pdf").write_bytes(pdf)
    script = f"""
        set -e
        cd {tmp_path}
        test "$(sha256sum report.bin | cut -d' ' -f1)" = "{report.content_hash}"
        openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in report.bin -sigfile report.sig
        tail -n 1 report.pdf | cut -d' ' -f3 | base64 -d > pdf.sig
        head -c -"$(tail -n 1 report.pdf | wc -c)" report.pdf > pdf.body
        openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in pdf.body -sigfile pdf.sig
        printf x >> pdf.body
        ! openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in pdf.body -sigfile pdf.sig
    """
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)  # noqa: S603, S607
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Signature Verified Successfully") == 2


def test_operators_issue_and_revoke_reports_from_the_command_line(tmp_path, acme, source_unit):
    from io import StringIO

    from gongxin.reports.models import Report

    factories.penalty_create(subject=acme, source_unit=source_unit)
    output = tmp_path / "special.pdf"
    out = StringIO()
    call_command("report", "issue", "--uscc", acme.organization.uscc, "--kind", "special",
                 "--format", "pdf", "--output", str(output), stdout=out)
    report = Report.objects.get()
    assert report.kind == "special" and report.purpose == "staff" and report.requested_by_label == "cli:operator"
    assert out.getvalue().startswith(report.number)
    assert _verify(output).startswith("VALID")

    call_command("report", "revoke", report.number, "--reason", "测试撤销", stdout=StringIO())
    report.refresh_from_db()
    assert report.status == "revoked"
    with pytest.raises(CommandError):
        call_command("report", "issue", "--uscc", "91330200000000000X", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("report", "issue", "--uscc", acme.organization.uscc, "--kind", "person", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("report", "issue", "--uscc", acme.organization.uscc, "--kind", "special",
                     "--from", "2010-01-01", stdout=StringIO())
