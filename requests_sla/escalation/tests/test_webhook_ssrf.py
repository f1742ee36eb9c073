"""The organization's webhook cannot reach the server's own networks: refused
when saved (form and service) and again at send time, against a real
listener on 127.0.0.1 that must receive nothing; redirects are not followed
and the connection goes to the address that was checked."""

import http.server
import threading

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from collab import outbound
from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.notifications import outbox
from requests_sla.notifications import services as notification_services
from requests_sla.notifications.models import DeliveryState, WebhookDelivery, WebhookEndpoint


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append((self.path, self.headers, body))
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/moved")
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def endpoint_at(org, url):
    """Stored as is (as if saved when the name resolved elsewhere)."""
    with organization_scope(org.id):
        return WebhookEndpoint.objects.create(organization=org, url=url, format="generic")


def send_one(org):
    with organization_scope(org.id):
        notification_services.webhook_events_schedule(org.id, [("evt-1", {"text": "升级"})])
    result = outbox.deliveries_flush(organization_id=org.id)
    with organization_scope(org.id):
        return result, WebhookDelivery.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://10.0.0.1/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.com/hook",
        "https://example.com:8080/hook",
    ],
)
def test_saving_an_internal_address_is_a_field_error(org, admin, owner, client_for, url):
    # The page speaks the organization's language (the factories' is English):
    # the service's message is compared in that language.
    with translation.override("en"), pytest.raises(ServiceError) as caught:
        notification_services.webhook_endpoint_set(actor=admin, url=url)
    assert caught.value.field == "url"
    response = client_for(owner).post(
        reverse("escalation:settings"),
        {
            "p-meeting_window_days": "3",
            "p-meeting_time": "14:30",
            "p-meeting_duration_minutes": "45",
            "p-follow_up_hours": "4",
            "w-url": url,
            "w-format": "generic",
            "w-is_active": "on",
        },
    )
    assert response.status_code == 400
    assert caught.value.message in response.content.decode()
    with organization_scope(org.id):
        assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_the_listener_on_loopback_receives_nothing(org, listener):
    endpoint_at(org, f"http://127.0.0.1:{listener.server_port}/hook")
    with override_settings(COLLAB_WEBHOOK_ALLOWED_PORTS=[listener.server_port]):
        result, delivery = send_one(org)
    assert result["webhook"] == 0 and listener.received == []
    assert delivery.state == DeliveryState.FAILED  # refused is final, not retried
    assert "127.0.0.1" in delivery.last_error


@pytest.mark.django_db
def test_a_name_that_now_resolves_inside_is_refused_at_send_time(org, admin, listener, monkeypatch):
    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.215.14"])
    with override_settings(COLLAB_WEBHOOK_ALLOWED_PORTS=[listener.server_port]):
        notification_services.webhook_endpoint_set(
            actor=admin, url=f"http://hooks.example.com:{listener.server_port}/hook"
        )
        monkeypatch.setattr(outbound, "resolve", lambda host, port: ["127.0.0.1"])  # rebinding
        _result, delivery = send_one(org)
    assert listener.received == [] and delivery.state == DeliveryState.FAILED


@pytest.mark.django_db
def test_an_allow_listed_listener_gets_the_post_at_the_checked_address(org, listener, monkeypatch):
    lookups = []

    def resolve(host, port):
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(outbound, "resolve", resolve)
    endpoint_at(org, f"http://hooks.example.com:{listener.server_port}/hook?x=1")
    with override_settings(
        COLLAB_WEBHOOK_ALLOWED_PORTS=[listener.server_port],
        COLLAB_WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"],
    ):
        result, delivery = send_one(org)
    assert result["webhook"] == 1 and delivery.state == DeliveryState.SENT
    [(path, headers, body)] = listener.received
    assert path == "/hook?x=1" and "升级".encode() in body
    assert headers["Host"] == f"hooks.example.com:{listener.server_port}"
    assert headers["X-Collab-Event-Id"] == "evt-1"
    assert lookups == ["hooks.example.com"]  # one lookup, and that address was used


@pytest.mark.django_db
def test_redirects_are_not_followed(org, listener):
    endpoint_at(org, f"http://127.0.0.1:{listener.server_port}/redirect")
    with override_settings(
        COLLAB_WEBHOOK_ALLOWED_PORTS=[listener.server_port],
        COLLAB_WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"],
    ):
        result, delivery = send_one(org)
    assert [path for path, _h, _b in listener.received] == ["/redirect"]
    assert result["webhook"] == 0 and delivery.state == DeliveryState.PENDING
    assert delivery.last_status == 302 and "redirect" in delivery.last_error
