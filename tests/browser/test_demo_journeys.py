"""The demo has no dead end: `gongxin demo up` prints a login for every step, and with the printed credentials
the demo person files an objection to its penalty, the source unit's operator who decides that record upholds it,
the person applies for its repair and the same operator approves it — no admin needed. The demo's guide page
(/demo/) names the same deciding login.

Chromium and the sign-in come from the test kit (gongxin.testing.browser); one browser context per person.
"""

from __future__ import annotations

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connections

from gongxin.accounts.models import User
from gongxin.accounts.viewer import viewer_for_user
from gongxin.demo import services
from gongxin.objections.models import Objection
from gongxin.objections.services import objection_accept, objection_forward
from gongxin.records.models import Record
from gongxin.repairs.models import RepairApplication
from gongxin.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TINY = ["--organizations", "20", "--persons", "20", "--records", "100", "--no-progress"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _printed_logins(text: str) -> dict[str, tuple[str, str, str]]:
    """username -> (role, password, the rest of the line), from the tables `demo up` prints."""
    logins: dict[str, tuple[str, str, str]] = {}
    for line in text.splitlines():
        match = re.match(r"^(\w+)\s+(demo-[\w-]+)\s+(\S+)\s*(.*)$", line)
        if match:
            logins[match.group(2)] = (match.group(1), match.group(3), match.group(4))
    return logins


def test_the_demo_person_objects_and_repairs_and_the_printed_deciding_operator_decides_both(
        live_server, browser, tmp_path, settings, monkeypatch):
    settings.GONGXIN_DEMO = False  # restored after the test: `demo up` switches the demo on in this process
    settings.GONGXIN_PUBLIC_URL = ""
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = ""
    for name in ("GONGXIN_DEMO", "GONGXIN_PUBLIC_URL", "GONGXIN_SIGNING_VERIFY_BASE_URL"):
        monkeypatch.setenv(name, "")
    port = urlsplit(live_server.url).port
    out = StringIO()
    call_command("demo", "up", "--no-serve", "--port", str(port), *TINY, stdout=out)
    logins = _printed_logins(out.getvalue())
    signed_for = settings.GONGXIN_SIGNING_VERIFY_BASE_URL
    assert signed_for == f"http://127.0.0.1:{port}"  # verify links lead to the server the citizen uses

    person = User.objects.get(username="demo-person").subject
    penalty = (Record.objects.filter(subject=person, catalog_item__record_kind="penalty")
               .select_related("source_unit__department").get())
    unit = penalty.source_unit.department
    decider = services.decider_username(unit)
    # The printed line of the deciding operator names its unit and the person's records it holds.
    role, password, rest = logins[decider]
    assert role == "operator" and unit.name in rest and "demo person" in rest
    person_password = logins["demo-person"][1]
    staff = User.objects.get(username="demo-staff")

    citizen = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    operator = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    base = live_server.url
    evidence = tmp_path / "缴款凭证.pdf"
    evidence.write_bytes(PDF)
    try:
        # The guide names the deciding login.
        citizen.goto(f"{base}/demo/")
        assert citizen.locator(f'[data-decider="{decider}"]').count() == 1

        # The citizen objects to the penalty.
        log_in(citizen, base, "demo-person", "/me/", password=person_password)
        citizen.goto(f"{base}/objections/file/?record={penalty.pk}")
        citizen.check('input[name=ground][value="wrong_facts"]')
        citizen.fill("textarea[name=description]", "处罚决定书载明的违法事实与现场检查记录不符，请求核实。")
        citizen.click("[data-objection-form] button[type=submit]")
        citizen.wait_for_url("**/objections/*/")
        objection = Objection.objects.get(record=penalty)
        objection_accept(objection=objection, actor=viewer_for_user(staff))  # the credit office's step
        objection_forward(objection=objection, actor=viewer_for_user(staff))

        # The deciding operator, signed in with the printed credentials, upholds it.
        log_in(operator, base, decider, "/objections/tasks/", password=password)
        operator.locator(f'tr[data-objection="{objection.pk}"] a').click()
        operator.wait_for_url(f"**/objections/{objection.pk}/")
        operator.check('input[name=decision][value="uphold"]')
        operator.fill("#decide-reason", "经核实，处罚决定记载无误，维持原记录。")
        operator.click('[data-action="decide"] button[type=submit]')
        operator.wait_for_load_state()
        assert operator.locator('[data-status="decided"]').count() >= 1

        # The citizen applies for the repair of the same penalty; the same operator approves it.
        citizen.goto(f"{base}/repairs/apply/?record={penalty.pk}")
        assert citizen.locator("[data-eligible]").get_attribute("data-eligible") == "true"
        citizen.fill("textarea[name=statement]", "罚款已足额缴纳，违法行为已改正。")
        citizen.set_input_files("input[name=evidence]", str(evidence))
        citizen.check("input[name=commitment_accepted]")
        citizen.fill("input[name=commitment_signer]", person.name)
        citizen.click("[data-repair-form] button[type=submit]")
        citizen.wait_for_url("**/repairs/*/")
        repair = RepairApplication.objects.get(record=penalty)
        operator.goto(f"{base}/repairs/workbench/{repair.pk}/")
        operator.check("input[name=outcome][value=approve]")
        operator.check("input[name=obligations_confirmed]")
        operator.click("[data-decision-form] button[type=submit]")
        operator.wait_for_load_state()
        assert operator.locator("[data-status]").first.get_attribute("data-status") == "approved"
    finally:
        citizen.context.close()
        operator.context.close()
        connections.close_all()
    assert Objection.objects.get(pk=objection.pk).status == "decided"
    assert Record.objects.get(pk=penalty.pk).current_version.repaired is True
