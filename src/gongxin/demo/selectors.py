"""What the demo's "try this" guide (/demo/) shows: the demo logins as they are in the database, the demo firm and
person, the records to object to and to repair, and who decides them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.core import clock
from gongxin.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from gongxin.records.models import Record
from gongxin.subjects.models import Subject


@dataclass(frozen=True)
class GuideRecord:
    record_id: int
    name: str  # the catalog item's name
    decided: date | None
    unit: str
    decider: str  # the username that decides it ("" when no demo login does)


@dataclass
class GuideSubject:
    subject: Subject
    code: str  # the USCC, or the masked RIN
    to_object: GuideRecord | None = None  # a recent negative record in publicity
    to_repair: GuideRecord | None = None  # an older fined penalty whose minimum publicity is served


@dataclass
class Guide:
    password: str
    accounts: dict[str, str] = field(default_factory=dict)  # role -> username of the demo logins that exist
    deciders: list[tuple[str, str, int]] = field(default_factory=list)  # (username, unit, demo records held)
    firm: GuideSubject | None = None
    person: GuideSubject | None = None


# A penalty this old has served the shortest publicity of a general penalty (3 months) in every regime.
REPAIRABLE_AFTER_DAYS = 120


def _negative_records(subject: Subject, deciders: dict[int | None, str]
                      ) -> tuple[GuideRecord | None, GuideRecord | None]:
    rows = list(Record.objects.filter(subject=subject, catalog_item__record_kind="penalty",
                                      current_version__status="active", current_version__repaired=False)
                .select_related("catalog_item", "current_version", "source_unit__department")
                .order_by("-current_version__decision_date", "-pk")[:20])

    def decided(record: Record) -> date | None:
        return record.current_version.decision_date if record.current_version is not None else None

    def shown(record: Record) -> GuideRecord:
        return GuideRecord(record_id=record.pk, name=record.catalog_item.name, decided=decided(record),
                           unit=record.source_unit.department.name, decider=deciders.get(record.source_unit_id, ""))

    free = [r for r in rows if r.current_version is not None and not r.current_version.under_objection]
    newest = next(iter(free), None)
    old_enough = clock.today() - timedelta(days=REPAIRABLE_AFTER_DAYS)
    repairable = next((r for r in free[1:] if (day := decided(r)) is not None and day <= old_enough), None)
    if repairable is None and newest is not None and (day := decided(newest)) is not None and day <= old_enough:
        repairable = newest  # a single penalty (the demo person's): object to it, then repair it
    return (shown(newest) if newest else None), (shown(repairable) if repairable else None)


def demo_guide() -> Guide:
    """The guide's content, read from the database (a few small queries)."""
    guide = Guide(password=DEMO_PASSWORD)
    usernames = [account.username for account in DEMO_ACCOUNTS]
    users = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("subject")}
    guide.accounts = {str(a.role): a.username for a in DEMO_ACCOUNTS if a.username in users}
    operators = list(User.objects.filter(role=Role.OPERATOR, username__startswith="demo-", department__isnull=False)
                     .select_related("department").order_by("username"))
    by_unit = {u.department_id: u.username for u in operators}
    subjects = [users[name].subject for name in ("demo-org", "demo-person")
                if name in users and users[name].subject is not None]
    held = dict(Record.objects.filter(subject__in=subjects).values_list("source_unit_id")
                .annotate(n=Count("id")).order_by())
    guide.deciders = [(u.username, u.department.name, held.get(u.department_id, 0))  # type: ignore[union-attr]
                      for u in operators if held.get(u.department_id)]
    for name, attribute in (("demo-org", "firm"), ("demo-person", "person")):
        user = users.get(name)
        if user is None or user.subject is None:
            continue
        subject = user.subject
        code = subject.organization.uscc if subject.kind == "organization" else subject.person.rin_masked
        to_object, to_repair = _negative_records(subject, by_unit)
        setattr(guide, attribute, GuideSubject(subject=subject, code=code, to_object=to_object, to_repair=to_repair))
    return guide
