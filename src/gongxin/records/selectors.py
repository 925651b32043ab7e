"""Store-level reads of records that disclose nothing about one subject.

Reads of a subject's records (its profile, one record, a record's history) disclose, so they live above the
store with the disclosure policy: ``access.shown`` and ``access.disclosure``.
"""

from __future__ import annotations

from django.db.models import Count

from gongxin.catalog.choices import SubjectKind
from gongxin.catalog.selectors import items_current, source_units
from gongxin.records.models import Record
from gongxin.subjects.models import Subject


def platform_figures() -> dict[str, int]:
    """Headline figures for the home page (counts of public-safe aggregates only)."""
    kinds = dict(Subject.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return {
        "organizations": kinds.get(SubjectKind.ORGANIZATION, 0),
        "persons": kinds.get(SubjectKind.PERSON, 0),
        "records": Record.objects.count(),
        "source_units": source_units().count(),
        "catalog_items": items_current().count(),
    }
