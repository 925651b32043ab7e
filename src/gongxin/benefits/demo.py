"""Demo set-up for benefits: an API client for each seeded provider, so the eligibility API can be tried.

Called by the demo seeding (``gongxin.demo``); safe to re-run: a provider that has a client keeps it.
"""

from __future__ import annotations

from django.db import transaction

from gongxin.accounts.models import Department
from gongxin.accounts.services import api_client_create
from gongxin.benefits.models import Provider

DEMO_REGION = "330200"


def benefits_demo_ensure() -> list[tuple[str, str]]:
    """Give every active provider without an API client a department and a client; returns
    ``(provider name, API key)`` for the clients created now (a key is shown only once)."""
    created: list[tuple[str, str]] = []
    with transaction.atomic():
        for provider in Provider.objects.filter(is_active=True, client__isnull=True).order_by("code"):
            department = provider.department
            if department is None:
                department, _ = Department.objects.get_or_create(
                    code=f"BENEFIT-{provider.code}".upper(),
                    defaults={"name": provider.name, "region_code": DEMO_REGION},
                )
            client, key = api_client_create(name=f"{provider.name}（信用惠民）", department=department, scopes=[])
            provider.department = department
            provider.client = client
            provider.save(update_fields=["department", "client"])
            created.append((provider.name, key))
    return created
