"""Writes of the monitoring app: train and activate scorecards, score every organization, raise and
handle alerts, watch subjects.

Each service is one transaction that writes its rows, the alert history (``AlertEvent``) where alerts
change, and outbox events ``monitoring.<entity>.<verb>``. Scoring and alert raising are set-based: one
snapshot query family for all organizations, numpy for the points, ``bulk_create`` in batches for
scores, alerts and their events, one bulk outbox emit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock
from gongxin.core.clock import add_months
from gongxin.core.events import (
    ALERT_ACKNOWLEDGED,
    ALERT_CLOSED,
    ALERT_RAISED,
    RECORD_CORRECTED,
    RECORD_CREATED,
    RELATION_ADDED,
    RELATION_CORRECTED,
    RELATION_ENDED,
    RISK_RUN_COMPLETED,
    SCORECARD_ACTIVATED,
    SCORECARD_TRAINED,
    WATCH_STARTED,
    WATCH_STOPPED,
)
from gongxin.core.models import OutboxEvent
from gongxin.core.outbox import EventDraft, event_emit, events_emit_bulk
from gongxin.monitoring import features as feature_set
from gongxin.monitoring.choices import (
    CAUSE_CONTROLLER_CHANGED,
    CAUSE_RELATED_LISTED,
    CAUSE_RISK,
    AlertKind,
    AlertStatus,
    MonitoringPolicyKind,
    ScorecardStatus,
    watch_cause,
)
from gongxin.monitoring.errors import (
    AlertClosed,
    MonitoringNotStaff,
    NoActiveScorecard,
    NoTrainingPolicy,
    ScorecardNotDraft,
    SubjectNotOrganization,
    TrainingDataInsufficient,
    TrainingHorizonOpen,
    WatchNotYours,
)
from gongxin.monitoring.modelling import FittedScorecard, Scaling, scorecard_apply, scorecard_fit
from gongxin.monitoring.models import Alert, AlertEvent, RiskRun, RiskScore, Scorecard, Watch
from gongxin.monitoring.selectors import (
    OPEN_STATUSES,
    organization_get,
    policy_in_effect,
    scorecard_active,
    writer_check,
)
from gongxin.records.choices import ListKind
from gongxin.records.models import ListEntry
from gongxin.subjects.models import Subject

DEFAULT_CODE = "org_early_warning"
BATCH = 2000


def fitted_of(scorecard: Scorecard) -> FittedScorecard:
    return FittedScorecard(features=scorecard.features, intercept=scorecard.intercept,
                           scaling=Scaling(pdo=scorecard.pdo, base_odds=scorecard.base_odds,
                                           base_points=scorecard.base_points))


def scorecard_train(*, actor: Viewer, as_of: date | None = None, code: str = DEFAULT_CODE,
                    name: str = "", seed: int | None = None) -> Scorecard:
    """Train a draft scorecard on the organizations' features at ``as_of`` (default: one horizon before
    today) and their outcomes in the horizon after it. Same data and seed, same scorecard."""
    writer_check(actor)
    today = clock.today()
    policy = policy_in_effect(kind=MonitoringPolicyKind.TRAINING, day=today)
    params = policy.params
    horizon = int(params["horizon_months"])
    as_of = as_of or add_months(today, -horizon)
    if not feature_set.horizon_complete(as_of=as_of, horizon_months=horizon, today=today):
        raise TrainingHorizonOpen(details={"as_of": as_of.isoformat(), "horizon_months": horizon})
    snapshot = feature_set.snapshot_compute(as_of=as_of)
    target = feature_set.outcomes_compute(
        subject_ids=snapshot.subject_ids, as_of=as_of, horizon_months=horizon,
        severities=params["outcome_severities"], record_kinds=params["outcome_record_kinds"])
    if len(target) < 20 or not 0 < sum(target) < len(target):
        raise TrainingDataInsufficient(details={"subjects": len(target), "events": sum(target)})
    seed = int(params["seed"]) if seed is None else seed
    scaling = Scaling(pdo=float(params["pdo"]), base_odds=float(params["base_odds"]),
                      base_points=float(params["base_points"]))
    try:
        fitted = scorecard_fit(frame=snapshot.columns, target=target, scaling=scaling,
                               min_iv=float(params["min_iv"]), test_size=float(params["test_size"]), seed=seed,
                               max_bins=int(params.get("max_bins", 6)))
    except ValueError as error:
        raise TrainingDataInsufficient(details={"reason": str(error)}) from error
    if not fitted.features:
        raise TrainingDataInsufficient(details={"reason": "no feature reached the minimum IV"})
    metrics = fitted.metrics
    with transaction.atomic():
        version = (Scorecard.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1
        scorecard = Scorecard.objects.create(
            code=code, version=version, name=name or f"{code} v{version}", policy=policy,
            features=fitted.features, intercept=fitted.intercept, pdo=scaling.pdo, base_odds=scaling.base_odds,
            base_points=scaling.base_points, snapshot_date=as_of,
            training={**metrics, "horizon_months": horizon, "policy": policy.code, "library": _library_version()},
            auc_train=metrics.get("auc_train"), auc_test=metrics.get("auc_test"),
            ks_train=metrics.get("ks_train"), ks_test=metrics.get("ks_test"),
            trained_at=clock.now(), trained_by_label=actor.label,
        )
        event_emit(topic=SCORECARD_TRAINED, aggregate_type="scorecard", aggregate_id=scorecard.pk,
                   subject_id=None, payload={"code": code, "version": version, "auc_test": scorecard.auc_test,
                                             "ks_test": scorecard.ks_test})
    return scorecard


def _library_version() -> str:
    from importlib.metadata import version

    return f"optbinning {version('optbinning')}, scikit-learn {version('scikit-learn')}"


def scorecard_activate(*, scorecard: Scorecard, actor: Viewer) -> Scorecard:
    """Make a draft scorecard the active one; the previously active one is retired."""
    writer_check(actor)
    with transaction.atomic():
        locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
        if locked.status != ScorecardStatus.DRAFT:
            raise ScorecardNotDraft()
        Scorecard.objects.filter(status=ScorecardStatus.ACTIVE).update(status=ScorecardStatus.RETIRED)
        locked.status = ScorecardStatus.ACTIVE
        locked.activated_at = clock.now()
        locked.activated_by_label = actor.label
        locked.save(update_fields=["status", "activated_at", "activated_by_label"])
        event_emit(topic=SCORECARD_ACTIVATED, aggregate_type="scorecard", aggregate_id=locked.pk,
                   subject_id=None, payload={"code": locked.code, "version": locked.version})
    return locked


def _reasons(fitted: FittedScorecard, points: np.ndarray, row: dict[str, Any], top: int,
             labels: dict[str, tuple[str, str]], best: np.ndarray) -> list[dict[str, Any]]:
    lost = best - points
    reasons = []
    for j in np.argsort(-lost, kind="stable")[:top]:
        if lost[j] <= 0.5:
            break
        code = fitted.features[j]["code"]
        value = row.get(code)
        shown = "—" if value is None else value
        reasons.append({
            "feature": code, "value": value, "points": round(float(points[j]), 1),
            "points_lost": round(float(lost[j]), 1),
            "reason_zh": f"{labels[code][0]}：{shown}（扣{lost[j]:.0f}分）",
            "reason_en": f"{labels[code][1]}: {shown} (−{lost[j]:.0f} points)",
        })
    return reasons


def risk_run(*, actor: Viewer, as_of: date | None = None, scorecard: Scorecard | None = None) -> RiskRun:
    """Score every organization with the active scorecard on ``as_of`` (default today), store a score,
    probability and reasons per subject, and raise the alerts of the alert policy: ranked, one open alert per
    subject and cause, within the month's target share when the policy sets one (decision 072)."""
    writer_check(actor)
    scorecard = scorecard or scorecard_active()
    if scorecard is None:
        raise NoActiveScorecard()
    as_of = as_of or clock.today()
    rules = policy_in_effect(kind=MonitoringPolicyKind.ALERTS, day=as_of).params
    fitted = fitted_of(scorecard)
    snapshot = feature_set.snapshot_compute(as_of=as_of)
    applied = scorecard_apply(fitted, snapshot.columns)
    best = np.array([max(b["points"] for b in f["bins"]) for f in fitted.features])
    labels = {f["code"]: (feature_set.feature_label(f["code"], language="zh-hans"),
                          feature_set.feature_label(f["code"], language="en")) for f in fitted.features}
    top = int(rules.get("reasons", 3))
    threshold = int(rules["score_below"])
    drop = int(rules["drop_points"])
    with transaction.atomic():
        # Runs take turns (the active scorecard's row is the lock): each compares with the one before it,
        # and two runs at once could otherwise both see "no open alert" for the same subject.
        Scorecard.objects.select_for_update().filter(pk=scorecard.pk).first()
        previous = _previous_run()
        # Under a monthly target (decision 072) a subject below the line stays a candidate run after run (a held
        # one is not lost), unless an alert of it was closed within ``quiet_months``; without one, only crossing.
        persistent = rules.get("target_share_per_month") is not None
        quiet: set[int] = set()
        if persistent:
            since = month_start(add_months(as_of.replace(day=1), -int(rules.get("quiet_months", 6))))
            quiet = set(Alert.objects.filter(cause=CAUSE_RISK, status=AlertStatus.CLOSED, updated_at__gte=since)
                        .values_list("subject_id", flat=True))
        before: dict[int, int] = {}
        if previous is not None:
            before = dict(RiskScore.objects.filter(run=previous).values_list("subject_id", "score")
                          .iterator(chunk_size=BATCH))
        run = RiskRun.objects.create(scorecard=scorecard, as_of=as_of, started_at=clock.now(),
                                     actor_label=actor.label)
        rows = []
        candidates: list[Candidate] = []
        for i, subject_id in enumerate(snapshot.subject_ids):
            values = snapshot.row(i)
            score = int(applied.score[i])
            probability = round(float(applied.probability[i]), 6)
            reasons = _reasons(fitted, applied.points[i], values, top, labels, best)
            rows.append(RiskScore(run=run, subject_id=subject_id, score=score, probability=probability,
                                  features=values, reasons=reasons))
            last = before.get(subject_id)
            crossed = score < threshold and ((subject_id not in quiet) if persistent
                                             else (last is None or last >= threshold))
            fell = last is not None and last - score >= drop
            if crossed or fell:
                candidates.append(Candidate(subject_id=subject_id, score=score, previous_score=last,
                                            probability=probability, crossed=crossed, fell=fell,
                                            features=values, reasons=reasons))
            if len(rows) >= BATCH:
                RiskScore.objects.bulk_create(rows)
                rows = []
        RiskScore.objects.bulk_create(rows)
        outcome = _run_alerts_raise(run=run, candidates=candidates, previous=previous, rules=rules,
                                    organizations=len(snapshot.subject_ids), pdo=scorecard.pdo, labels=labels)
        run.finished_at = clock.now()
        run.subjects = len(snapshot.subject_ids)
        run.alerts_raised, run.alerts_renewed, run.alerts_held = outcome
        run.save(update_fields=["finished_at", "subjects", "alerts_raised", "alerts_renewed", "alerts_held"])
        event_emit(topic=RISK_RUN_COMPLETED, aggregate_type="risk_run", aggregate_id=run.pk,
                   subject_id=None, payload={"scorecard": scorecard.pk, "as_of": as_of.isoformat(),
                                             "subjects": run.subjects, "alerts": run.alerts_raised})
    return run


