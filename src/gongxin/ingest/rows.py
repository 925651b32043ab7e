"""Checking one row of a batch: normalize its cells, validate them against the catalog item, find the
subject it names and flag what deserves a look without rejecting the row.

``RowChecker.check`` turns a ``SourceRow`` into a ``CheckedRow`` (canonical payload, identity, subject
key, flags) or into a list of ``Issue``s that reject it. Reasons are given in Chinese and English.
Everything here is pure computation: the database is touched by ingest.load, per chunk.
"""

from __future__ import annotations

import contextlib
from array import array
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from gongxin.catalog.choices import FieldType, RecordKind
from gongxin.catalog.models import CatalogItem
from gongxin.catalog.policy import PolicyBook, deadline_working_days
from gongxin.catalog.schema import CatalogValidationFailed, payload_validate
from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.core.workdays import working_days_between
from gongxin.ingest import parsing
from gongxin.ingest.choices import IssueLevel
from gongxin.ingest.fingerprint import RowFingerprinter
from gongxin.records.content import content_digest, record_identity
from gongxin.records.load import RowContent, record_content
from gongxin.subjects.choices import IdentifierScheme
from gongxin.subjects.errors import InvalidRin
from gongxin.subjects.identifiers import rin_lookup_hash, rin_mask, rin_validate

_TRUE = {"1", "true", "yes", "y", "是", "撤销", "已撤销"}
# Older organization codes carried by the data standard, and the identifier scheme each resolves through.
ALIAS_FIELDS = {
    "business_registration_number": IdentifierScheme.REGISTRATION_NUMBER,
    "organization_code": IdentifierScheme.ORGANIZATION_CODE,
    "tax_registration_number": IdentifierScheme.TAX_NUMBER,
    "public_institution_certificate_number": IdentifierScheme.INSTITUTION_CERTIFICATE,
    "social_organization_registration_number": IdentifierScheme.SOCIAL_ORGANIZATION_CERTIFICATE,
}
_DOUBLE_PUBLICITY_KINDS = {RecordKind.LICENCE, RecordKind.PENALTY}
NORMALIZED_MEMO_MAX = 100_000  # distinct (field, cell text) pairs remembered per checker
_UNSEEN = object()


@dataclass(frozen=True)
class Issue:
    level: str
    column: str
    value: str
    code: str
    reason_zh: str
    reason_en: str


class Rejection(list[Issue]):
    """The issues that reject a row, with the identity the row names when it can be told from its cells (its
    source record id, or its natural key as given): a snapshot keeps that record — a row it cannot load is no
    reason to revoke the record it names (ingest.snapshot)."""

    identity: str | None = None


def _rejection(issues: list[Issue], identity: str | None) -> Rejection:
    rejection = Rejection(issues)
    rejection.identity = identity
    return rejection


@dataclass(frozen=True)
class SubjectKey:
    """How a row names its subject: by USCC, by RIN (kept with its lookup hash) or by an old code."""

    kind: str  # "organization" or "person"
    scheme: str  # "uscc", "rin" or an IdentifierScheme value
    value: str  # the USCC, the RIN's lookup hash, or the alias code
    name: str
    rin: str = ""


@dataclass
class CheckedRow:
    number: int
    payload: dict[str, Any]
    identity: str
    source_record_id: str | None
    subject: SubjectKey
    revoke: bool
    severity: str | None
    fingerprint: int  # equal for rows with equal identity, payload and severity (duplicates in a file)
    flags: list[Issue] = field(default_factory=list)
    # Hash, canonical JSON, sealed payload and clocks, computed where the row is checked (the reader
    # process) so that the writing process only writes; None: records_load computes it (and rejects).
    content: RowContent | None = None
    # A snapshot's row: its content hash (as records.load computes it), computed where the row is checked so that
    # the writer only compares (ingest.snapshot; None: the writer computes it).
    digest: str | None = None
    # The fingerprint of the source row as read (ingest.fingerprint), kept on the record it writes; None: none.
    source_fingerprint: int | None = None


