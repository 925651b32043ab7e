"""Report PDFs read the same in the three PDF engines viewers are built on — poppler (pdftotext, pdftoppm), pdfium
(pypdfium2) and MuPDF (mutool; many mobile and desktop viewers): for every report kind each one extracts the
report's Chinese text, and MuPDF draws it — as much ink on the first page as poppler draws (blank glyphs, as
MuPDF drew the GB2312 font's text before decision 050, leave the page nearly empty).

The tools come from the project's set-up (`make pdf-tools`: Debian's poppler-utils and mupdf-tools; pypdfium2 is
a dev dependency)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gongxin.accounts.viewer import ANONYMOUS
from gongxin.reports.render import report_pdf
from gongxin.reports.services import report_issue
from gongxin.testing import factories

pytestmark = pytest.mark.django_db

TOOLS = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "mutool": "mupdf-tools"}


@pytest.fixture(scope="module")
def tools() -> None:
    missing = sorted({package for tool, package in TOOLS.items() if shutil.which(tool) is None})
    if missing:
        pytest.fail(f"Debian's {', '.join(missing)} not installed: `make pdf-tools` installs them")


def _run(*command: str) -> bytes:
    return subprocess.run(command, capture_output=True, check=True, timeout=120).stdout  # noqa: S603


def _poppler_text(path: Path) -> str:
    return _run("pdftotext", "-enc", "UTF-8", str(path), "-").decode("utf-8")


def _mupdf_text(path: Path) -> str:
    return _run("mutool", "draw", "-q", "-F", "txt", "-o", "-", str(path)).decode("utf-8")


def _pdfium_text(data: bytes) -> str:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # no type information

    document = pdfium.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def _ink(pgm: bytes) -> int:
    """Dark pixels of a binary PGM (P5, 8 bits)."""
    fields: list[bytes] = []
    position = 2
    while len(fields) < 3:  # width, height, maximum; comments start with '#'
        while pgm[position:position + 1].isspace():
            position += 1
        if pgm[position:position + 1] == b"#":
            position = pgm.index(b"\n", position) + 1
            continue
        end = position
        while not pgm[end:end + 1].isspace():
            end += 1
        fields.append(pgm[position:end])
        position = end
    pixels = pgm[position + 1:]
    return sum(1 for value in pixels if value < 128)


def _first_page_ink(path: Path, tmp_path: Path) -> tuple[int, int, str]:
    """(MuPDF's, poppler's) dark pixels of page 1 at 50 dpi, in grey, and what MuPDF said while drawing."""
    mupdf = tmp_path / "mupdf.pgm"
    drawn = subprocess.run(["mutool", "draw", "-r", "50", "-c", "gray", "-o", str(mupdf), str(path), "1"],  # noqa: S603, S607
                           capture_output=True, check=True, timeout=120)
    _run("pdftoppm", "-r", "50", "-gray", "-f", "1", "-l", "1", str(path), str(tmp_path / "poppler"))
    poppler = next(tmp_path.glob("poppler*.pgm"))
    return _ink(mupdf.read_bytes()), _ink(poppler.read_bytes()), drawn.stderr.decode("utf-8", "replace")


@pytest.mark.parametrize("kind", ["organization", "person", "special"])
def test_every_engine_reads_and_draws_the_chinese_text_of_each_report_kind(
        kind, tools, acme, agent, person, person_self, source_unit, tmp_path) -> None:
    # 碶 (Ningbo's 大碶) is not in GB2312: printed from the whole Noto Sans CJK SC, the second embedded font.
    beyond_gb2312 = factories.organization_create(name="宁波市北仑区大碶阅读示例有限公司")
    subject, viewer, purpose, title = {
        "organization": (beyond_gb2312, ANONYMOUS, "public", "法人和非法人组织公共信用信息报告"),
        "person": (person, person_self, "self", "自然人公共信用信息报告"),
        "special": (acme, agent, "self", "专项信用报告"),
    }[kind]
    factories.penalty_create(subject=subject, source_unit=source_unit)
    report = report_issue(subject=subject, kind=kind, viewer=viewer, purpose=purpose)
    data = report_pdf(report)
    path = tmp_path / f"{report.number}.pdf"
    path.write_bytes(data)

    for engine, text in (("poppler", _poppler_text(path)), ("pdfium", _pdfium_text(data)),
                         ("mupdf", _mupdf_text(path))):
        flat = "".join(text.split())  # engines break lines and space CJK text differently
        assert title in flat, (engine, text[:300])
        assert "".join(subject.name.split()) in flat, (engine, text[:300])
        assert "报告说明" in flat, engine

    mupdf, poppler, said = _first_page_ink(path, tmp_path)
    assert "cannot render glyph" not in said, said[:300]  # a CID the embedded font does not hold
    assert poppler > 0 and 0.8 <= mupdf / poppler <= 1.25, (mupdf, poppler)