def _previous_run() -> RiskRun | None:
    return RiskRun.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-id").first()


@dataclass
class Candidate:
    """A subject the run would alert: its score crossed the line or fell by the policy's points."""

    subject_id: int
    score: int
    previous_score: int | None
    probability: float
    crossed: bool
    fell: bool
    features: dict[str, Any]
    reasons: list[dict[str, Any]]

    @property
    def fell_by(self) -> int:
        return 0 if self.previous_score is None else max(self.previous_score - self.score, 0)


def alert_priority(*, probability: float, fell_by: int = 0, pdo: float = 20.0, weight: float = 1.0) -> float:
    """The rank of an alert in the queues: the probability of the adverse outcome, its odds doubled for every
    ``pdo`` points the score fell since the previous run (the scorecard's own scale), times a weight (related-party
    events, by policy). Higher first."""
    return round(probability * 2 ** (max(fell_by, 0) / (pdo or 20.0)) * weight, 6)


def month_start(day: date) -> datetime:
    """The first instant of ``day``'s calendar month in the platform's zone."""
    return datetime.combine(day.replace(day=1), time.min, tzinfo=timezone.get_default_timezone())


def alerts_of_month(*, day: date) -> int:
    """New alerts (risk and related-party causes; watches are each staff member's own) raised in ``day``'s
    month: what the policy's target share is measured against."""
    start = month_start(day)
    end = month_start(add_months(day.replace(day=1), 1))
    return (Alert.objects.filter(raised_at__gte=start, raised_at__lt=end)
            .exclude(kind=AlertKind.WATCH).count())


