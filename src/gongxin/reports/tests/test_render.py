"""The three formats: the canonical JSON envelope, printable HTML with the QR code, the PDF with Chinese
text in an embedded CJK font, the envelope attached and the whole file signed."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from gongxin.core import signing
from gongxin.core.documents import PDF_SIGNATURE_MARK, document_verify, pdf_attachments
from gongxin.reports import fonts, render
from gongxin.reports.personal import pdf_cache_path
from gongxin.reports.render import envelope, envelope_bytes, report_html, report_pdf, report_pdf_file
from gongxin.reports.services import report_issue
from gongxin.reports.tests.helpers import pdf_streams, pdf_unicode_text_codes
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(acme, source_unit, agent):
    factories.objection_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    factories.repair_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    return report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")


def test_envelope_is_the_signed_report_in_canonical_form(report):
    data = envelope_bytes(report)
    parsed = json.loads(data)
    assert set(parsed) == {"report", "content_hash", "signature", "key_id", "verify_url", "algorithm"}
    assert parsed == envelope(report)
    assert data == signing.canonical_json(parsed)
    assert parsed["verify_url"] == report.content["verification"]["url"]
    assert parsed["content_hash"] == signing.content_hash(signing.canonical_json(parsed["report"]))
    assert "宁波市公共信用信息平台".encode() in data  # UTF-8, not \\u escapes


def test_html_is_chinese_and_carries_the_qr_code_of_the_verification_url(report, acme):
    html = report_html(report)
    assert '<html lang="zh-Hans">' in html
    assert "法人和非法人组织公共信用信息报告" in html and acme.name in html
    assert "报告说明" in html and "一、基本信息" in html and "二、信用信息概要" in html and "三、信用信息明细" in html
    verify_url = report.content["verification"]["url"]
    assert re.search(rf'<a href="{re.escape(verify_url)}" data-verify-url><svg ', html)
    assert 'data-mark="repaired">已修复<' in html
    assert report.content_hash in html


def test_pdf_embeds_the_cjk_font_and_uses_chinese_text(report):
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF-")
    objects = pdf + b"".join(pdf_streams(pdf))  # dictionaries may sit in compressed object streams
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Z]{6}\+[^\s/>]+)", objects))
    assert fonts and all(b"Noto-Sans-CJK-SC" in name for name in fonts), fonts  # one Noto Sans CJK SC subset
    assert re.search(rb"/FontFile[23]?\s", objects)  # embedded, not referenced
    used = pdf_unicode_text_codes(pdf)
    for character in "宁波市公共信用信息平台法人和非法人组织报告异议中已修复行政处罚来源单位第页共报告验证信息":
        assert f"{ord(character):04X}" in used, character


def test_pdf_carries_the_envelope_and_a_signature_of_the_whole_file(report):
    pdf = report_pdf(report)
    assert pdf_attachments(pdf) == [envelope_bytes(report)]
    objects = pdf + b"".join(pdf_streams(pdf))
    assert f"({report.number}.json)".encode() in objects or report.number.encode() in objects
    last_line = pdf.rstrip(b"\n").rsplit(b"\n", 1)[1]
    assert last_line.startswith(PDF_SIGNATURE_MARK + signing.key_id().encode())
    result = document_verify(pdf)
    assert result.valid and result.number == report.number and result.content_hash == report.content_hash


def test_the_pdf_is_built_from_block_records_and_stylesheets_parsed_once(report):
    """WeasyPrint lays out block boxes far faster than table cells: the PDF's HTML has the three small
    tables of the overview (basic information, summary) and the verification block, the counts by year as one
    block of text, and none per record; no inline styles (the PDF
    stylesheets are parsed once per process and shared by every build)."""
    html = report_html(report, for_pdf=True)
    assert html.count("<table") == 3 and html.count('class="r-record ') == 2
    assert "<style" not in html
    assert 'data-mark="objection">异议中<' in html and 'data-mark="repaired">已修复<' in html
    assert render._pdf_tools() is render._pdf_tools()


def test_a_downloaded_pdf_is_built_once_and_kept(report, settings, monkeypatch):
    path = pdf_cache_path(report.number, sealed=False)
    assert path == Path(settings.DATA_DIR) / "reports" / "pdf" / f"{report.number}.pdf"
    path.unlink(missing_ok=True)
    first = report_pdf_file(report)
    assert path.read_bytes() == first and document_verify(first).valid

    def build_again(report):
        raise AssertionError("built twice")

    monkeypatch.setattr(render, "report_pdf", build_again)
    assert report_pdf_file(report) == first


def test_the_warm_up_builds_a_pdf_with_the_shared_fonts_and_stylesheets():
    render.pdf_warm_up()  # no database, no report: only WeasyPrint, its fonts and the report's styles
    assert render._pdf_tools.cache_info().currsize == 1


def test_a_web_process_warms_up_at_its_first_request_only(monkeypatch):
    from django.core.signals import request_started

    from gongxin.reports import apps

    started: list[str] = []
    monkeypatch.setattr(apps, "_pdf_warm_up", lambda: started.append("warm"))
    request_started.connect(apps._pdf_warm_up_once, dispatch_uid="reports.pdf_warm_up")
    try:
        request_started.send(sender=None)
        request_started.send(sender=None)
        for thread in threading.enumerate():
            if thread.name == "reports-pdf-warm-up":
                thread.join(timeout=30)
    finally:
        request_started.disconnect(dispatch_uid="reports.pdf_warm_up")
    assert started == ["warm"]


def test_pdfs_use_a_gb2312_copy_of_noto_sans_cjk_sc_made_once(settings):
    path = fonts.report_font_file()
    assert path == Path(settings.DATA_DIR) / fonts.FONT_PATH and path.stat().st_size > 1_000_000
    assert fonts.report_font_file() is path  # made once, then reused
    css = fonts.report_font_css()
    assert path.as_uri() in css and f'"{fonts.FAMILY}", "Noto Sans CJK SC"' in css  # the full font as fallback
    assert {ord(c) for c in "宁波市公共信用信息报告异议中已修复（）：“”《》〔〕—"} <= set(fonts.font_characters())


def test_a_character_outside_gb2312_is_printed_from_the_full_font(source_unit, agent):
    assert ord("碶") not in fonts.font_characters()
    subject = factories.organization_create(name="宁波市北仑区新碶报告示例有限公司")
    report = report_issue(subject=subject, kind="organization", viewer=agent, purpose="public")
    pdf = report_pdf(report)
    objects = pdf + b"".join(pdf_streams(pdf))
    fonts_used = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([^\s/>]+)", objects))
    assert fonts_used == {b"Noto-Sans-CJK-SC-GB2312", b"Noto-Sans-CJK-SC"}, fonts_used
    used = pdf_unicode_text_codes(pdf)
    assert "78B6" in used and "5B81" in used  # 碶 and 宁
    assert document_verify(pdf).valid


def test_without_harfbuzz_subset_or_the_font_pdfs_use_the_installed_font(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    fonts.report_font_file.cache_clear()
    try:
        assert fonts.report_font_file() is None and fonts.report_font_css() == ""
    finally:
        fonts.report_font_file.cache_clear()


def test_a_pdf_is_still_downloaded_when_the_data_directory_cannot_keep_it(report, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.DATA_DIR = blocked  # <data dir>/reports/pdf cannot be made
    pdf = report_pdf_file(report)
    assert document_verify(pdf).valid and not (tmp_path / "reports").exists()
