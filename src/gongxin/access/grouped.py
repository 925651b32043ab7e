"""A profile grouped by kind, each group paged: what the public organization profile and ``/me/`` show.

The top of a profile counts each group (from the subject's summary, ``access.summary``: no count per request)
and links to it; each group then shows its newest records, a bounded first page, with a cursor to the next
(``access.shown.profile_records_page``: keyset paging, so every record is reachable and a deep page costs what
the first does). The disclosure policy decides what each purpose sees, through ``access.shown``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongxin.access.choices import Channel
from gongxin.access.disclosure import Viewer
from gongxin.access.shown import ShownPage, profile_records_page
from gongxin.access.summary import ShownCounts, shown_counts
from gongxin.catalog.choices import RecordKind
from gongxin.subjects.models import Subject

# A group's first page on the overview; a group opened on its own shows this many per page.
FIRST_PAGE_SIZE = 10
PAGE_SIZE = 20


@dataclass(frozen=True)
class GroupDefinition:
    key: str
    heading: Any  # a lazy translation
    kinds: frozenset[str]  # empty: every kind no other group takes


# The groups, in the order shown.
PROFILE_GROUPS: tuple[GroupDefinition, ...] = (
    GroupDefinition("licences", _("Administrative licences"), frozenset({RecordKind.LICENCE})),
    GroupDefinition("penalties", _("Administrative penalties"), frozenset({RecordKind.PENALTY})),
    GroupDefinition("lists", _("Red and black lists"),
                    frozenset({RecordKind.SERIOUS_DISHONESTY, RecordKind.JUDGMENT_DEBTOR})),
    GroupDefinition("commitments", _("Credit commitments"), frozenset({RecordKind.COMMITMENT})),
    GroupDefinition("honours", _("Honours and incentives"),
                    frozenset({RecordKind.HONOUR, RecordKind.TAX_GRADE_A, RecordKind.VOLUNTARY_PERFORMANCE})),
    GroupDefinition("other", _("Other records"), frozenset()),
)
GROUP_KEYS = frozenset(g.key for g in PROFILE_GROUPS)
_GROUPED_KINDS = frozenset().union(*(g.kinds for g in PROFILE_GROUPS))


@dataclass(frozen=True)
class ProfileGroup:
    key: str
    heading: Any
    count: int
    page: ShownPage | None  # None: not read (another group is open on its own)


@dataclass(frozen=True)
class GroupedProfile:
    counts: ShownCounts
    groups: list[ProfileGroup]
    opened: str | None  # the group shown on its own (paged), None on the overview

    @property
    def shown(self) -> list[ProfileGroup]:
        """The groups whose records are on this page."""
        return [group for group in self.groups if group.page is not None]


def _group_count(definition: GroupDefinition, counts: ShownCounts) -> int:
    if definition.kinds:
        return counts.of_kinds(definition.kinds)
    return sum(n for kind, n in counts.kinds.items() if kind not in _GROUPED_KINDS)


def profile_grouped(
    *, subject: Subject, viewer: Viewer, purpose: str, group: str | None = None, cursor: str | None = None,
    channel: str = Channel.PORTAL,
) -> GroupedProfile:
    """The profile's groups with their counts; on the overview (``group`` None) each non-empty group's first
    ``FIRST_PAGE_SIZE`` records, with ``group`` that group alone at ``cursor``, ``PAGE_SIZE`` a page.

    An unknown group is the overview. A bad cursor raises ``core.paging.CursorInvalid``."""
    opened = group if group in GROUP_KEYS else None
    counts = shown_counts(subject_id=subject.pk, purpose=purpose)
    groups: list[ProfileGroup] = []
    for definition in PROFILE_GROUPS:
        count = _group_count(definition, counts)
        page: ShownPage | None = None
        read = definition.key == opened if opened else count > 0
        if read:
            page = profile_records_page(
                subject=subject, viewer=viewer, purpose=purpose, name=definition.key,
                kinds=definition.kinds or None, other_than=() if definition.kinds else _GROUPED_KINDS,
                cursor=cursor if opened else None, size=PAGE_SIZE if opened else FIRST_PAGE_SIZE, channel=channel,
            )
        if count or page is not None:
            groups.append(ProfileGroup(key=definition.key, heading=definition.heading, count=count, page=page))
    return GroupedProfile(counts=counts, groups=groups, opened=opened)
