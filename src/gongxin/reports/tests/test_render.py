"""The three formats: the canonical JSON envelope, printable HTML with the QR code, the PDF with Chinese
text in an embedded CJK font, the envelope attached and the whole file signed."""

from __future__ import annotations

import json
import re

import pytest

from gongxin.core import signing
from gongxin.portal.tests import factories
from gongxin.reports.render import envelope, envelope_bytes, report_html, report_pdf
from gongxin.reports.services import report_issue
from gongxin.reports.tests.helpers import pdf_streams, pdf_unicode_text_codes
from gongxin.reports.verification import PDF_SIGNATURE_MARK, document_verify, pdf_attachments

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(acme, source_unit, agent):
    factories.penalty_create(subject=acme, source_unit=source_unit)
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
    for character in "宁波市公共信用信息平台法人和非法人组织报告已修复":
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
