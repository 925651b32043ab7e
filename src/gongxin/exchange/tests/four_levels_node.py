"""What the four-level test asks one node to do, run inside that node's own process and database:
``python -m gongxin.exchange.tests.four_levels_node <action> '<json arguments>'`` prints a JSON answer.

Actions: ``penalty`` (a firm's fine recorded by a local source unit), ``correct`` (a correction of it), ``debtor``
(a dishonest judgment debtor, as the nation's court list holds it), ``revoke`` (a record revoked), ``records``
(which source record ids of an item this node holds, with their versions' changes and status), ``listed`` (whether
a firm is on an active list entry of a type), ``check`` (a procurement check of a firm: its decision),
``package`` (a package of this node, built for a peer, as base64 — the test tampers with it)."""

from __future__ import annotations

import base64
import json
import os
import sys
from datetime import timedelta
from typing import Any


def _unit(code: str, name: str) -> Any:
    from gongxin.accounts.models import Department
    from gongxin.catalog.models import SourceUnit

    department, _created = Department.objects.get_or_create(code=code, defaults={"name": name, "region_code": "330200"})
    unit, _created = SourceUnit.objects.get_or_create(department=department, defaults={"domain": "market_regulation"})
    return unit


def _firm(uscc: str, name: str) -> Any:
    from gongxin.subjects.selectors import subject_by_uscc
    from gongxin.testing.factories import organization_create

    return subject_by_uscc(uscc) or organization_create(name=name, uscc=uscc)


def penalty(args: dict[str, Any]) -> dict[str, Any]:
    """``count`` fines of one firm, source record ids ``<prefix>-<n>`` (each process's factories count afresh, so the
    test names them)."""
    from django.db import transaction

    from gongxin.core import clock

    unit = _unit(args.get("unit", "HS-SCJG"), args.get("unit_name", "海曙区市场监督管理局"))
    subject = _firm(args["uscc"], args["name"])
    decided = clock.today() - timedelta(days=30)
    ids = []
    with transaction.atomic():  # all at once: the district's next round sends them together
        ids = _penalties(args, unit, subject, decided)
    return {"ids": ids}


def _penalties(args: dict[str, Any], unit: Any, subject: Any, decided: Any) -> list[str]:
    from gongxin.records.services import record_submit
    from gongxin.testing.factories import ADMIN, SOURCE_UNIT_USCC, seeded_item

    ids = []
    for number in range(int(args.get("count", 1))):
        identity = f"{args['prefix']}-{number}"
        record_submit(source_unit=unit, item=seeded_item("penalty"), source_record_id=identity, subject=subject,
                      actor=ADMIN, payload={
                          "subject_name": args["name"], "subject_category": "organization", "uscc": args["uscc"],
                          "legal_representative": "张三", "decision_number": f"海市监罚〔2026〕{identity}号",
                          "violation_type": "销售不符合食品安全标准的食品",
                          "violation_facts": "当事人销售超过保质期的预包装食品。",
                          "penalty_basis": "《中华人民共和国食品安全法》第一百二十四条", "penalty_types": "罚款",
                          "penalty_content": "罚款人民币贰万伍仟元", "fine_amount": "25000.00",
                          "decision_date": decided.isoformat(),
                          "penalty_valid_until": (decided + timedelta(days=365)).isoformat(),
                          "authority_name": "海曙区市场监督管理局", "authority_uscc": SOURCE_UNIT_USCC,
                          "data_source_unit": "海曙区市场监督管理局", "data_source_uscc": SOURCE_UNIT_USCC})
        ids.append(identity)
    return ids


def correct(args: dict[str, Any]) -> dict[str, Any]:
    from django.db import transaction

    from gongxin.records.models import Record
    from gongxin.records.services import record_version_append
    from gongxin.testing.factories import ADMIN

    record = Record.objects.select_related("current_version").get(source_record_id=args["source_record_id"],
                                                                  catalog_item__code=args.get("item", "penalty"))
    with transaction.atomic():
        record_version_append(record=record, change="corrected", actor=ADMIN, reason="更正",
                              payload={**record.current_version.payload, **args["fields"]})
    return {"ok": True}


