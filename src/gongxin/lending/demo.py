"""Demo set-up for lending: three lenders with API clients and a first contribution to the fund.

Called by the demo seeding (``gongxin.demo``); safe to re-run (lenders by code; the contribution only
into an empty ledger).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from gongxin.accounts.models import Department
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import SYSTEM
from gongxin.core.seeds import migration_seeds_restore
from gongxin.lending.models import FundEntry, Lender
from gongxin.lending.selectors import fund_current
from gongxin.lending.services import fund_contribute

DEMO_LENDERS = (("nbbank", "宁波银行"), ("nbcmbank", "宁波通商银行"), ("zjtlcb", "浙江泰隆商业银行"))
DEMO_CONTRIBUTION_YUAN = Decimal("10000000.00")  # a plausible first budget allocation of a city pool
DEMO_REGION = "330200"


def lending_demo_ensure() -> list[tuple[str, str]]:
    """Create the demo lenders that do not exist yet; returns ``(lender name, API key)`` for those."""
    created: list[tuple[str, str]] = []
    with transaction.atomic():
        for code, name in DEMO_LENDERS:
            if Lender.objects.filter(code=code).exists():
                continue
            department, _ = Department.objects.get_or_create(
                code=f"LENDER-{code}".upper(), defaults={"name": name, "region_code": DEMO_REGION})
            client, key = api_client_create(name=f"{name}信易贷系统", department=department, scopes=[])
            Lender.objects.create(code=code, name=name, client=client)
            created.append((name, key))
        migration_seeds_restore()  # the fund its migration seeds, restored if a ``flush`` emptied it
        fund = fund_current()
        if not FundEntry.objects.filter(fund=fund).exists():
            fund_contribute(fund=fund, amount_yuan=DEMO_CONTRIBUTION_YUAN, actor=SYSTEM, note="市财政首期注资（演示）")
    return created
