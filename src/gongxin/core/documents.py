"""Signed documents — credit reports (reports) and check certificates (rewards): the envelope, the PDF
signature line, their verification page's URL and QR code, and checking a document: a downloaded JSON or PDF
file offline, or a stored one online. Both apps use this module; neither imports the other for it.

**The JSON file** is the signed envelope, serialized canonically (core.signing.canonical_json)::

    {"algorithm": "Ed25519", "content_hash": "<sha-256 hex>", "key_id": "<16 hex>",
     "report": {...the frozen snapshot...}, "signature": "<base64>", "verify_url": "https://.../verify/<number>/"}

It is valid when it is exactly that canonical form (so any changed byte fails), ``content_hash`` is
SHA-256 of the canonical JSON of ``report``, ``signature`` is the Ed25519 signature of those same bytes
by the key ``key_id``, and ``key_id`` and ``verify_url`` repeat what the signed ``report`` says in its
``verification`` block.

**The PDF file** carries that envelope as an embedded file attachment (``<number>.json``; any PDF reader
lists it, ``pdfdetach -saveall`` extracts it) and ends with one more line after ``%%EOF``::

    %GongxinSignature <key id> <base64 Ed25519 signature of every byte before this line>

so the whole file is signed: one changed byte anywhere in it fails. PDF readers ignore the line (a PDF
comment after the end marker).

**With standard tools** (OpenSSL 3; the key from ``/.well-known/gongxin-signing-key.pem``)::

    # JSON: the signed bytes are the canonical JSON of "report"
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1], encoding="utf-8")); sys.stdout.buffer.write(
        json.dumps(e["report"], sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())' \\
        report.json > report.bin
    sha256sum report.bin                                   # = content_hash
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signature"])' report.json | base64 -d > report.sig
    openssl pkeyutl -verify -pubin -inkey gongxin-signing-key.pem -rawin -in report.bin -sigfile report.sig

    # PDF: the last line holds the signature of everything before it
    tail -n 1 report.pdf | cut -d' ' -f3 | base64 -d > pdf.sig
    head -c -"$(tail -n 1 report.pdf | wc -c)" report.pdf > pdf.body
    openssl pkeyutl -verify -pubin -inkey gongxin-signing-key.pem -rawin -in pdf.body -sigfile pdf.sig

``gongxin report verify FILE [--public-key PEM]`` does all of it (exit 0 valid, 1 invalid). Whether a
report is still valid, superseded or revoked is online state: its verification page says so.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongxin.core import signing
from gongxin.core.errors import PublicAddressUnset

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

ENVELOPE_KEYS = frozenset({"algorithm", "content_hash", "key_id", "report", "signature", "verify_url"})
PDF_SIGNATURE_MARK = b"%GongxinSignature "
_PDF_SIGNATURE_LINE = re.compile(rb"%GongxinSignature ([0-9a-f]{16}) ([A-Za-z0-9+/]+={0,2})\n")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")


@dataclass(frozen=True)
class VerificationResult:
    valid: bool
    code: str
    message: Any
    number: str = ""
    key_id: str = ""
    content_hash: str = ""
    envelope: dict[str, Any] | None = field(default=None, repr=False)


def _invalid(code: str, message: Any, **extra: Any) -> VerificationResult:
    return VerificationResult(valid=False, code=code, message=message, **extra)


# --- where a document is verified ------------------------------------------------------------------

def verify_base_url() -> str:
    """The public address signed into every document (``GONGXIN_SIGNING_VERIFY_BASE_URL``, else
    ``GONGXIN_PUBLIC_URL``; the demo sets it to the address it serves). Unset — production without a public
    address — nothing is issued: ``PublicAddressUnset`` (503), rather than a QR code that leads nowhere."""
    base = str(getattr(settings, "GONGXIN_SIGNING_VERIFY_BASE_URL", "") or "").rstrip("/")
    if not base:
        logger.error("A signed document was asked for while GONGXIN_PUBLIC_URL is unset: none is issued")
        raise PublicAddressUnset()
    return base


def verify_url_for(number: str) -> str:
    """The verification page of the document ``number``: one page, /verify/<number>, for every signed document
    (the reports app serves it and hands a check certificate's number to rewards)."""
    return f"{verify_base_url()}{reverse('reports:verify', args=[number])}"


def verify_url_shown(number: str, *, signed: str) -> str:
    """The verification address a page shows for a document already issued: the configured one, or — with no
    public address configured — the one it was signed with, so that its page opens all the same."""
    try:
        return verify_url_for(number)
    except PublicAddressUnset:
        return signed


def public_key_url() -> str:
    return f"{verify_base_url()}{reverse('wellknown:signing_key_pem')}"


@lru_cache(maxsize=256)
def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (medium error correction, 3 px modules, quiet zone 2)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2, title=str(url))


# --- the envelope ----------------------------------------------------------------------------------

def envelope_build(*, content: dict[str, Any], content_hash: str, signature: str, key_id: str) -> dict[str, Any]:
    return {
        "algorithm": signing.ALGORITHM,
        "content_hash": content_hash,
        "key_id": key_id,
        "report": content,
        "signature": signature,
        "verify_url": content.get("verification", {}).get("url", ""),
    }


