"""Deployment settings: production settings pass ``check --deploy`` with no warning, foreign Host headers are
refused, every response carries the security headers and a Content-Security-Policy that the pages keep to."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _check_deploy(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gongxin.settings",
        "GONGXIN_DATA_DIR": str(tmp_path / "data"),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "gongxin.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment, capture_output=True, text=True, timeout=120, check=False,
    )


def test_production_settings_pass_check_deploy_without_a_warning(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, GONGXIN_HTTPS="1", GONGXIN_ALLOWED_HOSTS="credit.example.gov.cn",
                           GONGXIN_SECRET_KEY=secrets.token_urlsafe(50), GONGXIN_PROXY_COUNT="1",
                           GONGXIN_PUBLIC_URL="https://credit.example.gov.cn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_without_https_the_check_names_what_is_missing(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016", "gongxin.E001"):
        assert code in output


def test_a_foreign_host_header_is_refused(client: Client) -> None:
    assert client.get("/", HTTP_HOST="attacker.example").status_code == 400
    assert client.get("/api/v1/openapi.json", HTTP_HOST="attacker.example").status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"])
def test_the_demo_answers_on_local_addresses(client: Client, host: str) -> None:
    assert client.get("/", HTTP_HOST=host).status_code == 200


def test_pages_carry_the_security_headers(client: Client) -> None:
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in re.search(r"script-src[^;]*", policy).group(0)  # type: ignore[union-attr]
    assert "'nonce-" not in policy  # no template on this page asked for one


def test_the_api_docs_page_loads_only_its_own_files(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # Its scripts are files of the platform; the one inline script is JSON data, which is never executed.
    for attributes, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        assert "src=" not in attributes or "/static/" in attributes
    assert "http://" not in html and "https://" not in html


def test_templates_have_no_inline_script_and_nonce_their_style_elements() -> None:
    """What the policy allows, read from the templates: no inline <script> or on* handlers; a <style> element
    carries the response's nonce."""
    root = Path(__file__).resolve().parents[2] / "src" / "gongxin"
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for attributes in re.findall(r"<script([^>]*)>", text):
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(f"{template}: inline script")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{template}: event handler attribute")
        if "javascript:" in text:
            offenders.append(f"{template}: javascript: URL")
        for attributes in re.findall(r"<style([^>]*)>", text):
            if "csp_nonce" not in attributes:
                offenders.append(f"{template}: <style> without the nonce")
    assert offenders == []


def test_a_style_element_gets_the_nonce_of_its_response() -> None:
    from django.http import HttpResponse
    from django.template import engines
    from django.test import RequestFactory

    from gongxin.core.csp import ContentSecurityPolicyMiddleware

    template = engines["django"].from_string('<style{% if request %} nonce="{{ request.csp_nonce }}"{% endif %}>'
                                             "p{}</style>")

    def view(request):  # type: ignore[no-untyped-def]
        return HttpResponse(template.render({}, request))

    middleware = ContentSecurityPolicyMiddleware(view)
    first, second = (middleware(RequestFactory().get("/")) for _ in range(2))
    nonces = []
    for response in (first, second):
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)  # type: ignore[union-attr]
        assert f"style-src-elem 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22
