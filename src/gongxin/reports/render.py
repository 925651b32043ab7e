"""A stored report in its three formats: the signed JSON envelope, printable HTML, and PDF.

All three show the same frozen content (``Report.content``); nothing is looked up again. The HTML
(templates/reports/report.html) carries the QR code of the verification URL as inline SVG (segno); the
PDF is that HTML through WeasyPrint with Noto Sans CJK SC embedded, the signed envelope attached as
``<number>.json``, and a signature of the whole file appended (core.documents).

PDF build time (docs/decisions/019-pdf-build-time.md): the stylesheets and WeasyPrint's font
configuration are made once per process and shared under a lock, the font is a GB2312 copy of Noto Sans
CJK SC (reports.fonts), a web process warms up at its first request (reports.apps), and a report's PDF
is built once and kept for later downloads (``report_pdf_file``).

A person's RIN is sealed in the stored copy (reports.personal): every format here shows the content as
issued and signed, with it put back; only the subject and entitled viewers get them (reports.selectors).
The kept PDF of such a report is sealed on disk too.
"""

from __future__ import annotations

import atexit
import io
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from gongxin.core import signing
from gongxin.core.documents import envelope_build, pdf_sign, qr_svg
from gongxin.reports.fonts import report_font_css
from gongxin.reports.models import Report
from gongxin.reports.personal import pdf_cache_path, pdf_cache_read, pdf_cache_write, report_signed_content

logger = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"
# Record fields that only repeat the cover (who the record is about): kept in the signed content, not
# printed again under every record.
SUBJECT_FIELDS = frozenset({"subject_name", "subject_category", "uscc"})


def envelope(report: Report) -> dict[str, Any]:
    """The signed envelope: ``{"report", "content_hash", "signature", "key_id", "verify_url", "algorithm"}``."""
    return envelope_build(content=report_signed_content(report), content_hash=report.content_hash,
                          signature=report.signature, key_id=report.key_id)


def envelope_bytes(report: Report) -> bytes:
    """The downloadable JSON file: the envelope in canonical form (byte for byte what verify expects)."""
    return signing.canonical_json(envelope(report))


def report_context(report: Report, *, for_pdf: bool = False) -> dict[str, Any]:
    """What templates/reports/_document.html needs to show a report's frozen content (as signed)."""
    content = report_signed_content(report)
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
    """The printable HTML document (standalone: inline CSS, no external resources). For the PDF it carries
    no styles: ``report_pdf`` hands WeasyPrint the stylesheets it parsed once."""
    return render_to_string("reports/report.html", report_context(report, for_pdf=for_pdf), request=request)


@dataclass(frozen=True)
class _PdfTools:
    font_config: Any  # weasyprint.text.fonts.FontConfiguration
    stylesheets: list[Any]  # [weasyprint.CSS]: report.css, report_pdf.css, the font (reports.fonts), parsed once


# WeasyPrint's font configuration (fontconfig and Pango objects) is not meant to be used by two threads at
# once: one lock serializes the builds of a process (they are CPU-bound Python, so little is lost).
_pdf_lock = threading.Lock()


@lru_cache(maxsize=1)
def _pdf_tools() -> _PdfTools:
    """The font configuration and the parsed stylesheets, made once per process (call with the lock)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    sources = [render_to_string("reports/report.css"), render_to_string("reports/report_pdf.css"), report_font_css()]
    stylesheets = [CSS(string=source, font_config=font_config) for source in sources if source]
    # Drop them before the interpreter tears modules down: FontConfiguration.__del__ removes its temporary
    # font folder and fails noisily once shutil is gone.
    atexit.register(_pdf_tools.cache_clear)
    return _PdfTools(font_config=font_config, stylesheets=stylesheets)


def _pdf_write(html: str, *, attachments: list[Any] | None = None) -> bytes:
    from weasyprint import HTML

    with _pdf_lock:
        tools = _pdf_tools()
        pdf = HTML(string=html).write_pdf(stylesheets=tools.stylesheets, font_config=tools.font_config,
                                          attachments=attachments or [])
    assert pdf is not None
    return pdf


def report_pdf(report: Report) -> bytes:
    """Build the PDF: the HTML rendered by WeasyPrint (fonts embedded), the signed envelope attached, the
    whole file signed. Downloads go through ``report_pdf_file``, which builds a report's PDF once."""
    from weasyprint import Attachment

    attachment = Attachment(
        file_obj=io.BytesIO(envelope_bytes(report)),
        name=f"{report.number}.json",
        description=str(_("Signed credit report (JSON envelope) for offline verification")),
    )
    return pdf_sign(_pdf_write(report_html(report, for_pdf=True), attachments=[attachment]))


def report_pdf_file(report: Report) -> bytes:
    """The PDF to download: built at the first download, then kept in the data directory (sealed when the
    report has a sealed part: reports.personal). A report's content is frozen and signed, so its PDF never
    changes (its online status is not printed in it)."""
    sealed = bool(report.personal_sealed)
    try:
        return pdf_cache_read(report.number, sealed=sealed)
    except OSError:  # not built yet (or the data directory cannot hold it): build it
        pass
    pdf = report_pdf(report)
    try:
        pdf_cache_write(report.number, pdf, sealed=sealed)
    except OSError:  # a full or read-only disk costs the next download a build, not this one its file
        path = pdf_cache_path(report.number, sealed=sealed)
        logger.warning("Cannot keep %s in %s", path.name, path.parent, exc_info=True)
    return pdf


# A small document with the report's styles and Chinese text: the first build in a process loads
# fontconfig, Pango and the CJK font (about a second); this pays it before any user asks for a PDF.
_WARM_UP_HTML = (
    '<article class="gx-report" lang="zh-Hans"><h1 class="r-title">公共信用信息报告</h1>'
    '<h2 class="r-h2">一、基本信息</h2><table class="r-table"><tr><th>名称</th><td class="mono">GX-0</td></tr></table>'
    '<div class="r-record r-negative"><h4 class="r-record-title">行政处罚信息<span class="r-mark">异议中</span></h4>'
    '<p class="r-line">来源单位：宁波市　　决定日期：2026-01-01</p></div></article>'
)


def pdf_warm_up() -> None:
    """Load WeasyPrint's fonts and stylesheets now (reports.apps starts it when a web process serves its
    first request)."""
    _pdf_write(_WARM_UP_HTML)
