"""The transactional outbox: events written in the same transaction as the state change they announce."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.core.holidays import FESTIVAL_CHOICES


class OutboxEvent(models.Model):
    """An append-only event. ``id`` order is commit order within one writer; consumers read by id."""

    id = models.BigAutoField(primary_key=True)
    # Not indexed: consumers read the outbox in id order; a topic index (two, with Django's LIKE index on
    # PostgreSQL) would only slow the bulk paths that write millions of events.
    topic = models.CharField(_("topic"), max_length=80)  # e.g. "record.version.created"
    aggregate_type = models.CharField(_("aggregate type"), max_length=40)
    aggregate_id = models.BigIntegerField(_("aggregate id"))
    # Not indexed: no query reads events by subject (consumers read by id; decision 047).
    subject_id = models.BigIntegerField(_("subject id"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")

    def __str__(self) -> str:
        return f"{self.id} {self.topic} {self.aggregate_type}:{self.aggregate_id}"


class ConsumerCursor(models.Model):
    """How far one consumer has read the outbox. Advanced in the same transaction as its effects."""

    consumer = models.CharField(_("consumer"), max_length=120, primary_key=True)
    position = models.BigIntegerField(_("last event id"), default=0)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    # PostgreSQL: when the reader first stopped at the hole just after ``position`` (database clock).
    hole_seen_at = models.DateTimeField(_("hole first seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consumer cursor")
        verbose_name_plural = _("consumer cursors")

    def __str__(self) -> str:
        return f"{self.consumer} @ {self.position}"


class ThrottleWindow(models.Model):
    """How many requests (or look-ups) one key made in one fixed window: the counter behind
    ``core.throttle``, shared by every process through the database."""

    key = models.CharField(_("key"), max_length=200)  # e.g. "rin:user:12", "rin:addr:203.0.113.9"
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("throttle window")
        verbose_name_plural = _("throttle windows")
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="core_throttle_key_window")]
        indexes = [models.Index(fields=["window_start"], name="core_throttle_window_idx")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("holiday (放假)")
    WORKDAY = "workday", _("make-up working day (调休上班)")


class ArrangementOrigin(models.TextChoices):
    ENTERED = "entered", _("entered by staff from the published notice")
    LIBRARY = "library", _("loaded from the chinese-calendar package")


class HolidayArrangement(models.Model):
    """The State Council General Office's holiday arrangement for one year (部分节假日安排的通知): policy as
    data, read by ``core.workdays``. A stored year wins over the chinese-calendar package for that year; a
    year with neither counts the statutory holidays of the regulation only, and its deadlines are provisional
    (decision 038). Its days are ``ArrangementDay`` rows; the days of the year not listed follow the week
    (Monday–Friday working)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    origin = models.CharField(_("origin"), max_length=10, choices=ArrangementOrigin.choices,
                              default=ArrangementOrigin.ENTERED)
    # The notice's number, e.g. 国办发明电〔2025〕7号; for a load from the package, the package and version.
    source = models.CharField(_("source"), max_length=200,
                              help_text=_("Document number of the notice, e.g. 国办发明电〔2025〕7号"))
    title = models.CharField(_("title"), max_length=200, blank=True,
                             help_text=_("e.g. 国务院办公厅关于2026年部分节假日安排的通知"))
    published_on = models.DateField(_("published on"), null=True, blank=True)
    url = models.URLField(_("address of the notice"), max_length=300, blank=True)
    entered_by_id = models.BigIntegerField(_("entered by (user id)"), null=True, blank=True)
    entered_by_label = models.CharField(_("entered by"), max_length=150, blank=True)
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("holiday arrangement")
        verbose_name_plural = _("holiday arrangements")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.source}"


class ArrangementDay(models.Model):
    """One day the arrangement changes from the week: a holiday (on a weekday, or a weekend day inside a
    holiday period) or a make-up working day on a weekend. A day belongs to one arrangement only; the next
    year's New Year holiday may start in late December."""

    arrangement = models.ForeignKey(HolidayArrangement, on_delete=models.CASCADE, related_name="days",
                                    verbose_name=_("holiday arrangement"))
    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    festival = models.CharField(_("festival"), max_length=20, choices=FESTIVAL_CHOICES)

    class Meta:
        verbose_name = _("arrangement day")
        verbose_name_plural = _("arrangement days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"
