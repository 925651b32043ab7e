from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/subjects?q=%00", "/api/v1/subjects?q=a%00b"])
def test_nul_in_the_query_is_a_clear_json_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request.nul_character"


@pytest.mark.django_db
def test_nul_in_a_json_body_is_refused(client):
    response = client.post("/api/v1/records", '{"source_unit": "a\\u0000"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request.nul_character"


@pytest.mark.django_db
def test_nul_in_a_page_query_is_a_400_not_a_500(client):
    assert client.get("/search/?q=%00").status_code == 400


@pytest.mark.django_db
def test_method_not_allowed_is_json(client):
    response = client.delete("/api/v1/health")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_binary_uploads_pass_but_nul_in_a_multipart_text_field_does_not(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    binary = b"PK\x03\x04\x00\x00binary\x00content"  # an .xlsx, a PDF or a photo holds NUL bytes
    passed = client.post("/api/v1/ingest/batches", {"source_unit": "x", "item": "y",
                                                    "file": SimpleUploadedFile("a.xlsx", binary)})
    assert passed.json()["code"] != "bad_request.nul_character"
    refused = client.post("/api/v1/ingest/batches", {"source_unit": "x\x00", "item": "y",
                                                     "file": SimpleUploadedFile("a.xlsx", binary)})
    assert refused.status_code == 400 and refused.json()["code"] == "bad_request.nul_character"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    '{"source_unit": "50%00 of the fine"}',  # the text "%00" is text in JSON
    '{"source_unit": "C:\\\\u0000dir"}',  # an escaped backslash, then the letters u0000: text too
])
def test_literal_percent_00_and_an_escaped_backslash_in_json_pass(client, body):
    response = client.post("/api/v1/records", body, content_type="application/json")
    assert response.json()["code"] != "bad_request.nul_character"


@pytest.mark.django_db
def test_an_escaped_backslash_before_a_real_nul_escape_is_still_refused(client):
    body = '{"source_unit": "a\\\\\\u0000"}'  # \\ then \u0000: a backslash and a NUL
    response = client.post("/api/v1/records", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bad_request.nul_character"


@pytest.mark.django_db
def test_percent_00_in_a_url_encoded_form_is_a_nul_and_percent_2500_is_text(client):
    refused = client.post("/accounts/login/", "username=a%00b&password=x",
                          content_type="application/x-www-form-urlencoded")
    assert refused.status_code == 400
    passed = client.post("/accounts/login/", "username=50%2500&password=x",
                         content_type="application/x-www-form-urlencoded")
    assert passed.status_code != 400


@pytest.mark.django_db
def test_a_literal_percent_00_in_a_query_value_passes(client):
    assert client.get("/search/?q=50%2500").status_code == 200


# core.middleware.LocaleMiddleware: Django's language choice, without the URL-prefix work where no URL has one.

def _hello(request):
    from django.http import HttpResponse
    from django.utils.translation import get_language

    return HttpResponse(get_language())


def _language_prefixed_urls() -> list:
    from django.conf.urls.i18n import i18n_patterns
    from django.urls import path

    return i18n_patterns(path("hello/", _hello))


urlpatterns = _language_prefixed_urls()  # ROOT_URLCONF of the test below


@pytest.mark.django_db
@pytest.mark.parametrize(("headers", "cookies", "language"), [
    ({}, {}, "zh-hans"),
    ({"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"}, {}, "en"),
    ({"HTTP_ACCEPT_LANGUAGE": "en"}, {"django_language": "zh-hans"}, "zh-hans"),  # the cookie first
    ({"HTTP_ACCEPT_LANGUAGE": "fr"}, {}, "zh-hans"),  # not offered: the default
])
def test_the_language_of_an_answer(client, headers, cookies, language):
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get("/api/v1/checks/1", **headers)
    assert response.status_code == 401
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]
    assert response.json()["message"].isascii() == (language == "en")


@pytest.mark.django_db
def test_with_language_prefixes_in_the_urls_it_is_djangos_middleware(client, settings):
    settings.ROOT_URLCONF = __name__
    assert client.get("/en/hello/").content == b"en"
    assert client.get("/zh-hans/hello/", HTTP_ACCEPT_LANGUAGE="en").content == b"zh-hans"
    redirect = client.get("/hello/", HTTP_ACCEPT_LANGUAGE="en")
    assert (redirect.status_code, redirect["Location"]) == (302, "/en/hello/")
