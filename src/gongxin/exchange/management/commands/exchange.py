"""``gongxin exchange …``: running and inspecting this node's exchange (docs/exchange.md "Operations").

- ``serve [--interval S] [--pull PEER:ITEM …]`` loops: send what is due to every peer (push or file), collect the
  file interface's receipts, read the file inbox, pull from the peers named; a peer that is down waits out its
  backoff. Safe to run twice at once (cursor rows are locked; a package sent twice is a duplicate at the peer).
- ``send [--peer CODE] [--force]`` and ``receive [--pull PEER:ITEM …]`` do one round.
- ``status`` shows, per peer and item, the cursor, what is behind, the outstanding package and its last error.
- ``node CODE NAME`` configures this node; ``keys show`` prints its public keys (JSON, for the peers to register),
  ``keys rotate`` adds a key pair (the old one keeps verifying what it signed).
- ``peer add CODE NAME --direction upstream|downstream (--url URL | --dir PATH) --keys FILE`` registers a peer with
  the public keys another node's ``keys show`` printed; ``peer list``.
- ``subscribe PEER LOCAL_ITEM NATIONAL_ITEM [--map local=national …] [--chunk N] [--snapshot-days D] [--from-now]``
  and ``snapshot PEER LOCAL_ITEM`` (a full snapshot due now).
- ``map NATIONAL_ITEM LOCAL_ITEM [--peer CODE] [--map national=local …] [--inactive]``: received packages of a
  national item (from that peer, or from any peer) land on a local item with their field names renamed;
  ``map --list`` (and ``status``) lists the mappings.
"""

from __future__ import annotations

import json
import signal
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.accounts.viewer import SYSTEM
from gongxin.catalog.models import CatalogItem
from gongxin.core import clock
from gongxin.exchange import sending
from gongxin.exchange.models import Peer
from gongxin.exchange.selectors_audit import cursor_rows


def _pairs(values: list[str] | None) -> list[tuple[str, str]]:
    pairs = []
    for value in values or []:
        peer, sep, item = value.partition(":")
        if not sep:
            raise CommandError(f"--pull takes PEER:ITEM, not {value!r}")
        pairs.append((peer, item))
    return pairs


SETTLE_WAIT_SECONDS = 60.0  # how long one `send` waits for a stream stopped at an open transaction's version

