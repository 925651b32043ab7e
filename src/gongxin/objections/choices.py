from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.core import events


class Ground(models.TextChoices):
    """Why the subject objects (Zhejiang regulation Art. 30)."""

    WRONG_FACTS = "wrong_facts", _("The facts are wrong")
    WRONG_TEXT = "wrong_text", _("The text contains errors")
    OMISSION = "omission", _("Information is missing")
    BEYOND_PERIOD = "beyond_period", _("Shown beyond its period")
    WRONGLY_LISTED = "wrongly_listed", _("Wrongly listed, or not removed from a list")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REJECTED = "rejected", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted, under verification")
    FORWARDED = "forwarded", _("With the source unit for verification")
    DECIDED = "decided", _("Decided")


# While an objection is in one of these, its record carries the mark 异议中 and its deadline runs.
OPEN_STATUSES = (Status.ACCEPTED, Status.FORWARDED)


class Decision(models.TextChoices):
    """What the source unit decides, and the record version each implies (objections.services)."""

    DELETE = "delete", _("Delete the record")
    CORRECT = "correct", _("Correct the record")
    SUPPLEMENT = "supplement", _("Supplement the record")
    STOP_DISCLOSURE = "stop_disclosure", _("Stop disclosure")
    REMOVE_FROM_LIST = "remove_from_list", _("Remove from the list")
    UPHOLD = "uphold", _("Uphold the record as it is")


# Decisions that change the record's content; they carry a corrected payload.
PAYLOAD_DECISIONS = (Decision.CORRECT, Decision.SUPPLEMENT)


class Action(models.TextChoices):
    """Audit action codes of ObjectionEvent: the outbox topics of the event catalog, also the notice codes."""

    FILED = events.OBJECTION_FILED, _("Filed")
    EVIDENCE_ADDED = events.OBJECTION_EVIDENCE_ADDED, _("Evidence added")
    ACCEPTED = events.OBJECTION_ACCEPTED, _("Accepted")
    REJECTED = events.OBJECTION_REJECTED, _("Not accepted")
    FORWARDED = events.OBJECTION_FORWARDED, _("Forwarded to the source unit")
    EXTENSION_REQUESTED = events.OBJECTION_EXTENSION_REQUESTED, _("More time requested")
    EXTENDED = events.OBJECTION_EXTENDED, _("Deadline extended")
    DECIDED = events.OBJECTION_DECIDED, _("Decided")
    REVIEW_REQUESTED = events.OBJECTION_REVIEW_REQUESTED, _("Review requested")
