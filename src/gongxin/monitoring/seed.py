"""The default monitoring policies (training parameters, alert rules), seeded by migration 0002."""

from __future__ import annotations

from datetime import date
from typing import Any

from gongxin.monitoring.choices import MonitoringPolicyKind

BASIS = ("《国务院办公厅关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》（国办发〔2019〕35号）"
         "：建立风险预判预警机制，及早发现风险隐患；参数为市信用办的运营口径，可按效果调整。")

TARGET_BASIS = (BASIS + "\n《国务院办公厅关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》"
                "第（七）项：根据企业信用等级实施差异化监管措施，对风险较高的提高抽查比例和频次——预警按风险高低排序，"
                "按月控制预警占企业总数的比例，使有限的监管力量用在风险最高的主体上；比例由市信用办按月评估后调整。")

POLICIES: list[dict[str, Any]] = [
    {
        "kind": MonitoringPolicyKind.TRAINING, "code": "training.org.2026", "name": "企业信用风险预警评分卡训练口径",
        "effective_from": date(2026, 1, 1), "basis": BASIS,
        "params": {
            # The adverse outcome: a serious negative record, or a judgment-debtor / serious-dishonesty one,
            # decided within the horizon after the snapshot.
            "horizon_months": 12, "outcome_severities": ["serious"],
            "outcome_record_kinds": ["judgment_debtor", "serious_dishonesty"],
            "pdo": 20, "base_odds": 50, "base_points": 600,
            "min_iv": 0.02, "test_size": 0.3, "seed": 20260101, "max_bins": 6,
        },
    },
    {
        "kind": MonitoringPolicyKind.ALERTS, "code": "alerts.org.2026", "name": "企业信用风险预警规则",
        "effective_from": date(2026, 1, 1), "basis": BASIS,
        # A score below ``score_below`` raises a threshold alert when it is crossed (once per episode);
        # a fall of at least ``drop_points`` since the previous run raises a deterioration alert.
        "params": {"score_below": 540, "drop_points": 30, "reasons": 3},
    },
    {
        # Decision 072: alerts people can act on. The same lines, ranked and capped: a run raises at most
        # ``target_share_per_month`` of the organizations scored as new alerts in a calendar month (the rest are
        # held back and counted); each staff member's queue shows the ``cap_per_field`` highest-priority open
        # alerts of their field (district and regulatory domain); a related party newly on a black list or a
        # controller change of a listed firm raises an alert weighted by ``related_weight``.
        "kind": MonitoringPolicyKind.ALERTS, "code": "alerts.org.2026-12",
        "name": "企业信用风险预警规则（分级分类、按月目标）",
        "effective_from": date(2026, 12, 1), "basis": TARGET_BASIS,
        "params": {
            "score_below": 540, "drop_points": 30, "reasons": 3,
            # Below the line, a subject stays a candidate run after run, except ``quiet_months`` after its
            # alert was closed.
            "target_share_per_month": 0.02, "quiet_months": 6, "cap_per_field": 25,
            "related_weight": 1.5, "related_depth": 2,
            # Regulatory domain of an organization by the section of its industry (GB/T 4754); others: the default.
            "industry_domains": {"E": "housing", "G": "transport", "Q": "health", "N": "ecology_environment",
                                 "B": "work_safety", "D": "work_safety"},
            "default_domain": "market_regulation",
        },
    },
]


def monitoring_policies_seed(policy_model: Any = None) -> int:
    if policy_model is None:
        from gongxin.monitoring.models import MonitoringPolicy as policy_model
    created = 0
    for spec in POLICIES:
        _, was_created = policy_model.objects.get_or_create(code=spec["code"], defaults=spec)
        created += was_created
    return created


def seed_restore() -> None:
    """Seed the monitoring policies again if a flush emptied them (core.seeds); a no-op otherwise."""
    from gongxin.monitoring.models import MonitoringPolicy

    if not (MonitoringPolicy.objects.exists()):
        monitoring_policies_seed()