def envelope_verify(envelope: Any, *, public_key_raw: bytes | None = None) -> VerificationResult:
    """Check a parsed envelope: hash, signature (with ``public_key_raw`` or the platform's keys), and
    that its unsigned fields repeat the signed ones."""
    if not isinstance(envelope, dict) or set(envelope) != ENVELOPE_KEYS or not isinstance(envelope["report"], dict):
        return _invalid("malformed", _("This is not a Gongxin credit report envelope."))
    report = envelope["report"]
    signed_verification = report.get("verification")
    verification: dict[str, Any] = signed_verification if isinstance(signed_verification, dict) else {}
    details: dict[str, Any] = {
        "number": str(report.get("number", "")), "key_id": str(envelope["key_id"]),
        "content_hash": str(envelope["content_hash"]), "envelope": envelope,
    }
    if envelope["algorithm"] != signing.ALGORITHM:
        return _invalid("malformed", _("Unknown signature algorithm."), **details)
    try:
        data = signing.canonical_json(report)
    except (TypeError, ValueError):
        return _invalid("malformed", _("The report content is not canonical JSON."), **details)
    if signing.content_hash(data) != envelope["content_hash"]:
        return _invalid("hash_mismatch", _("The content hash does not match the report content: it was changed."),
                        **details)
    if verification.get("key_id") != envelope["key_id"] or verification.get("url") != envelope["verify_url"]:
        return _invalid("envelope_mismatch", _("The envelope does not match the signed report."), **details)
    if not isinstance(envelope["signature"], str) or not isinstance(envelope["key_id"], str):
        return _invalid("malformed", _("This is not a Gongxin credit report envelope."), **details)
    if public_key_raw is None and envelope["key_id"] not in signing.public_keys():
        return _invalid("unknown_key", _("The report was signed with a key this platform does not know."), **details)
    if not signing.verify(data, envelope["signature"], public_key_raw=public_key_raw, key_id=envelope["key_id"]):
        return _invalid("signature_invalid", _("The signature does not verify with the platform's public key."),
                        **details)
    return VerificationResult(valid=True, code="valid", message=_("The signature is valid."), **details)


def _envelope_from_json(data: bytes, *, public_key_raw: bytes | None) -> VerificationResult:
    try:
        envelope = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _invalid("malformed", _("The file is not valid JSON."))
    result = envelope_verify(envelope, public_key_raw=public_key_raw)
    if result.code == "malformed":
        return result
    try:
        canonical = signing.canonical_json(envelope)
    except (TypeError, ValueError):
        canonical = b""
    if canonical != data:
        return _invalid("not_canonical", _("The file is not the report as issued: its bytes were changed."),
                        number=result.number, key_id=result.key_id, content_hash=result.content_hash)
    return result


# --- PDF -------------------------------------------------------------------------------------------

def pdf_sign(pdf: bytes) -> bytes:
    """Append the signature line of the whole file (see the module docstring)."""
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    signature = signing.sign(body)
    return body + PDF_SIGNATURE_MARK + f"{signature.key_id} {signature.value_b64}\n".encode("ascii")


def pdf_attachments(body: bytes) -> list[bytes]:
    """The contents of the embedded files of a PDF written by WeasyPrint (pydyf): each ``/EmbeddedFile``
    stream object, inflated when Flate-compressed. Enough for our own PDFs; not a general PDF parser."""
    found = []
    for match in re.finditer(rb"/Type\s*/EmbeddedFile\b", body):
        start = body.rfind(b" obj", 0, match.start())
        stream = re.compile(rb"stream\r?\n").search(body, match.end())
        if start < 0 or stream is None:
            continue
        dictionary = body[start:stream.start()]
        length = _LENGTH.search(dictionary)
        if length is None:
            continue
        raw = body[stream.end():stream.end() + int(length.group(1))]
        if b"/FlateDecode" in dictionary:
            try:
                raw = zlib.decompress(raw)
            except zlib.error:
                continue
        found.append(raw)
    return found


def _pdf_verify(data: bytes, *, public_key_raw: bytes | None) -> VerificationResult:
    position = data.rfind(b"\n" + PDF_SIGNATURE_MARK)
    if position < 0:
        return _invalid("pdf_unsigned", _("The PDF carries no platform signature."))
    body, line = data[:position + 1], data[position + 1:]
    match = _PDF_SIGNATURE_LINE.fullmatch(line)
    if match is None:
        return _invalid("pdf_signature_invalid", _("The PDF's signature line is damaged."))
    file_key_id, file_signature = match.group(1).decode("ascii"), match.group(2).decode("ascii")
    if public_key_raw is None and file_key_id not in signing.public_keys():
        return _invalid("unknown_key", _("The PDF was signed with a key this platform does not know."),
                        key_id=file_key_id)
    if not signing.verify(body, file_signature, public_key_raw=public_key_raw, key_id=file_key_id):
        return _invalid("pdf_signature_invalid",
                        _("The PDF's signature does not verify: the file was changed after it was issued."),
                        key_id=file_key_id)
    for attachment in pdf_attachments(body):
        result = _envelope_from_json(attachment, public_key_raw=public_key_raw)
        if result.code != "malformed":
            return result
    return _invalid("pdf_no_envelope", _("The PDF carries no signed report envelope."), key_id=file_key_id)


# --- entry points ----------------------------------------------------------------------------------

def document_verify(data: bytes, *, public_key_pem: str | bytes | None = None) -> VerificationResult:
    """Verify a downloaded report (JSON envelope or PDF), offline. Without ``public_key_pem`` the
    platform's own public keys (current and retired) are used. Raises ``signing.PublicKeyError`` for
    an unreadable key."""
    public_key_raw = signing.public_key_from_pem(public_key_pem) if public_key_pem is not None else None
    if data.startswith(b"%PDF-"):
        return _pdf_verify(data, public_key_raw=public_key_raw)
    return _envelope_from_json(data, public_key_raw=public_key_raw)


def stored_report_verify(*, content: dict[str, Any], content_hash: str, signature: str, key_id: str
                         ) -> VerificationResult:
    """Check a stored report's content against its own hash and signature (the verification page)."""
    envelope = envelope_build(content=content, content_hash=content_hash, signature=signature, key_id=key_id)
    return envelope_verify(envelope)
