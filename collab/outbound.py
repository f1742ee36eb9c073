"""Outgoing HTTP to addresses people typed (the organization's webhook):
never into the server's own networks (SSRF).

``check_url`` is the one rule, run when the address is saved (form and
service) and again before every send: http or https only, on port 80/443
or a port listed in ``COLLAB_WEBHOOK_ALLOWED_PORTS``, no credentials in the
URL, and the host resolved with **every** address it resolves to public:
no loopback, private, shared (100.64/10), link-local (169.254.169.254, the
cloud metadata service), multicast, reserved, unspecified or site-local
address, in IPv4 or IPv6, including IPv4 wrapped in IPv6 (``::ffff:a.b.c.d``,
NAT64 ``64:ff9b::/96``, 6to4, Teredo). ``COLLAB_WEBHOOK_ALLOWED_NETWORKS``
(empty by default: strict) lets tests or an on-premises receiver through.

``post`` connects to the address that was checked (pinned: the socket
layer never resolves the name again, so DNS rebinding between the check and
the connection cannot swap in 127.0.0.1), sends the name as ``Host`` and,
for https, as SNI and the name the certificate must match. Redirects are
never followed (a 3xx is the answer, reported as a failure). Proxies from
the environment are not used for these posts.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

STANDARD_PORTS = {"http": 80, "https": 443}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
RESPONSE_READ_LIMIT = 64 * 1024


class UnsafeDestination(ValueError):
    """The address may not be posted to; ``message`` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query
    address: str  # the checked IP the connection goes to


def allowed_ports() -> set[int]:
    return {*STANDARD_PORTS.values(), *getattr(settings, "COLLAB_WEBHOOK_ALLOWED_PORTS", ())}


def _allowed_networks() -> list:
    return [
        ipaddress.ip_network(n, strict=False)
        for n in getattr(settings, "COLLAB_WEBHOOK_ALLOWED_NETWORKS", ())
    ]


def _embedded_ipv4(ip) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries, if it is a known wrapping."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    return None


def _internal(ip) -> bool:
    # ``is_global`` already refuses loopback, private, shared, link-local and
    # unspecified addresses (and IPv4's reserved 240/4); it says nothing of
    # multicast, IPv6's reserved ranges or its old site-local fec0::/10.
    return (
        not ip.is_global or ip.is_multicast or ip.is_reserved or getattr(ip, "is_site_local", False)
    )


def address_refused(address: str) -> bool:
    """Is ``address`` (an IP as text) in a range a webhook may not reach?"""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    inner = _embedded_ipv4(ip)
    effective = inner or ip
    if any(effective in n for n in _allowed_networks() if n.version == effective.version):
        return False
    if ip.version == 6 and (ip.ipv4_mapped or ip in NAT64):
        return _internal(inner)  # a translation of the IPv4 address: judge that one
    return _internal(ip) or (inner is not None and _internal(inner))


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (tests replace this)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(url: str) -> Destination:
    """The destination of ``url`` if it may be posted to, else ``UnsafeDestination``."""
    try:
        parts = urllib.parse.urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise UnsafeDestination(_("地址格式不正确。")) from None
    scheme = parts.scheme.lower()
    if scheme not in STANDARD_PORTS:
        raise UnsafeDestination(_("只允许 http:// 或 https:// 地址。"))
    host = parts.hostname
    if not host:
        raise UnsafeDestination(_("地址缺少主机名。"))
    if parts.username or parts.password:
        raise UnsafeDestination(_("地址中不能包含用户名或密码。"))
    port = port or STANDARD_PORTS[scheme]
    if port not in allowed_ports():
        raise UnsafeDestination(
            _("不允许的端口 %(port)s：只允许 %(ports)s。")
            % {"port": port, "ports": ", ".join(str(p) for p in sorted(allowed_ports()))}
        )
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        addresses = []
    if not addresses:
        raise UnsafeDestination(_("无法解析主机名 %(host)s。") % {"host": host})
    refused = next((a for a in addresses if address_refused(a)), None)
    if refused is not None:
        raise UnsafeDestination(
            _("%(host)s 指向内部或保留地址（%(address)s），不能用作 Webhook。")
            % {"host": host, "address": refused}
        )
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return Destination(scheme, host, port, target, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(
            destination.host,
            destination.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
        self.address = destination.address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST ``body`` to ``url`` after ``check_url``, to the checked address;
    the HTTP status (a redirect is returned, not followed)."""
    destination = check_url(url)
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(destination, timeout)
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(RESPONSE_READ_LIMIT)
        return response.status
    finally:
        connection.close()
