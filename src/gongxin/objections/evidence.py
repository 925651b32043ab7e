"""Evidence files of an objection: limits, type sniffing and storage.

What is accepted is the platform's one rule for evidence (``core.files``: PDF, JPEG and PNG by their first
bytes, at most ``MAX_FILES`` files of ``MAX_BYTES`` each). Files are stored under a random name; the original
name is kept for display only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from gongxin.core.files import EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, document_kind, upload_sha256
from gongxin.objections.errors import EvidenceInvalid

MAX_FILES = EVIDENCE_MAX_FILES
MAX_BYTES = EVIDENCE_MAX_BYTES


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
        kind = document_kind(upload)
        if kind is None:
            problems.append({"file": name, "reason": _("Only PDF, JPEG and PNG files are accepted.")})
            continue
        checked.append(CheckedFile(upload=upload, name=name, content_type=kind[0], extension=kind[1], size=size,
                                   sha256=upload_sha256(upload)))
    if problems:
        raise EvidenceInvalid(details=problems)
    return checked
