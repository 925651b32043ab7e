"""What the home page shows: the portal of the city's platform.

Search first; the services a citizen or a firm comes for, as entrances; the newest double-publicity rows and the
newest public entries of the red and black lists (found by the figures' refresh, read back by primary key:
portal.latest); the headline figures and the chart's series as last counted (portal.statistics: nothing is counted
or walked per request).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongxin.portal.latest import ListHighlight, latest_ids, latest_rows
from gongxin.portal.selectors import PublicityRow
from gongxin.portal.statistics import HomeFigures, figures_current


@dataclass(frozen=True)
class Entrance:
    """A service as a door on the home page (the page it opens asks to sign in when it needs to)."""

    key: str
    url_name: str
    title: Promise
    summary: Promise


ENTRANCES: tuple[Entrance, ...] = (
    Entrance("report", "reports:issue", _("Credit report"),
             _("Get a signed credit report of an organization, or of yourself")),
    Entrance("objection", "objections:mine", _("Objection"),
             _("A record about you is wrong: file an objection and follow it")),
    Entrance("repair", "repairs:mine", _("Credit repair"),
             _("End the publicity of a corrected penalty early")),
    Entrance("commitment", "commitments:sign", _("Credit commitment"),
             _("Make a public commitment instead of certificates")),
    Entrance("benefits", "benefits:mine", _("Benefits"),
             _("Services without deposit or with priority for good credit")),
    Entrance("lending", "lending:firm", _("Credit lending"),
             _("Let banks read your firm's credit data to apply for a loan")),
)


@dataclass(frozen=True)
class EntranceLink:
    key: str
    url: str
    title: Promise
    summary: Promise


@dataclass(frozen=True)
class HomePage:
    figures: HomeFigures
    latest: list[PublicityRow]
    red_latest: list[ListHighlight]
    black_latest: list[ListHighlight]
    entrances: list[EntranceLink]


def entrances() -> list[EntranceLink]:
    links = []
    for entrance in ENTRANCES:
        try:
            links.append(EntranceLink(entrance.key, reverse(entrance.url_name), entrance.title, entrance.summary))
        except NoReverseMatch:  # an app that is not installed: its door is left out
            continue
    return links


def home_page(*, english: bool = False) -> HomePage:
    """Everything the home page shows: a few short statements whatever the size of the store (the newest rows as
    found by the last refresh of the figures, read back by primary key: portal.latest)."""
    figures = figures_current()
    latest = latest_rows(latest_ids(figures.values), english=english)
    return HomePage(figures=figures, latest=latest.publicity, red_latest=latest.red, black_latest=latest.black,
                    entrances=entrances())
