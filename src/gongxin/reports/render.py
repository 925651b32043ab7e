"""A stored report in its three formats: the signed JSON envelope, printable HTML, and PDF.

All three show the same frozen content (``Report.content``); nothing is looked up again. The HTML
(templates/reports/report.html) carries the QR code of the verification URL as inline SVG (segno); the
PDF is that HTML through WeasyPrint with Noto Sans CJK SC embedded, the signed envelope attached as
``<number>.json``, and a signature of the whole file appended (reports.verification).
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from gongxin.core import signing
from gongxin.reports.models import Report
from gongxin.reports.verification import envelope_build, pdf_sign

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
PDF_CONTENT_TYPE = "application/pdf"
# Record fields that only repeat the cover (who the record is about): kept in the signed content, not
# printed again under every record.
SUBJECT_FIELDS = frozenset({"subject_name", "subject_category", "uscc"})


def envelope(report: Report) -> dict[str, Any]:
    """The signed envelope: ``{"report", "content_hash", "signature", "key_id", "verify_url", "algorithm"}``."""
    return envelope_build(content=report.content, content_hash=report.content_hash, signature=report.signature,
                          key_id=report.key_id)


def envelope_bytes(report: Report) -> bytes:
    """The downloadable JSON file: the envelope in canonical form (byte for byte what verify expects)."""
    return signing.canonical_json(envelope(report))


@lru_cache(maxsize=256)
def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (medium error correction, 3 px modules, quiet zone 2)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2, title=str(url))


def report_context(report: Report, *, for_pdf: bool = False) -> dict[str, Any]:
    """What templates/reports/_document.html needs to show a report's frozen content."""
    content = report.content
    verify_url = content.get("verification", {}).get("url", "")
    return {
        "report": report,
        "content": content,
        "cover": content.get("cover", {}),
        "verify_url": verify_url,
        "qr_svg": qr_svg(verify_url) if verify_url else "",
        "for_pdf": for_pdf,
        "subject_fields": SUBJECT_FIELDS,
        "filename_pdf": f"{report.number}.pdf",
        "filename_json": f"{report.number}.json",
    }


def report_html(report: Report, *, for_pdf: bool = False, request: Any = None) -> str:
    """The printable HTML document (standalone: inline CSS, no external resources)."""
    return render_to_string("reports/report.html", report_context(report, for_pdf=for_pdf), request=request)


@lru_cache(maxsize=1)
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def report_pdf(report: Report) -> bytes:
    """The PDF: the HTML rendered by WeasyPrint (fonts embedded), the signed envelope attached, the whole
    file signed."""
    from weasyprint import HTML, Attachment

    html = report_html(report, for_pdf=True)
    attachment = Attachment(
        file_obj=io.BytesIO(envelope_bytes(report)),
        name=f"{report.number}.json",
        description=str(_("Signed credit report (JSON envelope) for offline verification")),
    )
    pdf = HTML(string=html).write_pdf(attachments=[attachment], font_config=_font_config())
    assert pdf is not None
    return pdf_sign(pdf)
