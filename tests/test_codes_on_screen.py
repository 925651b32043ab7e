"""No code on screen (#18, point 1): every page of the URL conf, asked by every persona (anonymous, a member of the
public, a person, an organization's agent, a source unit's operator, credit-office staff, an auditor, an
administrator) in both languages, shows translated labels only — never a snake_case word
(``on_judgment_debtor_list``), a dotted code (``commitments.commitment.signed``), a stored actor label
(``user:mx-person``, ``api-client:…``) or, on a Chinese page, a lone English enum value (``person``, ``general``,
"较差 (poor)").

The world is the authorization matrix's (tests/security: side A's objects of every kind, made by the owning apps'
services), after the credit office, the source unit and a lender acted on them (the actor-label sweep's steps), with
firm A and person A also on the court's list of dishonest judgment debtors and everyone scored, so that score
reasons, lists, timelines and events are on the pages. Only *visible text* is read: tags, attributes, scripts and
styles are stripped. Legitimate codes are allowed by an explicit list: URLs, e-mail addresses, file names, the
platform's own command lines (``gongxin report verify``), the world's USCCs, record ids and report numbers, and
elements marked ``translate="no"`` (HTML's "not to be translated"): a measure's CEL rule and the names of the facts
it reads, measure and model codes — what staff type, shown on purpose."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from tests.security.test_actor_labels import _act_on_side_a
from tests.security.test_authorization_matrix import World, _fill, page_routes, world_build

# A sweep over every page, persona and language (about half a minute). The visible text of the pages does not
# depend on the database: the sweep runs in the SQLite run only (decision 078).
pytestmark = [pytest.mark.slow, pytest.mark.one_backend]

PERSONAS = ("anon", "public", "person", "agent", "operator", "staff", "auditor", "admin")
LANGUAGES = ("zh-hans", "en")

# Query strings that make a page show its content (a search's results, a form about side A's record).
QUERIES: dict[str, dict[str, str]] = {
    "search/": {"q": "矩阵"},
    "objections/file/": {"record": "{record_id}"},
    "repairs/apply/": {"record": "{record_id}"},
}

SNAKE = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/@-])")
DOTTED = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+(?![\w/@-])")
ACTOR = re.compile(r"(?<![\w-])(?:user|api-client|system):[\w.-]+")
LONE_WORD = re.compile(r"(?<![\w./@:-])[a-z]{3,}(?![\w/@:-])")  # on a Chinese page only

# What may look like a code and is not one: URLs, e-mail addresses, file names, paths.
ALLOWED = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w.-]+\.(?:pdf|csv|xlsx|json|svg|png|pem|jpe?g)\b|(?<!\S)/\S*"
    r"|\b(?:e\.g|i\.e)\."
    r"|\bgongxin(?: [a-z][a-z_-]*)+"  # a command line of the platform's own `gongxin` command
)


class _Visible(HTMLParser):
    """The text a reader sees: text nodes outside scripts, styles and templates (the <title> included). An element
    marked ``translate="no"`` (HTML's own "not to be translated") holds code on purpose — a measure's CEL rule as
    staff write it — and is left out with its content."""

    HIDDEN = frozenset({"script", "style", "template", "noscript"})
    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                      "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # open elements: (tag, whether its content is hidden)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        hidden = tag in self.HIDDEN or dict(attrs).get("translate") == "no"
        self._stack.append((tag, hidden or self._hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching element (elements left open inside it, as HTML allows, close with it).
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                del self._stack[depth:]
                return

    @property
    def _hidden(self) -> bool:
        return bool(self._stack and self._stack[-1][1])

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser.parts


def codes_in(texts: list[str], *, chinese: bool, allowed_words: frozenset[str] = frozenset()) -> list[str]:
    """The codes in ``texts`` (each text node alone), URLs, e-mail addresses, file names and ``allowed_words``
    left out."""
    found = []
    for text in texts:
        text = ALLOWED.sub(" ", text)
        for word in allowed_words:
            text = text.replace(word, " ")
        patterns = (ACTOR, SNAKE, DOTTED, LONE_WORD) if chinese else (ACTOR, SNAKE, DOTTED)
        for pattern in patterns:
            for match in pattern.findall(text):
                found.append(match)
            text = pattern.sub(" ", text)
    return found


def test_the_scan_finds_codes_and_leaves_words() -> None:
    html = ("<html><head><title>x</title><style>.a_b{}</style></head><body><p data-x='a_b'>on_judgment_debtor_list"
            "</p><p>commitments.commitment.signed</p><p>user:mx-person</p><p>较差 (poor)</p><p>类别 person</p>"
            "<script>var a_b = c.d;</script><p>https://example.org/a_b.c mail@example.org report_1.pdf</p>"
            "<p>规则 <code translate='no'>judgment_debtor &amp;&amp; x.y</code><br></p></body></html>")
    assert codes_in(visible_text(html), chinese=True) == [
        "on_judgment_debtor_list", "commitments.commitment.signed", "user:mx-person", "poor", "person"]
    assert codes_in(visible_text(html), chinese=False) == [
        "on_judgment_debtor_list", "commitments.commitment.signed", "user:mx-person"]


def _judgment_debtors(world: World) -> None:
    """Firm A and person A on the court's list of dishonest judgment debtors, then everyone scored and every
    consumer run (score reasons, lists, facts, alerts on the pages)."""
    from gongxin.accounts.viewer import SYSTEM
    from gongxin.catalog.selectors import item_by_code, source_unit_by_code
    from gongxin.core import clock
    from gongxin.core.outbox import outbox_dispatch
    from gongxin.records.services import record_submit
    from gongxin.scoring.services import scores_run
    from gongxin.subjects.models import Subject
    from gongxin.testing.factories import ADMIN
    from gongxin.testing.payloads import payload_for

    debtor = item_by_code("judgment_debtor")
    unit = source_unit_by_code(code="MX-SCJG")
    firm = Subject.objects.get(organization__uscc=world.params["uscc"][0])
    person = Subject.objects.get(pk=int(world.params["subject_id"][0]))
    for n, subject in enumerate((firm, person)):
        extra = ({"subject_category": "organization", "uscc": firm.organization.uscc} if subject == firm
                 else {"subject_category": "person"})
        record_submit(source_unit=unit, item=debtor, source_record_id=f"(2026)浙0212执{n + 1}号", subject=subject,
                      payload=payload_for(debtor, subject_name=subject.name,
                                          decision_date=clock.today() - timedelta(days=30), **extra),
                      actor=ADMIN)
    outbox_dispatch()
    scores_run(actor=SYSTEM)
    outbox_dispatch()


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = world_build()
            _act_on_side_a(built)
            _judgment_debtors(built)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _allowed_words(world: World) -> frozenset[str]:
    """The world's own identifiers, which are codes on purpose: USCCs, report numbers, source record ids."""
    from gongxin.records.models import Record

    words = {*world.params["uscc"], *world.params["number"]}
    words.update(Record.objects.values_list("source_record_id", flat=True))
    return frozenset(w for w in words if w)


def _pages() -> list[str]:
    return [route.removeprefix("GET ") for route in page_routes() if route.startswith("GET ")]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_code_on_any_page_of_any_persona(language: str, world: World) -> None:
    allowed = _allowed_words(world)
    found: dict[str, set[str]] = {}
    answered = 0
    for persona in PERSONAS:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if persona in world.logins:
            client.force_login(world.logins[persona])
        for route in _pages():
            path = "/" + _fill(route, 0, world)
            query = {k: _fill(v, 0, world) for k, v in QUERIES.get(route, {}).items()}
            with transaction.atomic():
                response = client.get(path, query)
                transaction.set_rollback(True)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            answered += 1
            for code in codes_in(visible_text(response.content.decode()), chinese=language.startswith("zh"),
                                 allowed_words=allowed):
                found.setdefault(code, set()).add(f"{persona} {path}")
    assert answered > 100
    report = [f"{code}: {len(where)} page(s), e.g. {sorted(where)[:3]}" for code, where in sorted(found.items())]
    assert not found, f"{len(found)} codes on screen:\n" + "\n".join(report)
