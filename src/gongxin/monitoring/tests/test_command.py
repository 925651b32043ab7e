"""``gongxin monitoring``: validate prints German credit's AUC and KS; train, activate and run chain up."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongxin.monitoring.models import RiskRun, Scorecard
from gongxin.monitoring.tests.conftest import Population

pytestmark = pytest.mark.django_db


def _call(*args: str) -> str:
    out = StringIO()
    call_command("monitoring", *args, stdout=out)
    return out.getvalue()


def test_validate_reports_auc_and_ks_on_german_credit() -> None:
    out = _call("validate", "--seed", "42")
    assert "700 training / 300 hold-out rows" in out
    assert "AUC train 0.8258  hold-out 0.8044" in out and "KS  train 0.5306  hold-out 0.4778" in out


def test_train_activate_and_run(population: Population) -> None:
    out = _call("train", "--activate")
    scorecard = Scorecard.objects.get()
    assert f"scorecard {scorecard.pk} is active" in out and "AUC" in out
    out = _call("run")
    run = RiskRun.objects.get()
    assert f"{len(population.subjects)} organizations scored" in out and run.scorecard_id == scorecard.pk


def test_a_run_without_an_active_scorecard_fails_with_the_code(policies) -> None:
    with pytest.raises(CommandError, match=r"monitoring\.no_active_scorecard"):
        _call("run")
