"""The auditors' pages of the tamper-evident log, under /ledger/ (the credit office: staff, auditors and
administrators read): the latest checkpoint and its cosignatures, the checkpoint history, each checkpoint's
signed note, the witnesses, the logs this platform witnesses, the alerts with their evidence, and the audit's
runs. The published texts (checkpoints, keys) are under /.well-known/gongxin-ledger/ for everyone."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongxin.accounts.capabilities import is_office
from gongxin.accounts.doors import page_requires
from gongxin.core.errors import NotFound
from gongxin.ledger import note
from gongxin.ledger.checkpoints import (
    checkpoint_latest,
    checkpoints_history,
    log_origin,
    log_verifiers,
    published_note,
    witness_verifiers,
)
from gongxin.ledger.selectors_witnessing import (
    alert_get,
    alerts_open_count,
    alerts_recent,
    audit_runs_recent,
    checkpoint_get,
    witnessed_states,
)
from gongxin.ledger.witness import evidence_signed_by_log, witness_vkey

PAGE = 50


def office_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @page_requires(is_office)
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404() from exc

    return wrapper


def _b64(raw: Any) -> str:
    import base64

    return base64.b64encode(bytes(raw)).decode("ascii") if raw is not None else ""


@office_page
def overview(request: HttpRequest) -> HttpResponse:
    latest = checkpoint_latest()
    return render(request, "ledger/overview.html", {
        "section": "overview", "latest": latest, "latest_root": _b64(latest.root_hash) if latest else "",
        "origin": log_origin(), "log_vkeys": [v.vkey() for v in log_verifiers()],
        "witnesses": witness_verifiers(), "own_witness_vkey": witness_vkey(), "witnessed": witnessed_states(),
        "alerts": alerts_recent(limit=10), "open_alerts": alerts_open_count(), "audits": audit_runs_recent(limit=5),
    })


@office_page
def checkpoints(request: HttpRequest) -> HttpResponse:
    before_text = request.GET.get("before", "")
    before = int(before_text) if before_text.isdigit() else None
    rows = checkpoints_history(limit=PAGE + 1, before=before)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render(request, "ledger/checkpoints.html", {
        "section": "checkpoints", "rows": [{"checkpoint": c, "root": _b64(c.root_hash)} for c in rows],
        "next_before": rows[-1].tree_size if more and rows else None,
    })


@office_page
def checkpoint(request: HttpRequest, tree_size: int) -> HttpResponse:
    found = checkpoint_get(tree_size=tree_size)
    return render(request, "ledger/checkpoint.html", {
        "section": "checkpoints", "checkpoint": found, "root": _b64(found.root_hash),
        "published": published_note(found), "cosignatures": list(found.cosignatures.all()),
    })


@office_page
def alerts(request: HttpRequest) -> HttpResponse:
    return render(request, "ledger/alerts.html", {"section": "alerts", "rows": alerts_recent(limit=200)})


def _evidence(text: str) -> dict[str, Any]:
    if not text:
        return {"text": "", "size": None, "root": "", "signed": False}
    try:
        parsed = note.checkpoint_parse(note.note_split(text)[0])
        size, root = parsed.size, _b64(parsed.root_hash)
    except note.NoteError:
        size, root = None, ""
    return {"text": text, "size": size, "root": root, "signed": evidence_signed_by_log(text)}


@office_page
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    found = alert_get(alert_id=alert_id)
    return render(request, "ledger/alert.html", {
        "section": "alerts", "alert": found, "seen": _evidence(found.seen_note),
        "offered": _evidence(found.offered_note), "ours": found.origin == log_origin(),
    })


@office_page
def audits(request: HttpRequest) -> HttpResponse:
    return render(request, "ledger/audits.html", {"section": "audits", "rows": audit_runs_recent(limit=100)})
