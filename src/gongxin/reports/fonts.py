"""The PDF's main font: Noto Sans CJK SC cut down to GB2312, made once per installation.

WeasyPrint embeds a subset of every font a PDF uses, keeping the glyph ids of the original: with the
65,000-glyph Noto Sans CJK collection that subsetting is a tenth of a report's build time. A copy of
Noto Sans CJK SC holding only GB2312 (6,763 hanzi, the symbols, Latin and full-width forms, ~8,000
glyphs) is subset several times faster and gives 20% smaller PDFs. The PDF stylesheet names it first and
the full Noto Sans CJK SC after it, so a rarer character (Ningbo's own 碶, names with 堃 ...) is still
printed, from the full font (docs/decisions/019-pdf-build-time.md).

The copy is cut with libharfbuzz-subset (public C API, through ctypes; about 0.2 s) from the font file
fontconfig resolves, and kept in the data directory. Without HarfBuzz-subset or Noto Sans CJK SC
``report_font_file`` returns None and PDFs use the installed font as before.

Noto Sans CJK's outlines are a CID-keyed CFF: each glyph has a CID, and in the whole font CID = glyph id.
HarfBuzz renumbers the glyphs of the copy but keeps their CIDs (glyph 1,234 of the copy may be CID 20,110).
WeasyPrint writes glyph ids where a PDF's CIDFontType0 expects CIDs; pdfium and poppler draw by glyph id
anyway, MuPDF (and the many viewers built on it) looks the CID up in the font's charset, as the PDF standard
says, and found nothing: the Chinese text was blank there. So the copy's charset is made the identity
(``_cids_as_glyph_ids``, rewritten in place, a millisecond): every viewer then finds the same glyph
(docs/decisions/050-pdf-fonts-every-viewer-reads.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import shutil
import struct
import subprocess
import uuid
from functools import lru_cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FAMILY = "Noto Sans CJK SC GB2312"
SOURCE_FAMILY = "Noto Sans CJK SC"
# "-cid": the copy whose CIDs are its glyph ids (an older copy without it is left unused: PDFs from it were blank
# in MuPDF).
FONT_PATH = Path("reports") / "fonts" / "NotoSansCJKsc-GB2312-cid.otf"


def font_characters() -> list[int]:
    """GB2312 (every character of rows 1–87) plus ASCII, Latin-1, general punctuation, CJK symbols and
    full-width forms, sorted."""
    characters = {*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2000, 0x2070), *range(0x3000, 0x3040),
                  *range(0xFF00, 0xFFF0)}
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                characters.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(characters)


def _source_font() -> tuple[Path, int] | None:
    """The file and face index fontconfig gives for Noto Sans CJK SC, or None when it is not installed."""
    fc_match = shutil.which("fc-match")  # fontconfig's own tool: the font WeasyPrint (Pango) would get
    if fc_match is None:
        return None
    try:
        # A fixed program with fixed arguments, no shell, no outside input (hence the S603 noqa).
        found = subprocess.run([fc_match, "--format=%{family}\n%{file}\n%{index}", SOURCE_FAMILY],  # noqa: S603
                               capture_output=True, text=True, timeout=10, check=True).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    if len(found) != 3 or SOURCE_FAMILY not in found[0].split(","):
        return None
    return Path(found[1]), int(found[2] or 0)


def _harfbuzz_subset(source: Path, index: int, characters: list[int]) -> bytes:
    """``hb_subset`` of one face of ``source`` to ``characters`` (glyph ids renumbered, layout kept)."""
    hb_name = ctypes.util.find_library("harfbuzz")
    subset_name = ctypes.util.find_library("harfbuzz-subset")
    if not hb_name or not subset_name:
        raise OSError("libharfbuzz-subset not found")
    hb = ctypes.CDLL(hb_name)
    hbs = ctypes.CDLL(subset_name)
    pointer = ctypes.c_void_p
    hb.hb_blob_create_from_file_or_fail.restype = pointer
    hb.hb_blob_create_from_file_or_fail.argtypes = [ctypes.c_char_p]
    hb.hb_face_create.restype = pointer
    hb.hb_face_create.argtypes = [pointer, ctypes.c_uint]
    hb.hb_face_reference_blob.restype = pointer
    hb.hb_face_reference_blob.argtypes = [pointer]
    hb.hb_blob_get_data.restype = ctypes.POINTER(ctypes.c_char)
    hb.hb_blob_get_data.argtypes = [pointer, ctypes.POINTER(ctypes.c_uint)]
    hb.hb_set_add.argtypes = [pointer, ctypes.c_uint32]
    hb.hb_blob_destroy.argtypes = [pointer]
    hb.hb_face_destroy.argtypes = [pointer]
    hbs.hb_subset_input_create_or_fail.restype = pointer
    hbs.hb_subset_input_unicode_set.restype = pointer
    hbs.hb_subset_input_unicode_set.argtypes = [pointer]
    hbs.hb_subset_or_fail.restype = pointer
    hbs.hb_subset_or_fail.argtypes = [pointer, pointer]
    hbs.hb_subset_input_destroy.argtypes = [pointer]

    blob = hb.hb_blob_create_from_file_or_fail(str(source).encode())
    if not blob:
        raise OSError(f"cannot read {source}")
    face = hb.hb_face_create(blob, index)
    subset_input = hbs.hb_subset_input_create_or_fail()
    try:
        unicodes = hbs.hb_subset_input_unicode_set(subset_input)
        for character in characters:
            hb.hb_set_add(unicodes, character)
        subset = hbs.hb_subset_or_fail(face, subset_input)
        if not subset:
            raise OSError(f"HarfBuzz could not subset {source}")
        try:
            result = hb.hb_face_reference_blob(subset)
            length = ctypes.c_uint()
            data = hb.hb_blob_get_data(result, ctypes.byref(length))
            font = ctypes.string_at(data, length.value)
            hb.hb_blob_destroy(result)
        finally:
            hb.hb_face_destroy(subset)
    finally:
        hbs.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
    if not font:
        raise OSError(f"HarfBuzz gave an empty subset of {source}")
    return font


def _cff_index(data: bytes | bytearray, at: int) -> tuple[list[bytes], int]:
    """The items of the CFF INDEX at ``at`` and the offset just after it."""
    count = int.from_bytes(data[at:at + 2], "big")
    if count == 0:
        return [], at + 2
    size = data[at + 2]
    offsets = [int.from_bytes(data[at + 3 + i * size:at + 3 + (i + 1) * size], "big") for i in range(count + 1)]
    base = at + 2 + 1 + (count + 1) * size - 1
    return [bytes(data[base + offsets[i]:base + offsets[i + 1]]) for i in range(count)], base + offsets[-1]


def _cff_dict(data: bytes) -> dict[int, list[float]]:
    """A CFF DICT: operator (12 x escaped as 1200 + x) -> its operands."""
    entries: dict[int, list[float]] = {}
    operands: list[float] = []
    at = 0
    while at < len(data):
        b0 = data[at]
        if b0 <= 21:
            operator = 1200 + data[at + 1] if b0 == 12 else b0
            at += 2 if b0 == 12 else 1
            entries[operator], operands = operands, []
        elif b0 == 28:
            operands.append(int.from_bytes(data[at + 1:at + 3], "big", signed=True))
            at += 3
        elif b0 == 29:
            operands.append(int.from_bytes(data[at + 1:at + 5], "big", signed=True))
            at += 5
        elif b0 == 30:  # a real: nibbles up to 0xf (its value is never needed here)
            at += 1
            while data[at] & 0x0F != 0x0F and data[at] >> 4 != 0x0F:
                at += 1
            at += 1
            operands.append(0.0)
        elif b0 <= 246:
            operands.append(b0 - 139)
            at += 1
        elif b0 <= 250:
            operands.append((b0 - 247) * 256 + data[at + 1] + 108)
            at += 2
        elif b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[at + 1] - 108)
            at += 2
        else:
            raise ValueError("not a CFF DICT")
    return entries


def _cids_as_glyph_ids(font: bytes) -> bytes:
    """The font with the charset of its CID-keyed CFF made the identity (glyph n has CID n), else unchanged.

    Written in place: a charset of format 2 with one range (5 bytes) is never longer than the one it replaces
    (HarfBuzz's copy keeps ~8,000 scattered CIDs), so no offset moves; only the 'CFF ' table's checksum is
    updated. Everything else — outlines, metrics, every table indexed by glyph id — is kept byte for byte."""
    if font[:4] != b"OTTO":
        return font
    tables = int.from_bytes(font[4:6], "big")
    for entry in range(12, 12 + 16 * tables, 16):
        if font[entry:entry + 4] == b"CFF ":
            table = int.from_bytes(font[entry + 8:entry + 12], "big")
            length = int.from_bytes(font[entry + 12:entry + 16], "big")
            break
    else:
        return font
    cff = bytearray(font[table:table + length])
    _names, after_names = _cff_index(cff, cff[2])
    top_dicts, _after = _cff_index(cff, after_names)
    top = _cff_dict(top_dicts[0])
    if 1230 not in top:  # no ROS: a name-keyed CFF, whose glyph ids viewers take as CIDs already
        return font
    glyphs = int.from_bytes(cff[int(top[17][0]):int(top[17][0]) + 2], "big")  # the CharStrings INDEX's count
    charset = int(top.get(15, [0])[0])
    if charset < 3 or glyphs < 2:
        raise ValueError("a CID-keyed CFF without a charset of its own")
    old_format = cff[charset]
    if old_format == 0:
        old_size = 1 + 2 * (glyphs - 1)
    else:
        size, covered, at = (3 if old_format == 1 else 4), 0, charset + 1
        while covered < glyphs - 1:
            covered += 1 + (cff[at + 2] if old_format == 1 else int.from_bytes(cff[at + 2:at + 4], "big"))
            at += size
        old_size = at - charset
    identity = bytes([2]) + (1).to_bytes(2, "big") + (glyphs - 2).to_bytes(2, "big")
    if old_size < len(identity):
        raise ValueError("the charset is too short to be replaced in place")
    cff[charset:charset + len(identity)] = identity
    padded = bytes(cff) + b"\0" * (-len(cff) % 4)
    checksum = sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF
    out = bytearray(font)
    out[table:table + length] = cff
    out[entry + 4:entry + 8] = checksum.to_bytes(4, "big")
    return bytes(out)


@lru_cache(maxsize=1)
def report_font_file() -> Path | None:
    """The GB2312 copy of Noto Sans CJK SC in the data directory, cut at the first call of an
    installation; None when it cannot be made (PDFs then use the installed font directly)."""
    path = Path(settings.DATA_DIR) / FONT_PATH
    if path.is_file():
        return path
    source = _source_font()
    if source is None:
        logger.warning("%s is not installed: report PDFs use whatever fontconfig offers", SOURCE_FAMILY)
        return None
    try:
        font = _harfbuzz_subset(source[0], source[1], font_characters())
    except OSError:
        logger.warning("No GB2312 copy of %s: report PDFs embed subsets of the whole font (slower)",
                       SOURCE_FAMILY, exc_info=True)
        return None
    try:
        font = _cids_as_glyph_ids(font)
    except (ValueError, IndexError):  # not a CFF we can read: the whole font, which every viewer reads
        logger.warning("No GB2312 copy of %s with CIDs as glyph ids: report PDFs embed subsets of the whole font",
                       SOURCE_FAMILY, exc_info=True)
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        partial.write_bytes(font)
        partial.replace(path)  # atomic: another process uses the whole file or makes its own
    except OSError:
        logger.warning("Cannot keep the GB2312 copy of %s in %s", SOURCE_FAMILY, path.parent, exc_info=True)
        return None
    return path


def report_font_css() -> str:
    """The stylesheet that puts the GB2312 copy first (after report.css and report_pdf.css), or ""."""
    path = report_font_file()
    if path is None:
        return ""
    families = f'"{FAMILY}", "{SOURCE_FAMILY}", sans-serif'
    return (f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); }}\n'
            f"html, .gx-report, .gx-report .mono {{ font-family: {families}; }}\n")
