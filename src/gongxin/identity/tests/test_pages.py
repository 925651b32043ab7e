"""The login page offers unified identity when a provider is configured; without one the sign-in says so."""

from __future__ import annotations

from django.test import Client


def test_the_login_page_offers_unified_identity_only_when_configured(db, settings) -> None:
    settings.GONGXIN_IDENTITY = {}
    page = Client().get("/accounts/login/?next=/me/").content.decode()
    assert "/identity/login/" not in page
    refused = Client().get("/identity/login/")
    assert refused.status_code == 404 and 'data-code="identity.not_configured"' in refused.content.decode()

    settings.GONGXIN_IDENTITY = {"ISSUER": "https://id.example.gov.cn/o", "CLIENT_ID": "gongxin"}
    page = Client().get("/accounts/login/?next=/me/").content.decode()
    assert 'href="/identity/login/?next=/me/"' in page


def test_persons_local_passwords_can_be_switched_off_staff_keep_theirs(db, settings, staff) -> None:
    from gongxin.accounts.choices import Role
    from gongxin.testing.personas import PASSWORD, user_create
    from gongxin.testing.subjects import person_create

    person = user_create("zhao", role=Role.PERSON, subject=person_create(name="赵六"))

    def signs_in(username: str) -> bool:
        client = Client()
        client.post("/accounts/login/", {"username": username, "password": PASSWORD})
        return "_auth_user_id" in client.session

    assert signs_in(person.username)
    settings.GONGXIN_IDENTITY = {"ISSUER": "https://id.example.gov.cn/o", "CLIENT_ID": "gongxin",
                                 "LOCAL_SUBJECT_PASSWORDS": False}
    assert not signs_in(person.username)
    assert signs_in(staff.username)