def monthly_budget(*, rules: dict[str, Any], organizations: int, day: date) -> int | None:
    """How many new alerts the month still allows (None: the policy sets no target share)."""
    share = rules.get("target_share_per_month")
    if share is None:
        return None
    target = math.ceil(float(share) * organizations)
    return max(target - alerts_of_month(day=day), 0)


def field_of_subjects(subject_ids: Sequence[int], *, rules: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """Each subject's field: (district, regulatory domain by the section of its industry, policy data)."""
    domains: dict[str, str] = rules.get("industry_domains") or {}
    default = str(rules.get("default_domain", ""))
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(subject_ids), BATCH):
        chunk = subject_ids[start:start + BATCH]
        for subject_id, region, industry in (Subject.objects.filter(pk__in=chunk)
                                             .values_list("pk", "region_code", "organization__industry")):
            section = (industry or "").strip()[:1].upper()
            found[subject_id] = (region or "", domains.get(section, default))
    return found


def _why_now(candidate: Candidate, before: dict[str, Any] | None, *, previous: RiskRun | None,
             labels: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """What changed since the last run: the score, and the scorecard's features whose values changed (the
    reasons' features first)."""
    changes = []
    if before is not None:
        order = [r["feature"] for r in candidate.reasons]
        codes = order + [code for code in labels if code not in order]
        for code in codes:
            was, now = before.get(code), candidate.features.get(code)
            if was != now:
                changes.append({"feature": code, "before": was, "after": now,
                                "label_zh": labels.get(code, (code, code))[0],
                                "label_en": labels.get(code, (code, code))[1]})
    return {"since": previous.as_of.isoformat() if previous is not None else None,
            "score_before": candidate.previous_score, "score_after": candidate.score, "changes": changes}


def _run_alerts_raise(*, run: RiskRun, candidates: list[Candidate], previous: RiskRun | None,
                      rules: dict[str, Any], organizations: int, pdo: float,
                      labels: dict[str, tuple[str, str]]) -> tuple[int, int, int]:
    """The run's alerts (decision 072): one per candidate subject (cause ``risk``), of kind deterioration when its
    score fell by the policy's points, else threshold (its score crossed the line). A subject with an open alert of
    the same cause has it renewed (score, reasons, why now) instead of a second one; new ones are raised highest
    priority first, up to the month's budget when the policy sets a target share; the rest are held (counted on
    the run). Returns (raised, renewed, held)."""
    threshold = int(rules["score_below"])
    drop = int(rules["drop_points"])
    if not candidates:
        return 0, 0, 0
    by_subject = {c.subject_id: c for c in candidates}
    previous_features: dict[int, dict[str, Any]] = {}
    if previous is not None:
        ids = list(by_subject)
        for start in range(0, len(ids), BATCH):
            previous_features.update(RiskScore.objects.filter(run=previous, subject_id__in=ids[start:start + BATCH])
                                     .values_list("subject_id", "features"))
    now = clock.now()
    open_alerts = {a.subject_id: a for a in Alert.objects.filter(
        cause=CAUSE_RISK, status__in=OPEN_STATUSES, subject_id__in=list(by_subject))}

    def detail_of(c: Candidate) -> dict[str, Any]:
        detail: dict[str, Any] = {"score_below": threshold, "reasons": c.reasons,
                                  "why_now": _why_now(c, previous_features.get(c.subject_id), previous=previous,
                                                      labels=labels)}
        if c.fell:
            detail.update({"drop_points": drop, "fell_by": c.fell_by})
        return detail

    renewed: list[Alert] = []
    for subject_id, alert in open_alerts.items():
        c = by_subject[subject_id]
        alert.kind = AlertKind.DETERIORATION if c.fell else alert.kind
        alert.run, alert.score, alert.previous_score = run, c.score, c.previous_score
        alert.priority = alert_priority(probability=c.probability, fell_by=c.fell_by, pdo=pdo)
        alert.detail = {**detail_of(c), "renewed": int((alert.detail or {}).get("renewed", 0)) + 1}
        alert.updated_at = now
        renewed.append(alert)
    Alert.objects.bulk_update(renewed, ["kind", "run", "score", "previous_score", "priority", "detail", "updated_at"],
                              batch_size=BATCH)
    fresh = [c for c in candidates if c.subject_id not in open_alerts]
    fresh.sort(key=lambda c: (-alert_priority(probability=c.probability, fell_by=c.fell_by, pdo=pdo), c.subject_id))
    budget = monthly_budget(rules=rules, organizations=organizations, day=run.as_of)
    held = 0
    if budget is not None and len(fresh) > budget:
        held = len(fresh) - budget
        fresh = fresh[:budget]
    fields = field_of_subjects([c.subject_id for c in fresh], rules=rules)
    alerts = [
        Alert(subject_id=c.subject_id, kind=AlertKind.DETERIORATION if c.fell else AlertKind.THRESHOLD,
              cause=CAUSE_RISK, dedupe_key=f"risk:{run.pk}:{c.subject_id}", run=run, score=c.score,
              previous_score=c.previous_score, detail=detail_of(c),
              priority=alert_priority(probability=c.probability, fell_by=c.fell_by, pdo=pdo),
              region_code=fields.get(c.subject_id, ("", ""))[0], domain=fields.get(c.subject_id, ("", ""))[1],
              raised_at=now, updated_at=now)
        for c in fresh
    ]
    return _alerts_insert(alerts, actor_label=f"run:{run.pk}"), len(renewed), held


OCCURRENCES_KEPT = 20


def _alerts_insert(alerts: list[Alert], *, actor_label: str) -> int:
    """Insert the alerts whose keys are new, with their ``raised`` history rows and outbox events. An alert whose
    (subject, cause) already has an open one is not raised again: the open one is renewed — its detail keeps the
    new occurrence (the newest ``OCCURRENCES_KEPT``), its ``updated_at`` moves (decision 072)."""
    if not alerts:
        return 0
    known = set(Alert.objects.filter(dedupe_key__in=[a.dedupe_key for a in alerts])
                .values_list("dedupe_key", flat=True))
    open_by_cause = {(a.subject_id, a.cause): a for a in Alert.objects.filter(
        status__in=OPEN_STATUSES, cause__in={a.cause for a in alerts if a.cause},
        subject_id__in={a.subject_id for a in alerts})}
    fresh: list[Alert] = []
    renewed: dict[int, Alert] = {}
    now = clock.now()
    for a in alerts:
        if a.dedupe_key in known:
            continue
        known.add(a.dedupe_key)
        current = open_by_cause.get((a.subject_id, a.cause)) if a.cause else None
        if current is None:
            fresh.append(a)
            if a.cause:
                open_by_cause[(a.subject_id, a.cause)] = a
            continue
        if any(o.get("key") == a.dedupe_key for o in (current.detail or {}).get("occurrences", [])):
            continue  # this occurrence renewed it already (an event handled twice)
        # A duplicate inside this batch stays on the alert about to be raised; else the open one is renewed.
        target = current if current.pk is None else renewed.setdefault(current.pk, current)
        detail = dict(target.detail or {})
        occurrence = {"key": a.dedupe_key, "at": now.isoformat(), **(a.detail or {})}
        detail["occurrences"] = [*detail.get("occurrences", []), occurrence][-OCCURRENCES_KEPT:]
        detail["renewed"] = int(detail.get("renewed", 0)) + 1
        target.detail = detail
        target.priority = max(target.priority, a.priority)
        target.updated_at = now
    Alert.objects.bulk_update(list(renewed.values()), ["detail", "priority", "updated_at"], batch_size=BATCH)
    for start in range(0, len(fresh), BATCH):
        Alert.objects.bulk_create(fresh[start:start + BATCH])
    # Re-read the ids (bulk_create returns them on PostgreSQL and recent SQLite, but not everywhere).
    ids: dict[str, int] = {}
    keys = [a.dedupe_key for a in fresh]
    for start in range(0, len(keys), BATCH):
        ids.update(Alert.objects.filter(dedupe_key__in=keys[start:start + BATCH]).values_list("dedupe_key", "id"))
    AlertEvent.objects.bulk_create(
        [AlertEvent(alert_id=ids[a.dedupe_key], action=ALERT_RAISED, actor_label=actor_label,
                    created_at=now) for a in fresh], batch_size=BATCH)
    events_emit_bulk(EventDraft(topic=ALERT_RAISED, aggregate_type="alert",
                                aggregate_id=ids[a.dedupe_key], subject_id=a.subject_id,
                                payload={"kind": a.kind, "score": a.score, "previous_score": a.previous_score})
                     for a in fresh)
    return len(fresh)


def _alert_rules() -> dict[str, Any]:
    """The alert policy in effect today (its parameters); an empty one where none was seeded."""
    try:
        return policy_in_effect(kind=MonitoringPolicyKind.ALERTS, day=clock.today()).params
    except NoTrainingPolicy:
        return {}


def _alert_step(*, alert: Alert, actor: Viewer, status: str, action: str, note: str) -> Alert:
    writer_check(actor)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == AlertStatus.CLOSED:
            raise AlertClosed()
        locked.status = status
        locked.updated_at = clock.now()
        locked.save(update_fields=["status", "updated_at"])
        AlertEvent.objects.create(alert=locked, action=action, actor_id=actor.user_id, actor_label=actor.label,
                                  note=note, created_at=locked.updated_at)
        event_emit(topic=action, aggregate_type="alert", aggregate_id=locked.pk, subject_id=locked.subject_id,
                   payload={"kind": locked.kind, "status": status})
    return locked


def alert_acknowledge(*, alert: Alert, actor: Viewer, note: str = "") -> Alert:
    """Staff have seen the alert and are looking into it."""
    return _alert_step(alert=alert, actor=actor, status=AlertStatus.ACKNOWLEDGED,
                       action=ALERT_ACKNOWLEDGED, note=note)


def alert_close(*, alert: Alert, actor: Viewer, note: str = "") -> Alert:
    """The alert is dealt with; a later crossing of the threshold raises a new one."""
    return _alert_step(alert=alert, actor=actor, status=AlertStatus.CLOSED, action=ALERT_CLOSED,
                       note=note)


def watch_start(*, subject: Subject, actor: Viewer, note: str = "") -> Watch:
    """Watch an organization: each new negative record of it raises an alert for this staff member."""
    writer_check(actor)
    user_id = actor.user_id
    if user_id is None:  # a watch alerts the staff member who started it: the platform's own actors have none
        raise MonitoringNotStaff()
    if subject.kind != "organization":
        raise SubjectNotOrganization()
    with transaction.atomic():
        watch, _created = Watch.objects.get_or_create(subject=subject, user_id=user_id,
                                                      defaults={"note": note, "created_at": clock.now()})
        if not watch.is_active or watch.note != note:
            watch.is_active = True
            watch.note = note
            watch.save(update_fields=["is_active", "note"])
        event_emit(topic=WATCH_STARTED, aggregate_type="watch", aggregate_id=watch.pk,
                   subject_id=subject.pk, payload={"user": actor.user_id})
    return watch


def watch_start_by_id(*, subject_id: int, actor: Viewer, note: str = "") -> Watch:
    """``watch_start`` for a subject named by id (the API and the pages): who may watch is checked before the
    subject is looked up, so a refused caller learns nothing of the subject (not even its kind)."""
    writer_check(actor)
    return watch_start(subject=organization_get(subject_id=subject_id, viewer=actor), actor=actor, note=note)


def watch_stop(*, watch: Watch, actor: Viewer) -> Watch:
    writer_check(actor)
    if watch.user_id != actor.user_id:
        raise WatchNotYours()
    with transaction.atomic():
        watch.is_active = False
        watch.save(update_fields=["is_active"])
        event_emit(topic=WATCH_STOPPED, aggregate_type="watch", aggregate_id=watch.pk,
                   subject_id=watch.subject_id, payload={"user": actor.user_id})
    return watch


def watch_alerts_raise(*, events: Sequence[OutboxEvent]) -> int:
    """Alerts for the watchers of the subjects of new negative records among ``events``. Idempotent: an
    alert's key is (watch, record), so handling an event twice raises nothing new."""
    negative = [(e, subject_id) for e in events if e.topic == RECORD_CREATED and e.aggregate_type == "record"
                and (subject_id := e.subject_id) and e.payload.get("polarity") == "negative"]
    if not negative:
        return 0
    watches: dict[int, list[Watch]] = {}
    for watch in Watch.objects.filter(subject_id__in={subject_id for _e, subject_id in negative}, is_active=True):
        watches.setdefault(watch.subject_id, []).append(watch)
    now = clock.now()
    fields = field_of_subjects(list(watches), rules=_alert_rules())
    alerts = [
        Alert(subject_id=subject_id, kind=AlertKind.WATCH, dedupe_key=f"watch:{w.pk}:{e.aggregate_id}",
              cause=watch_cause(w.pk), watch=w, record_id=e.aggregate_id,
              detail={"item": e.payload.get("item", ""), "event": e.pk, "record": e.aggregate_id},
              priority=1.0, region_code=fields.get(subject_id, ("", ""))[0],
              domain=fields.get(subject_id, ("", ""))[1], raised_at=now, updated_at=now)
        for e, subject_id in negative for w in watches.get(subject_id, ())
    ]
    return _alerts_insert(alerts, actor_label="watch")


# --- association events as alert triggers (decision 072) -----------------------------------------------------

# Relations whose change is a change of who controls or represents a firm.
CONTROL_KINDS = frozenset({"actual_controller", "shareholder", "investment", "legal_representative"})
LISTING_TOPICS = frozenset({RECORD_CREATED, RECORD_CORRECTED})
RELATION_TOPICS = frozenset({RELATION_ADDED, RELATION_CORRECTED, RELATION_ENDED})


def _path_shown(path: Sequence[Any]) -> list[dict[str, Any]]:
    """A path of hops (subjects.associations.Hop) as stored in an alert's detail (ids and kinds; names are
    looked up when shown, through the disclosure policy)."""
    return [{"subject_id": hop.subject_id, "kind": hop.kind, "direction": hop.direction,
             "relation_id": hop.relation_id} for hop in path]


def _latest_probabilities(subject_ids: Sequence[int]) -> dict[int, float]:
    run = _previous_run()
    if run is None or not subject_ids:
        return {}
    return dict(RiskScore.objects.filter(run=run, subject_id__in=list(subject_ids))
                .values_list("subject_id", "probability"))


def association_alerts_raise(*, events: Sequence[OutboxEvent]) -> int:
    """Alerts from association events (decision 072), idempotent by key:

    - *a related subject newly listed*: a new or corrected record that is an active black-list entry makes an
      alert (cause ``related_listed``) for every organization within the policy's ``related_depth`` of the listed
      subject (subjects.associations.related_subjects), naming the list and the path;
    - *a controller change of a listed firm*: a relation of a controlling kind (actual controller, shareholder,
      investment, legal representative) added, corrected or ended, whose organization is on an active black list,
      makes an alert (cause ``controller_changed``) for that organization.

    Priorities are the subject's latest risk probability (0.5 when never scored) times the policy's
    ``related_weight``."""
    from gongxin.subjects.associations import related_subjects

    rules = _alert_rules()
    weight = float(rules.get("related_weight", 1.0))
    depth = int(rules.get("related_depth", 2))
    now = clock.now()
    alerts: list[Alert] = []
    pending: list[tuple[int, str, str, dict[str, Any]]] = []  # (subject, kind, key, detail)
    record_ids = [e.aggregate_id for e in events if e.topic in LISTING_TOPICS and e.aggregate_type == "record"]
    if record_ids:
        listed = (ListEntry.objects.filter(record_id__in=record_ids, is_active=True, list_type__kind=ListKind.BLACK)
                  .select_related("list_type").order_by("pk"))
        for entry in listed:
            for found in related_subjects(subject_id=entry.subject_id, depth=depth):
                if found.subject_kind != SubjectKind.ORGANIZATION:
                    continue
                pending.append((found.subject_id, AlertKind.RELATED_LISTED,
                                f"related_listed:{entry.record_id}:{found.subject_id}",
                                {"listed_subject": entry.subject_id, "list": entry.list_type.code,
                                 "list_name": entry.list_type.name, "record": entry.record_id,
                                 "path": _path_shown(found.path)}))
    changes = [e for e in events if e.topic in RELATION_TOPICS and e.payload.get("kind") in CONTROL_KINDS
               and e.payload.get("to_subject_id")]
    if changes:
        firms = {int(e.payload["to_subject_id"]) for e in changes}
        on_lists: dict[int, list[str]] = {}
        for subject_id, code in (ListEntry.objects.filter(subject_id__in=firms, is_active=True,
                                                          list_type__kind=ListKind.BLACK)
                                 .values_list("subject_id", "list_type__code")):
            on_lists.setdefault(subject_id, []).append(code)
        for e in changes:
            firm = int(e.payload["to_subject_id"])
            if firm not in on_lists:
                continue
            pending.append((firm, AlertKind.CONTROLLER_CHANGED, f"controller_changed:{e.pk}",
                            {"event": e.pk, "change": e.topic, "relation": e.payload.get("relation_id"),
                             "relation_kind": e.payload.get("kind"), "party": e.subject_id,
                             "lists": sorted(on_lists[firm])}))
    if not pending:
        return 0
    subjects = [subject_id for subject_id, *_rest in pending]
    probabilities = _latest_probabilities(subjects)
    fields = field_of_subjects(subjects, rules=rules)
    for subject_id, kind, key, detail in pending:
        cause = CAUSE_RELATED_LISTED if kind == AlertKind.RELATED_LISTED else CAUSE_CONTROLLER_CHANGED
        region, domain = fields.get(subject_id, ("", ""))
        alerts.append(Alert(subject_id=subject_id, kind=kind, cause=cause, dedupe_key=key[:120], detail=detail,
                            priority=alert_priority(probability=probabilities.get(subject_id, 0.5), weight=weight),
                            region_code=region, domain=domain, raised_at=now, updated_at=now))
    with transaction.atomic():
        return _alerts_insert(alerts, actor_label="associations")