class Command(BaseCommand):
    help = "Run and inspect the four-level exchange of this node."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="Loop: send, collect receipts, read the inbox, pull.")
        serve.add_argument("--interval", type=float, default=10.0, help="Seconds between rounds (default 10).")
        serve.add_argument("--pull", action="append", help="PEER:ITEM to pull from an upstream peer.")
        serve.add_argument("--rounds", type=int, default=0, help="Stop after this many rounds (0: never).")
        send = sub.add_parser("send", help="Send what is due, once.")
        send.add_argument("--peer", default="")
        send.add_argument("--force", action="store_true", help="Do not wait out a peer's backoff.")
        receive = sub.add_parser("receive", help="Read the file inbox and pull, once.")
        receive.add_argument("--pull", action="append", help="PEER:ITEM to pull from an upstream peer.")
        sub.add_parser("status", help="Per peer and item: cursor, behind, outstanding package, last error.")
        node = sub.add_parser("node", help="Configure this node (division code and name).")
        node.add_argument("code")
        node.add_argument("name")
        keys = sub.add_parser("keys", help="This node's public keys, or a rotation.")
        keys.add_argument("keys_action", choices=["show", "rotate"])
        peer = sub.add_parser("peer", help="Register or list peers.")
        peer_sub = peer.add_subparsers(dest="peer_action", required=True)
        add = peer_sub.add_parser("add")
        add.add_argument("code")
        add.add_argument("name")
        add.add_argument("--direction", required=True, choices=["upstream", "downstream"])
        add.add_argument("--url", default="")
        add.add_argument("--dir", default="")
        add.add_argument("--keys", required=True, help="A JSON file as 'keys show' prints it ('-': standard input).")
        peer_sub.add_parser("list")
        subscribe = sub.add_parser("subscribe", help="A peer receives a local catalog item under a national code.")
        subscribe.add_argument("peer")
        subscribe.add_argument("item", help="The local catalog item's code.")
        subscribe.add_argument("national", help="The national catalog item code.")
        subscribe.add_argument("--map", action="append", help="local=national field name (repeatable).")
        subscribe.add_argument("--chunk", type=int, default=1000, help="Records per package (default 1000).")
        subscribe.add_argument("--snapshot-days", type=int, default=7, help="Days between full snapshots (0: none).")
        subscribe.add_argument("--from-now", action="store_true", help="Only what changes from now on.")
        mapping = sub.add_parser("map", help="Received packages of a national item land on a local item.")
        mapping.add_argument("national", nargs="?", help="The national catalog item code.")
        mapping.add_argument("item", nargs="?", help="The local catalog item's code.")
        mapping.add_argument("--peer", default="", help="Only packages from this peer (default: any peer).")
        mapping.add_argument("--map", action="append", help="national=local field name (repeatable).")
        mapping.add_argument("--inactive", action="store_true", help="Keep the mapping but do not use it.")
        mapping.add_argument("--list", action="store_true", help="List the receiving mappings.")
        snapshot = sub.add_parser("snapshot", help="A full snapshot of a subscription, due now.")
        snapshot.add_argument("peer")
        snapshot.add_argument("item")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    # --- running -----------------------------------------------------------------------------------------------

    def _round(self, *, peer_code: str = "", force: bool = False,
               pulls: list[tuple[str, str]] | None = None) -> set[str]:
        """One pass of sending (and receiving); the states the subscriptions ended in."""
        peers = Peer.objects.filter(is_active=True).order_by("code")
        if peer_code:
            peers = peers.filter(code=peer_code)
        states: set[str] = set()
        for peer in peers:
            sending.receipts_collect(peer=peer)
            for outcome in sending.packages_send(peer=peer, force=force):
                states.add(outcome.state)
                if outcome.packages or outcome.state not in ("caught_up",):
                    self.stdout.write(f"{clock.local():%H:%M:%S} {peer.code} {outcome.item_code}: "
                                      f"{outcome.packages} packages, {outcome.records} records, {outcome.state}"
                                      + (f" ({outcome.error})" if outcome.error else ""))
        self._receive_round(pulls or [])
        return states

    def _receive_round(self, pulls: list[tuple[str, str]]) -> None:
        from gongxin.exchange import receiving

        inbox = getattr(receiving, "inbox_receive", None)
        if inbox is not None:
            inbox()
        from gongxin.exchange.pulling import packages_pull

        for code, item in pulls:
            peer = Peer.objects.filter(code=code, is_active=True).first()
            if peer is None:
                raise CommandError(f"no active peer {code}")
            try:
                count = packages_pull(peer=peer, item_code=item)
            except sending.DeliveryFailed as exc:
                self.stderr.write(f"{code} {item}: {exc}")
                continue
            if count:
                self.stdout.write(f"{clock.local():%H:%M:%S} {code} {item}: {count} packages pulled")

    def _serve(self, options: dict[str, Any]) -> None:
        stopping = {"now": False}

        def stop(*_args: Any) -> None:
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        pulls = _pairs(options.get("pull"))
        rounds = 0
        while not stopping["now"]:
            started = time.monotonic()
            try:
                self._round(pulls=pulls)
            except Exception as exc:  # a round's failure is reported; the loop goes on
                self.stderr.write(f"round failed: {type(exc).__name__}: {exc}")
            rounds += 1
            if options["rounds"] and rounds >= options["rounds"]:
                return
            while not stopping["now"] and time.monotonic() - started < options["interval"]:
                time.sleep(0.2)

    def _send(self, options: dict[str, Any]) -> None:
        # A stream stopped at a version a running transaction may still commit (decision 076) settles within that
        # transaction's life: one send waits for it (briefly) rather than leaving the peer behind until the next.
        deadline = time.monotonic() + SETTLE_WAIT_SECONDS
        while "settling" in self._round(peer_code=options["peer"], force=options["force"], pulls=[]) \
                and time.monotonic() < deadline:
            time.sleep(0.5)

    def _receive(self, options: dict[str, Any]) -> None:
        self._receive_round(_pairs(options.get("pull")))

    def _status(self, options: dict[str, Any]) -> None:
        rows = cursor_rows()
        if not rows:
            self.stdout.write("no subscriptions")
        for row in rows:
            line = (f"{row['peer_code']} {row['item_code']} -> {row['national_item_code']}: at {row['position']}, "
                    f"{row['behind']} versions behind, sequence {row['sequence']}")
            if row["pending_guid"]:
                line += f", outstanding #{row['pending_sequence']} ({row['pending_records']} records, " \
                        f"{row['attempts']} attempts)"
            if row["last_error"]:
                line += f", last error: {row['last_error']}"
            self.stdout.write(line)
        self._mappings_list(say_none=False)

    # --- configuring -------------------------------------------------------------------------------------------

    def _node(self, options: dict[str, Any]) -> None:
        from gongxin.exchange.nodes import node_configure

        node = node_configure(code=options["code"], name=options["name"], actor=SYSTEM)
        self.stdout.write(f"this node: {node.code} {node.name} ({node.level})")

    def _keys(self, options: dict[str, Any]) -> None:
        from gongxin.exchange.keys import node_keys_rotate
        from gongxin.exchange.nodes import node_public_keys

        if options["keys_action"] == "rotate":
            pair = node_keys_rotate()
            self.stdout.write(f"new key {pair.key_id}; register it at the peers ('keys show')")
            return
        keys = [{"key_id": k.key_id, "signing_public": k.signing_public, "sealing_public": k.sealing_public,
                 "valid_from": k.valid_from.isoformat(),
                 "valid_until": k.valid_until.isoformat() if k.valid_until else None} for k in node_public_keys()]
        self.stdout.write(json.dumps(keys, indent=2))

    def _peer(self, options: dict[str, Any]) -> None:
        from gongxin.exchange.nodes import PublicKeys, peer_register

        if options["peer_action"] == "list":
            for peer in Peer.objects.order_by("code"):
                where = peer.service_url or peer.directory
                self.stdout.write(f"{peer.code} {peer.name} {peer.direction} {where} "
                                  f"{'active' if peer.is_active else 'inactive'}")
            return
        source = options["keys"]
        text = Path(source).read_text("utf-8") if source != "-" else __import__("sys").stdin.read()
        keys = [PublicKeys(k["key_id"], k["signing_public"], k["sealing_public"],
                           datetime.fromisoformat(k["valid_from"]),
                           datetime.fromisoformat(k["valid_until"]) if k.get("valid_until") else None)
                for k in json.loads(text)]
        peer = peer_register(code=options["code"], name=options["name"], direction=options["direction"], keys=keys,
                             actor=SYSTEM, service_url=options["url"], directory=options["dir"])
        self.stdout.write(f"peer {peer.code} registered with {len(keys)} keys")

    def _subscription_of(self, peer_code: str, item_code: str) -> tuple[Peer, CatalogItem]:
        peer = Peer.objects.filter(code=peer_code).first()
        if peer is None:
            raise CommandError(f"no peer {peer_code}")
        item = CatalogItem.objects.filter(code=item_code, is_active=True).order_by("-pk").first()
        if item is None:
            raise CommandError(f"no active catalog item {item_code}")
        return peer, item

    def _subscribe(self, options: dict[str, Any]) -> None:
        peer, item = self._subscription_of(options["peer"], options["item"])
        mapping = dict(pair.split("=", 1) for pair in options.get("map") or [])
        from gongxin.exchange.errors import StreamBusy

        try:
            subscription = sending.subscription_add(
                peer=peer, item=item, national_item_code=options["national"], field_mapping=mapping,
                chunk_size=options["chunk"], snapshot_every_days=options["snapshot_days"] or None,
                start_at_current=options["from_now"])
        except StreamBusy as exc:  # --from-now while a transaction writing the item's versions runs on
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"{peer.code} receives {item.code} as {subscription.national_item_code}")

    def _map(self, options: dict[str, Any]) -> None:
        from gongxin.core.errors import GongxinError
        from gongxin.exchange.mappings import receiving_mapping_set

        if options["list"]:
            self._mappings_list()
            return
        if not (options["national"] and options["item"]):
            raise CommandError("map NATIONAL_ITEM LOCAL_ITEM [--peer CODE] [--map national=local …], or map --list")
        pairs = [pair.partition("=") for pair in options.get("map") or []]
        if any(not sep for _national, sep, _local in pairs):
            raise CommandError("--map takes national=local")
        try:
            mapping = receiving_mapping_set(
                national_item_code=options["national"], local_item_code=options["item"], peer_code=options["peer"],
                field_mapping={national: local for national, _sep, local in pairs}, actor=SYSTEM,
                is_active=not options["inactive"])
        except GongxinError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"{mapping.national_item_code} from {options['peer'] or 'any peer'} lands on "
                          f"{mapping.local_item_code}" + ("" if mapping.is_active else " (inactive)"))

    def _mappings_list(self, *, say_none: bool = True) -> None:
        from gongxin.exchange.mappings import receiving_mappings

        rows = receiving_mappings()
        if not rows and say_none:
            self.stdout.write("no receiving mappings")
        for row in rows:
            fields = ", ".join(f"{national}={local}" for national, local in sorted(row["field_mapping"].items()))
            self.stdout.write(f"receiving {row['national_item_code']} from {row['peer_code'] or '*'} -> "
                              f"{row['local_item_code']}" + (f" [{fields}]" if fields else "")
                              + ("" if row["is_active"] else " (inactive)"))

    def _snapshot(self, options: dict[str, Any]) -> None:
        from gongxin.exchange.sending_models import Subscription

        peer, item = self._subscription_of(options["peer"], options["item"])
        subscription = Subscription.objects.filter(peer=peer, catalog_item=item).first()
        if subscription is None:
            raise CommandError("no such subscription")
        sending.snapshot_request(subscription=subscription)
        self.stdout.write("a full snapshot is due now")
