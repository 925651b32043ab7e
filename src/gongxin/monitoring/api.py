"""Early-warning API, mounted at /api/v1/monitoring (thin: parse, call one service or selector, shape).

Staff, auditors and administrators read; staff and administrators act. API clients have no access.
- ``GET  /scorecards``, ``GET /scorecards/{id}`` (features, bins, IV, coefficients, scaling, metrics),
  ``POST /scorecards/{id}/activate``;
- ``GET  /alerts`` (filters ``status``, ``kind``, ``subject``, ``mine``), ``GET /alerts/{id}`` (with history),
  ``POST /alerts/{id}/acknowledge``, ``POST /alerts/{id}/close``;
- ``GET  /subjects/{id}/risk`` — the organization's scores, newest first, with reasons (logs an inquiry);
- ``GET  /watches``, ``POST /watches``, ``DELETE /watches/{id}`` — the caller's watch list.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongxin.access.choices import Channel
from gongxin.accounts.actors import actors_annotate
from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import viewer_for_request
from gongxin.accounts.viewer import Viewer
from gongxin.core.events import topic_label
from gongxin.monitoring.models import Alert, RiskScore, Scorecard, Watch
from gongxin.monitoring.selectors import (
    alert_get,
    alerts_list,
    alerts_of_field,
    field_of,
    organization_get,
    risk_of_subject,
    scorecard_get,
    scorecards_list,
    watch_get,
    watches_of,
)
from gongxin.monitoring.services import (
    alert_acknowledge,
    alert_close,
    scorecard_activate,
    watch_start_by_id,
    watch_stop,
)

router = Router(tags=["monitoring"], auth=viewer_auth)

PAGE_MAX = 200


class BinOut(Schema):
    label: str
    count: int
    event_rate: float
    woe: float
    iv: float
    points: float


class FeatureOut(Schema):
    code: str
    kind: str
    iv: float
    coefficient: float
    splits: list[float]
    bins: list[BinOut]


class ScorecardOut(Schema):
    id: int
    code: str
    version: int
    name: str
    status: str
    snapshot_date: date | None
    trained_at: datetime
    activated_at: datetime | None
    pdo: float
    base_odds: float = Field(..., description="Good:bad odds at the base points")
    base_points: float
    intercept: float
    auc_train: float | None
    auc_test: float | None
    ks_train: float | None
    ks_test: float | None
    training: dict[str, Any]
    features: list[FeatureOut] = []


class AlertEventOut(Schema):
    action: str
    action_label: str = Field("", description="the step in words, in the request's language (core.events.topic_label)")
    actor: str
    note: str
    at: datetime


class AlertOut(Schema):
    id: int
    subject_id: int
    subject_name: str
    kind: str
    kind_label: str
    status: str
    score: int | None
    previous_score: int | None
    run_id: int | None
    record_id: int | None
    detail: dict[str, Any]
    raised_at: datetime
    updated_at: datetime
    priority: float = Field(0.0, description="Rank in the work queue: the risk, raised for a fast fall of the score "
                                             "and for related-party events (decision 072)")
    region_code: str = Field("", description="The field the alert belongs to: the subject's district …")
    domain: str = Field("", description="… and its regulatory domain (empty: general)")
    events: list[AlertEventOut] = []


class StaffFieldOut(Schema):
    region_code: str = Field(..., description="The viewer's district (empty: the whole city)")
    domain: str = Field(..., description="The viewer's regulatory domain (empty: every domain)")
    cap: int = Field(..., description="How many alerts the alert policy in effect puts in a queue")


class AlertQueueOut(Schema):
    field: StaffFieldOut
    alerts: list[AlertOut]


class AlertNoteIn(Schema):
    note: str = Field("", max_length=2000)


class WarningReasonOut(Schema):
    feature: str
    value: Any
    points: float
    points_lost: float
    reason_zh: str
    reason_en: str


class RiskOut(Schema):
    run_id: int
    as_of: date
    scorecard: str
    score: int
    probability: float = Field(..., description="Probability of the adverse outcome within the horizon")
    features: dict[str, Any]
    reasons: list[WarningReasonOut]


class WatchIn(Schema):
    subject_id: int
    note: str = Field("", max_length=300)


class WatchOut(Schema):
    id: int
    subject_id: int
    subject_name: str
    note: str
    created_at: datetime


def _scorecard_out(scorecard: Scorecard, *, detail: bool) -> dict[str, Any]:
    body = {f: getattr(scorecard, f) for f in (
        "code", "version", "name", "status", "snapshot_date", "trained_at", "activated_at", "pdo", "base_odds",
        "base_points", "intercept", "auc_train", "auc_test", "ks_train", "ks_test")}
    body["id"] = scorecard.pk
    body["training"] = {k: v for k, v in scorecard.training.items() if k != "candidates"} if not detail \
        else scorecard.training
    body["features"] = scorecard.features if detail else []
    return body


def _alert_out(alert: Alert, *, viewer: Viewer | None = None) -> dict[str, Any]:
    """An alert; with ``viewer``, its history too, each step's actor as that viewer may see it."""
    body: dict[str, Any] = {
        "id": alert.pk, "subject_id": alert.subject_id, "subject_name": alert.subject.name, "kind": alert.kind,
        "kind_label": str(alert.get_kind_display()), "status": alert.status, "score": alert.score,
        "previous_score": alert.previous_score, "run_id": alert.run_id, "record_id": alert.record_id,
        "detail": alert.detail, "raised_at": alert.raised_at, "updated_at": alert.updated_at,
        "priority": alert.priority, "region_code": alert.region_code, "domain": alert.domain,
    }
    if viewer is not None:
        body["events"] = [{"action": e.action, "action_label": topic_label(e.action), "actor": e.actor_shown,
                           "note": e.note, "at": e.created_at}
                          for e in actors_annotate(items=alert.events.all(), viewer=viewer,
                                                   subject_id=alert.subject_id)]
    return body


