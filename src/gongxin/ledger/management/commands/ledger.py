"""``gongxin ledger``: the tamper-evident log's operator jobs (docs/ledger.md).

- ``checkpoint`` — sign a checkpoint of the current tree head now (on demand); ``--if-due`` only when the log grew
  and the last one is older than ``GONGXIN_LEDGER_CHECKPOINT_SECONDS``; ``--every S`` keeps doing that (a service).
- ``status`` — the log's name, size and root, the latest checkpoint and its cosigners, keys, witnesses, alerts.
- ``verify [FILE] [--vkey V ...]`` — without FILE: every stored checkpoint's signature, each one consistent with the
  previous (consistency proofs from the node table) and the newest with the tree; with FILE (a checkpoint note,
  ``-`` for stdin): its signatures against the given vkeys (default: this log's keys and configured witnesses).
  Exit 0 valid, 1 not.
- ``witness [--every S]`` — one round over the logs this platform witnesses (fetch, verify, cosign or refuse).
- ``integrate`` — sequence the queued entries into the tree (ledger.services), then a checkpoint if one is due.
- ``audit`` — recompute every entry and the tree from the stored data and report differences (ledger.audit).
"""

from __future__ import annotations

import base64
import sys
import time
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.ledger import merkle, note
from gongxin.ledger.checkpoints import (
    checkpoint_ensure,
    checkpoint_if_due,
    checkpoint_latest,
    log_origin,
    log_verifiers,
    published_note,
    witness_verifiers,
)
from gongxin.ledger.choices_witnessing import CheckpointCause
from gongxin.ledger.errors import CheckpointInconsistent
from gongxin.ledger.models_witnessing import Checkpoint
from gongxin.ledger.selectors_witnessing import alerts_open_count, witnessed_states
from gongxin.ledger.witness import witness_run_all, witness_vkey


def _b64(raw: bytes) -> str:
    return base64.b64encode(bytes(raw)).decode("ascii")


