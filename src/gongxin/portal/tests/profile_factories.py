"""Rows for the profile, banner and home-figure tests, on top of ``factories`` (same services, real clocks):
a court's judgment-debtor listing, and many records of one subject."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.records.models import Record
from gongxin.records.services import record_submit
from gongxin.subjects.models import Subject
from gongxin.testing import factories

_sequence = itertools.count(1)


def _subject_part(subject: Subject) -> dict[str, Any]:
    if subject.kind == "organization":
        return {"subject_name": subject.name, "subject_category": "organization", "uscc": subject.organization.uscc}
    return {"subject_name": subject.name, "subject_category": "person", "id_number": "330203199001010012"}


def judgment_debtor_of(*, subject: Subject, source_unit: SourceUnit, listed: date | None = None) -> Record:
    listed = listed or clock.today() - timedelta(days=40)
    result = record_submit(
        source_unit=source_unit, item=factories.seeded_item("judgment_debtor"), source_record_id=f"J{next(_sequence)}",
        subject=subject, actor=factories.ADMIN, payload={
            **_subject_part(subject),
            "case_number": f"（{listed.year}）浙0203执{next(_sequence)}号",
            "court": "宁波市海曙区人民法院",
            "obligation": "支付货款人民币十万元",
            "dishonesty_circumstances": "有履行能力而拒不履行生效法律文书确定义务",
            "listing_date": listed.isoformat(),
        },
    )
    return Record.objects.select_related("current_version").get(pk=result.record.pk)


def penalties_of(*, subject: Subject, source_unit: SourceUnit, count: int, same_day: int = 0) -> list[Record]:
    """``count`` penalties decided on distinct days, newest 1 day ago; the first ``same_day`` of them share one
    decision date (so the order falls back to the record id)."""
    today = clock.today()
    records = []
    for n in range(count):
        decided = today - timedelta(days=2 if n < same_day else n + 1)
        records.append(factories.penalty_create(subject=subject, source_unit=source_unit, decided=decided))
    return records
