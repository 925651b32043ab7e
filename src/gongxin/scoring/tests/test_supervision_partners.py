"""Tiered supervision (classes, rates, reproducible samples) and partner-score translation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.scoring.errors import NotRegulator, PartnerScoreOutOfScale, RateOutOfBand
from gongxin.scoring.models import ScoringModel, SubjectScore
from gongxin.scoring.selectors import field_get, partner_translate, supervision_classes, supervision_sample
from gongxin.scoring.services import supervision_rule_set
from gongxin.scoring.tests.conftest import STAFF
from gongxin.subjects.models import Subject

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scoring_models")]


@pytest.fixture
def graded(db: None) -> dict[str, list[int]]:
    """100 organizations with current scores: 20 of each grade but poor, 40 poor (set as the engine would)."""
    model = ScoringModel.objects.get(code="org.zj", status="active")
    grades = ["excellent"] * 20 + ["good"] * 20 + ["fair"] * 20 + ["poor"] * 40
    now = clock.now()
    subjects = Subject.objects.bulk_create([Subject(kind="organization", name=f"企业{n}", created_at=now)
                                            for n in range(len(grades))])
    SubjectScore.objects.bulk_create([
        SubjectScore(subject=s, model=model, score=500, grade=g, as_of=clock.today(), changed_at=now)
        for s, g in zip(subjects, grades, strict=True)
    ])
    by_grade: dict[str, list[int]] = {}
    for s, g in zip(subjects, grades, strict=True):
        by_grade.setdefault(g, []).append(s.pk)
    return by_grade


def test_classes_follow_grades_with_the_default_rates(graded):
    classes = {c.class_code: c for c in supervision_classes(field_code="market_regulation")}

    assert {k: (c.grade, c.rate) for k, c in classes.items()} == {
        "A": ("excellent", Decimal("0.05")), "B": ("good", Decimal("0.2")), "C": ("fair", Decimal("0.6")),
        "D": ("poor", Decimal("1")),
    }
    assert classes["A"].subject_ids == sorted(graded["excellent"])
    assert [classes[k].sample_size for k in "ABCD"] == [1, 4, 12, 40]


def test_the_sample_is_reproducible_by_seed_and_follows_the_rates(graded):
    first = supervision_sample(field_code="market_regulation", seed="2026-Q4")
    again = supervision_sample(field_code="market_regulation", seed="2026-Q4")
    other = supervision_sample(field_code="market_regulation", seed="2027-Q1")

    assert [s for _, s in first] == [s for _, s in again]
    assert [s for _, s in first] != [s for _, s in other]
    sizes = {c.class_code: len(s) for c, s in first}
    assert sizes == {"A": 1, "B": 4, "C": 12, "D": 40}
    for klass, sample in first:
        assert set(sample) <= set(klass.subject_ids)


def test_a_regulator_sets_its_fields_rate_within_the_legal_band(graded):
    field = field_get(code="market_regulation")
    operator = Viewer(label="user:op", role=Role.OPERATOR, department_id=999)

    with pytest.raises(NotRegulator):
        supervision_rule_set(field=field, grade="good", rate=Decimal("0.10"), actor=operator)
    with pytest.raises(RateOutOfBand):
        supervision_rule_set(field=field, grade="good", rate=Decimal("0.30"), actor=STAFF)
    supervision_rule_set(field=field, grade="good", rate=Decimal("0.10"), actor=STAFF)

    classes = {c.class_code: c for c in supervision_classes(field_code="market_regulation")}
    assert classes["B"].rate == Decimal("0.10") and classes["B"].sample_size == 2
    other = {c.class_code: c for c in supervision_classes(field_code="ecology")}
    assert other["B"].rate == Decimal("0.2")  # other fields keep the default


@pytest.mark.parametrize(("score", "partner_level", "local"), [
    (420, "信用较差", "C"), (549, "信用较差", "C"), (550, "信用一般", "B"), (650, "信用良好", "A"),
    (700, "信用优秀", "AA"), (751, "信用极好", "AAA"),
])
def test_qianjiang_scores_map_to_local_levels(score, partner_level, local):
    result = partner_translate(scheme_code="hangzhou_qianjiang", score=score)

    assert (result.partner_level, result.local_level) == (partner_level, local)
    assert result.local_level_name  # the Tianyi level's name


def test_a_score_outside_the_partner_scale_is_refused():
    with pytest.raises(PartnerScoreOutOfScale):
        partner_translate(scheme_code="xiamen_bailu", score=1200)
