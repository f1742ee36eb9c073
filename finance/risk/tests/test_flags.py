"""A risky account is flagged when a rep files a new deal or quote for it:
pipeline and pricing draw the ``account_flags`` panels (finance registers
its flag there; neither imports finance), on the page for a preselected
account or deal, after a post with errors, and by htmx when one is chosen."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from collab.tenancy import organization_scope
from finance.receivables import services as receivables
from finance.risk.services import risk_evaluate
from pipeline.accounts.models import Account
from pipeline.opportunities import services as opportunities_services

pytestmark = pytest.mark.django_db
FLAG = 'id="account-risk-flag"'


@pytest.fixture
def risky(org, fin, deal, today):
    receivables.invoice_issue(
        actor=fin,
        opportunity_id=deal.pk,
        number="FP-88",
        amount=Decimal("1000.00"),
        issued_on=today - dt.timedelta(days=60),
        due_on=today - dt.timedelta(days=40),
    )
    risk_evaluate(organization_id=org.id)
    with organization_scope(org.id):
        return Account.objects.get(pk=deal.account_id)


@pytest.fixture
def open_deal(org, rep, risky, today):
    with organization_scope(org.id):
        return opportunities_services.opportunity_create(
            actor=rep.user,
            account=risky,
            name="二期扩容",
            owner=rep.user,
            amount=Decimal("50000.00"),
            expected_close_date=today + dt.timedelta(days=30),
        )


def test_new_deal_form_flags_a_preselected_risky_account(client_for, rep, risky):
    url = reverse("pipeline:opportunity_create") + f"?account={risky.pk}"
    body = client_for(rep.user).get(url).content.decode()
    assert FLAG in body and "Invoice overdue" in body
    assert f'hx-get="{reverse("pipeline:account_flags")}"' in body


def test_new_deal_form_flags_the_account_after_a_post_with_errors(client_for, rep, risky):
    response = client_for(rep.user).post(
        reverse("pipeline:opportunity_create"), {"account": risky.pk, "name": ""}
    )
    assert response.status_code == 200 and FLAG in response.content.decode()


def test_the_fragment_flags_by_account_or_deal_in_a_locked_count(
    client_for, rep, risky, open_deal, django_assert_num_queries
):
    client = client_for(rep.user)
    url = reverse("pipeline:account_flags")
    client.get(url)
    # user, membership, the account, finance's rules of it, the badge
    with django_assert_num_queries(5):
        body = client.get(url, {"account": risky.pk}).content.decode()
    assert FLAG in body
    assert FLAG in client.get(url, {"opportunity": open_deal.pk}).content.decode()


def test_no_flag_for_a_clean_account_and_nothing_chosen(client_for, rep, org):
    from finance.tests.helpers import won_deal

    clean = won_deal(org, rep.user, "清白客户", Decimal("1000.00"))
    client = client_for(rep.user)
    url = reverse("pipeline:account_flags")
    response = client.get(url, {"account": clean.account_id})
    assert response.status_code == 200 and FLAG not in response.content.decode()
    for nothing in ({}, {"account": ""}, {"opportunity": ""}):
        response = client.get(url, nothing)
        assert response.status_code == 200 and FLAG not in response.content.decode()


def test_an_account_or_deal_the_member_cannot_see_is_a_404(
    client_for, rep, rep2, outsider, risky, open_deal
):
    """The outsider (another organization) and a teammate who does not own
    the account get the same answer as a missing or malformed id: no flag,
    not even its absence, about an account they would not be shown."""
    url = reverse("pipeline:account_flags")
    assert client_for(rep.user).get(url, {"account": risky.pk}).status_code == 200
    for who in (outsider, rep2.user):
        client = client_for(who)
        for query in ({"account": risky.pk}, {"opportunity": open_deal.pk}):
            response = client.get(url, query)
            assert response.status_code == 404 and FLAG not in response.content.decode()
    client = client_for(rep.user)
    for bad in ("x", "-1", "99999999999999999999", "2000000000"):
        assert client.get(url, {"account": bad}).status_code == 404
        assert client.get(url, {"opportunity": bad}).status_code == 404


def test_new_quote_form_flags_the_chosen_deals_account(client_for, rep, open_deal):
    url = reverse("pricing:quote_new") + f"?opportunity={open_deal.pk}"
    body = client_for(rep.user).get(url).content.decode()
    assert FLAG in body
