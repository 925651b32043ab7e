"""Personas and files for ingest tests: a source unit, its operator, an outsider, and messy files built
like the ones departments really send. ``seeded`` comes from the test kit's plugin."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine

from gongxin.accounts.choices import Role
from gongxin.accounts.models import Department, User
from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.subjects.identifiers import uscc_check_char
from gongxin.testing.payloads import AUTHORITY_USCC, COMPANY_USCC, COMPANY_USCC_2

TODAY = "2026-06-10 10:00 +0800"
# A letter-first USCC (Y1: a farmers' cooperative-type registration) with a correct check character.
LETTER_FIRST_USCC = "Y1330200MA2CJ0WX75"

def uscc_complete(body17: str) -> str:
    return body17 + uscc_check_char(body17)


def penalty_row(*, name: str = "宁波甲乙贸易有限公司", uscc: str = COMPANY_USCC,
                number: str = "甬市监罚〔2026〕1号", fine: str = "1.2", decided: str = "2026-06-01",
                until: str = "2027-06-01", **cells: Any) -> dict[str, Any]:
    row = {
        "行政相对人名称": name, "行政相对人类别": "法人及非法人组织", "统一社会信用代码": uscc, "法定代表人": "张三",
        "行政处罚决定书文号": number, "违法行为类型": "销售不合格产品", "违法事实": "抽检不合格。",
        "处罚依据": "《产品质量法》第四十九条", "处罚类别": "罚款", "处罚内容": "罚款", "罚款金额（万元）": fine,
        "处罚决定日期": decided, "处罚有效期": until, "处罚机关": "宁波市市场监督管理局",
        "处罚机关统一社会信用代码": AUTHORITY_USCC, "数据来源单位": "宁波市市场监督管理局",
        "数据来源单位统一社会信用代码": AUTHORITY_USCC,
    }
    row.update(cells)
    return row


def csv_write(path: Path, rows: list[dict[str, Any]], *, encoding: str = "utf-8",
              headers: list[str] | None = None) -> Path:
    headers = headers or list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def market_unit(seeded: None) -> SourceUnit:
    department = Department.objects.create(code="NB-SCJG", name="宁波市市场监督管理局", region_code="330200",
                                           uscc=AUTHORITY_USCC)
    return SourceUnit.objects.create(department=department, domain="market_regulation")


@pytest.fixture
def penalty(seeded: None) -> CatalogItem:
    return CatalogItem.objects.get(code="penalty", edition__is_current=True)


@pytest.fixture
def operator_user(market_unit: SourceUnit) -> User:
    return User.objects.create_user(username="op-market", password="pw-operator-1", role=Role.OPERATOR,
                                    department=market_unit.department)


@pytest.fixture
def operator(operator_user: User) -> Viewer:
    return viewer_for_user(operator_user)


@pytest.fixture
def outsider_user(seeded: None) -> User:
    department = Department.objects.create(code="NB-STHJ", name="宁波市生态环境局", region_code="330200")
    SourceUnit.objects.create(department=department, domain="ecology")
    return User.objects.create_user(username="op-ecology", password="pw-operator-2", role=Role.OPERATOR,
                                    department=department)


__all__ = ["COMPANY_USCC", "COMPANY_USCC_2", "LETTER_FIRST_USCC", "csv_write", "penalty_row",
           "uscc_complete"]
