"""The exchange audit (交换审计和考核, GB/T 39443 §6; decision 069): per peer and item, what was sent and received,
records, rejected rows, lag from creation to application, completeness against the peer's counts, and the alerts
of peers that fall behind. Reads only (aggregates in SQL, one statement per table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Max, Sum
from django.utils.translation import gettext as _

from gongxin.core import clock
from gongxin.exchange.choices import PackageDirection, PackageStatus
from gongxin.exchange.models import Package, Peer
from gongxin.exchange.sending_models import SendingCursor
from gongxin.records.models import RecordVersion

# A peer is behind when its outstanding package waits longer than this, or it failed this many times in a row.
BEHIND_AFTER = timedelta(hours=1)
BEHIND_ATTEMPTS = 3


def error_shown(last_error: str) -> str:
    """A cursor's last error as the page shows it: in words, never a code."""
    from gongxin.exchange.sending import UNREACHABLE

    if not last_error:
        return ""
    if last_error.startswith(UNREACHABLE):
        return _("The peer did not answer; the package is sent again with growing intervals.")
    return last_error.partition(": ")[2] or _("The peer did not apply the package.")


def item_names(codes: set[str]) -> dict[str, str]:
    """Catalog item names by code (the current edition's), to name national item codes on pages."""
    from gongxin.catalog.models import CatalogItem

    return dict(CatalogItem.objects.filter(code__in=codes, edition__is_current=True).values_list("code", "name"))


def cursor_rows() -> list[dict[str, Any]]:
    """Every sending cursor with its subscription, what is behind it and its outstanding package."""
    rows = []
    cursors = SendingCursor.objects.select_related("subscription__peer", "subscription__catalog_item").order_by(
        "subscription__peer__code", "subscription__national_item_code")
    for cursor in cursors:
        subscription = cursor.subscription
        newest = RecordVersion.objects.filter(record__catalog_item_id=subscription.catalog_item_id).aggregate(
            newest=Max("id"))["newest"] or 0
        behind = RecordVersion.objects.filter(record__catalog_item_id=subscription.catalog_item_id,
                                              id__gt=cursor.position).count() if newest > cursor.position else 0
        oldest_unsent = (RecordVersion.objects.filter(record__catalog_item_id=subscription.catalog_item_id,
                                                      id__gt=cursor.position).order_by("id")
                         .values_list("created_at", flat=True).first()) if behind else None
        rows.append({
            "peer_code": subscription.peer.code, "peer_name": subscription.peer.name,
            "item_code": subscription.catalog_item.code, "item_name": subscription.catalog_item.name,
            "national_item_code": subscription.national_item_code, "position": cursor.position,
            "newest": newest, "behind": behind, "oldest_unsent": oldest_unsent, "sequence": cursor.sequence,
            "pending_guid": cursor.pending_guid, "pending_sequence": cursor.pending_sequence,
            "pending_records": cursor.pending_records, "pending_built_at": cursor.pending_built_at,
            "attempts": cursor.attempts, "next_attempt_at": cursor.next_attempt_at, "last_error": cursor.last_error,
            "last_error_shown": error_shown(cursor.last_error),
            "last_applied_at": cursor.last_applied_at,
        })
    return rows


@dataclass
class AuditRow:
    peer_code: str
    peer_name: str
    direction: str
    item_code: str
    item_name: str
    packages: int
    records: int
    applied: int
    duplicates: int
    rejected: int
    refused: int
    waiting: int
    lag_seconds_mean: float | None
    lag_seconds_max: float | None

    @property
    def completeness(self) -> float | None:
        """Share of the records the packages declared that the receipts account for (applied, duplicate or
        rejected), in per cent."""
        if not self.records:
            return None
        return round(100.0 * (self.applied + self.duplicates + self.rejected) / self.records, 1)