def debtor(args: dict[str, Any]) -> dict[str, Any]:
    from gongxin.core import clock
    from gongxin.records.services import record_submit
    from gongxin.testing.factories import ADMIN, seeded_item

    unit = _unit("ZGFY", "最高人民法院")
    subject = _firm(args["uscc"], args["name"])
    listed = clock.today() - timedelta(days=3)
    result = record_submit(source_unit=unit, item=seeded_item("judgment_debtor"),
                           source_record_id=args["source_record_id"], subject=subject, actor=ADMIN, payload={
                               "subject_name": args["name"], "subject_category": "organization",
                               "uscc": args["uscc"], "case_number": "（2026）浙0203执1234号",
                               "court": "宁波市海曙区人民法院", "obligation": "支付货款人民币伍拾万元",
                               "dishonesty_circumstances": "有履行能力而拒不履行生效法律文书确定义务",
                               "listing_date": listed.isoformat()})
    return {"source_record_id": result.record.source_record_id}


def revoke(args: dict[str, Any]) -> dict[str, Any]:
    from django.db import transaction

    from gongxin.records.models import Record
    from gongxin.records.services import record_revoke
    from gongxin.testing.factories import ADMIN

    record = Record.objects.get(source_record_id=args["source_record_id"], catalog_item__code=args["item"])
    with transaction.atomic():
        record_revoke(record=record, actor=ADMIN, reason="撤销")
    return {"ok": True}


def records(args: dict[str, Any]) -> dict[str, Any]:
    from gongxin.records.models import Record, RecordVersion

    found: dict[str, Any] = {}
    rows = Record.objects.filter(catalog_item__code=args["item"], source_record_id__in=args["ids"])
    for record_id, identity in rows.values_list("id", "source_record_id"):
        versions = list(RecordVersion.objects.filter(record_id=record_id).order_by("number")
                        .values_list("change", "status"))
        found.setdefault(identity, []).append({"changes": [c for c, _s in versions], "status": versions[-1][1]})
    return {"records": found}


def listed(args: dict[str, Any]) -> dict[str, Any]:
    from gongxin.records.models import ListEntry

    entries = ListEntry.objects.filter(subject__organization__uscc=args["uscc"], list_type__code=args["list"])
    return {"active": entries.filter(is_active=True).count(), "all": entries.count()}


def check(args: dict[str, Any]) -> dict[str, Any]:
    from gongxin.accounts.models import Department
    from gongxin.accounts.services import api_client_create
    from gongxin.accounts.viewer import viewer_for_client
    from gongxin.rewards.models import BusinessSystem
    from gongxin.rewards.services import CheckRequest, checks_perform, matter_register, system_register
    from gongxin.testing.factories import ADMIN

    system = BusinessSystem.objects.filter(code="HS-CZ-ZFCG").select_related("client").first()
    if system is None:
        department, _created = Department.objects.get_or_create(code="HS-CZ", defaults={
            "name": "海曙区财政局", "region_code": "330203"})
        from gongxin.accounts.choices import Scope

        client, _key = api_client_create(name="政府采购管理系统", department=department,
                                         scopes=[Scope.SUBJECTS_READ, Scope.RECORDS_SHARE])
        system = system_register(code="HS-CZ-ZFCG", name="政府采购管理系统", department=department, client=client,
                                 actor=ADMIN)
        matter_register(code="CZ-CG-001", name="政府采购供应商资格审查", system=system, matter_type="procurement",
                        actor=ADMIN)
    outcome = checks_perform(requests=[CheckRequest(uscc=args["uscc"])], matter_code="CZ-CG-001",
                             actor=viewer_for_client(system.client))[0]
    return {"decision": (outcome.row or {}).get("decision"), "error": str(outcome.error or "")}


def package(args: dict[str, Any]) -> dict[str, Any]:
    from gongxin.exchange.packages import package_build

    data = package_build(receiver=args["receiver"], item_code="penalty", mode="incremental",
                         sequence=int(args.get("sequence", 999)), records=[{
                             "op": "new", "source_record_id": "TAMPER-1", "issuer": {},
                             "fields": {"subject_name": "篡改测试有限公司"}}])
    return {"package": base64.b64encode(data).decode("ascii")}


def push_headers(args: dict[str, Any]) -> dict[str, Any]:
    """This node's signed headers for pushing a body of ``length`` bytes (exchange.pulling.request_sign)."""
    from gongxin.exchange.pulling import PACKAGES_PATH, request_sign

    return {"headers": request_sign(method="POST", path_with_query=PACKAGES_PATH, length=int(args["length"]))}


ACTIONS = {f.__name__: f for f in (penalty, correct, debtor, revoke, records, listed, check, package, push_headers)}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    import django

    django.setup()
    action, raw = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "{}"
    print(json.dumps(ACTIONS[action](json.loads(raw)), ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
