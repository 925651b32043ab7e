"""Where a record or a subject came from, when another platform brought it: told by the app that brought it.

The exchange (``gongxin.exchange``) sits above the record store, the disclosure rules and the pages of the apps
below it, which must not import it. It registers two functions here from its ``ready()``
(``exchange.selectors_provenance``); the record API and the staff pages ask this module, and get nothing (an
empty dict) when no app registered. The answer is internal — the credit office's and audit's, never the public's:
callers decide who may read it (docs/exchange.md "Provenance", decision 077).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Provenance:
    """A record whose first version, or a subject whose registration, came from another platform's package."""

    via: str  # "exchange"
    node: str  # the sending node's GB/T 2260 division code
    node_name: str  # its name as registered here ("" when the node is no longer a registered peer)
    package: str  # the package's GUID
    at: datetime | None  # received (a record's package) or registered (a subject)
    audit_url: str  # the staff page that accounts for the package ("" when none)


Lookup = Callable[[Collection[int]], dict[int, Provenance]]

_RECORDS: list[Lookup] = []
_SUBJECTS: list[Lookup] = []


def provenance_register(*, records: Lookup, subjects: Lookup) -> None:
    """Register an app's lookups (a second ``ready()`` replaces them: one per function's module and name)."""
    for registry, lookup in ((_RECORDS, records), (_SUBJECTS, subjects)):
        key = (lookup.__module__, lookup.__qualname__)
        registry[:] = [known for known in registry if (known.__module__, known.__qualname__) != key]
        registry.append(lookup)


def _ask(registry: list[Lookup], ids: Collection[int]) -> dict[int, Provenance]:
    wanted = {int(i) for i in ids}
    found: dict[int, Provenance] = {}
    if not wanted:
        return found
    for lookup in registry:
        for key, value in lookup(wanted).items():
            found.setdefault(key, value)
    return found


def records_provenance(record_ids: Collection[int]) -> dict[int, Provenance]:
    """The records of ``record_ids`` whose first version came from another platform, with where from."""
    return _ask(_RECORDS, record_ids)


def subjects_provenance(subject_ids: Collection[int]) -> dict[int, Provenance]:
    """The subjects of ``subject_ids`` first registered here from another platform's package, with where from."""
    return _ask(_SUBJECTS, subject_ids)