def audit_rows(*, since_days: int = 30) -> list[AuditRow]:
    """Per peer, direction and national item: packages, records, outcomes and lag over the last ``since_days``."""
    since = clock.now() - timedelta(days=since_days)
    peers = {p.code: p.name for p in Peer.objects.all()}
    packages = Package.objects.filter(created_at__gte=since)
    grouped = list(packages.values("direction", "sender_code", "receiver_code", "item_code")
               .annotate(packages=Count("id"), records=Sum("record_count"), applied=Sum("applied"),
                         duplicates=Sum("duplicates"), rejected=Sum("rejected"))
               .order_by("direction", "sender_code", "receiver_code", "item_code"))
    refused = {(r["direction"], r["sender_code"], r["receiver_code"], r["item_code"]): r["n"] for r in
               packages.filter(status=PackageStatus.REFUSED).values("direction", "sender_code", "receiver_code",
                                                                     "item_code").annotate(n=Count("id"))}
    waiting = {(r["direction"], r["sender_code"], r["receiver_code"], r["item_code"]): r["n"] for r in
               packages.filter(status__in=[PackageStatus.BUILT, PackageStatus.DELIVERED, PackageStatus.HELD])
               .values("direction", "sender_code", "receiver_code", "item_code").annotate(n=Count("id"))}
    lags: dict[tuple[str, str, str, str], list[float]] = {}
    for direction, sender, receiver, item, created, applied in (
            packages.filter(applied_at__isnull=False).values_list("direction", "sender_code", "receiver_code",
                                                                   "item_code", "created_at", "applied_at")):
        if applied is not None:
            lags.setdefault((direction, sender, receiver, item), []).append((applied - created).total_seconds())
    names = item_names({g["item_code"] for g in grouped})
    rows = []
    for g in grouped:
        key = (g["direction"], g["sender_code"], g["receiver_code"], g["item_code"])
        peer = g["receiver_code"] if g["direction"] == PackageDirection.SENT else g["sender_code"]
        values = lags.get(key, [])
        rows.append(AuditRow(
            peer_code=peer, peer_name=peers.get(peer, ""), direction=g["direction"], item_code=g["item_code"],
            item_name=names.get(g["item_code"], ""),
            packages=g["packages"], records=g["records"] or 0, applied=g["applied"] or 0,
            duplicates=g["duplicates"] or 0, rejected=g["rejected"] or 0, refused=refused.get(key, 0),
            waiting=waiting.get(key, 0), lag_seconds_mean=(sum(values) / len(values)) if values else None,
            lag_seconds_max=max(values) if values else None))
    return rows


def rejections_recent(*, limit: int = 50) -> list[dict[str, Any]]:
    """The latest packages refused or with rejected rows, with their reasons as the receipt gave them."""
    rows = list(Package.objects.filter(rejected__gt=0).union(Package.objects.filter(status=PackageStatus.REFUSED))
                .order_by("-created_at")[:limit])
    names = item_names({p.item_code for p in rows})
    return [{"direction": p.direction, "peer": p.receiver_code if p.direction == PackageDirection.SENT else
             p.sender_code, "item_code": p.item_code, "item_name": names.get(p.item_code, ""),
             "sequence": p.sequence, "created_at": p.created_at, "rejected": p.rejected,
             "refused": p.status == PackageStatus.REFUSED, "reason": p.error_message} for p in rows]


def alerts() -> list[dict[str, Any]]:
    """Peers that fall behind: an outstanding package older than ``BEHIND_AFTER``, ``BEHIND_ATTEMPTS`` failed
    attempts in a row, or unsent versions older than ``BEHIND_AFTER``; and received packages held too long."""
    now = clock.now()
    found = []
    for row in cursor_rows():
        reasons = []
        if row["attempts"] >= BEHIND_ATTEMPTS:
            reasons.append(_("%(count)d failed attempts in a row") % {"count": row["attempts"]})
        if row["pending_built_at"] and now - row["pending_built_at"] > BEHIND_AFTER:
            reasons.append(_("a package waits for its receipt since %(time)s")
                           % {"time": clock.local(row["pending_built_at"]).strftime("%Y-%m-%d %H:%M")})
        if row["oldest_unsent"] and now - row["oldest_unsent"] > BEHIND_AFTER:
            reasons.append(_("%(count)d changes not yet sent, the oldest from %(time)s")
                           % {"count": row["behind"],
                              "time": clock.local(row["oldest_unsent"]).strftime("%Y-%m-%d %H:%M")})
        if reasons:
            found.append({**row, "reasons": reasons})
    held = list(Package.objects.filter(direction=PackageDirection.RECEIVED, status=PackageStatus.HELD,
                                   received_at__lt=now - BEHIND_AFTER)
            .values("sender_code", "item_code").annotate(n=Count("id"), first=Max(F("sequence"))))
    names = item_names({h["item_code"] for h in held})
    for h in held:
        found.append({"peer_code": h["sender_code"], "item_code": h["item_code"], "national_item_code": h["item_code"],
                      "item_name": names.get(h["item_code"], ""),
                      "reasons": [_("%(count)d packages held for a missing earlier one") % {"count": h["n"]}]})
    return found
