"""The SSRF guard of webhooks: internal targets are refused when subscribing and on every connection (the
resolved address, no redirects followed), unless allow-listed; stored errors are categories, not raw text."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gongxin.core.outbox import outbox_dispatch
from gongxin.sharing import egress
from gongxin.sharing.choices import DeliveryState
from gongxin.sharing.delivery import deliveries_send_all
from gongxin.sharing.models import Delivery, DeliveryAttempt, Subscription
from gongxin.sharing.services import subscription_create, subscription_subjects_change
from gongxin.sharing.tests.conftest import Receiver, _free_port
from gongxin.subjects.models import Subject
from gongxin.testing import factories
from gongxin.testing.factories import ApiCaller

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sharing"

REFUSED = ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
           "0.0.0.0", "224.0.0.251",  # noqa: S104 - a target to refuse, not an address to bind "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1",
           "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1"]
PUBLIC = ["8.8.8.8", "202.96.209.133", "2606:4700:4700::1111", "2400:3200::1"]


@pytest.fixture
def nothing_allowed(settings: Any) -> None:
    settings.GONGXIN_WEBHOOK_ALLOWED_NETWORKS = []


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_refused(address: str, nothing_allowed: None) -> None:
    assert not egress.address_allowed(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str, nothing_allowed: None) -> None:
    assert egress.address_allowed(address)


def test_the_allow_list_opens_a_city_network_and_named_hosts(settings: Any) -> None:
    settings.GONGXIN_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16", "fd00:20::/32", "hooks.nb.gov.cn", ".zw.nb"]
    assert egress.address_allowed("10.20.3.4") and egress.address_allowed("fd00:20::5")
    assert not egress.address_allowed("10.21.0.1") and not egress.address_allowed("127.0.0.1")
    assert egress.host_allow_listed("hooks.nb.gov.cn") and egress.host_allow_listed("api.zw.nb")
    assert not egress.host_allow_listed("evil-hooks.nb.gov.cn.example") and not egress.host_allow_listed("zw.nb.x")


def _subscribe_api(caller: ApiCaller, url: str) -> Any:
    return caller.http().post(f"{BASE}/subscriptions", data=json.dumps({"name": "x", "webhook_url": url}),
                              content_type="application/json")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/hook", "https://10.1.2.3/hook", "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook", "https://[::ffff:127.0.0.1]/hook", "http://localhost:9/hook", "https://0.0.0.0/",
])
def test_subscribing_to_an_internal_target_is_refused_early(gov: ApiCaller, url: str, nothing_allowed: None) -> None:
    response = _subscribe_api(gov, url)
    assert response.status_code == 422
    assert response.json()["code"] == "sharing.webhook_target_not_allowed"
    assert not Subscription.objects.exists()


def test_a_host_that_does_not_resolve_yet_is_accepted_and_checked_when_sending(gov: ApiCaller,
                                                                                nothing_allowed: None) -> None:
    assert _subscribe_api(gov, "https://hooks.example.invalid/gongxin").status_code == 201


def _pending_delivery(caller: ApiCaller, url: str, subject: Subject, unit: Any) -> Delivery:
    """A subscription whose URL now points at ``url`` (the host changed its DNS, or the allow-list shrank),
    with one pending delivery."""
    created = subscription_create(name="guard", actor=caller.viewer, webhook_url="https://hooks.example.invalid/x")
    Subscription.objects.filter(pk=created.subscription.pk).update(webhook_url=url)
    subscription_subjects_change(subscription_id=created.subscription.pk, actor=caller.viewer,
                                 add=[subject.organization.uscc])
    factories.penalty_create(subject=subject, source_unit=unit)
    outbox_dispatch()
    return Delivery.objects.get(subscription=created.subscription)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_sending_to_loopback_is_refused_on_the_resolved_address(gov, acme, unit, receiver: Receiver, host: str,
                                                                  nothing_allowed: None) -> None:
    receiver.start()
    delivery = _pending_delivery(gov, f"http://{host}:{receiver.port}/hooks/gongxin", acme, unit)

    result = deliveries_send_all()

    assert (result.sent, result.failed) == (0, 1)
    assert receiver.received == []
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_error == "address not allowed"
    assert Subscription.objects.get(pk=delivery.subscription_id).last_error == "address not allowed"


def test_a_dns_answer_that_changes_to_loopback_after_subscribing_is_refused(gov, acme, unit, receiver: Receiver,
                                                                              nothing_allowed: None, monkeypatch):
    """DNS is the outside party here: the host first resolves to a public address, then to loopback."""
    receiver.start()
    real = socket.getaddrinfo
    answers = {"rebind.example.com": "93.184.216.34"}

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return real(answers[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    created = subscription_create(name="rebind", actor=gov.viewer,
                                  webhook_url=f"https://rebind.example.com:{receiver.port}/hooks")
    assert created.subscription.webhook_url
    subscription_subjects_change(subscription_id=created.subscription.pk, actor=gov.viewer,
                                 add=[acme.organization.uscc])
    Subscription.objects.filter(pk=created.subscription.pk).update(
        webhook_url=f"http://rebind.example.com:{receiver.port}/hooks")
    factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    answers["rebind.example.com"] = "127.0.0.1"

    assert deliveries_send_all().failed == 1
    assert receiver.received == []
    assert Delivery.objects.get(subscription=created.subscription).last_error == "address not allowed"


class _Redirector:
    """An allow-listed endpoint that answers every POST with a redirect to ``location``."""

    def __init__(self, location: str) -> None:
        self.location = location
        location_ = location

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(307)
                self.send_header("Location", location_)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_redirect_to_loopback_is_not_followed(gov, acme, unit, settings) -> None:
    settings.GONGXIN_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    target = Receiver(port=_free_port())
    target.start()
    redirector = _Redirector(f"http://localhost:{target.port}/hooks/gongxin")
    try:
        delivery = _pending_delivery(gov, f"http://127.0.0.1:{redirector.port}/hooks", acme, unit)
        assert deliveries_send_all().failed == 1
    finally:
        redirector.close()
        target.stop()
    assert target.received == []
    delivery.refresh_from_db()
    assert delivery.last_status == 307 and delivery.last_error == "HTTP 307"


def test_an_allow_listed_internal_receiver_gets_its_webhooks(gov, acme, unit, receiver: Receiver, settings) -> None:
    settings.GONGXIN_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    receiver.start()
    created = subscription_create(name="内网", actor=gov.viewer, webhook_url=receiver.url)
    subscription_subjects_change(subscription_id=created.subscription.pk, actor=gov.viewer,
                                 add=[acme.organization.uscc])
    factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()

    assert deliveries_send_all().sent == 1
    assert len(receiver.received) == 1


def _raw_server(answer: bytes) -> tuple[socket.socket, int]:
    """A TCP service that is not HTTP (a database, say): it sends ``answer`` and closes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            conn.sendall(answer)
            # Close its side only, then drain: closing with the rest of the request unread (a request in two
            # segments) would reset the connection before the client read the answer.
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(5)
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    return listener, listener.getsockname()[1]


def test_stored_errors_are_categories_that_do_not_fingerprint_the_far_side(gov, acme, unit, settings) -> None:
    settings.GONGXIN_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    closed = _free_port()
    delivery = _pending_delivery(gov, f"http://127.0.0.1:{closed}/hooks", acme, unit)
    deliveries_send_all()
    delivery.refresh_from_db()
    assert delivery.last_error == "connection refused"

    postgres_error = b"E\x00\x00\x00\x8aSFATAL\x00VFATAL\x00C0A000\x00Munsupported frontend protocol\x00\x00"
    listener, port = _raw_server(postgres_error)
    try:
        Subscription.objects.filter(pk=delivery.subscription_id).update(webhook_url=f"http://127.0.0.1:{port}/h")
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.last_attempt_at)
        deliveries_send_all()
    finally:
        listener.close()
    errors = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("id").values_list("error", flat=True))
    assert errors == ["connection refused", "invalid response"]
    assert not any("Errno" in e or "frontend" in e or "Error" in e for e in errors)
