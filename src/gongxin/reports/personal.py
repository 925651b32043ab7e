"""A person's RIN in a stored report: sealed at rest, put back for the signature and for entitled viewers.

A report is signed as issued (docs/decisions/014): a person's own report shows its RIN in clear, so the
signed bytes contain it. The stored copy does not (docs/decisions/037): wherever a string of the frozen
content contains the RIN, ``Report.content`` holds it with the RIN replaced by the masked form third
parties see, and ``Report.personal_sealed`` holds the original strings with their places in the content,
sealed with AES-256-GCM (core.crypto; the report number is bound as associated data, so a sealed value
cannot be moved to another report). ``report_signed_content`` puts them back: the signed content, for
checking the signature and for the files and pages that only the subject and entitled viewers get
(reports.selectors). Reports about organizations and reports that never held a RIN in clear have no
sealed part; their stored content is the signed content.

The PDF of a report with a sealed part is kept on disk sealed the same way (reports.render).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path as FilePath
from typing import Any

from cryptography.exceptions import InvalidTag
from django.conf import settings

from gongxin.core.crypto import seal, seal_bytes, unseal, unseal_bytes

CONTEXT_PREFIX = b"report.personal:"
PDF_CONTEXT_PREFIX = b"report.pdf:"

Path = list[str | int]


def _context(number: str) -> bytes:
    return CONTEXT_PREFIX + number.encode("utf-8")


def pdf_context(number: str) -> bytes:
    """Associated data of a report's sealed PDF on disk."""
    return PDF_CONTEXT_PREFIX + number.encode("utf-8")


def pdf_cache_path(number: str, *, sealed: bool) -> FilePath:
    """Where a report's built PDF is kept: ``<data dir>/reports/pdf/<number>.pdf``, or ``….pdf.sealed``
    for a report with a sealed part."""
    return FilePath(settings.DATA_DIR) / "reports" / "pdf" / f"{number}.pdf{'.sealed' if sealed else ''}"


def pdf_cache_read(number: str, *, sealed: bool) -> bytes:
    """The kept PDF (unsealed); ``OSError`` when there is none."""
    data = pdf_cache_path(number, sealed=sealed).read_bytes()
    if not sealed:
        return data
    try:
        return unseal_bytes(data, context=pdf_context(number))
    except (ValueError, InvalidTag) as exc:  # another data key, or a damaged file: build it again
        raise OSError(f"cannot unseal the kept PDF of {number}") from exc


def pdf_cache_write(number: str, pdf: bytes, *, sealed: bool) -> None:
    """Keep a built PDF (sealed for a report with a sealed part), atomically: a concurrent download reads
    the whole file or builds its own. Raises ``OSError`` (a full or read-only disk)."""
    path = pdf_cache_path(number, sealed=sealed)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    partial.write_bytes(seal_bytes(pdf, context=pdf_context(number)) if sealed else pdf)
    partial.replace(path)


def _strings_holding(content: dict[str, Any], needles: Sequence[str]) -> list[tuple[Path, str]]:
    """The strings of ``content`` that contain one of ``needles``, with their paths."""
    found: list[tuple[Path, str]] = []
    stack: list[tuple[Path, Any]] = [([], content)]
    while stack:
        path, value = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, str):
                if any(needle in item for needle in needles):
                    found.append(([*path, key], item))
            elif isinstance(item, dict | list):
                stack.append(([*path, key], item))
    return found


def _with(content: dict[str, Any], changes: Sequence[tuple[Path, str]]) -> dict[str, Any]:
    """``content`` with each path set to its string, copying only the containers on those paths (the
    rest is shared with ``content``, which is left as it is)."""
    result = dict(content)
    copied = {id(result)}
    for path, value in changes:
        node: Any = result
        for step in path[:-1]:
            child = node[step]
            if id(child) not in copied:
                child = dict(child) if isinstance(child, dict) else list(child)
                copied.add(id(child))
                node[step] = child
            node = child
        node[path[-1]] = value
    return result


def personal_seal(*, content: dict[str, Any], number: str, replacements: Sequence[tuple[str, str]]
                  ) -> tuple[dict[str, Any], str]:
    """The content to store and its sealed part: every string holding one of the clear values of
    ``replacements`` (``(clear, masked)`` pairs) gets the masked form instead, the original strings are
    sealed. Content holding none of them is returned as it is, with an empty sealed part."""
    replacements = [(clear, masked) for clear, masked in replacements if clear]
    if not replacements:  # an organization's report: nothing to look for in its (maybe big) content
        return content, ""
    found = _strings_holding(content, [clear for clear, _ in replacements])
    if not found:
        return content, ""
    masked_texts = []
    for path, text in found:
        for clear, masked in replacements:
            text = text.replace(clear, masked)
        masked_texts.append((path, text))
    stored = _with(content, masked_texts)
    plaintext = json.dumps([[path, original] for path, original in found], ensure_ascii=False)
    return stored, seal(plaintext, context=_context(number))


def personal_restore(*, content: dict[str, Any], sealed: str, number: str) -> dict[str, Any]:
    """The signed content: ``content`` with the sealed original strings back in their places."""
    if not sealed:
        return content
    return _with(content, [(path, original) for path, original in json.loads(unseal(sealed, context=_context(number)))])


def report_signed_content(report: Any) -> dict[str, Any]:
    """A stored report's content as issued and signed (``Report``: content, personal_sealed, number)."""
    return personal_restore(content=report.content, sealed=report.personal_sealed, number=report.number)
