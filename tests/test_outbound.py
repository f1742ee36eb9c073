"""collab.outbound: which addresses and URLs a webhook may reach (SSRF)."""

import pytest
from django.conf import settings
from django.test import override_settings

from collab import outbound

REFUSED = [
    "169.254.169.254",  # cloud metadata (link-local)
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "fd00::1",  # unique local
    "fe80::1",  # link-local
    "fe80::1%eth0",
    "fec0::1",  # site-local
    "0.0.0.0",
    "::",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",  # shared address space (carrier NAT)
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "224.0.0.1",
    "239.255.255.250",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "not-an-ip",
]
PUBLIC = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_internal_and_reserved_addresses_are_refused(address):
    assert outbound.address_refused(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert not outbound.address_refused(address)


def test_production_default_is_strict():
    assert settings.COLLAB_WEBHOOK_ALLOWED_NETWORKS == []
    assert settings.COLLAB_WEBHOOK_ALLOWED_PORTS == []
    assert outbound.allowed_ports() == {80, 443}


@override_settings(COLLAB_WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"])
def test_the_allow_list_lets_only_its_networks_through():
    assert not outbound.address_refused("127.0.0.1")
    assert not outbound.address_refused("::ffff:127.0.0.1")
    assert outbound.address_refused("127.0.0.2")
    assert outbound.address_refused("169.254.169.254")


@pytest.fixture
def dns(monkeypatch):
    table = {"hooks.example.com": ["93.184.215.14"], "inside.example.com": ["10.0.0.5"]}
    table["mixed.example.com"] = ["93.184.215.14", "127.0.0.1"]
    monkeypatch.setattr(outbound, "resolve", lambda host, port: table.get(host, []))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://hooks.example.com/x", "http"),
        ("file:///etc/passwd", "http"),
        ("gopher://hooks.example.com/", "http"),
        ("http:///path", "主机名"),
        ("https://user:pw@hooks.example.com/", "用户名"),
        ("https://hooks.example.com:8443/", "8443"),
        ("http://hooks.example.com:22/", "22"),
        ("http://hooks.example.com:99999/", "格式"),
        ("https://nowhere.example.com/", "无法解析"),
        ("https://inside.example.com/", "10.0.0.5"),
        ("https://mixed.example.com/", "127.0.0.1"),  # every answer must be public
    ],
)
def test_urls_are_refused_with_a_reason(dns, url, says):
    with pytest.raises(outbound.UnsafeDestination) as caught:
        outbound.check_url(url)
    assert says in caught.value.message


def test_a_public_https_url_is_checked_to_its_address(dns):
    target = outbound.check_url("https://hooks.example.com/robot/send?access_token=x")
    assert (target.scheme, target.host, target.port) == ("https", "hooks.example.com", 443)
    assert (target.target, target.address) == ("/robot/send?access_token=x", "93.184.215.14")


@override_settings(COLLAB_WEBHOOK_ALLOWED_PORTS=[8443])
def test_a_configured_port_is_allowed(dns):
    assert outbound.check_url("https://hooks.example.com:8443/").port == 8443


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 written as one number
        "http://0x7f.1/",
        "http://localhost/",
    ],
)
def test_literal_and_disguised_internal_hosts_are_refused_after_resolving(url):
    with pytest.raises(outbound.UnsafeDestination):
        outbound.check_url(url)


def test_https_connects_to_the_checked_address_and_verifies_the_host_name(dns, monkeypatch):
    """The socket goes to the checked IP; TLS gets the name for SNI and for
    the certificate check (no second lookup anywhere)."""
    seen = {}

    class Stop(Exception):
        pass

    def create_connection(address, timeout):
        seen["address"] = address
        return object()

    def wrap_socket(self, sock, server_hostname):
        seen["server_hostname"] = server_hostname
        seen["verify"] = self.verify_mode
        raise Stop

    monkeypatch.setattr(outbound.socket, "create_connection", create_connection)
    monkeypatch.setattr(outbound.ssl.SSLContext, "wrap_socket", wrap_socket)
    with pytest.raises(Stop):
        outbound.post("https://hooks.example.com/x", b"{}", {}, timeout=1)
    assert seen["address"] == ("93.184.215.14", 443)
    assert seen["server_hostname"] == "hooks.example.com"
    assert seen["verify"] == outbound.ssl.CERT_REQUIRED
