"""The assurance policy (decision 055), enforced in one place: ``assurance_require``.

Each capability a subject's own login uses that the policy lists needs a level; a login whose sign-in was
weaker is refused (``AssuranceTooLow``, 403, the one error shape and the one error page). The disclosure
policy asks it for the ``self`` purpose (reading one's own full profile and reports: every page and API
operation that shows them goes through ``access.disclosure.purpose_check``), the objection service before
filing. The table itself is data: ``config.DEFAULT_ASSURANCE_POLICY``, overridden per city by settings.
"""

from __future__ import annotations

from gongxin.accounts.viewer import Viewer
from gongxin.identity.choices import ORDER, AssuranceLevel, AssuredCapability
from gongxin.identity.config import identity_settings
from gongxin.identity.errors import AssuranceTooLow
from gongxin.identity.selectors import assurance_of_viewer


def level_rank(level: str) -> int:
    """A level's place, weakest first; an unknown level ranks as no identity."""
    return ORDER.index(level) if level in ORDER else 0


def assurance_satisfies(level: str, required: str) -> bool:
    return level_rank(level) >= level_rank(required)


def assurance_required(capability: str) -> AssuranceLevel:
    """The level the policy asks for ``capability`` (no identity at all when it lists none)."""
    value = identity_settings().assurance_policy.get(capability, AssuranceLevel.NONE)
    return AssuranceLevel(value) if value in AssuranceLevel.values else AssuranceLevel.IN_PERSON


def assurance_allows(*, viewer: Viewer, capability: str) -> bool:
    required = assurance_required(capability)
    if required == AssuranceLevel.NONE:
        return True
    return assurance_satisfies(assurance_of_viewer(viewer), required)


def assurance_require(*, viewer: Viewer, capability: str) -> None:
    """Raise ``AssuranceTooLow`` unless ``viewer``'s sign-in is as strong as the policy asks for ``capability``."""
    if not assurance_allows(viewer=viewer, capability=capability):
        raise AssuranceTooLow(details={"capability": capability, "required": assurance_required(capability)})


def agents_authorize_assured(viewer: Viewer) -> None:
    """The guard accounts' agent authorization calls (``settings.GONGXIN_AGENTS_AUTHORIZE_GUARD``: accounts sits
    below this app): a weakly verified legal representative authorizes no agent (decision 055)."""
    assurance_require(viewer=viewer, capability=AssuredCapability.AGENTS_AUTHORIZE)
