"""Personas for sharing: a source unit writing records, two organizations and a person as subjects, a
government business system (records:share), a market system without it, and a REAL webhook receiver
(http.server on 127.0.0.1 in a thread) that can be down (connection refused), broken (500) or up."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.models import Department, User
from gongxin.accounts.services import api_client_create
from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.core.outbox import outbox_dispatch
from gongxin.sharing.choices import DeliveryState
from gongxin.sharing.delivery import PassResult, deliveries_send_all
from gongxin.sharing.models import Delivery
from gongxin.subjects.models import Subject
from gongxin.testing import factories, personas
from gongxin.testing.factories import ApiCaller


@pytest.fixture(autouse=True)
def _receivers_on_loopback_allowed(settings: Any) -> None:
    """The receivers of these tests listen on 127.0.0.1, which webhooks may reach only when allow-listed
    (sharing.egress); tests of the guard itself narrow or empty the list."""
    settings.GONGXIN_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def unit(seeded: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def acme(seeded: None) -> Subject:
    return factories.organization_create(name="宁波市鄞州区订阅测试贸易有限公司")


@pytest.fixture
def other_org(seeded: None) -> Subject:
    return factories.organization_create(name="宁波市海曙区未订阅有限公司")


@pytest.fixture
def person(seeded: None) -> Subject:
    return factories.person_create(name="李四")


def _department(code: str, name: str) -> Department:
    return Department.objects.create(code=code, name=name, region_code="330200")


@pytest.fixture
def gov(seeded: None) -> ApiCaller:
    department = _department("NB-CZ", "宁波市财政局")
    client, key = api_client_create(name="政府采购系统", department=department,
                                    scopes=[Scope.RECORDS_SHARE, Scope.SUBJECTS_READ])
    return ApiCaller(client, key)


@pytest.fixture
def market(seeded: None) -> ApiCaller:
    department = _department("NB-BANK", "某商业银行宁波分行")
    client, key = api_client_create(name="银行信贷系统", department=department, scopes=[Scope.RECORDS_READ_PUBLIC])
    return ApiCaller(client, key)


def user_create(username: str, *, role: str, department: Department | None = None) -> User:
    return personas.user_create(username, role=role, department=department, email=f"{username}@example.test")


@pytest.fixture
def staff(db: None) -> User:
    return user_create("staff-sharing", role=Role.STAFF)


def dispatch() -> dict[str, int]:
    """What the outbox task does after each commit (tests run inside one transaction, so call it)."""
    return outbox_dispatch()


def send_until_idle(*, rounds: int = 40, step: timedelta = timedelta(hours=2)) -> PassResult:
    """Run the worker ``rounds`` times at most, the clock ``step`` later each time (past every backoff),
    until nothing waits to be sent."""
    total = PassResult()
    start = clock.now()
    for k in range(rounds):
        with time_machine.travel(start + k * step, tick=False):
            result = deliveries_send_all()
        total.sent += result.sent
        total.failed += result.failed
        if not Delivery.objects.filter(state=DeliveryState.PENDING).exists():
            break
    return total


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float  # the receiver's clock (moved with the tests' clock), to check the signature's age against

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1: ``mode`` "up" answers 200, "broken" 500; ``stop()`` makes it refuse."""

    port: int
    mode: str = "up"
    delay: float = 0.0  # seconds before answering (a slow endpoint)
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/gongxin"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(receiver.delay)
                if receiver.mode == "up":
                    receiver.received.append(Received(dict(self.headers.items()), body, time.time()))
                    self.send_response(200)
                else:
                    self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Down at first (nothing listens on its port: connection refused); tests call ``start()``."""
    endpoint = Receiver(port=_free_port())
    yield endpoint
    endpoint.stop()
