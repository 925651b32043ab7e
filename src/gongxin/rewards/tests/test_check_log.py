"""The check log under sustained load (decision 043): a check only appends — it updates and deletes no row —
and writing a check with hits reads nothing of the log already written, so its cost does not grow with the log.
No database constraint points into the check log: a constraint's lookup into it ran on every hit with a plan
PostgreSQL froze per connection while the log was small (a scan of the whole log per hit). Nor out of the check and
inquiry logs: each such constraint locked the row it names (the client, matter, subject, measures) on every check —
a WAL record each, a full page image after every checkpoint, MultiXacts when workers lock the same row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import SourceUnit
from gongxin.rewards.models import Check, CheckCertificate, CheckFeedback, CheckHit
from gongxin.rewards.services import CheckRequest, check_feedback, check_perform, checks_perform
from gongxin.rewards.tests.conftest import dispatch, serious_list_create
from gongxin.subjects.models import Subject

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's table statistics")


def _uscc(subject: Subject) -> str:
    return subject.organization.uscc


def _row_changes() -> dict[str, tuple[int, int, int, int]]:
    """PostgreSQL: per table, this transaction's rows updated and deleted so far, and its scans
    (sequential, index) — ``pg_stat_xact_user_tables`` counts the current transaction, which is the test's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_upd, n_tup_del, seq_scan, COALESCE(idx_scan, 0)"
                       " FROM pg_stat_xact_user_tables")
        return {name: (upd, dele, seq, idx) for name, upd, dele, seq, idx in cursor.fetchall()}


def _checks(viewer: Viewer, *subjects: Subject) -> None:
    """A single check of each subject (the one-statement path on PostgreSQL), then all of them in one batch."""
    for subject in subjects:
        outcome = checks_perform(requests=[CheckRequest(uscc=_uscc(subject))], matter_code="CZ-CG-001",
                                 actor=viewer)[0]
        assert outcome.error is None
    outcomes = checks_perform(requests=[CheckRequest(uscc=_uscc(s)) for s in subjects], matter_code="CZ-CG-001",
                              actor=viewer)
    assert all(o.error is None for o in outcomes)


def test_no_database_constraint_points_into_the_check_log(db: None) -> None:
    log = Check._meta.db_table
    with connection.cursor() as cursor:
        for model in (CheckHit, CheckFeedback, CheckCertificate):
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            into_log = [name for name, c in constraints.items() if c["foreign_key"] and c["foreign_key"][0] == log]
            assert into_log == [], model.__name__


@on_postgresql
def test_a_check_locks_none_of_the_rows_it_names(system_viewer: Viewer, clean_org: Subject,
                                                  debtor_org: Subject) -> None:
    """While a check's transaction is open, another connection can lock for update every row the check and its
    inquiry and hits name: nothing of theirs is locked (a foreign key's check would hold FOR KEY SHARE)."""
    import psycopg

    from gongxin.access.models import Inquiry

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # Django defers them to a commit a test never reaches
    _checks(system_viewer, clean_org, debtor_org)
    check = Check.objects.filter(subject=debtor_org).latest("pk")
    hit = CheckHit.objects.filter(check_row=check).first()
    inquiry = Inquiry.objects.filter(subject=debtor_org).latest("pk")
    assert hit is not None and check.client_id is not None and inquiry.viewer_client_id == check.client_id
    named = {"subjects_subject": check.subject_id, "rewards_matter": check.matter_id,
             "accounts_apiclient": check.client_id, "rewards_measure": hit.measure_id,
             "rewards_measureversion": hit.measure_version_id}
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"],
                         password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=False) as other:
        for table, row_id in named.items():
            # NOWAIT: a row the check had locked raises at once instead of waiting for the test's transaction.
            other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [row_id])  # noqa: S608
        other.rollback()


def test_a_check_updates_and_deletes_nothing(system_viewer: Viewer, clean_org: Subject, debtor_org: Subject) -> None:
    _checks(system_viewer, clean_org, debtor_org)  # the subjects' facts rows are current from here on
    before = _row_changes() if connection.vendor == "postgresql" else {}
    with CaptureQueriesContext(connection) as captured:
        _checks(system_viewer, clean_org, debtor_org)
    statements = [q["sql"].lstrip().split(None, 1)[0].upper() for q in captured.captured_queries]
    assert "UPDATE" not in statements and "DELETE" not in statements
    assert not any("ON CONFLICT" in q["sql"].upper() for q in captured.captured_queries)
    if connection.vendor == "postgresql":  # the single check's statement runs past Django's cursor: count rows
        after = _row_changes()
        changed = {t: (after[t][0] - before.get(t, (0, 0, 0, 0))[0], after[t][1] - before.get(t, (0, 0, 0, 0))[1])
                   for t in after}
        assert {t: c for t, c in changed.items() if c != (0, 0)} == {}
    assert CheckHit.objects.filter(check_row__subject=debtor_org).count() == 4


@on_postgresql
def test_a_check_with_hits_reads_nothing_of_the_log(system_viewer: Viewer, clean_org: Subject,
                                                    debtor_org: Subject) -> None:
    _checks(system_viewer, clean_org, debtor_org)
    log = Check._meta.db_table
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred to the commit, which a test never reaches: checked now, as a
        # check's own statement (autocommit) is.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = _row_changes()[log]
    _checks(system_viewer, clean_org, debtor_org)
    after = _row_changes()[log]
    assert (after[2] - before[2], after[3] - before[3]) == (0, 0)  # no sequential scan, no index scan
    assert CheckHit.objects.filter(check_row__subject=debtor_org).count() == 4


def test_feedback_marks_the_hits_in_one_update_by_the_check(system_viewer: Viewer, unit: SourceUnit,
                                                            debtor_org: Subject) -> None:
    """Feedback updates its check's hit rows found by the check's index, in one statement: filtered through a
    join (``WHERE id IN (SELECT …)``), PostgreSQL answered it with a scan of every hit ever logged."""
    serious_list_create(subject=debtor_org, source_unit=unit, exit_on=None)
    dispatch()
    checked = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    codes = sorted(h["measure"] for h in checked.hits)
    assert len(codes) >= 2
    with CaptureQueriesContext(connection) as captured:
        check_feedback(check=checked, measures_applied=codes[:1], outcome="rejected", note="", actor=system_viewer)
    updates = [q["sql"] for q in captured.captured_queries
               if q["sql"].lstrip().upper().startswith("UPDATE") and CheckHit._meta.db_table in q["sql"]]
    assert len(updates) == 1 and "SELECT" not in updates[0].upper()
    applied = dict(CheckHit.objects.filter(check_row=checked).values_list("measure__code", "applied"))
    assert applied == {code: code == codes[0] for code in codes}
