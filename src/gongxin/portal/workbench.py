"""The staff workbench: one page that lists every working area a signed-in official may open.

Each app owns its pages; this module only knows their URL names and who uses them (a capability of
accounts.capabilities: the page's own door decides, this list only hides links that would be refused), so the
navigation stays one link ("Workbench") however many areas the platform grows. An area whose app does
not answer its URL name is left out rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongxin.accounts.capabilities import acts_for_source_unit, is_office, is_official
from gongxin.accounts.viewer import Viewer

# Who sees an area's link: officials (operators and the office) or the office alone.
OFFICIALS = is_official
OFFICE = is_office


@dataclass(frozen=True)
class Area:
    url_name: str
    title: Promise
    summary: Promise
    shown_to: Callable[[Viewer], bool]


@dataclass(frozen=True)
class Section:
    title: Promise
    areas: tuple[Area, ...]


SECTIONS: tuple[Section, ...] = (
    Section(_("Records"), (
        Area("ingest:batches", _("Batches"), _("Upload files, follow batches and their error reports"), OFFICIALS),
        Area("ingest:quality", _("Data quality"), _("Volume, rejections and timeliness by source unit"), OFFICE),
        Area("objections:workbench", _("Objection workbench"), _("Accept, forward and decide objections"), OFFICE),
        Area("objections:tasks", _("Objection tasks"), _("Objections forwarded to your source unit"),
             acts_for_source_unit),
        Area("repairs:workbench", _("Repair workbench"), _("Applications for credit repair"), OFFICIALS),
    )),
    Section(_("Joint rewards and punishments"), (
        Area("rewards:index", _("Measures"), _("Rewards and punishments, their triggers and legal basis"), OFFICE),
        Area("rewards:registry", _("Systems and matters"), _("Business systems and the matters they check"), OFFICE),
        Area("rewards:checks", _("Checks"), _("Recent checks and the feedback on them"), OFFICE),
        Area("rewards:statistics", _("Statistics of measures"), _("Punishments and incentives applied"), OFFICE),
        Area("sharing:overview", _("Subscriptions and webhooks"), _("Webhooks and change feeds of business systems"),
             OFFICIALS),
    )),
    Section(_("Evaluation and monitoring"), (
        Area("scoring:overview", _("Evaluation"), _("Models, grades and their distribution over time"), OFFICE),
        Area("scoring:partners", _("Partner scores"), _("Partner cities' scores and the local levels they count as"),
             OFFICE),
        Area("monitoring:dashboard", _("Early warning"), _("Risk scorecards and their distribution"), OFFICE),
        Area("monitoring:alerts", _("Alerts"), _("Subjects whose risk rose, and watched subjects"), OFFICE),
    )),
    Section(_("Commitments, benefits and lending"), (
        Area("commitments:workbench", _("Commitments to verify"), _("Record fulfilment or breach"), OFFICIALS),
        Area("commitments:statistics", _("Statistics of commitments"), _("Signed, kept, broken; payouts"), OFFICE),
        Area("benefits:statistics", _("Benefit scenarios"), _("Eligibility checks, usage and defaults"), OFFICE),
        Area("lending:statistics", _("Credit lending"), _("Authorizations, pulls, loans and outcomes"), OFFICE),
        Area("lending:fund", _("Risk-sharing fund"), _("Contributions, claims and balance"), OFFICE),
    )),
)


@dataclass(frozen=True)
class Link:
    url: str
    title: Promise
    summary: Promise


def workbench_for(viewer: Viewer) -> list[tuple[Promise, list[Link]]]:
    """The sections (title, links) ``viewer`` sees; empty sections are left out."""
    shown: list[tuple[Promise, list[Link]]] = []
    for section in SECTIONS:
        links = []
        for area in section.areas:
            if not area.shown_to(viewer):
                continue
            try:
                links.append(Link(reverse(area.url_name), area.title, area.summary))
            except NoReverseMatch:
                continue
        if links:
            shown.append((section.title, links))
    return shown
