"""``gongxin report verify FILE [--public-key PEM]`` checks a downloaded report (JSON or PDF) offline:
exit 0 when valid, 1 when not, with a message saying why. Besides the signature it proves that every record the
report states is in the platform's tamper-evident log as stated (reports.ledger): the leaf recomputed from the
record, its inclusion proof against the log's checkpoint, the checkpoint's signature with the same key.

``gongxin report issue --uscc CODE | --rin RIN [--kind organization|special] [--purpose P]
[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format json|pdf|html] [--output FILE]`` issues a report as the
operator (credit office staff; default purpose public for organization reports, staff for special
ones), prints its number and verification URL, and writes the file if asked.

``gongxin report revoke NUMBER --reason TEXT`` revokes a report.

How to verify with standard tools instead: core.documents.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.core import signing
from gongxin.core.documents import document_verify
from gongxin.core.errors import GongxinError
from gongxin.core.signing import PublicKeyError
from gongxin.records.choices import Purpose
from gongxin.reports.choices import ReportKind
from gongxin.reports.ledger import ledger_verify
from gongxin.reports.render import envelope_bytes, report_html, report_pdf_file
from gongxin.reports.selectors import report_by_number
from gongxin.reports.services import report_issue, report_revoke
from gongxin.subjects.selectors import subject_by_rin, subject_by_uscc

OPERATOR = Viewer(label="cli:operator", role=Role.STAFF)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Verify a downloaded credit report offline; issue or revoke reports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check a downloaded report (JSON or PDF) offline")
        verify.add_argument("file", help="The report file (.json or .pdf)")
        verify.add_argument("--public-key", help="PEM file of the platform's public key (default: this platform's)")

        issue = sub.add_parser("issue", help="Issue a report as the operator")
        who = issue.add_mutually_exclusive_group(required=True)
        who.add_argument("--uscc", help="Organization's unified social credit code")
        who.add_argument("--rin", help="Person's resident identity number")
        issue.add_argument("--kind", choices=ReportKind.values, default=None)
        issue.add_argument("--purpose", choices=Purpose.values, default=None)
        issue.add_argument("--from", dest="range_from", type=_date, default=None, help="Special reports: first day")
        issue.add_argument("--to", dest="range_to", type=_date, default=None, help="Special reports: last day")
        issue.add_argument("--format", choices=["json", "pdf", "html"], default="json")
        issue.add_argument("--output", help="Write the report to this file")

        revoke = sub.add_parser("revoke", help="Revoke a report")
        revoke.add_argument("number")
        revoke.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except GongxinError as exc:
            raise CommandError(str(exc.message), returncode=1) from exc

    def _verify(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=1) from exc
        pem = None
        if options.get("public_key"):
            try:
                pem = Path(options["public_key"]).read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {options['public_key']}: {exc.strerror}", returncode=1) from exc
        try:
            result = document_verify(data, public_key_pem=pem)
        except PublicKeyError as exc:
            raise CommandError(f"Not an Ed25519 public key in PEM form: {options['public_key']}", returncode=1) from exc
        if not result.valid:
            raise CommandError(f"INVALID ({result.code}): {result.message}", returncode=1)
        report = (result.envelope or {}).get("report", {})
        cover = report.get("cover", {})
        # The records' proofs of the tamper-evident log, against its checkpoint signed with the same key(s).
        keys = [signing.public_key_from_pem(pem)] if pem is not None else list(signing.public_keys().values())
        ledger = ledger_verify(report, public_keys=keys)
        if not ledger.valid:
            raise CommandError(f"INVALID ({ledger.code}): {ledger.message} "
                               f"({', '.join(ledger.failures[:10])})".replace(" ()", ""), returncode=1)
        self.stdout.write(self.style.SUCCESS(f"VALID: {result.message}"))
        self.stdout.write(f"  number        {result.number}")
        self.stdout.write(f"  subject       {cover.get('subject_name', '')} ({cover.get('subject_code', '')})")
        self.stdout.write(f"  issued at     {cover.get('issued_at', '')} by {cover.get('issuer', '')}")
        self.stdout.write(f"  content hash  {result.content_hash}")
        self.stdout.write(f"  key id        {result.key_id}")
        if ledger.present:
            self.stdout.write(f"  log           {ledger.message}")
            self.stdout.write(f"                {ledger.proved} of {ledger.stated} records proved in the log "
                              f"{ledger.origin} at tree size {ledger.tree_size}"
                              + (f"; {ledger.pending} not yet in the log at the issue" if ledger.pending else ""))
        else:
            self.stdout.write(f"  log           {ledger.message}")
        self.stdout.write(f"  status online {report.get('verification', {}).get('url', '')} "
                          "(valid, superseded or revoked)")

    def _issue(self, options: dict[str, Any]) -> None:
        subject = subject_by_uscc(options["uscc"]) if options.get("uscc") else subject_by_rin(options["rin"])
        if subject is None:
            raise CommandError("No such subject.", returncode=1)
        kind = options["kind"] or ReportKind.ORGANIZATION
        if kind == ReportKind.PERSON:
            raise CommandError("Person reports go to the person itself or to a requester with its consent "
                               "(the portal or the API), not to operators.", returncode=1)
        purpose = options["purpose"] or (Purpose.STAFF if kind == ReportKind.SPECIAL else Purpose.PUBLIC)
        report = report_issue(subject=subject, kind=kind, viewer=OPERATOR, purpose=purpose,
                              range_from=options["range_from"], range_to=options["range_to"])
        self.stdout.write(f"{report.number}  {report.content['verification']['url']}")
        if options.get("output"):
            render = {"json": envelope_bytes, "pdf": report_pdf_file,
                      "html": lambda r: report_html(r).encode("utf-8")}[options["format"]]
            Path(options["output"]).write_bytes(render(report))
            self.stdout.write(f"written to {options['output']}")

    def _revoke(self, options: dict[str, Any]) -> None:
        report = report_revoke(report=report_by_number(options["number"]), actor=OPERATOR, reason=options["reason"])
        self.stdout.write(f"{report.number} revoked")
