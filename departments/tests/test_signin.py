"""Sign-in throttling: per username+IP (axes) and per IP across usernames,
with the client address read through django-ipware behind trusted proxies."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from departments.models import ApiToken
from departments.signin import client_ip

LIMITS = {"AXES_ENABLED": True, "AXES_FAILURE_LIMIT": 5, "COLLAB_SIGNIN_IP_FAILURE_LIMIT": 4}


def attempt(client, username, password="wrong-password", **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


@pytest.mark.django_db
@override_settings(**LIMITS)
def test_one_ip_spraying_many_usernames_is_locked_out_even_with_a_right_password(teammate):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(3):  # usernames with one failure each: far under the per-user limit
        assert attempt(client, f"victim{n}").status_code == 200
    assert attempt(client, "victim3").status_code == 429  # the IP's 4th failure locks it
    locked = attempt(client, "teammate", "pw-collab-test")
    assert locked.status_code == 429 and not signed_in(locked)
    assert "locked_out" in [t.name.split("/")[-1].split(".")[0] for t in locked.templates]
    # Someone at another address is not affected.
    assert signed_in(attempt(Client(REMOTE_ADDR="198.51.100.1"), "teammate", "pw-collab-test"))


@pytest.mark.django_db
@override_settings(**LIMITS)
def test_signing_in_with_ones_own_account_does_not_wipe_the_ips_count(teammate, owner):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(3):
        attempt(client, f"victim{n}")
    assert signed_in(attempt(client, "teammate", "pw-collab-test"))  # the attacker's own account
    client.logout()
    attempt(client, "victim9")  # the 4th failure from this address
    assert attempt(client, "owner", "pw-collab-test").status_code == 429
    # Axes still clears the signed-in user's own failures (username+IP).
    assert not AccessAttempt.objects.filter(username="teammate").exists()


@pytest.mark.django_db
@override_settings(**LIMITS)
def test_the_per_username_limit_still_applies_below_the_ip_limit(teammate):
    with override_settings(AXES_FAILURE_LIMIT=2):
        client = Client(REMOTE_ADDR="203.0.113.9")
        attempt(client, "teammate")
        attempt(client, "teammate")
        assert attempt(client, "teammate", "pw-collab-test").status_code == 429


@pytest.mark.django_db
@override_settings(**LIMITS, COLLAB_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_one_attacker_cannot_lock_everyone_out(teammate):
    """Every request arrives from the proxy (10.0.0.1); the client address is
    the one the proxy appended to X-Forwarded-For."""
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for n in range(5):
        attempt(attacker, f"victim{n}")
    assert attempt(attacker, "teammate", "pw-collab-test").status_code == 429
    # Forging another address to the left does not get the attacker out …
    forged = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.50, 198.51.100.7")
    assert attempt(forged, "teammate", "pw-collab-test").status_code == 429
    # … and a colleague behind the same proxy signs in.
    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert signed_in(attempt(colleague, "teammate", "pw-collab-test"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


@pytest.mark.django_db
@override_settings(**LIMITS)
def test_failures_at_the_token_endpoint_count_too(client, teammate):
    api = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(4):
        api.post("/api/auth/token/", {"username": f"victim{n}", "password": "x"})
    response = api.post("/api/auth/token/", {"username": "teammate", "password": "pw-collab-test"})
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "锁定" in response.json()["detail"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "", "10.0.0.1"),
        (0, "198.51.100.7", "10.0.0.1"),  # no trusted proxy: the header is anyone's to forge
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own entries are ignored
        (2, "6.6.6.6, 198.51.100.7, 172.16.0.5", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1"),  # shorter than the proxies: only the socket is sure
        (1, "garbage", "10.0.0.1"),
        (1, "2001:db8::5", "2001:db8::5"),
    ],
)
def test_the_client_address_is_read_at_the_trusted_proxies_position(count, forwarded, expected):
    meta = {"REMOTE_ADDR": "10.0.0.1"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    with override_settings(COLLAB_TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected
