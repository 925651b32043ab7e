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
