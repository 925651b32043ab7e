"""Records, their immutable versions, lists, and the per-subject summary kept by an outbox consumer.

A record is identified by (source unit, catalog item, source record id). Every change appends a
``RecordVersion``; versions are never updated or deleted — the models refuse it and database
triggers (migration 0002) refuse it for raw SQL too. ``Record.current_version`` is a pointer to the
latest version, kept only to make "current state" a join instead of a max() per record.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import Polarity, Severity
from gongxin.records.choices import ChangeKind, ListKind, RecordStatus
from gongxin.records.fields import Sha256Field
from gongxin.records.packing import payload_layout, payload_pack, payload_unpack, text_of, texts_ensure


class ImmutableError(Exception):
    pass


class VersionQuerySet(models.QuerySet["RecordVersion"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("record versions are immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError("record versions are immutable")


class Record(models.Model):
    # No index of its own: the identity constraint below starts with it (one index less per insert).
    source_unit = models.ForeignKey("catalog.SourceUnit", verbose_name=_("source unit"),
                                    on_delete=models.PROTECT, related_name="records", db_index=False)
    catalog_item = models.ForeignKey("catalog.CatalogItem", verbose_name=_("catalog item"),
                                     on_delete=models.PROTECT, related_name="records")
    source_record_id = models.CharField(_("source record id"), max_length=200)
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="records")
    created_at = models.DateTimeField(_("created at"))
    # A plain foreign key without an index: no query looks a record up by its current version (the join goes from
    # the record to the version's primary key) and versions are never deleted, so an index (a unique one, for a
    # one-to-one) would only cost bytes and inserts (decision 047).
    current_version = models.ForeignKey("RecordVersion", verbose_name=_("current version"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    # The subjects the record had before a correction moved it to another one, as ``[[last version number, subject
    # id], ...]`` in order; null (no bytes) for a record never moved. The versions up to that number were logged
    # under that subject (their leaves commit to it: docs/ledger.md, decision 063), so the audit recomputes them.
    subject_history = models.JSONField(_("subject history"), null=True, blank=True, editable=False)
    # The fingerprint of the file row that wrote the current content, bound to it (XOR the first 8 bytes of the
    # current version's content hash): a full snapshot's unchanged row is found by it without being checked again
    # (ingest.fingerprint, decision 084). 8 bytes, no index (looked up through the identity index); null for a
    # record no file row wrote.
    source_fingerprint = models.BigIntegerField(_("source row fingerprint"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        constraints = [
            models.UniqueConstraint(fields=["source_unit", "catalog_item", "source_record_id"],
                                    name="uniq_record_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.catalog_item_id}/{self.source_record_id}"


class RecordVersion(models.Model):
    # No index of its own: uniq_version_number (record, number) serves every lookup by record.
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="versions", db_index=False)
    number = models.PositiveIntegerField(_("version"))
    change = models.CharField(_("change"), max_length=30, choices=ChangeKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=RecordStatus.choices)
    # The content in its stored form, ``[layout, values...]`` (records.packing); read and write ``payload``.
    packed_payload = models.JSONField(_("content"), db_column="payload")
    content_hash = Sha256Field(_("content hash"))  # 32 bytes, read as 64 hex characters
    polarity = models.CharField(_("polarity"), max_length=10, choices=Polarity.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    # Marks that travel with the record wherever it is shown.
    under_objection = models.BooleanField(_("under objection"), default=False)
    repaired = models.BooleanField(_("repaired"), default=False)
    # The two clocks, with the policy versions that produced them (null: not applicable).
    published = models.BooleanField(_("published"), default=True)
    publicity_min_end = models.DateField(_("publicity minimum end"), null=True, blank=True)
    publicity_max_end = models.DateField(_("publicity end"), null=True, blank=True)
    publicity_ended = models.BooleanField(_("publicity ended"), default=False)
    retention_end = models.DateField(_("retention end"), null=True, blank=True)
    # Not indexed: a handful of policies against a billion versions; an index would only slow every insert
    # (policies are never deleted; the foreign keys still guard integrity).
    publicity_policy = models.ForeignKey("catalog.Policy", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", db_index=False)
    retention_policy = models.ForeignKey("catalog.Policy", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", db_index=False)
    # Who, when, why. The actor's index holds only the versions a user wrote (records_version_actor_idx below).
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", db_index=False)
    actor_label = models.CharField(_("actor"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    # The legal basis by reference to its stored text (the same few texts on every version of an item), or as
    # text when its reference is taken (records.packing); read and write ``legal_basis``.
    legal_basis_ref = models.BigIntegerField(_("legal basis (stored text)"), null=True, blank=True)
    legal_basis_text = models.TextField(_("legal basis"), blank=True, db_column="legal_basis")
    created_at = models.DateTimeField(_("created at"))

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        constraints = [models.UniqueConstraint(fields=["record", "number"], name="uniq_version_number")]
        # No query reads versions by actor; the index serves the check that a user deleted wrote no version
        # (PROTECT, and the database's foreign key). Only versions a person wrote have an actor — bulk loads and
        # clock jobs write none — so the index leaves the nulls out (decision 088).
        indexes = [models.Index(fields=["actor"], name="records_version_actor_idx",
                                condition=models.Q(actor__isnull=False))]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.number} {self.change}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise ImmutableError("record versions are immutable")
        self._texts_store()
        super().save(*args, **kwargs)

    def _texts_store(self) -> None:
        """Pack the payload and refer to the legal basis (their texts stored first, in this transaction)."""
        pending: dict[str, Any] = self.__dict__.get("_texts_pending", {})
        payload = pending.get("payload")
        basis = pending.get("legal_basis") or ""
        wanted = [basis] if basis else []
        layout = payload_layout(payload)[0] if isinstance(payload, dict) else None
        if layout is not None:
            wanted.append(layout)
        refs = texts_ensure(wanted) if wanted else {}
        if isinstance(payload, dict) and layout is not None and refs.get(layout) is not None:
            self.packed_payload = payload_pack(payload)
        if basis and refs.get(basis) is not None:
            self.legal_basis_ref, self.legal_basis_text = refs[basis], ""
        self.__dict__.pop("_texts_pending", None)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("record versions are immutable")

    @property
    def payload(self) -> dict[str, Any]:
        return payload_unpack(self.packed_payload)

    @payload.setter
    def payload(self, value: dict[str, Any]) -> None:
        self.__dict__.setdefault("_texts_pending", {})["payload"] = value
        self.packed_payload = value  # packed on save, once its layout is stored

    @property
    def legal_basis(self) -> str:
        if self.legal_basis_ref is not None:
            return text_of(self.legal_basis_ref)
        return self.legal_basis_text

    @legal_basis.setter
    def legal_basis(self, value: str) -> None:
        self.__dict__.setdefault("_texts_pending", {})["legal_basis"] = value
        self.legal_basis_ref, self.legal_basis_text = None, value  # by reference on save


class VersionText(models.Model):
    """A text that many versions share, stored once: a payload layout (its sorted keys as a JSON list) or a
    legal basis. ``id`` is derived from the text (records.packing.text_id); rows are only ever added."""

    id = models.BigIntegerField(primary_key=True)
    value = models.TextField(_("text"))

    class Meta:
        verbose_name = _("stored version text")
        verbose_name_plural = _("stored version texts")

    def __str__(self) -> str:
        return self.value[:60]


class ListType(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ListKind.choices)
    is_serious_dishonesty = models.BooleanField(_("serious dishonesty list"), default=False)
    default_duration_months = models.PositiveIntegerField(_("default duration (months)"), null=True,
                                                          blank=True)
    legal_basis = models.TextField(_("legal basis"))
    exit_conditions = models.TextField(_("exit conditions"), blank=True)

    class Meta:
        verbose_name = _("list type")
        verbose_name_plural = _("list types")

    def __str__(self) -> str:
        return self.name


class ListEntry(models.Model):
    """A subject on a list. A projection of the list record's current version (records.services)."""

    list_type = models.ForeignKey(ListType, on_delete=models.PROTECT, related_name="entries")
    # No index of its own: (subject, is_active) below starts with it.
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="list_entries",
                                db_index=False)
    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="list_entry")
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    basis = models.TextField(_("basis"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        indexes = [models.Index(fields=["subject", "is_active"])]

    def __str__(self) -> str:
        return f"{self.list_type_id}:{self.subject_id}"


class ProfileSummary(models.Model):
    """Counts of a subject's current records by kind and polarity; kept by an outbox consumer."""

    subject = models.OneToOneField("subjects.Subject", primary_key=True, on_delete=models.CASCADE,
                                   related_name="profile_summary")
    counts = models.JSONField(default=dict)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("profile summary")
        verbose_name_plural = _("profile summaries")

    def __str__(self) -> str:
        return f"summary of {self.subject_id}"
