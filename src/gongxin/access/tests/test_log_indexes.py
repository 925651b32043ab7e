"""The logs every check and query appends to (the inquiry log, the checks) carry one index per subject
access path: the (subject, newest first) index serves lookups by subject, so no second one on subject alone
costs every append an index insert."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Model

from gongxin.access.models import Inquiry
from gongxin.rewards.models import Check


@pytest.mark.parametrize("model", [Inquiry, Check])
def test_one_index_leads_with_the_subject(db: None, model: type[Model]) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    leading = [c["columns"] for c in constraints.values()
               if c["index"] and not c["primary_key"] and c["columns"][:1] == ["subject_id"]]
    assert leading == [["subject_id", "created_at"]]
