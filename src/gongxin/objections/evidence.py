"""Evidence files of an objection: limits, type sniffing and storage.

Only PDF, JPEG and PNG are taken, recognised by their first bytes (the name and the browser's content
type are not trusted), at most ``MAX_FILES`` files of ``MAX_BYTES`` each. Files are stored under a random
name; the original name is kept for display only.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from gongxin.objections.errors import EvidenceInvalid

MAX_FILES = 10
MAX_BYTES = 10 * 1024 * 1024
# Magic bytes → (content type, extension).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    extension: str
    size: int
    sha256: str

    @property
    def storage_name(self) -> str:
        return f"{uuid.uuid4().hex}.{self.extension}"


def _sniff(upload: UploadedFile) -> tuple[str, str] | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def _digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def evidence_check(files: Sequence[UploadedFile], *, already: int = 0) -> list[CheckedFile]:
    """Check every file; all problems are reported together (``objection.evidence_invalid``)."""
    problems: list[dict[str, str]] = []
    if already + len(files) > MAX_FILES:
        problems.append({"file": "", "reason": _("At most %(count)s files per objection.") % {"count": MAX_FILES}})
    checked = []
    for upload in files:
        name = (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
        size = upload.size or 0
        if size == 0:
            problems.append({"file": name, "reason": _("The file is empty.")})
            continue
        if size > MAX_BYTES:
            problems.append({"file": name, "reason": _("The file is larger than %(mb)s MB.")
                             % {"mb": MAX_BYTES // (1024 * 1024)}})
            continue
        kind = _sniff(upload)
        if kind is None:
            problems.append({"file": name, "reason": _("Only PDF, JPEG and PNG files are accepted.")})
            continue
        checked.append(CheckedFile(upload=upload, name=name, content_type=kind[0], extension=kind[1], size=size,
                                   sha256=_digest(upload)))
    if problems:
        raise EvidenceInvalid(details=problems)
    return checked
