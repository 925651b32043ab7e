"""Who acted, as a given viewer may see it: the one rule for every timeline, history and log.

Services store the acting ``Viewer``'s label beside each step (``user:<username>``, ``api-client:<name>``,
``system``, a job's name ...). The stored label is a code, never shown as such. The credit office (staff,
auditors, administrators signed in) sees who acted by name, with the login or client name beside it
(``王经办（demo-person）``, ``宁波市市场监督管理局（scjg-system）``), and "the platform" for the platform's jobs.
A login or a client's name is internal: the subject, source units, API clients and the public see a role-level
name instead — the department that acted (an operator's or a client's), "the credit office" for its staff,
"you" (the viewer's own subject) or "the applicant" (the subject the object is about) for the subject's own
steps, the display name of anyone else (a person the subject authorized) or else their role, and "the platform"
for the platform's own jobs. Never a username nor a client's name.

Labels of other shapes are named by the app that writes them (``actor_namer_register``, from its ``ready()``): an
app above this one — the exchange's ``exchange:<node code>:<package GUID>`` — names its own labels without this
module importing it. What a namer leaves unnamed is "the platform".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import OFFICE_ROLES, is_office
from gongxin.accounts.choices import Role
from gongxin.accounts.models import ApiClient, User
from gongxin.accounts.viewer import Viewer

T = TypeVar("T")

USER_PREFIX = "user:"
CLIENT_PREFIX = "api-client:"

# (labels of one prefix, viewer, whether the viewer is the credit office) -> {label: shown name}; a label left out
# is shown as "the platform".
ActorNamer = Callable[[set[str], Viewer, bool], dict[str, str]]
_NAMERS: dict[str, ActorNamer] = {}


def actor_namer_register(*, prefix: str, namer: ActorNamer) -> None:
    """Name the stored labels that start with ``prefix`` by ``namer`` (registered, or replaced on a second
    ``ready()``, by the app that writes such labels)."""
    if prefix in (USER_PREFIX, CLIENT_PREFIX):
        raise ValueError(f"{prefix!r} is named by accounts itself")
    _NAMERS[prefix] = namer


def _user_name(user: User, *, viewer: Viewer, subject_id: int | None) -> str:
    if user.subject_id is not None and user.subject_id == viewer.subject_id:
        return _("you")
    if user.subject_id is not None and user.subject_id == subject_id:
        return _("the applicant")
    if user.is_superuser or user.role in OFFICE_ROLES:
        return _("the credit office")
    department = user.department if user.department_id is not None else None
    if department is not None:
        return department.name
    # Someone outside government (a person a subject authorized): the name they go by, never the login.
    if user.display_name:
        return user.display_name
    return str(Role(user.role).label) if user.role in Role.values else _("the platform")


def actors_shown(*, labels: Iterable[str], viewer: Viewer, subject_id: int | None = None) -> dict[str, str]:
    """Each stored actor label of ``labels`` as ``viewer`` may see it (a dict label -> shown name): for the credit
    office the name and the login (or the client's department and name), for everyone else a role-level name.

    ``subject_id`` is the subject the object is about (a repair's, an objection's ...): its own accounts are
    named "the applicant" to others and "you" to itself. Two queries at most, whatever the number of labels, and
    those of the registered namers (the exchange's: two).
    """
    wanted = set(labels)
    office = is_office(viewer)
    usernames = {label.removeprefix(USER_PREFIX) for label in wanted if label.startswith(USER_PREFIX)}
    client_names = {label.removeprefix(CLIENT_PREFIX) for label in wanted if label.startswith(CLIENT_PREFIX)}
    users = ({u.username: u for u in User.objects.filter(username__in=usernames).select_related("department")}
             if usernames else {})
    clients: dict[str, ApiClient] = {}
    if client_names:
        # Client names are not unique: the oldest client of a name stands for it (its department is shown).
        for older in ApiClient.objects.filter(name__in=client_names).select_related("department").order_by("-pk"):
            clients[older.name] = older
    shown: dict[str, str] = {}
    for prefix, namer in _NAMERS.items():
        theirs = {label for label in wanted if label.startswith(prefix)}
        if theirs:
            shown.update({label: name for label, name in namer(theirs, viewer, office).items() if label in theirs})
    for label in wanted:
        if label in shown:
            continue
        user = users.get(label.removeprefix(USER_PREFIX)) if label.startswith(USER_PREFIX) else None
        client = clients.get(label.removeprefix(CLIENT_PREFIX)) if label.startswith(CLIENT_PREFIX) else None
        if not label:
            shown[label] = ""  # nobody yet (an undecided application's decider)
        elif office and user is not None:
            shown[label] = (_("%(name)s (%(login)s)") % {"name": user.display_name, "login": user.username}
                            if user.display_name else user.username)
        elif office and client is not None:
            shown[label] = _("%(name)s (%(login)s)") % {"name": client.department.name, "login": client.name}
        elif office and label.startswith((USER_PREFIX, CLIENT_PREFIX)):
            # A login or client no longer there: the office still reads which one it was.
            shown[label] = label.removeprefix(USER_PREFIX).removeprefix(CLIENT_PREFIX)
        elif user is not None:
            shown[label] = _user_name(user, viewer=viewer, subject_id=subject_id)
        elif client is not None:
            shown[label] = client.department.name
        else:
            shown[label] = _("the platform")
    return shown


def actor_shown(*, label: str, viewer: Viewer, subject_id: int | None = None) -> str:
    """One stored actor label as ``viewer`` may see it (``actors_shown`` for a single label)."""
    return actors_shown(labels=[label], viewer=viewer, subject_id=subject_id)[label]


def actors_annotate(*, items: Iterable[T], viewer: Viewer, subject_id: int | None = None,
                    field: str = "actor_label") -> list[T]:
    """``items`` (timeline rows: events, ledger entries ...) as a list, each given ``actor_shown``: its stored
    ``field`` as ``viewer`` may see it. Templates and API bodies show ``actor_shown``, never the label."""
    rows = list(items)
    shown = actors_shown(labels=(getattr(row, field) for row in rows), viewer=viewer, subject_id=subject_id)
    for row in rows:
        row_any: Any = row
        row_any.actor_shown = shown[getattr(row, field)]
    return rows
