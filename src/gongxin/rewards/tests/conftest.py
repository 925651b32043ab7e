"""Personas for joint rewards and punishments: a procurement system (an API client of the finance
bureau) with its matters, a second system, credit office staff, organizations and a person with
records written through the records services; the seeded measures.

Dates: the tests run on 2026-06-15 (measures are in effect from 2026-01-01).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.models import ApiClient, Department
from gongxin.accounts.services import api_client_create
from gongxin.accounts.viewer import Viewer, viewer_for_client
from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.core.outbox import outbox_dispatch
from gongxin.records.models import Record
from gongxin.rewards.models import BusinessSystem
from gongxin.rewards.rules import rules_forget
from gongxin.rewards.services import matter_register, system_register
from gongxin.subjects.models import Subject
from gongxin.testing import factories

TODAY = date(2026, 6, 15)
STAFF = Viewer(label="user:staff", role=Role.STAFF, user_id=None)

# The matters of the procurement system, one per type the seeded measures use.
MATTERS = {
    "CZ-CG-001": ("政府采购供应商资格审查", "procurement"),
    "CZ-ZB-001": ("工程招标投标资格审查", "bidding"),
    "CZ-BT-001": ("中小企业发展专项资金补贴", "subsidy"),
    "CZ-XK-001": ("政府采购代理机构登记", "licence"),
    "CZ-JC-001": ("双随机抽查对象确定", "inspection"),
    "CZ-DK-001": ("政府采购合同融资", "finance"),
    "CZ-GX-001": ("公务接待场所选定", "consumption"),
    "CZ-RZ-001": ("国有企业高管任职审查", "office"),
}


def at(day: date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(f"{day.isoformat()}T{hour:02d}:00:00+08:00"), tick=False)


def dispatch() -> None:
    """Run the outbox consumers now (tests do not commit, so on-commit dispatch never fires)."""
    outbox_dispatch()


@pytest.fixture(autouse=True)
def _today():
    rules_forget()
    with at(TODAY):
        yield
    rules_forget()


@pytest.fixture
def measures(seeded: None) -> None:
    """The measures of migration 0002 (``seeded`` restores them after a flush)."""
    rules_forget()


@pytest.fixture
def unit(measures: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def finance(measures: None) -> Department:
    return Department.objects.create(code="NB-CZ", name="宁波市财政局", region_code="330200")


@pytest.fixture
def procurement_client(finance: Department) -> tuple[ApiClient, str]:
    return api_client_create(name="政府采购管理系统", department=finance,
                             scopes=[Scope.SUBJECTS_READ, Scope.RECORDS_SHARE], rate_limit_per_minute=100_000)


@pytest.fixture
def procurement(finance: Department, procurement_client: tuple[ApiClient, str]) -> BusinessSystem:
    system = system_register(code="NB-CZ-ZFCG", name="政府采购管理系统", department=finance,
                             client=procurement_client[0], actor=STAFF)
    for code, (name, matter_type) in MATTERS.items():
        matter_register(code=code, name=name, system=system, matter_type=matter_type, actor=STAFF)
    return system


@pytest.fixture
def system_viewer(procurement: BusinessSystem, procurement_client: tuple[ApiClient, str]) -> Viewer:
    return viewer_for_client(procurement_client[0])


@pytest.fixture
def other_system(measures: None) -> tuple[BusinessSystem, ApiClient, str]:
    """A housing bureau's system without the sharing scope, with one subsidy matter of its own."""
    department = Department.objects.create(code="NB-ZJ", name="宁波市住房和城乡建设局", region_code="330200")
    client, key = api_client_create(name="住房补贴系统", department=department, scopes=[Scope.SUBJECTS_READ],
                                    rate_limit_per_minute=100_000)
    system = system_register(code="NB-ZJ-BT", name="住房补贴系统", department=department, client=client, actor=STAFF)
    matter_register(code="ZJ-BT-001", name="人才安居补贴", system=system, matter_type="subsidy", actor=STAFF)
    return system, client, key


@pytest.fixture
def api(procurement_client: tuple[ApiClient, str], procurement: BusinessSystem) -> Client:
    return Client(HTTP_X_API_KEY=procurement_client[1])


@pytest.fixture
def clean_org(unit: SourceUnit) -> Subject:
    return factories.organization_create(name="宁波市鄞州区守信科技有限公司")


@pytest.fixture
def debtor_org(unit: SourceUnit) -> Subject:
    subject = factories.organization_create(name="宁波市海曙区失信贸易有限公司")
    judgment_debtor_create(subject=subject, source_unit=unit)
    dispatch()
    return subject


def _payload(subject: Subject) -> dict[str, Any]:
    if subject.kind == "organization":
        return {"subject_name": subject.name, "subject_category": "organization", "uscc": subject.organization.uscc}
    return {"subject_name": subject.name, "subject_category": "person"}


def judgment_debtor_create(*, subject: Subject, source_unit: SourceUnit, listed: date | None = None) -> Record:
    listed = listed or TODAY - timedelta(days=30)
    payload = {
        **_payload(subject), "case_number": f"（2026）浙0203执{subject.pk}号", "court": "宁波市海曙区人民法院",
        "obligation": "支付货款人民币十万元", "dishonesty_circumstances": "有履行能力而拒不履行生效法律文书确定义务",
        "listing_date": listed.isoformat(),
    }
    return factories.record_create(subject=subject, source_unit=source_unit,
                                   item=factories.seeded_item("judgment_debtor"), payload=payload)


def serious_list_create(*, subject: Subject, source_unit: SourceUnit, exit_on: date | None) -> Record:
    payload = {
        **_payload(subject), "list_name": "严重违法失信名单", "decision_number": f"甬市监信〔2026〕{subject.pk}号",
        "listing_reason": "提交虚假材料取得许可", "listing_basis": "《市场监督管理严重违法失信名单管理办法》第十条",
        "listing_date": (TODAY - timedelta(days=100)).isoformat(), "authority_name": "宁波市市场监督管理局",
    }
    if exit_on is not None:
        payload["planned_exit_date"] = exit_on.isoformat()
    return factories.record_create(subject=subject, source_unit=source_unit,
                                   item=factories.seeded_item("serious_dishonesty_list"), payload=payload)


def voluntary_performance_create(*, subject: Subject, source_unit: SourceUnit) -> Record:
    payload = {**_payload(subject), "case_number": f"（2026）浙0212民初{subject.pk}号", "court": "宁波市鄞州区人民法院",
               "performance_date": (TODAY - timedelta(days=20)).isoformat()}
    return factories.record_create(subject=subject, source_unit=source_unit,
                                   item=factories.seeded_item("voluntary_performance"), payload=payload)


def serious_penalty_create(*, subject: Subject, source_unit: SourceUnit, decided: date | None = None) -> Record:
    """A licence revocation (a serious penalty)."""
    return factories.penalty_create(subject=subject, source_unit=source_unit,
                                    decided=decided or TODAY - timedelta(days=400),
                                    penalty_types="吊销许可证件", penalty_content="吊销食品经营许可证")


def today() -> date:
    return clock.today()


@pytest.fixture(autouse=True)
def _built_in_facts_only(settings: Any) -> None:
    """These tests reason about the built-in facts (lists, records); the facts other apps add through
    GONGXIN_FACT_PROVIDERS (a grade, commitments) are tested where a test configures a provider."""
    settings.GONGXIN_FACT_PROVIDERS = []
    rules_forget()