class Command(BaseCommand):
    help = "The tamper-evident log: checkpoints, status, verification, witnessing, integration, audit."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        checkpoint = sub.add_parser("checkpoint", help="Sign a checkpoint of the current tree head")
        checkpoint.add_argument("--if-due", action="store_true", help="Only when the interval has passed")
        checkpoint.add_argument("--every", type=float, default=None, help="Keep signing when due, every S seconds")
        sub.add_parser("status", help="The log, its latest checkpoint, keys, witnesses and alerts")
        verify = sub.add_parser("verify", help="Verify the stored checkpoints, or a checkpoint note file")
        verify.add_argument("file", nargs="?", default=None, help="A checkpoint note ('-': standard input)")
        verify.add_argument("--vkey", action="append", default=[], help="A verifier key (repeatable)")
        witness = sub.add_parser("witness", help="Check and cosign the logs this platform witnesses")
        witness.add_argument("--every", type=float, default=None, help="Keep witnessing every S seconds")
        sub.add_parser("integrate", help="Sequence queued entries into the tree, then a checkpoint if due")
        sub.add_parser("audit", help="Recompute the log from the stored data and report differences")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    # --- checkpoint ------------------------------------------------------------------------------------
    def _checkpoint(self, options: dict[str, Any]) -> None:
        while True:
            try:
                if options["if_due"] or options["every"] is not None:
                    made = checkpoint_if_due()
                else:
                    made = checkpoint_ensure(cause=CheckpointCause.DEMAND)
            except CheckpointInconsistent as exc:
                raise CommandError(str(exc.message)) from exc
            if made is not None:
                self.stdout.write(published_note(made))
            elif options["every"] is None:
                self.stdout.write("no checkpoint due")
            if options["every"] is None:
                return
            time.sleep(options["every"])

    # --- status ----------------------------------------------------------------------------------------
    def _status(self, options: dict[str, Any]) -> None:
        from gongxin.ledger.selectors import tree_head

        size, root = tree_head()
        latest = checkpoint_latest()
        w = self.stdout.write
        w(f"log: {log_origin()}")
        w(f"tree: {size} entries, root {_b64(root)}")
        if latest is None:
            w("latest checkpoint: none")
        else:
            cosigners = ", ".join(c.witness for c in latest.cosignatures.all()) or "none"
            signed = f"{clock.local(latest.created_at):%Y-%m-%d %H:%M:%S}"
            w(f"latest checkpoint: {latest.tree_size} entries, signed {signed} ({latest.get_cause_display()}), "
              f"cosigned by: {cosigners}")
            if latest.tree_size < size:
                w(f"  {size - latest.tree_size} entries not yet in a checkpoint")
        w(f"checkpoints: {Checkpoint.objects.count()}")
        for vkey in log_verifiers():
            w(f"log key: {vkey.vkey()}")
        w(f"this platform as a witness: {witness_vkey()}")
        for verifier in witness_verifiers():
            w(f"witness: {verifier.vkey()}")
        for state in witnessed_states():
            problem = f", last problem: {state.last_problem}" if state.last_problem else ""
            w(f"witnessing {state.origin}: {state.tree_size} entries cosigned{problem}")
        w(f"open alerts: {alerts_open_count()}")

    # --- verify ----------------------------------------------------------------------------------------
    def _verify(self, options: dict[str, Any]) -> None:
        if options["file"] is not None:
            self._verify_file(options)
            return
        from gongxin.ledger.selectors import tree_head

        verifiers = log_verifiers()
        problems = 0
        previous: Checkpoint | None = None
        count = 0
        for checkpoint in Checkpoint.objects.order_by("tree_size").iterator(chunk_size=500):
            count += 1
            try:
                text, _lines = note.verify_lines(checkpoint.note_text, verifiers)
                parsed = note.checkpoint_parse(text)
                if parsed.size != checkpoint.tree_size or parsed.root_hash != bytes(checkpoint.root_hash):
                    raise note.NoteError("note_differs_from_row")
            except note.NoteError as exc:
                problems += 1
                self.stdout.write(f"checkpoint {checkpoint.tree_size}: {exc.reason}")
            if previous is not None and previous.tree_size > 0 and not self._extends(
                    previous.tree_size, bytes(previous.root_hash), checkpoint.tree_size, bytes(checkpoint.root_hash)):
                problems += 1
                self.stdout.write(f"checkpoint {checkpoint.tree_size}: does not extend {previous.tree_size}")
            previous = checkpoint
        size, root = tree_head()
        if previous is not None:
            if previous.tree_size > size:
                problems += 1
                self.stdout.write(f"tree: {size} entries, fewer than the latest checkpoint's {previous.tree_size}")
            elif previous.tree_size > 0 and not self._extends(previous.tree_size, bytes(previous.root_hash), size,
                                                              bytes(root)):
                problems += 1
                self.stdout.write(f"tree: does not extend the latest checkpoint ({previous.tree_size})")
        if problems:
            self.stdout.write(f"NOT VALID: {problems} problem(s) in {count} checkpoint(s)")
            sys.exit(1)
        self.stdout.write(f"valid: {count} checkpoint(s), each signed and consistent with the one before; "
                          f"the tree ({size} entries) extends the latest")

    @staticmethod
    def _extends(size1: int, root1: bytes, size2: int, root2: bytes) -> bool:
        """Whether the tree of ``size2`` leaves and root ``root2`` extends the one of ``size1`` (a consistency proof
        from the node table; a size the tree has not reached cannot be proved)."""
        from gongxin.ledger.selectors import consistency_proof_of

        if size1 == size2:
            return root1 == root2
        try:
            proof = consistency_proof_of(size1, size2)
        except GongxinError:
            return False
        return merkle.consistency_verify(size1=size1, size2=size2, root1=root1, root2=root2, proof=proof)

    def _verify_file(self, options: dict[str, Any]) -> None:
        path = options["file"]
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()  # noqa: SIM115
        if options["vkey"]:
            verifiers = [note.verifier_parse(v) for v in options["vkey"]]
        else:
            verifiers = [*log_verifiers(), *witness_verifiers()]
        try:
            body, verified = note.verify_lines(text, verifiers)
            parsed = note.checkpoint_parse(body)
        except note.NoteError as exc:
            self.stdout.write(f"NOT VALID: {exc.reason}")
            sys.exit(1)
        self.stdout.write(f"valid checkpoint of {parsed.origin}: {parsed.size} entries, root {_b64(parsed.root_hash)}")
        for verifier, line in verified:
            kind = "cosigned" if verifier.type == note.COSIGNATURE_V1 else "signed"
            when = ""
            if verifier.type == note.COSIGNATURE_V1:
                at = datetime.fromtimestamp(note.cosignature_time(line), tz=UTC)
                when = f" at {clock.local(at):%Y-%m-%d %H:%M:%S}"
            self.stdout.write(f"  {kind} by {verifier.name}{when}")

    # --- witness ---------------------------------------------------------------------------------------
    def _witness(self, options: dict[str, Any]) -> None:
        while True:
            outcomes = witness_run_all()
            if not outcomes and options["every"] is None:
                self.stdout.write("this platform witnesses no log (GONGXIN_LEDGER_WITNESSED_LOGS)")
            for o in outcomes:
                size = f" {o.size} entries" if o.size is not None else ""
                extra = f" ({o.problem})" if o.problem else ""
                handed = "" if o.outcome == "unreachable" else (" — handed to the log" if o.delivered
                                                                 else " — the log could not be told")
                self.stdout.write(f"{o.origin}:{size} {o.outcome}{extra}{handed}")
            if options["every"] is None:
                return
            time.sleep(options["every"])

    # --- integrate and audit (ledger.services, ledger.audit) -------------------------------------------
    def _integrate(self, options: dict[str, Any]) -> None:
        from gongxin.ledger import services

        result = services.ledger_integrate()
        self.stdout.write(f"integrated {result.integrated} entries: the tree has {result.size}, "
                          f"root {_b64(result.root)}")
        made = checkpoint_if_due()
        if made is not None:
            self.stdout.write(f"checkpoint signed: {made.tree_size} entries")

    def _audit(self, options: dict[str, Any]) -> None:
        from gongxin.ledger.audit import audit_run

        run = audit_run()
        self.stdout.write(str(run))
        differences = getattr(run, "differences", None)
        if differences:
            sys.exit(1)
