"""access.summary: the counts each purpose is shown, kept in the profile summary and counted live alike."""

from __future__ import annotations

import pytest

from gongxin.access.summary import SUMMARY_KEY, shown_counts, shown_counts_compute
from gongxin.core import clock
from gongxin.core.outbox import outbox_dispatch
from gongxin.records.choices import Purpose
from gongxin.records.models import ProfileSummary
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def test_kept_and_live_counts_agree_for_each_purpose(acme, acme_records):
    factories.objection_mark(acme_records["penalty"])
    outbox_dispatch()
    entry = ProfileSummary.objects.get(subject=acme).counts[SUMMARY_KEY]
    live = shown_counts_compute([acme.pk], day=clock.today())[acme.pk]
    assert entry == live
    for purpose in (Purpose.PUBLIC, Purpose.SELF):
        kept = shown_counts(subject_id=acme.pk, purpose=purpose)
        assert kept.from_summary
        assert kept.as_json() == live[purpose]
    own = shown_counts(subject_id=acme.pk, purpose=Purpose.SELF)
    public = shown_counts(subject_id=acme.pk, purpose=Purpose.PUBLIC)
    assert own.total > public.total  # the subject sees its non-public records too
    assert own.under_objection == 1


def test_the_entry_is_true_until_the_first_end_ahead(acme, acme_records):
    outbox_dispatch()
    entry = ProfileSummary.objects.get(subject=acme).counts[SUMMARY_KEY]
    ends = [d for r in acme_records.values() for d in (r.current_version.publicity_max_end,
                                                        r.current_version.retention_end) if d is not None]
    assert entry["as_of"] == clock.today().isoformat()
    assert entry["until"] == min(d for d in ends if d >= clock.today()).isoformat()


def test_without_a_summary_the_counts_are_counted_live(acme, acme_records):
    counts = shown_counts(subject_id=acme.pk, purpose=Purpose.SELF)
    assert not counts.from_summary
    assert counts.kinds == {"penalty": 2, "licence": 1} and counts.negative == 2
    assert shown_counts(subject_id=acme.pk, purpose=Purpose.PUBLIC).kinds == {"penalty": 1, "licence": 1}


def test_other_purposes_keep_no_counts(acme):
    with pytest.raises(ValueError):
        shown_counts(subject_id=acme.pk, purpose=Purpose.AUTHORIZED)