@dataclass(slots=True)
class PresumedRows:
    """A chunk's rows whose fingerprint the unit and item's records hold: presumed unchanged, so neither normalized,
    validated nor hashed by the reader. Three columns in file order — row numbers, fingerprints (``array('q')``
    each) and the identities the rows name — so that a chunk's presumed rows cost the reader, the pipe and the writer
    no object per row. The writer verifies each against the record its identity names, in its chunk's transaction,
    and checks it after all when that fails (ingest.fingerprint, decision 084)."""

    numbers: array[int]
    fingerprints: array[int]
    identities: list[str]

    def __len__(self) -> int:
        return len(self.numbers)

    def at(self, indexes: Sequence[int]) -> PresumedRows:
        """The rows at ``indexes``, in that order."""
        numbers, fingerprints, identities = self.numbers, self.fingerprints, self.identities
        return PresumedRows(array("q", [numbers[i] for i in indexes]), array("q", [fingerprints[i] for i in indexes]),
                            [identities[i] for i in indexes])

    def without(self, identities: Collection[str]) -> PresumedRows:
        """These rows but those naming one of ``identities``."""
        return self.at([index for index, identity in enumerate(self.identities) if identity not in identities])


def presumed_spoiled(presumed: PresumedRows, others: Iterable[str | None], *,
                     seen: Mapping[str, int] | None = None) -> tuple[dict[str, int], set[str]]:
    """Of a chunk's presumed rows: the index of the first row of each identity, and the identities whose presumed rows
    must be checked after all, because another row names that identity otherwise — a presumed row with another
    fingerprint, or one of ``others`` (the identities the chunk's checked and rejected rows name) — or ``seen`` (the
    fingerprints of the identities earlier chunks named) holds another fingerprint for it: a record the file corrects,
    whose rows then load in file order. The reader settles its chunk with it, the writer again across chunks
    (decision 084). Per row only C loops, unless an identity repeats within the chunk."""
    identities, fingerprints = presumed.identities, presumed.fingerprints
    count = len(identities)
    first = dict(zip(reversed(identities), range(count - 1, -1, -1), strict=True))  # the last put wins: the first
    spoiled: set[str] = set()
    if len(first) != count:  # an identity repeats: spoiled if a repeat has another fingerprint
        spoiled.update(identity for index, identity in enumerate(identities)
                       if fingerprints[first[identity]] != fingerprints[index])
    spoiled.update(first.keys() & set(others))
    if seen:
        spoiled.update(identity for identity in first.keys() & seen.keys()
                       if seen[identity] != fingerprints[first[identity]])
    return first, spoiled


def both_languages(message: Callable[[], str]) -> tuple[str, str]:
    """A message in Chinese and in English (computed under each language)."""
    with translation.override("zh-hans"):
        zh = str(message())
    with translation.override("en"):
        en = str(message())
    return zh, en


def _cell_too_long(*, length: int, limit: int) -> str:
    return _("The cell holds %(length)d characters; at most %(limit)d are accepted.") % {"length": length,
                                                                                      "limit": limit}


def issue_make(level: str, column: str, value: Any, code: str, message: Callable[[], str]) -> Issue:
    zh, en = both_languages(message)
    return Issue(level, column, _quoted(value), code, zh, en)


def _quoted(value: Any) -> str:
    """A rejected value as the error report quotes it: at most 500 characters, never a NUL or a surrogate."""
    return "" if value is None else parsing.text_clean(str(value)[:500])


_BAD_CELL_REASONS: dict[str, Callable[[], str]] = {
    "nul_character": lambda: _("The cell contains a NUL character (byte 0), which no field accepts."),
    "undecodable": lambda: _("The cell holds bytes that are not text in the file's encoding."),
}


