"""The default monitoring policies (training parameters, alert rules), seeded by migration 0002."""

from __future__ import annotations

from datetime import date
from typing import Any

from gongxin.monitoring.choices import MonitoringPolicyKind

BASIS = ("《国务院办公厅关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》（国办发〔2019〕35号）"
         "：建立风险预判预警机制，及早发现风险隐患；参数为市信用办的运营口径，可按效果调整。")

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
]


def monitoring_policies_seed(policy_model: Any = None) -> int:
    if policy_model is None:
        from gongxin.monitoring.models import MonitoringPolicy as policy_model
    created = 0
    for spec in POLICIES:
        _, was_created = policy_model.objects.get_or_create(code=spec["code"], defaults=spec)
        created += was_created
    return created
