"""A check certificate is a leaf of the tamper-evident log and proves the records its hits rest on (rewards.ledger,
decision 063): ``gongxin report verify`` checks the proofs offline."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.utils import translation

from gongxin.accounts.viewer import Viewer
from gongxin.core import signing
from gongxin.ledger import merkle
from gongxin.ledger.kinds import CERTIFICATE_ISSUED
from gongxin.ledger.selectors import leaf_of
from gongxin.ledger.services import ledger_integrate
from gongxin.reports.ledger import ledger_verify
from gongxin.rewards.ledger import certificate_leaf
from gongxin.rewards.services import certificate_issue, check_perform
from gongxin.rewards.tests.conftest import STAFF
from gongxin.subjects.models import Subject


def test_a_debtors_certificate_proves_the_list_entry_its_hit_rests_on(system_viewer: Viewer, debtor_org: Subject,
                                                                    tmp_path) -> None:
    check = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    certificate = certificate_issue(check=check, actor=STAFF)
    content = certificate.content
    stated = {b["record_id"] for h in content["hits"] for b in h["basis"] if "record_id" in b}
    assert stated and {p["record_id"] for p in content["ledger"]["records"]} == stated
    result = ledger_verify(content, public_keys=list(signing.public_keys().values()))
    assert (result.valid, result.proved, result.stated) == (True, len(stated), len(stated))
    path = tmp_path / "certificate.json"
    path.write_bytes(Client().get(f"/rewards/certificates/{certificate.number}/json").content)
    out = StringIO()
    call_command("report", "verify", str(path), stdout=out)
    assert out.getvalue().startswith("VALID") and f"{len(stated)} of {len(stated)} records proved" in out.getvalue()
    ledger_integrate()
    leaf = leaf_of(CERTIFICATE_ISSUED, certificate.pk)
    assert leaf is not None and leaf.index is not None and leaf.leaf_hash == merkle.leaf_hash(
        certificate_leaf(certificate))


def test_a_clean_certificate_states_no_record(system_viewer: Viewer, clean_org: Subject) -> None:
    certificate = certificate_issue(check=check_perform(subject=clean_org, matter="CZ-CG-001", actor=system_viewer),
                                    actor=system_viewer)
    result = ledger_verify(certificate.content, public_keys=list(signing.public_keys().values()))
    assert (result.present, result.valid, result.stated) == (True, True, 0)


def test_the_certificates_verification_page_says_so_in_words(system_viewer: Viewer, debtor_org: Subject) -> None:
    certificate = certificate_issue(check=check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer),
                                    actor=STAFF)
    for language, words in (("zh-hans", "均记载于平台防篡改日志"), ("en", "tamper-evident log, by")):
        with translation.override(language):  # the request's language does not outlive the test
            page = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/verify/{certificate.number}/").content.decode()
        assert 'data-ledger-valid="valid"' in page and words in page, language