class RowChecker:
    """Checks the rows of one catalog item; caches what rows share (lag by decision date, labels)."""

    def __init__(self, *, item: CatalogItem, today: date | None = None, policies: PolicyBook | None = None,
                 domain: str = "", digests: PolicyBook | None = None,
                 fingerprints: RowFingerprinter | None = None) -> None:
        self.item = item
        # Fingerprints of the rows as read (ingest.fingerprint); with ``fingerprints.known`` (a snapshot) the rows
        # holding a known one are only presumed unchanged (``presumed_identity``), not checked.
        self.fingerprints = fingerprints
        # With the policies (loaded before a reader process forks) a row's content is computed with it.
        self.policies = policies
        # With ``digests`` (a snapshot's policies) only the row's content hash is (``CheckedRow.digest``).
        self.digests = digests
        self.domain = domain
        self._fields: dict[Any, dict[str, Any]] = {}
        self.today = today or clock.today()
        self.definitions = {f["code"]: f for f in item.fields}
        # The natural key's fields, each with whether it is text (``presumed_identity`` normalizes text inline).
        self._key_fields = [(code, self.definitions.get(code),
                             self.definitions.get(code, {}).get("type") == FieldType.TEXT) for code in item.natural_key]
        self.labels = {f["code"]: f["label"] for f in item.fields}
        self.optional = [f["code"] for f in item.fields if not f.get("required")]
        self.measure_lag = item.record_kind in _DOUBLE_PUBLICITY_KINDS and bool(item.decision_date_field)
        self.publicity_days = (
            deadline_working_days(name="double_publicity_working_days", day=self.today) if self.measure_lag else 0
        )
        self._lag: dict[str, int] = {}
        self._late: dict[str, Issue | None] = {}
        # (field code, cell text) -> the normalized cell: authorities, categories, dates, codes and names repeat
        # across a file's rows, and ``parsing.cell_normalize`` is a pure function of the two (bounded: the first
        # distinct values fill it; decision 059).
        self._normalized: dict[tuple[str, str], Any] = {}
        self.cell_chars = parsing.ReadLimits.from_settings().cell_chars

    def lag_of(self, decision_date: str) -> int:
        """Working days from the decision to today (the double-publicity clock), cached per date."""
        lag = self._lag.get(decision_date)
        if lag is None:
            lag = working_days_between(date.fromisoformat(decision_date), self.today)
            self._lag[decision_date] = lag
        return lag

    def check(self, row: parsing.SourceRow) -> CheckedRow | list[Issue]:
        """The row checked by the reference validator (``catalog.schema.payload_validate``): a ``CheckedRow``,
        or the issues that reject it, with their exact reasons."""
        cells = row.cells
        if len(cells) == 1:  # the special rows hold one key
            special = self._special(cells)
            if special is not None:
                return special
        raw = self.normalized(cells)
        try:
            payload = payload_validate(item=self.item, payload=raw, today=self.today)
        except CatalogValidationFailed:
            source_record_id = str(cells.get(parsing.SOURCE_RECORD_ID) or "").strip() or None
            return _rejection(self._validation_issues(raw, cells), self._identity_as_given(raw, source_record_id))
        return self.accepted(row, payload)

    def presumed_identity(self, cells: dict[str, Any]) -> str | None:
        """The identity a row names, from its source record id or its natural-key cells normalized — without checking
        the row; None: it names none this way (the row is checked). Only a lookup key for the writer's verification:
        a row whose identity differs from what checking it would give finds no record holding its fingerprint, and is
        checked after all."""
        given = cells.get(parsing.SOURCE_RECORD_ID)
        if given.__class__ is str:
            given = given.strip()
            if given:
                return given
        values = []
        for code, definition, text in self._key_fields:
            value = cells.get(code)
            if definition is None or value.__class__ is not str:
                return None
            if text:  # ``parsing.cell_normalize`` of a text cell, inline: this runs for every presumed row
                value = (value if value.isascii() else parsing.fold_width(value)).strip()
            else:
                normalized = parsing.cell_normalize(definition, value)
                if normalized is None:
                    return None
                value = str(normalized).strip()
            if not value:
                return None
            values.append(value)
        return "nk:" + "|".join(values) if values else None

    def normalized(self, cells: dict[str, Any]) -> dict[str, Any]:
        """The row's cells as ``payload_validate`` reads them (``parsing.cell_normalize``, remembered)."""
        raw: dict[str, Any] = {}
        memo = self._normalized
        for code, value in cells.items():
            definition = self.definitions.get(code)
            if definition is not None:
                if value.__class__ is str:
                    key = (code, value)
                    normalized = memo.get(key, _UNSEEN)
                    if normalized is _UNSEEN:
                        normalized = parsing.cell_normalize(definition, value)
                        if len(memo) < NORMALIZED_MEMO_MAX:
                            memo[key] = normalized
                else:
                    normalized = parsing.cell_normalize(definition, value)
                if normalized is not None:
                    raw[code] = normalized
        return raw

    def accepted(self, row: parsing.SourceRow, payload: dict[str, Any]) -> CheckedRow | list[Issue]:
        """What a row whose canonical payload is ``payload`` (accepted by the catalog's validator, or by the
        columnar validator proved equal to it: ``ingest.columnar``) becomes: identity, subject, flags."""
        cells = row.cells
        revoke = str(cells.get(parsing.REVOKED) or "").strip().lower() in _TRUE
        severity = str(cells.get(parsing.SEVERITY) or "").strip() or None
        source_record_id = str(cells.get(parsing.SOURCE_RECORD_ID) or "").strip() or None
        try:
            identity = record_identity(item=self.item, payload=payload, source_record_id=source_record_id)
        except GongxinError:
            keys = "、".join(self.labels.get(c, c) for c in self.item.natural_key)
            return [issue_make(IssueLevel.ERROR, keys, "", "identity_missing",
                           lambda: _("Give the source record id, or fill every natural-key field."))]
        subject = self._subject_key(payload)
        if isinstance(subject, Issue):
            return _rejection([subject], identity)
        checked = CheckedRow(
            number=row.number, payload=payload, identity=identity, source_record_id=source_record_id,
            subject=subject, revoke=revoke, severity=severity,
            fingerprint=hash((identity, severity, tuple(sorted(payload.items())))),
        )
        if self.policies is not None and not revoke:
            # On an error records_load meets it again and rejects the row with it.
            with contextlib.suppress(GongxinError):
                checked.content = record_content(
                    item=self.item, domain=self.domain, payload=payload, severity=severity,
                    source_record_id=source_record_id, policies=self.policies, fields_cache=self._fields)
        elif self.digests is not None and not revoke:
            with contextlib.suppress(GongxinError):  # the writer meets the error again and rejects the row
                clocks = self.digests.clocks(item=self.item, domain=self.domain, payload=payload, severity=severity)
                checked.digest = content_digest(payload=payload, severity=clocks.severity)[0]
        if self.measure_lag and self.item.decision_date_field in payload:
            late = self._late_flag(payload[self.item.decision_date_field])
            if late is not None:
                submitted = cells.get(self.item.decision_date_field)
                if submitted is not None and str(submitted) != late.value:  # the date as the file spells it
                    late = replace(late, value=_quoted(submitted))
                checked.flags.append(late)
        return checked

    def _identity_as_given(self, raw: dict[str, Any], source_record_id: str | None) -> str | None:
        """The identity of a row that failed validation, from its normalized cells (None: it names none)."""
        try:
            return record_identity(item=self.item, payload=raw, source_record_id=source_record_id)
        except GongxinError:
            return None

    def _special(self, cells: dict[str, Any]) -> list[Issue] | None:
        """The issues of a row the reader could not give as cells: unreadable, bad cells, reading stopped."""
        if parsing.UNREADABLE in cells:
            detail = cells[parsing.UNREADABLE]
            return [issue_make(IssueLevel.ERROR, "", detail.get("reason", ""), "unreadable_row",
                               lambda: _("This row cannot be read (not a JSON object, or a broken CSV record)."))]
        if parsing.BAD_CELLS in cells:
            issues = []
            for code, problem, excerpt in cells[parsing.BAD_CELLS]:
                column = self.labels.get(code, code.lstrip("_"))
                if problem == "cell_too_long":
                    length, limit = int(excerpt), self.cell_chars
                    issues.append(issue_make(
                        IssueLevel.ERROR, column, "", problem,
                        partial(_cell_too_long, length=length, limit=limit)))
                else:
                    issues.append(issue_make(IssueLevel.ERROR, column, excerpt, problem, _BAD_CELL_REASONS[problem]))
            return issues
        if parsing.STOPPED in cells:
            count = cells[parsing.STOPPED]
            return [issue_make(IssueLevel.WARNING, "", "", "empty_rows_stop",
                               lambda: _("Reading stopped after %(count)d empty rows in a row; rows after them, if "
                                         "any, were not read.") % {"count": count})]
        return None

    def _late_flag(self, decided: str) -> Issue | None:
        """The double-publicity flag of a decision date (None: in time); one per date, shared by rows."""
        if decided not in self._late:
            lag, limit = self.lag_of(decided), self.publicity_days
            self._late[decided] = None if lag <= limit else issue_make(
                IssueLevel.WARNING, self.labels[self.item.decision_date_field], decided, "late_publicity",
                lambda: _("Published %(lag)d working days after the decision; the limit is %(limit)d.")
                % {"lag": lag, "limit": limit},
            )
        return self._late[decided]

    def _validation_issues(self, raw: dict[str, Any], cells: dict[str, Any]) -> list[Issue]:
        """Every problem of the row, each with its reason in both languages and the value as the file gave it
        (an amount in 万元 as written, not converted to yuan; a date as spelled)."""
        found: dict[str, list[dict[str, Any]]] = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                try:
                    payload_validate(item=self.item, payload=raw, today=self.today)
                except CatalogValidationFailed as exc:
                    found[language] = list(exc.details)
        issues = []
        for zh, en in zip(found.get("zh-hans", []), found.get("en", []), strict=False):
            column = self.labels.get(zh["field"], zh["field"])
            submitted = cells.get(zh["field"], zh["value"])
            issues.append(Issue(IssueLevel.ERROR, column, _quoted(submitted), zh["code"], zh["reason"],
                                en["reason"]))
        return issues

    def _subject_key(self, payload: dict[str, Any]) -> SubjectKey | Issue:
        name = str(payload.get("subject_name") or "")
        category = payload.get("subject_category")
        kinds = self.item.subject_kinds or ["organization", "person"]
        if category == "person" or (category is None and kinds == ["person"]):
            if "person" not in kinds:
                return issue_make(IssueLevel.ERROR, self.labels.get("subject_category", ""), category,
                              "wrong_subject_kind", lambda: _("This catalog item does not apply to natural persons."))
            number = payload.get("id_number")
            column = self.labels.get("id_number", "id_number")
            if not number:
                return issue_make(IssueLevel.ERROR, column, "", "rin_required",
                              lambda: _("A natural person is named by the resident identity number."))
            try:
                check = rin_validate(str(number))
            except InvalidRin as exc:
                message = exc.message
                return issue_make(IssueLevel.ERROR, column, rin_mask(str(number)), "invalid_rin", lambda: str(message))
            return SubjectKey("person", "rin", rin_lookup_hash(check.rin), name, rin=check.rin)
        if "organization" not in kinds:
            return issue_make(IssueLevel.ERROR, self.labels.get("subject_category", ""), category,
                          "wrong_subject_kind", lambda: _("This catalog item applies to natural persons only."))
        uscc = payload.get("uscc")
        if uscc:
            return SubjectKey("organization", "uscc", uscc, name)
        for code, scheme in ALIAS_FIELDS.items():
            value = payload.get(code)
            if value:
                return SubjectKey("organization", str(scheme), str(value).strip().upper(), name)
        return issue_make(IssueLevel.ERROR, self.labels.get("uscc", "uscc"), "", "uscc_required",
                      lambda: _("An organization is named by its unified social credit code (or an older "
                                "registration code known to the platform)."))


def filled_optional(payload: dict[str, Any], optional: list[str]) -> list[str]:
    return [code for code in optional if code in payload]

