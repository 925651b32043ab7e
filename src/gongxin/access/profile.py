"""The subject's own view of its profile (self-service): every record it may see of itself, grouped by kind
and paged, the black lists it is on, the clocks of each negative record with the days left, and what it can do
about each (object, repair).

Records come from ``access.grouped`` (``access.shown`` for the ``self`` purpose), so the disclosure
policy decides (non-public records and the subject's own personal fields included, internal items
not). The remedies are the rules of credit-rules.md applied to the record's marks and clocks; the
working-day deadlines come from the ``deadlines`` policy in force today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongxin.access.choices import Channel
from gongxin.access.errors import NoSubject
from gongxin.access.grouped import GroupedProfile, ProfileGroup, profile_grouped
from gongxin.access.listings import BlackListing, black_lists_current, removals_today
from gongxin.access.shown import ShownPage, ShownRecord
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import Polarity, Severity, SubjectKind
from gongxin.catalog.policy import deadline_working_days
from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.records.choices import Purpose
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import person_rin_reveal


@dataclass(frozen=True)
class ClockLine:
    """One date of a record's two clocks, with the days left from today (negative once passed)."""

    key: str  # publicity_min_end, publicity_max_end, retention_end
    label: str
    day: date
    days_left: int

    @property
    def ended(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class Remedy:
    """What the subject can do about a record: ``kind`` is objection, repair, removed_by (removed by the court
    instead of repaired) or retention (information)."""

    kind: str
    text: str
    available: bool


@dataclass(frozen=True)
class OwnRecord:
    record: ShownRecord
    clocks: list[ClockLine] = field(default_factory=list)
    remedies: list[Remedy] = field(default_factory=list)
    removal: str = ""  # who removes it instead of credit repair ("Removed by the court after performance"), or ""
    # An objection was filed and waits for the credit office to accept it: no mark yet (the mark comes at
    # acceptance), so the page says "submitted, awaiting acceptance" and offers no second objection.
    objection_submitted: bool = False

    @property
    def repairable(self) -> bool:
        """Credit repair may be offered: a negative record, not repaired, of a kind repair reaches."""
        return self.is_negative and not self.record.repaired and not self.removal

    @property
    def is_negative(self) -> bool:
        return self.record.polarity == Polarity.NEGATIVE


@dataclass(frozen=True)
class OwnGroup:
    """One group of the own profile (access.grouped) with its records on this page and what can be done."""

    group: ProfileGroup
    records: list[OwnRecord]

    @property
    def key(self) -> str:
        return self.group.key

    @property
    def heading(self) -> Any:
        return self.group.heading

    @property
    def count(self) -> int:
        return self.group.count

    @property
    def page(self) -> ShownPage | None:
        return self.group.page


@dataclass(frozen=True)
class OwnProfile:
    subject: Subject
    code: str  # the USCC, or the person's own RIN unmasked
    facts: list[tuple[str, str]]
    grouped: GroupedProfile
    groups: list[OwnGroup]  # the groups whose records are on this page
    black_lists: list[BlackListing]

    @property
    def records(self) -> list[OwnRecord]:
        """The records on this page, group after group."""
        return [record for group in self.groups for record in group.records]

    @property
    def counts(self) -> dict[str, int]:
        """The whole profile's counts (access.summary), not only this page's."""
        counts = self.grouped.counts
        return {
            "all": counts.total,
            "negative": counts.negative,
            "under_objection": counts.under_objection,
            "repaired": counts.repaired,
            "unpublished": counts.unpublished,
        }


def _deadlines(today: date) -> dict[str, int]:
    names = ("objection_decide_working_days", "objection_max_working_days", "repair_platform_working_days")
    found: dict[str, int] = {}
    for name in names:
        try:
            found[name] = deadline_working_days(name=name, day=today)
        except GongxinError:  # no deadlines policy in force: say the rule without its number
            continue
    return found


def record_clocks(record: ShownRecord, *, today: date) -> list[ClockLine]:
    """The clocks of a negative record; positive and neutral records have none."""
    if record.polarity != Polarity.NEGATIVE:
        return []
    lines = []
    for key, label, day in (
        ("publicity_min_end", _("Minimum publicity end"), record.publicity_min_end),
        ("publicity_max_end", _("Publicity end"), record.publicity_max_end),
        ("retention_end", _("Retention end"), record.retention_end),
    ):
        if day is not None:
            lines.append(ClockLine(key=key, label=label, day=day, days_left=(day - today).days))
    return lines


def record_remedies(record: ShownRecord, *, today: date, deadlines: dict[str, int],
                    removals: dict[str, str] | None = None, objection_submitted: bool = False) -> list[Remedy]:
    """What the subject can do about a negative record, by the rules (objection, repair, retention).
    ``removals``: the kinds credit repair does not reach, with what to say instead (``removals_today``);
    ``objection_submitted``: an objection to it waits for acceptance (``objections_awaiting``)."""
    if record.polarity != Polarity.NEGATIVE:
        return []
    removal = (removals or {}).get(record.record_kind, "")
    remedies: list[Remedy] = []
    if objection_submitted and not record.under_objection:
        remedies.append(Remedy("objection", _(
            "Your objection has been submitted and waits for the credit office to accept it. Once it is accepted, "
            "the record carries the mark \"under objection\" until the source unit decides."), False))
    elif record.under_objection:
        remedies.append(Remedy("objection", _("An objection to this record is being handled; meanwhile the "
                                              "record carries the mark \"under objection\"."), False))
    elif "objection_decide_working_days" in deadlines and "objection_max_working_days" in deadlines:
        remedies.append(Remedy("objection", _(
            "If this record is wrong or incomplete, is disclosed beyond its period, or a listing does not meet "
            "its conditions, you may file an objection. Once the credit office accepts it, the record is marked "
            "\"under objection\"; the decision comes within %(days)s working days of acceptance (at most %(max)s)."
        ) % {"days": deadlines["objection_decide_working_days"],
             "max": deadlines["objection_max_working_days"]}, True))
    else:
        remedies.append(Remedy("objection", _(
            "If this record is wrong or incomplete, is disclosed beyond its period, or a listing does not meet "
            "its conditions, you may file an objection. Once the credit office accepts it, the record is marked "
            "\"under objection\"."
        ), True))

    if removal:
        remedies.append(Remedy("removed_by", _(
            "%(removal)s: the court that listed you removes the entry once the obligations of the judgment are "
            "performed. Credit repair does not apply to it."
        ) % {"removal": removal}, False))
    elif record.repaired:
        remedies.append(Remedy("repair", _("This record has been repaired: it is no longer published, shared or "
                                           "used as a basis for measures."), False))
    elif record.publicity_min_end is not None and record.publicity_min_end > today:
        remedies.append(Remedy("repair", _(
            "Credit repair may be applied for from %(date)s, when the minimum publicity period has been served, "
            "once the act is corrected and its obligations performed, with a signed credit commitment."
        ) % {"date": record.publicity_min_end.isoformat()}, False))
    else:
        text = _(
            "The minimum publicity period has been served: once the act is corrected and its obligations "
            "performed, you may apply for credit repair with a signed credit commitment. Repair is free of charge."
        )
        if "repair_platform_working_days" in deadlines:
            text += _sentence_gap() + _("The platform answers within %(days)s working days.") % {
                "days": deadlines["repair_platform_working_days"]}
        remedies.append(Remedy("repair", text, True))
    if record.severity == Severity.SERIOUS and not record.repaired and not removal:
        remedies.append(Remedy("repair", _("Some serious acts cannot be repaired before the maximum publicity "
                                           "period ends."), False))
    if record.retention_end is not None:
        remedies.append(Remedy("retention", _(
            "After the retention end (%(date)s) the record leaves the profile and is no longer a basis for any "
            "measure."
        ) % {"date": record.retention_end.isoformat()}, False))
    return remedies


def _facts(subject: Subject) -> list[tuple[str, str]]:
    if subject.kind == SubjectKind.ORGANIZATION:
        org = subject.organization
        capital = f"{org.registered_capital_yuan:,.2f}" if org.registered_capital_yuan is not None else ""
        return [
            (_("Organization kind"), org.get_org_kind_display()),
            (_("Status"), org.get_status_display()),
            (_("Legal representative"), org.legal_representative),
            (_("Registration date"), org.registration_date.isoformat() if org.registration_date else ""),
            (_("Registered capital (yuan)"), capital),
            (_("Industry"), org.industry),
            (_("Region code"), subject.region_code),
            (_("Registered address"), org.address),
        ]
    return [(_("Region code"), subject.region_code)]


def own_profile(
    *, viewer: Viewer, channel: str = Channel.PORTAL, group: str | None = None, cursor: str | None = None,
) -> OwnProfile:
    """The signed-in subject's own profile, grouped by kind and paged (access.grouped: each group's newest
    records, or ``group`` alone at ``cursor``), with the black lists it is on; raises ``NoSubject`` when the
    viewer acts for none, ``core.paging.CursorInvalid`` for a bad cursor."""
    if viewer.subject_id is None:
        raise NoSubject()
    subject = Subject.objects.select_related("organization", "person").get(pk=viewer.subject_id)
    grouped = profile_grouped(subject=subject, viewer=viewer, purpose=Purpose.SELF, group=group, cursor=cursor,
                              channel=channel)
    today = clock.today()
    deadlines = _deadlines(today)
    removals = removals_today()
    awaiting = objections_awaiting(
        [r.record_id for g in grouped.shown for r in (g.page.records if g.page else [])])
    groups = [
        OwnGroup(group=shown_group, records=[
            OwnRecord(record=r, clocks=record_clocks(r, today=today),
                      remedies=record_remedies(r, today=today, deadlines=deadlines, removals=removals,
                                               objection_submitted=r.record_id in awaiting),
                      removal=removals.get(r.record_kind, "") if r.polarity == Polarity.NEGATIVE else "",
                      objection_submitted=r.record_id in awaiting and not r.under_objection)
            for r in (shown_group.page.records if shown_group.page else [])
        ])
        for shown_group in grouped.shown
    ]
    if subject.kind == SubjectKind.ORGANIZATION:
        code = subject.organization.uscc
    else:
        code = person_rin_reveal(person=subject.person, viewer=viewer)
    return OwnProfile(subject=subject, code=code, facts=_facts(subject), grouped=grouped, groups=groups,
                      black_lists=black_lists_current(subject=subject, viewer=viewer, purpose=Purpose.SELF))


def objections_awaiting(record_ids: list[int]) -> set[int]:
    """Of ``record_ids``, those with an objection filed and not yet accepted. The objections app sits above this
    one, so its reader is named by ``settings.GONGXIN_OBJECTIONS_AWAITING`` (as the summary and fact providers
    are); none without it."""
    path = getattr(settings, "GONGXIN_OBJECTIONS_AWAITING", "")
    if not path or not record_ids:
        return set()
    reader: Callable[..., set[int]] = import_string(path)
    return set(reader(record_ids=record_ids))


def _sentence_gap() -> str:
    """Between two sentences: a space in English, nothing after Chinese full-width punctuation."""
    return "" if (get_language() or "").startswith("zh") else " "
