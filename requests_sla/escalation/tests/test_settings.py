"""The escalation settings are written by their services, for admins only."""

import pytest
from django.core.exceptions import PermissionDenied

from collab.tenancy import organization_scope
from requests_sla.notifications import services as notification_services
from requests_sla.notifications.models import WebhookEndpoint
from requests_sla.sla import services as sla_services


@pytest.mark.django_db
def test_an_empty_address_removes_the_webhook_and_only_admins_change_settings(
    org, admin, ops, public_dns
):
    notification_services.webhook_endpoint_set(actor=admin, url="https://example.com/hook")
    with organization_scope(org.id):
        assert WebhookEndpoint.objects.get().url == "https://example.com/hook"
    notification_services.webhook_endpoint_set(actor=admin, url="")
    with organization_scope(org.id):
        assert not WebhookEndpoint.objects.exists()
    with pytest.raises(PermissionDenied):
        notification_services.webhook_endpoint_set(actor=ops, url="https://example.com/x")
    with pytest.raises(PermissionDenied):
        sla_services.escalation_policy_update(actor=ops, follow_up_hours=2)
    assert (
        sla_services.escalation_policy_update(actor=admin, follow_up_hours=2).follow_up_hours == 2
    )
    assert sla_services.escalation_policy_for(org.id).follow_up_hours == 2
