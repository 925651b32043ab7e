"""QR codes of the credit card (信用码), drawn by segno: inline SVG for the page, SVG and PNG for printing."""

from __future__ import annotations

import io

import segno

# Medium error correction: survives a smudged print, keeps the code small enough for a phone screen.
ERROR_LEVEL = "m"


def _code(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR_LEVEL, micro=False)


def qr_svg_inline(url: str, *, scale: int = 4) -> str:
    """An ``<svg>`` element (no XML declaration) to put straight into a page."""
    return str(_code(url).svg_inline(scale=scale, border=2, dark="#1f2329", light="#ffffff",
                                     title=url, svgclass="qr", lineclass="qr-line", omitsize=True))


def qr_svg(url: str, *, scale: int = 10) -> bytes:
    """A standalone SVG file (scalable: prints sharp at any size)."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="svg", scale=scale, border=4, dark="#000000", light="#ffffff", title=url)
    return buffer.getvalue()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    """A PNG image, ``scale`` pixels per module, with the standard quiet zone of 4 modules."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=scale, border=4, dark="#000000", light="#ffffff")
    return buffer.getvalue()
