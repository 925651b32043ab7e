"""Source units, the versioned catalog, and policy as versioned data.

Numbers of the law (publicity months, retention years, deadlines in working days) live in ``Policy``
rows by jurisdiction and effective date, each with its legal basis; code interprets them
(catalog.policy) and never hard-codes them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import (
    DisclosureLevel,
    Polarity,
    PolicyKind,
    RecordKind,
    Severity,
    UpdateFrequency,
)

T = TypeVar("T")


class SourceUnit(models.Model):
    """A department that provides records (信源单位). Its identity and names are the Department's."""

    department = models.OneToOneField(
        "accounts.Department", verbose_name=_("department"), primary_key=True, on_delete=models.PROTECT,
        related_name="source_unit",
    )
    # Regulatory domain, used to pick domain-specific policy (e.g. "market_regulation", "food").
    domain = models.CharField(_("regulatory domain"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("source unit")
        verbose_name_plural = _("source units")

    def __str__(self) -> str:
        return str(self.department)

    @property
    def code(self) -> str:
        return self.department.code

    @property
    def name(self) -> str:
        return self.department.name


class CatalogEdition(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)  # e.g. "2026"
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    is_current = models.BooleanField(_("current"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalog edition")
        verbose_name_plural = _("catalog editions")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.name


class CatalogItem(models.Model):
    """One kind of record. ``fields`` is its schema: a list of field definitions (see catalog.schema)."""

    edition = models.ForeignKey(CatalogEdition, verbose_name=_("edition"), on_delete=models.PROTECT,
                                related_name="items")
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    source_unit = models.ForeignKey(SourceUnit, verbose_name=_("source unit"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="items",
                                    help_text=_("Empty when any source unit may provide it"))
    subject_kinds = models.JSONField(_("subject kinds"), default=list)
    category = models.CharField(_("category of the national basic catalog"), max_length=60)
    record_kind = models.CharField(_("record kind"), max_length=30, choices=RecordKind.choices)
    polarity = models.CharField(_("polarity"), max_length=10, choices=Polarity.choices)
    fields = models.JSONField(_("field schema"), default=list)
    natural_key = models.JSONField(_("natural-key fields"), default=list)
    decision_date_field = models.CharField(_("decision date field"), max_length=60, blank=True)
    disclosure_level = models.CharField(_("disclosure level"), max_length=12, choices=DisclosureLevel.choices)
    default_severity = models.CharField(_("default severity"), max_length=10, choices=Severity.choices,
                                        blank=True)
    list_type_code = models.CharField(_("list type"), max_length=40, blank=True,
                                      help_text=_("Records of this item are entries of this list"))
    legal_basis = models.TextField(_("legal basis"))
    update_frequency = models.CharField(_("update frequency"), max_length=12, choices=UpdateFrequency.choices,
                                        default=UpdateFrequency.DAILY)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="uniq_item_per_edition")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def field(self, code: str) -> dict[str, Any] | None:
        return next((f for f in self.fields if f["code"] == code), None)

    def fields_derived(self, key: str, build: Callable[[list[dict[str, Any]]], T]) -> T:
        """Something computed from the field schema, remembered on this loaded item until ``fields`` is
        replaced (bulk paths look at the same item's schema millions of times)."""
        cache = self.__dict__.setdefault("_fields_derived", {})
        found = cache.get(key)
        if found is None or found[0] is not self.fields:
            found = cache[key] = (self.fields, build(self.fields))
        return found[1]


class Policy(models.Model):
    """A versioned rule: what applies in a jurisdiction from a date, optionally only in one domain."""

    kind = models.CharField(_("kind"), max_length=20, choices=PolicyKind.choices)
    code = models.CharField(_("code"), max_length=60)  # e.g. "publicity.cn.2026"
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=20,
                                    help_text=_("CN, CN-ZJ, CN-ZJ-NB ...; applies to all below it"))
    domain = models.CharField(_("regulatory domain"), max_length=40, blank=True,
                              help_text=_("Empty: every domain"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True,
                                    help_text=_("Last day it applies; empty: open-ended"))
    params = models.JSONField(_("parameters"), default=dict)
    legal_basis = models.TextField(_("legal basis"))

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [models.UniqueConstraint(fields=["code"], name="uniq_policy_code")]
        ordering = ["kind", "jurisdiction", "effective_from"]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from}–{self.effective_to or ''})"

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)
