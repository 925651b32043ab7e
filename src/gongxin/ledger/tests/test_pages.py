"""The auditors' pages under /ledger/ (the credit office reads; everyone else is refused) and what they say, in
Chinese first: the latest checkpoint and who cosigned it, the history, a checkpoint's signed note, the alerts with
their evidence (and whether it carries this platform's signature), the audits."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.utils import translation

from gongxin.accounts.models import User
from gongxin.core import signing
from gongxin.ledger import note
from gongxin.ledger.audit import audit_run
from gongxin.ledger.checkpoints import checkpoint_ensure, log_origin
from gongxin.ledger.choices_witnessing import AlertKind, AlertSide
from gongxin.ledger.tests.logs import grow
from gongxin.ledger.witness_alerts import alert_raise
from gongxin.testing.personas import signed_in, user_create

PAGES = ["/ledger/", "/ledger/checkpoints/", "/ledger/alerts/", "/ledger/audits/"]


@pytest.mark.parametrize("path", PAGES)
def test_the_office_reads_the_pages_and_no_one_else(path: str, staff: User, auditor: User) -> None:
    for user in (staff, auditor):
        assert signed_in(user).get(path).status_code == 200
    assert Client().get(path).status_code == 302  # to the login page
    operator = user_create("ledger-operator", role="operator")
    assert signed_in(operator).get(path).status_code == 403


def test_the_overview_says_in_words_what_the_log_holds(staff: User) -> None:
    grow(3)
    checkpoint = checkpoint_ensure()
    run = audit_run()
    page = signed_in(staff).get("/ledger/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "防篡改存证日志" in page and "最新检查点" in page
    assert 'data-tree-size>3<' in page
    assert base64.b64encode(bytes(checkpoint.root_hash)).decode() in page
    assert "尚无见证方" in page and "按需签署" in page
    assert "尚未报告分叉视图或被拒绝的检查点。" in page
    with translation.override("zh-hans"):
        assert f'data-audit="{run.pk}"' in page and str(run.get_status_display()) in page
    history = signed_in(staff).get("/ledger/checkpoints/").content.decode()
    assert 'data-checkpoint="3"' in history
    one = signed_in(staff).get("/ledger/checkpoints/3/").content.decode()
    assert note.note_split(checkpoint.note_text)[0].split("\n")[2] in one
    assert signed_in(staff).get("/ledger/checkpoints/4/").status_code == 404


def test_an_alert_shows_both_checkpoints_and_whether_this_platform_signed_them(auditor: User) -> None:
    grow(2)
    seen = checkpoint_ensure()
    text = note.checkpoint_text(log_origin(), 2, b"\x03" * 32)
    line = note.signature_line(text, name=log_origin(), public_key=signing.public_key_raw(),
                               sign=lambda data: base64.b64decode(signing.sign(data).value_b64))
    offered = note.note_join(text, [line])
    alert = alert_raise(side=AlertSide.LOG, kind=AlertKind.SPLIT_VIEW, origin=log_origin(), tree_size=2,
                        seen_size=2, seen_note=seen.note_text, offered_note=offered,
                        reported_by="gongxin/cn-zj/witness")
    page = signed_in(auditor).get(f"/ledger/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "同一规模的两个检查点根哈希不同（分叉视图）" in page
    assert page.count('data-signed="1"') == 2  # both carry this platform's signature: the evidence of a split view
    assert "gongxin/cn-zj/witness" in page
    listing = signed_in(auditor).get("/ledger/alerts/").content.decode()
    assert f'data-alert="{alert.pk}"' in listing
