"""Subjects for tests of any app, registered through the real services.

``uscc_new`` and ``rin_new`` give valid, unique codes; ``organization_create`` and ``person_create``
register a subject with sensible Ningbo defaults that a test can override.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from gongxin.subjects.choices import OrganizationKind
from gongxin.subjects.identifiers import rin_generate, uscc_generate
from gongxin.subjects.models import Subject
from gongxin.subjects.services import organization_register, person_register

_sequence = itertools.count(1)


def uscc_new(*, prefix: str = "91", division: str = "330200") -> str:
    """A valid USCC, unique within the test run (a Ningbo enterprise by default)."""
    return uscc_generate(prefix=prefix, division=division, org_code=f"MA{next(_sequence):07d}")


def rin_new(*, area: str = "330203", birth_date: date | None = None, male: bool = True) -> str:
    """A valid RIN, unique within the test run (born 1990 in Haishu, Ningbo, by default)."""
    n = next(_sequence)
    born = birth_date or date(1990, 1, 1) + timedelta(days=n // 400)
    sequence = (n % 400) * 2 + (1 if male else 2)
    return rin_generate(area=area, birth_date=born, sequence=sequence)


def organization_create(*, name: str = "宁波甬江贸易有限公司", **overrides: Any) -> Subject:
    values: dict[str, Any] = {
        "uscc": uscc_new(),
        "name": name,
        "org_kind": OrganizationKind.ENTERPRISE,
        "region_code": "330203",
        "industry": "批发和零售业",
        "legal_representative": "王五",
        "address": "浙江省宁波市海曙区中山西路1号",
        "actor_label": "tests",
    }
    values.update(overrides)
    return organization_register(**values)


def person_create(*, name: str = "李四", rin: str | None = None, **overrides: Any) -> Subject:
    return person_register(rin=rin or rin_new(), name=name, actor_label="tests", **overrides)
