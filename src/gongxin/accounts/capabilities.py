"""Named capabilities: what a ``Viewer`` may do, each rule written once and named for what it allows.

API clients carry the role ``operator`` (they act for their department) but are not the unit's
operators: a client holds exactly the capabilities its scopes give it, so every capability here says
what a client needs besides its role. Role sets still written elsewhere move here over time (#17).
"""

from __future__ import annotations

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.viewer import Viewer

# The credit office: staff, auditors and administrators (oversight of every unit's work).
OFFICE_ROLES = frozenset({Role.STAFF, Role.AUDITOR, Role.ADMIN})
# Government users signed in: the office and source units' operators.
GOVERNMENT_ROLES = frozenset({Role.OPERATOR, Role.STAFF, Role.AUDITOR, Role.ADMIN})


def is_office(viewer: Viewer) -> bool:
    """A signed-in member of the credit office (staff, auditor, administrator); never an API client."""
    return viewer.client_id is None and viewer.role in OFFICE_ROLES


def acts_for_source_unit(viewer: Viewer) -> bool:
    """A source unit's operator signed in, or one of the unit's systems holding ``records:write``: who works a
    unit's queues (repairs, commitments, objections forwarded to it) and sees the personal data in them.
    A client of a bank, a benefit provider or any department without ``records:write`` does not."""
    if viewer.department_id is None or viewer.role != Role.OPERATOR:
        return False
    return viewer.client_id is None or Scope.RECORDS_WRITE in viewer.scopes


def reads_supervision(viewer: Viewer) -> bool:
    """Organizations' supervision classes and inspection samples (tiered supervision, 分级分类监管): government
    users signed in, and government systems sharing records (``records:share``). Never lenders, benefit
    providers or clients without that scope: a grade rests on non-public records."""
    if viewer.client_id is not None:
        return Scope.RECORDS_SHARE in viewer.scopes
    return viewer.role in GOVERNMENT_ROLES
