"""Helpers of the reports tests: looking inside PDFs without a PDF library."""

from __future__ import annotations

import re
import zlib


def pdf_streams(pdf: bytes) -> list[bytes]:
    """Every stream of a PDF, inflated when it is Flate-compressed (enough for WeasyPrint's output)."""
    streams = []
    for match in re.finditer(rb"<<((?:(?!>>\s*stream).)*?)>>\s*stream\r?\n", pdf, flags=re.S):
        length = re.search(rb"/Length\s+(\d+)", match.group(1))
        if length is None:
            continue
        raw = pdf[match.end():match.end() + int(length.group(1))]
        if b"/FlateDecode" in match.group(1):
            try:
                raw = zlib.decompress(raw)
            except zlib.error:
                continue
        streams.append(raw)
    return streams


def pdf_unicode_text_codes(pdf: bytes) -> set[str]:
    """The Unicode code points (hex, upper case) the PDF's ToUnicode maps name: the characters its text uses."""
    codes: set[str] = set()
    for stream in pdf_streams(pdf):
        if b"beginbfchar" in stream or b"beginbfrange" in stream:
            codes.update(c.decode().upper() for c in re.findall(rb"<([0-9A-Fa-f]{4})>", stream))
    return codes
