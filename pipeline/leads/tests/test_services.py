"""Lead services: conversion into a deal, rejection."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab import tenancy
from collab.errors import ServiceError
from pipeline.leads import services as leads_services
from pipeline.leads.models import Lead
from pipeline.opportunities.models import Opportunity


def handed_over(cs, account, kind, amount, description, source="follow_up"):
    """A lead Customer Success (``cs``) hands to ``account``'s owner."""
    return leads_services.lead_create(
        actor=cs,
        account=account,
        source=source,
        kind=kind,
        estimated_amount=Decimal(amount),
        description=description,
    )


@pytest.mark.django_db
def test_lead_conversion_creates_a_first_stage_deal_for_the_account_owner(
    org, teammate, cs, make_account
):
    account = make_account(teammate)
    with tenancy.organization_scope(org.id):
        lead = handed_over(cs, account, "upsell", "120000", "想加 200 个账号")
        assert lead.owner_notified_at is not None
        lead = leads_services.lead_accept(lead=lead, actor=teammate)
        lead = leads_services.lead_convert(lead=lead, actor=teammate)
        opp = Opportunity.objects.get(pk=lead.opportunity_id)
        assert (lead.status, opp.stage.code, opp.amount, opp.owner) == (
            "converted",
            "lead",
            Decimal("120000"),
            teammate,
        )
        with pytest.raises(ServiceError):
            leads_services.lead_reject(lead=lead, actor=teammate, reason="too late")


@pytest.mark.django_db
def test_rejecting_a_lead_needs_a_reason(org, teammate, cs, make_account):
    with tenancy.organization_scope(org.id):
        lead = handed_over(cs, make_account(teammate), "renewal", "1", "x", source="other")
        with pytest.raises(ServiceError) as err:
            leads_services.lead_reject(lead=lead, actor=teammate, reason=" ")
        assert err.value.field == "reason"
        assert (
            leads_services.lead_reject(lead=lead, actor=teammate, reason="no budget").status
            == "rejected"
        )
        assert Lead.objects.get(pk=lead.pk).reject_reason == "no budget"


@pytest.mark.django_db
def test_a_lead_notice_is_read_in_the_readers_language(org, teammate, cs, make_account):
    from django.utils import translation

    from requests_sla.models import Notification

    account = make_account(teammate)
    with tenancy.organization_scope(org.id):
        handed_over(cs, account, "upsell", "300000", "华南工厂扩容")
        notice = Notification.objects.get(recipient=teammate, kind="lead")
    assert notice.params == {"account": account.name, "kind": "upsell", "amount": "300,000.00"}
    with translation.override("en"):
        assert notice.display_text.startswith(f"New lead: {account.name}, ")
        assert notice.display_text.endswith("estimated 300,000.00")
    with translation.override("zh-hans"):
        assert notice.display_text.startswith(f"新线索：{account.name}，")


@pytest.mark.django_db
def test_the_data_migration_gives_old_lead_notices_their_facts(org, teammate, cs, make_account):
    import importlib

    from django.apps import apps

    from requests_sla.models import Notification

    migration = importlib.import_module("pipeline.migrations.0005_lead_notification_params")
    account = make_account(teammate)
    with tenancy.organization_scope(org.id):
        lead = handed_over(cs, account, "renewal", "5000", "续约")
        Notification.objects.filter(kind="lead").update(params={}, text="新线索：旧文字")
    # A migration's function runs as the owner role (migrate), past row-level
    # security: the audited unscoped path stands in for it here.
    with tenancy.dangerously_unscoped("test: a data migration runs as the owner"):
        migration.forwards(apps, None)
    notice = Notification.unscoped.get(recipient=teammate, kind="lead")
    assert notice.params == {"account": account.name, "kind": lead.kind, "amount": "5,000.00"}
