"""Uploaded evidence files (objections, repairs): the one rule for what is accepted.

Only PDF, JPEG and PNG, recognised by their first bytes (the name and the browser's content type are not
trusted), at most ``EVIDENCE_MAX_FILES`` files of ``EVIDENCE_MAX_BYTES`` each. Each app keeps its own models,
storage and error codes; they share these limits and this sniffing.
"""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import UploadedFile

EVIDENCE_MAX_FILES = 10
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Magic bytes → (content type, extension).
DOCUMENT_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def document_kind(upload: UploadedFile) -> tuple[str, str] | None:
    """(content type, extension) of an accepted document by its first bytes; None for anything else."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, extension in DOCUMENT_SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def upload_sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
