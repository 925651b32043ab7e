"""Credit subjects: organizations and natural persons, their identifiers and relations.

A ``Subject`` row is the identity every record points at; ``Organization`` and ``Person`` hold the
kind-specific facts. A person's RIN exists only sealed (AES-GCM) and as a keyed hash for lookup.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import SubjectKind
from gongxin.subjects.choices import IdentifierScheme, OrganizationKind, OrganizationStatus, RelationKind
from gongxin.subjects.names import name_initials

# Column widths the services check before writing (their refusal names the field, not a database error).
NAME_MAX_LENGTH = 200
IDENTIFIER_VALUE_MAX_LENGTH = 40


class Subject(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=SubjectKind.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, db_index=True)
    # Pinyin initials of an organization's name, for the public search ("nbwy" finds 宁波万业…); blank
    # for persons, who are never searched publicly. Kept by ``save`` and by the services' bulk path; on
    # PostgreSQL both columns have trigram indexes (migration 0004).
    name_initials = models.CharField(_("name initials"), max_length=200, blank=True, default="",
                                     editable=False)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    created_at = models.DateTimeField(_("created at"))
    # Created from an ingested row rather than a registry: its details want enrichment.
    needs_enrichment = models.BooleanField(_("needs enrichment"), default=False)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep ``name_initials`` in step with the name on every save (services, admin, fixtures).

        ``QuerySet.update`` and ``bulk_create`` bypass this: callers set ``name_initials`` themselves
        (see ``subjects.services``)."""
        self.name_initials = self.initials_of_name()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields and "name_initials" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "name_initials"]
        super().save(*args, **kwargs)

    def initials_of_name(self) -> str:
        """What ``name_initials`` should hold: the name's initials for an organization, blank for a person."""
        return name_initials(self.name) if self.kind == SubjectKind.ORGANIZATION else ""

    @property
    def is_person(self) -> bool:
        return self.kind == SubjectKind.PERSON


class Organization(models.Model):
    subject = models.OneToOneField(Subject, primary_key=True, on_delete=models.CASCADE,
                                   related_name="organization")
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    org_kind = models.CharField(_("organization kind"), max_length=30, choices=OrganizationKind.choices)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    registered_capital_yuan = models.DecimalField(_("registered capital (yuan)"), max_digits=18,
                                                  decimal_places=2, null=True, blank=True)
    address = models.CharField(_("registered address"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OrganizationStatus.choices,
                              default=OrganizationStatus.ACTIVE)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        # Firms sharing a registered address (subjects.associations.shared_addresses).
        indexes = [models.Index(fields=["address"], name="organization_address")]

    def __str__(self) -> str:
        return f"{self.subject.name} ({self.uscc})"


class Person(models.Model):
    subject = models.OneToOneField(Subject, primary_key=True, on_delete=models.CASCADE, related_name="person")
    rin_sealed = models.TextField(_("RIN (encrypted)"))
    rin_hash = models.CharField(_("RIN lookup hash"), max_length=64, unique=True)
    rin_masked = models.CharField(_("RIN (masked)"), max_length=18)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"{self.subject.name} ({self.rin_masked})"


class SubjectIdentifier(models.Model):
    """An alias code that resolves to a subject (old registration number, organization code ...)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(_("scheme"), max_length=40, choices=IdentifierScheme.choices)
    value = models.CharField(_("value"), max_length=IDENTIFIER_VALUE_MAX_LENGTH)

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [models.UniqueConstraint(fields=["scheme", "value"], name="uniq_identifier")]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class Relation(models.Model):
    """``from_subject`` is the ``kind`` of the organization ``to_subject`` (its legal representative, a shareholder
    holding ``share_ratio`` of it, a branch of it ...) from ``start_date`` until the day before ``end_date``: in
    effect on day *d* when ``start_date <= d < end_date`` (an open end: still in effect). Rows are ended, never
    deleted, so "as of" questions keep their answer.

    Rows with a ``record_ref`` are the projection of a registration-relation record (the catalog item
    ``registration_relation``, kept by ``monitoring.relations.RelationProjection`` through
    ``subjects.services.relations_apply``); rows without one were added by ``relation_add``."""

    from_subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="relations_out")
    to_subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(_("kind"), max_length=30, choices=RelationKind.choices)
    share_ratio = models.DecimalField(_("share ratio"), max_digits=7, decimal_places=4, null=True, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    # The id of the record this row projects (records is above subjects: a plain number, not a foreign key).
    record_ref = models.BigIntegerField(_("record"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        # Relations added by hand stay one per (from, to, kind); a projected relation may repeat one that ended.
        constraints = [
            models.UniqueConstraint(fields=["from_subject", "to_subject", "kind"], name="uniq_relation",
                                    condition=models.Q(record_ref__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.from_subject_id} -{self.kind}-> {self.to_subject_id}"
