"""Where webhooks may go: public addresses only, unless a city allow-lists its internal networks (SSRF guard).

A subscriber chooses the URL the platform posts to, so without a guard the platform would reach, on the
subscriber's behalf, whatever the platform's host reaches: its own loopback services, the database, the
cloud's metadata service (169.254.169.254), the city's internal network. Every address a webhook host
resolves to must be public — not private, loopback, link-local, multicast, reserved, unspecified or shared
(CGNAT), also when embedded in IPv6 (IPv4-mapped, NAT64, 6to4, Teredo) — unless it is inside one of the
networks of ``GONGXIN_WEBHOOK_ALLOWED_NETWORKS`` (CIDRs), or the host itself is listed there (a host name,
or ``.example.gov.cn`` for a domain and its subdomains).

The check runs where the connection is made: the sender resolves the host once, checks every address and
connects to a checked address (no second resolution a DNS rebinding could answer differently). The
sender follows no redirects (a 3xx is a failure), so a redirect never leads anywhere unchecked; environment
proxies are not used. Subscribing checks too, for an early, clear error; a host that does not resolve yet
is checked when sending.

Failures are stored and shown as categories (``timed out``, ``connection refused``, ``HTTP 500`` …), never
the exception's text, which would tell a prober more about the far side.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class TargetNotAllowed(OSError):
    """The host resolves to an address webhooks may not reach."""


def _allow_list() -> tuple[list[ipaddress.IPv4Network | ipaddress.IPv6Network], list[str]]:
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    hosts: list[str] = []
    for entry in getattr(settings, "GONGXIN_WEBHOOK_ALLOWED_NETWORKS", []):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.append(entry.lower().rstrip("."))
    return networks, hosts


def host_allow_listed(host: str) -> bool:
    host = host.lower().rstrip(".")
    _, hosts = _allow_list()
    return any(host == h or (h.startswith(".") and (host.endswith(h) or host == h[1:])) for h in hosts)


def _embedded(address: IPAddress) -> list[IPAddress]:
    """The address and any IPv4 address an IPv6 one carries to a gateway that would forward to it."""
    found: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.append(address.teredo[1])
        if address in _NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def address_allowed(address: str) -> bool:
    """May a webhook connect to ``address`` (an IP address in text)?"""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    networks, _ = _allow_list()
    if any(parsed.version == n.version and parsed in n for n in networks):
        return True
    for candidate in _embedded(parsed):
        if not candidate.is_global or candidate.is_multicast or candidate.is_reserved or candidate.is_unspecified:
            return False
    return True


def target_resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    """The host's addresses (``getaddrinfo`` rows), all of them allowed; ``TargetNotAllowed`` if one is not
    (a host with one public and one internal address is refused whole: which one is used is not ours to pick).
    ``socket.gaierror`` if it does not resolve."""
    rows = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if host_allow_listed(host):
        return rows
    if not rows or not all(address_allowed(str(row[4][0])) for row in rows):
        raise TargetNotAllowed(f"{host} resolves to an address webhooks may not reach")
    return rows


def connection_create(address: tuple[str, int], timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
                      source_address: Any = None) -> socket.socket:
    """``socket.create_connection`` to a checked address of the host (the one resolution is the one used)."""
    host, port = address
    last: OSError | None = None
    for family, kind, proto, _name, sockaddr in target_resolve(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise last or OSError(f"no address for {host}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = connection_create


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = connection_create


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPSConnection, req)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer other than 2xx: a failure, never a re-POST elsewhere


def opener_build() -> urllib.request.OpenerDirector:
    """urllib with the guard on every connection, no redirects and no proxies from the environment."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect, _GuardedHTTPHandler,
                                       _GuardedHTTPSHandler)


def failure_category(exc: BaseException) -> str:
    """A stored, shown reason for a failed post: a category, never the exception's own text."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    reason: Any = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TargetNotAllowed):
        return "address not allowed"
    if isinstance(reason, socket.gaierror):
        return "host not found"
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return "connection reset"
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return "TLS error"
    if isinstance(reason, http.client.HTTPException):
        return "invalid response"
    if isinstance(reason, str) and "timed out" in reason:
        return "timed out"
    return "connection failed"
