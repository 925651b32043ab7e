"""The demo's unified identity: ``demo up`` starts the local provider with the demo city's people, and the demo
person signs in through it and sees their own profile (the provider process is real, as in ``demo up``)."""

from __future__ import annotations

import pytest
import requests
from django.conf import settings
from django.test import Client

from gongxin.demo import city, services
from gongxin.demo.identity import PASSWORD, demo_identity_start
from gongxin.identity.models import ExternalIdentity
from gongxin.subjects.selectors import subject_by_rin
from gongxin.testing.identity import ProviderPerson, provider_login

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_up_signs_the_demo_person_in_through_its_local_provider() -> None:
    services.demo_seed(seed=7, organizations=30, persons=10, records=0, progress=False)
    before = getattr(settings, "GONGXIN_IDENTITY", None)
    provider, people = demo_identity_start(seed=7, host="testserver", port=80, provider_port=0)
    try:
        by_name = {person.username: person for person in people}
        demo_person = subject_by_rin(city.person_at(7, city.DEMO_PERSON_INDEX).rin)
        assert by_name["person"].rin == city.person_at(7, city.DEMO_PERSON_INDEX).rin
        assert (by_name["person"].assurance, by_name["person-basic"].assurance) == ("2", "1")

        client = Client()
        start = client.get("/identity/login/")
        assert start["Location"].startswith(provider.issuer)
        callback = provider_login(requests.Session(), start["Location"],
                                  ProviderPerson("person", PASSWORD, by_name["person"].name))
        assert client.get(callback).status_code == 302
        assert ExternalIdentity.objects.get().subject_id == demo_person.pk
        assert demo_person.name in client.get("/me/").content.decode()
    finally:
        provider.stop()
        if before is None:
            del settings.GONGXIN_IDENTITY
        else:
            settings.GONGXIN_IDENTITY = before
