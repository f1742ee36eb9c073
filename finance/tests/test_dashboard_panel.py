"""The ops dashboard's collections panel: finance registers it with the
dashboard's registry (requests_sla never imports finance); the dashboard
draws a placeholder and the figures load by htmx from finance's fragment."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.receivables import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_invoice(fin, deal, today):
    import datetime as dt

    return services.invoice_issue(
        actor=fin,
        opportunity_id=deal.pk,
        number="DASH-1",
        amount=Decimal("12000.00"),
        issued_on=today - dt.timedelta(days=40),
        due_on=today - dt.timedelta(days=10),
    )


def test_ops_dashboard_shows_the_collections_panel(client_for, ops, overdue_invoice):
    html = client_for(ops.user).get("/dashboard/").content.decode()
    assert 'id="collections-panel"' in html
    assert f'hx-get="{reverse("finance:collections_panel")}"' in html


def test_the_fragment_has_the_figures_in_a_locked_number_of_queries(
    client_for, ops, overdue_invoice, django_assert_num_queries
):
    client = client_for(ops.user)
    url = reverse("finance:collections_panel")
    client.get(url)
    # user, membership, the one aggregate, the notification badge (a context
    # processor, as on the dashboard's scorecards fragment)
    with django_assert_num_queries(4):
        body = client.get(url).content.decode()
    assert "12,000.00" in body
    assert 'data-figure="collections-rate">0.0%' in body


def test_a_rep_sees_only_their_own_receivables_and_an_outsider_none(
    client_for, rep, rep2, outsider, overdue_invoice
):
    url = reverse("finance:collections_panel")
    assert "12,000.00" in client_for(rep.user).get(url).content.decode()
    assert "12,000.00" not in client_for(rep2.user).get(url).content.decode()
    assert "12,000.00" not in client_for(outsider).get(url).content.decode()


def test_a_member_who_sees_no_receivables_gets_no_panel(client_for, head_mkt):
    html = client_for(head_mkt.user).get("/dashboard/").content.decode()
    assert 'id="collections-panel"' not in html
    assert client_for(head_mkt.user).get(reverse("finance:collections_panel")).status_code == 403
