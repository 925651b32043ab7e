"""API clients: keys stored hashed, shown once; scopes checked; a shared per-minute rate limit."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from gongxin.accounts.choices import Scope
from gongxin.accounts.errors import ClientRateLimited, InvalidApiKey, UnknownScope
from gongxin.accounts.models import ApiClient, Department
from gongxin.accounts.services import api_client_authenticate, api_client_create, api_client_rate_limit_hit


@pytest.fixture
def department(db: None) -> Department:
    return Department.objects.create(code="NB-SW", name="国家税务总局宁波市税务局", region_code="330200")


def test_the_key_is_stored_only_as_a_hash(department):
    client, key = api_client_create(name="税务系统", department=department, scopes=[Scope.RECORDS_SHARE])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apiclient")
        row = " ".join(str(v) for v in cursor.fetchone())
    assert key not in row
    # The secret is everything after "gx_<prefix>_" (it may itself contain "_").
    assert key.split("_", 2)[2] not in row
    assert api_client_authenticate(key).pk == client.pk


def test_wrong_disabled_and_malformed_keys_are_refused(department):
    client, key = api_client_create(name="税务系统", department=department, scopes=[])
    for bad in ["", "nonsense", key[:-1] + ("A" if key[-1] != "A" else "B"), "gx_deadbeef_x"]:
        with pytest.raises(InvalidApiKey):
            api_client_authenticate(bad)
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    with pytest.raises(InvalidApiKey):
        api_client_authenticate(key)


def test_unknown_scopes_are_rejected(department):
    with pytest.raises(UnknownScope):
        api_client_create(name="x", department=department, scopes=["records:everything"])


def test_rate_limit_counts_per_minute_and_resets(department):
    client, _ = api_client_create(name="税务系统", department=department, scopes=[], rate_limit_per_minute=3)
    with time_machine.travel("2026-11-25 10:00:05 +0800", tick=False):
        assert [api_client_rate_limit_hit(client) for _ in range(3)] == [1, 2, 3]
        with pytest.raises(ClientRateLimited):
            api_client_rate_limit_hit(client)
    with time_machine.travel("2026-11-25 10:01:00 +0800", tick=False):
        assert api_client_rate_limit_hit(client) == 1


def test_rate_limit_through_the_api_is_429(client, department):
    _, key = api_client_create(name="税务系统", department=department, scopes=[], rate_limit_per_minute=2)
    with time_machine.travel("2026-11-25 10:00:05 +0800", tick=False):
        codes = [client.get("/api/v1/records/mine", headers={"Authorization": f"Bearer {key}"}).status_code
                 for _ in range(3)]
    assert codes[-1] == 429
    assert codes[0] != 429


def test_a_busy_client_is_read_once_per_cache_period(department, settings, django_assert_num_queries):
    from gongxin.accounts.services import api_clients_forget

    client, key = api_client_create(name="税务系统", department=department, scopes=[])
    settings.GONGXIN_API_CLIENT_CACHE_SECONDS = 60
    api_clients_forget()
    try:
        assert api_client_authenticate(key).pk == client.pk
        with django_assert_num_queries(0):
            assert api_client_authenticate(key).pk == client.pk
        ApiClient.objects.filter(pk=client.pk).update(is_active=False)
        api_clients_forget()  # what the cache period does by itself
        with pytest.raises(InvalidApiKey):
            api_client_authenticate(key)
    finally:
        api_clients_forget()


def test_a_high_limit_is_counted_in_the_shared_row_every_few_requests(department, django_assert_max_num_queries):
    from gongxin.accounts.models import ApiClientUsage
    from gongxin.accounts.services import api_clients_forget

    client, _ = api_client_create(name="税务系统", department=department, scopes=[], rate_limit_per_minute=100_000)
    api_clients_forget()
    with time_machine.travel("2026-11-25 10:00:05 +0800", tick=False):
        # 250 requests: flushed on the first and then every 100 (a thousandth of the limit), or once a second
        with django_assert_max_num_queries(12):
            counts = [api_client_rate_limit_hit(client) for _ in range(250)]
        assert counts == list(range(1, 251))
        assert 201 <= ApiClientUsage.objects.get(client=client).count < 250
    api_clients_forget()


def test_a_limit_below_two_thousand_is_counted_exactly(department):
    from gongxin.accounts.models import ApiClientUsage
    from gongxin.accounts.services import api_clients_forget

    client, _ = api_client_create(name="税务系统", department=department, scopes=[], rate_limit_per_minute=1_999)
    api_clients_forget()
    with time_machine.travel("2026-11-25 10:00:05 +0800", tick=False):
        for expected in range(1, 6):
            assert api_client_rate_limit_hit(client) == expected
            assert ApiClientUsage.objects.get(client=client).count == expected
    api_clients_forget()


def test_a_429_says_when_to_come_back(client, department):
    _, key = api_client_create(name="税务系统", department=department, scopes=[], rate_limit_per_minute=1)
    client.get("/api/v1/records/mine", HTTP_X_API_KEY=key)
    refused = client.get("/api/v1/records/mine", HTTP_X_API_KEY=key)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61


def test_session_api_calls_are_limited(client, department, settings):
    from gongxin.accounts.models import User

    settings.GONGXIN_THROTTLE_RATES = {"api.session": "2/60"}
    user = User.objects.create_user(username="someone", password="x-someone-password-1")
    client.force_login(user)
    assert 429 not in [client.get("/api/v1/records/mine").status_code for _ in range(2)]
    refused = client.get("/api/v1/records/mine")
    assert refused.status_code == 429 and "Retry-After" in refused


def test_a_batch_check_counts_its_subjects(client, department):
    """A 3-subject batch uses 3 of the client's requests, so a limit of 3 refuses the next call."""
    _, key = api_client_create(name="税务系统", department=department, scopes=[], rate_limit_per_minute=3)
    body = {"matter": "any", "subjects": [{"uscc": "x"}, {"uscc": "y"}, {"uscc": "z"}]}
    client.post("/api/v1/checks/batch", body, content_type="application/json", HTTP_X_API_KEY=key)
    refused = client.get("/api/v1/records/mine", HTTP_X_API_KEY=key)
    assert refused.status_code == 429


@pytest.mark.django_db(transaction=True)
def test_requests_counted_on_several_threads_of_a_process_are_none_lost() -> None:
    """A process serving on several threads counts every request once: a flush on one thread does not drop what
    another counted meanwhile."""
    from gongxin.accounts.models import ApiClientUsage
    from gongxin.accounts.services import api_clients_forget
    from gongxin.testing.races import race

    department = Department.objects.create(code="NB-SW", name="国家税务总局宁波市税务局", region_code="330200")
    client, _ = api_client_create(name="税务系统", department=department, scopes=[], rate_limit_per_minute=100_000)
    api_clients_forget()
    with time_machine.travel("2026-11-25 10:00:05 +0800", tick=False):
        race(lambda: [api_client_rate_limit_hit(client) for _ in range(300)], times=4)
        # the last request's count, as this process knows it, is every request; the shared row lags by less than
        # one flush's worth (a hundred)
        assert api_client_rate_limit_hit(client) == 1201
        assert 1101 <= ApiClientUsage.objects.get(client=client).count <= 1201
    api_clients_forget()
