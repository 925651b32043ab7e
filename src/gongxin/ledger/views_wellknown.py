"""The log's public texts (c2sp.org/tlog-checkpoint, signed-note vkeys) as text/plain."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongxin.ledger.checkpoints import checkpoint_latest, checkpoint_of_size, log_verifiers, published_note
from gongxin.ledger.witness import witness_vkey

TEXT = "text/plain; charset=utf-8"


def _text(body: str, *, status: int = 200, cache: str = "no-cache") -> HttpResponse:
    response = HttpResponse(body, content_type=TEXT, status=status)
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def checkpoint_latest_text(request: HttpRequest) -> HttpResponse:
    found = checkpoint_latest()
    if found is None:
        return _text(_("The log has no signed checkpoint yet.") + "\n", status=404)
    return _text(published_note(found))


@require_GET
def checkpoint_text(request: HttpRequest, tree_size: int) -> HttpResponse:
    found = checkpoint_of_size(tree_size)
    if found is None:
        return _text(_("No checkpoint of this tree size.") + "\n", status=404)
    return _text(published_note(found))


@require_GET
def log_keys(request: HttpRequest) -> HttpResponse:
    return _text("".join(v.vkey() + "\n" for v in log_verifiers()), cache="max-age=300")


@require_GET
def witness_key(request: HttpRequest) -> HttpResponse:
    return _text(witness_vkey() + "\n", cache="max-age=300")
