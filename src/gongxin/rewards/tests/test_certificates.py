"""Check certificates: signed like credit reports, verified on /verify/<number>/, a tampered one fails."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gongxin.accounts.viewer import Viewer
from gongxin.core import signing
from gongxin.core.documents import document_verify
from gongxin.rewards import errors
from gongxin.rewards.models import CheckCertificate
from gongxin.rewards.services import certificate_issue, check_perform
from gongxin.rewards.tests.conftest import STAFF
from gongxin.subjects.models import Subject


def test_clean_subject_certificate_verifies(system_viewer: Viewer, clean_org: Subject) -> None:
    check = check_perform(subject=clean_org, matter="CZ-CG-001", actor=system_viewer)
    certificate = certificate_issue(check=check, actor=system_viewer)
    content = certificate.content
    assert content["check"]["decision"] == "pass" and content["hits"] == []
    assert content["statement"] == "未列入所核查的任何名单，本事项不适用任何奖惩措施。"
    assert "失信被执行人名单" in content["lists_checked"]
    assert {m["measure"] for m in content["measures_checked"]} >= {"jd.procurement", "sd.procurement"}
    assert signing.verify(signing.canonical_json(content), certificate.signature, key_id=certificate.key_id)
    page = Client().get(f"/verify/{certificate.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-verdict="valid"' in html and clean_org.name in html and "<svg" in html
    # The downloaded JSON verifies offline with the credit reports' verifier.
    download = Client().get(f"/rewards/certificates/{certificate.number}/json")
    assert document_verify(download.content).valid


def test_debtor_certificate_lists_the_measures(system_viewer: Viewer, debtor_org: Subject) -> None:
    check = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    certificate = certificate_issue(check=check, actor=STAFF)
    assert [h["measure"] for h in certificate.content["hits"]] == ["jd.procurement"]
    assert certificate.content["hits"][0]["legal_basis"]


def test_tampered_certificate_fails(system_viewer: Viewer, clean_org: Subject) -> None:
    check = check_perform(subject=clean_org, matter="CZ-CG-001", actor=system_viewer)
    certificate = certificate_issue(check=check, actor=system_viewer)
    envelope = json.loads(Client().get(f"/rewards/certificates/{certificate.number}/json").content)
    envelope["report"]["check"]["decision"] = "reward"
    assert not document_verify(signing.canonical_json(envelope)).valid
    # Tampered in the database: the verification page says so.
    content = dict(certificate.content)
    content["statement"] = "伪造"
    CheckCertificate.objects.filter(pk=certificate.pk).update(content=content)
    html = Client().get(f"/verify/{certificate.number}/").content.decode()
    assert 'data-verdict="invalid"' in html


def test_verify_lookup_and_unknown_number(system_viewer: Viewer, clean_org: Subject) -> None:
    check = check_perform(subject=clean_org, matter="CZ-CG-001", actor=system_viewer)
    certificate = certificate_issue(check=check, actor=system_viewer)
    response = Client().get(f"/verify/?number={certificate.number.lower()}")
    assert response.status_code == 302 and response["Location"].endswith(f"/verify/{certificate.number}/")
    assert Client().get("/verify/?number=GXC-20260615-XXXXXXXXXX").status_code == 404
    assert Client().get("/verify/GXC-20260615-XXXXXXXXXX/").status_code == 404


def test_who_may_have_it_certified(system_viewer: Viewer, clean_org: Subject, other_system: tuple) -> None:
    from gongxin.accounts.viewer import viewer_for_client

    check = check_perform(subject=clean_org, matter="CZ-CG-001", actor=system_viewer)
    with pytest.raises(errors.CertificateNotAllowed):
        certificate_issue(check=check, actor=viewer_for_client(other_system[1]))
    subject_agent = Viewer(label="user:agent", role="org_agent", subject_id=clean_org.pk)
    assert certificate_issue(check=check, actor=subject_agent).number.startswith("GXC-")


def test_a_persons_certificate_names_nobody_to_whoever_holds_the_number(system_viewer: Viewer, api: Client) -> None:
    """A person's certificate (docs/decisions/037): the masked RIN third parties see (subjects.selectors); its
    verification page shows validity and hashes to anyone, the content only to the person, the system that made
    the check and staff; its page and envelope answer anyone else as an unknown number does."""
    from gongxin.accounts.choices import Role
    from gongxin.accounts.models import User
    from gongxin.accounts.viewer import ANONYMOUS
    from gongxin.subjects.selectors import subject_display_code
    from gongxin.testing import factories

    person = factories.person_create(name="赵六")
    check = check_perform(subject=person, matter="CZ-CG-001", actor=system_viewer)
    certificate = certificate_issue(check=check, actor=system_viewer)
    masked = subject_display_code(subject=person, viewer=ANONYMOUS)
    assert certificate.content["subject"]["code"] == masked

    page = Client().get(f"/verify/{certificate.number}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-verdict="valid"' in html and certificate.content_hash in html
    assert "data-content-withheld" in html and "本证明的信用主体为自然人" in html
    for personal in (person.name, masked, masked[-4:]):
        assert personal not in html, personal
    unknown = "GXC-20260615-XXXXXXXXXX"
    for path in ("/rewards/certificates/{}/", "/rewards/certificates/{}/json", "/api/v1/rewards/certificates/{}"):
        known = Client().get(path.format(certificate.number))
        missing = Client().get(path.format(unknown))
        assert known.status_code == missing.status_code == 404, path
        if path.startswith("/api/"):
            assert known.json() == missing.json()

    assert api.get(f"/api/v1/rewards/certificates/{certificate.number}").status_code == 200
    own = Client()
    own.force_login(User.objects.create_user(username="zhaoliu", password="a-long-password-1", role=Role.PERSON,
                                             subject=person))
    assert person.name in own.get(f"/verify/{certificate.number}/").content.decode()
    assert document_verify(own.get(f"/rewards/certificates/{certificate.number}/json").content).valid