def _risk_out(score: RiskScore) -> dict[str, Any]:
    return {"run_id": score.run_id, "as_of": score.run.as_of, "score": score.score,
            "scorecard": f"{score.run.scorecard.code} v{score.run.scorecard.version}",
            "probability": score.probability, "features": score.features, "reasons": score.reasons}


def _watch_out(watch: Watch) -> dict[str, Any]:
    return {"id": watch.pk, "subject_id": watch.subject_id, "subject_name": watch.subject.name,
            "note": watch.note, "created_at": watch.created_at}


@router.get("/scorecards", response=list[ScorecardOut], summary="Early-warning scorecards, newest first")
def scorecards_endpoint(request: HttpRequest) -> list[dict[str, Any]]:
    return [_scorecard_out(s, detail=False) for s in scorecards_list(viewer=viewer_for_request(request))[:PAGE_MAX]]


@router.get("/scorecards/{scorecard_id}", response=ScorecardOut,
            summary="One scorecard: features, bins (WoE, IV, points), coefficients, scaling, metrics")
def scorecard_endpoint(request: HttpRequest, scorecard_id: int) -> dict[str, Any]:
    return _scorecard_out(scorecard_get(scorecard_id=scorecard_id, viewer=viewer_for_request(request)), detail=True)


@router.post("/scorecards/{scorecard_id}/activate", response=ScorecardOut,
             summary="Activate a draft scorecard (the active one is retired)")
def scorecard_activate_endpoint(request: HttpRequest, scorecard_id: int) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    scorecard = scorecard_activate(scorecard=scorecard_get(scorecard_id=scorecard_id, viewer=viewer),
                                   actor=viewer)
    return _scorecard_out(scorecard, detail=True)


@router.get("/alerts", response=list[AlertOut], summary="Alerts, newest first")
def alerts_endpoint(request: HttpRequest, status: str = "", kind: str = "", subject: int | None = None,
                    mine: bool = False, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    limit = min(max(limit, 1), PAGE_MAX)
    alerts = alerts_list(viewer=viewer_for_request(request), status=status or None, kind=kind or None,
                         subject_id=subject, mine=mine)
    return [_alert_out(a) for a in alerts[max(offset, 0):max(offset, 0) + limit]]


@router.get("/alerts/queue", response=AlertQueueOut,
            summary="Your work queue: the open alerts of your field, highest priority first, capped by the policy")
def alert_queue_endpoint(request: HttpRequest) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    field = field_of(viewer)
    return {"field": {"region_code": field.region_code, "domain": field.domain, "cap": field.cap},
            "alerts": [_alert_out(a) for a in alerts_of_field(viewer=viewer, field=field)]}


@router.get("/alerts/{alert_id}", response=AlertOut, summary="One alert with its history")
def alert_endpoint(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    return _alert_out(alert_get(alert_id=alert_id, viewer=viewer), viewer=viewer)


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut, summary="Acknowledge an alert")
def alert_acknowledge_endpoint(request: HttpRequest, alert_id: int, body: AlertNoteIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    alert = alert_acknowledge(alert=alert_get(alert_id=alert_id, viewer=viewer), actor=viewer, note=body.note)
    return _alert_out(alert_get(alert_id=alert.pk, viewer=viewer), viewer=viewer)


@router.post("/alerts/{alert_id}/close", response=AlertOut, summary="Close an alert")
def alert_close_endpoint(request: HttpRequest, alert_id: int, body: AlertNoteIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    alert = alert_close(alert=alert_get(alert_id=alert_id, viewer=viewer), actor=viewer, note=body.note)
    return _alert_out(alert_get(alert_id=alert.pk, viewer=viewer), viewer=viewer)


@router.get("/subjects/{subject_id}/risk", response=list[RiskOut],
            summary="An organization's risk scores, newest first, with reasons (logged as an inquiry)")
def risk_endpoint(request: HttpRequest, subject_id: int) -> list[dict[str, Any]]:
    viewer = viewer_for_request(request)
    organization_get(subject_id=subject_id, viewer=viewer)
    return [_risk_out(s) for s in risk_of_subject(subject_id=subject_id, viewer=viewer, channel=Channel.API)]


@router.get("/watches", response=list[WatchOut], summary="The subjects you watch")
def watches_endpoint(request: HttpRequest) -> list[dict[str, Any]]:
    return [_watch_out(w) for w in watches_of(viewer=viewer_for_request(request))]


@router.post("/watches", response={201: WatchOut}, summary="Watch an organization (alerts on new negative records)")
def watch_start_endpoint(request: HttpRequest, body: WatchIn) -> Status[dict[str, Any]]:
    viewer = viewer_for_request(request)
    watch = watch_start_by_id(subject_id=body.subject_id, actor=viewer, note=body.note)
    return Status(201, _watch_out(watch))


@router.delete("/watches/{watch_id}", response={204: None}, summary="Stop watching")
def watch_stop_endpoint(request: HttpRequest, watch_id: int) -> Status[None]:
    viewer = viewer_for_request(request)
    watch_stop(watch=watch_get(watch_id=watch_id, viewer=viewer), actor=viewer)
    return Status(204, None)
