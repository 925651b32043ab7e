"""The exchange audit page (交换审计和考核, decision 069): the credit office's view of what this node exchanged with
each peer, per item — charts drawn over their tables (decision 052), the tables themselves, and the alerts of peers
that fall behind."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import is_office
from gongxin.accounts.doors import page_requires
from gongxin.exchange.choices import PackageDirection
from gongxin.exchange.selectors_audit import alerts, audit_rows, cursor_rows, rejections_recent


def _direction_label(direction: str) -> str:
    return _("Sent") if direction == PackageDirection.SENT else _("Received")


@page_requires(is_office)
def audit(request: HttpRequest) -> HttpResponse:
    rows = audit_rows()
    for row in rows:
        row.direction_label = _direction_label(row.direction)  # type: ignore[attr-defined]
    records_points = [{"label": f"{r.peer_code} {r.item_name} · {_direction_label(r.direction)}", "value": r.records}
                      for r in rows]
    lag_points = [{"label": f"{r.peer_code} {r.item_name} · {_direction_label(r.direction)}",
                   "value": int(r.lag_seconds_mean or 0)} for r in rows if r.lag_seconds_mean is not None]
    rejections = rejections_recent()
    for rejection in rejections:
        rejection["direction_label"] = _direction_label(rejection["direction"])
    return render(request, "exchange/audit.html", {
        "rows": rows, "cursors": cursor_rows(), "alerts": alerts(), "rejections": rejections,
        "records_points": records_points, "lag_points": lag_points,
    })
