"""Collections analysis on hand-computed data: aging buckets, DSO,
collected vs planned per month, collection rates; reps see their own."""

import datetime as dt
from decimal import Decimal

import pytest

from collab.tenancy import organization_scope
from finance.receivables import selectors, services
from finance.receivables.services import MilestoneInput
from finance.tests.helpers import won_deal

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def book(org, fin, rep, rep2, deal):
    """rep's deal: 5 invoices across the buckets; rep2's deal: 1 invoice.

    open today: not due 10,000; 1–30 days 20,000 − 5,000 paid = 15,000;
    31–60 30,000; 61–90 0 (paid); >90 50,000. Total open 105,000."""
    other = won_deal(org, rep2.user, "星河集团", Decimal("100000.00"))
    rows = [
        (deal, "A1", "10000.00", TODAY + dt.timedelta(days=5), dt.date(2026, 6, 1)),
        (deal, "A2", "20000.00", TODAY - dt.timedelta(days=1), dt.date(2026, 5, 1)),
        (deal, "A3", "30000.00", TODAY - dt.timedelta(days=31), dt.date(2026, 4, 15)),
        (deal, "A4", "40000.00", TODAY - dt.timedelta(days=61), dt.date(2026, 3, 1)),
        (deal, "A5", "50000.00", TODAY - dt.timedelta(days=91), dt.date(2026, 2, 1)),
        (other, "B1", "8000.00", TODAY - dt.timedelta(days=10), dt.date(2026, 6, 10)),
    ]
    made = {}
    for opp, number, amount, due, issued in rows:
        made[number] = services.invoice_issue(
            actor=fin,
            opportunity_id=opp.pk,
            number=number,
            amount=Decimal(amount),
            issued_on=issued,
            due_on=due,
        )
    pay = [("A2", "5000.00", dt.date(2026, 6, 5)), ("A4", "40000.00", dt.date(2026, 5, 20))]
    pay.append(("B1", "8000.00", dt.date(2026, 6, 25)))
    for number, amount, day in pay:
        services.payment_record(
            actor=fin, invoice_id=made[number].pk, amount=Decimal(amount), received_on=day
        )
    services.plan_set(
        actor=fin,
        opportunity_id=deal.pk,
        milestones=[
            MilestoneInput("deposit", Decimal("60000.00"), dt.date(2026, 5, 10)),
            MilestoneInput("acceptance", Decimal("90000.00"), dt.date(2026, 6, 10)),
        ],
    )
    return made


def test_aging_buckets(fin, book):
    with organization_scope(fin.organization_id):
        figures = selectors.aging(selectors.invoices_visible_to(fin), TODAY)
    assert figures == {
        "not_due": Decimal("10000.00"),
        "d1_30": Decimal("15000.00"),
        "d31_60": Decimal("30000.00"),
        "d61_90": Decimal("0.00"),
        "d90_plus": Decimal("50000.00"),
        "total": Decimal("105000.00"),
    }


def test_dso_on_hand_computed_figures(fin, book):
    # open 105,000; invoiced in the last 90 days (Apr 1–Jun 30): A1 10k, A2 20k,
    # A3 30k, B1 8k = 68,000 → 105,000 / 68,000 × 90 = 138.97 → 139.0 days
    with organization_scope(fin.organization_id):
        assert selectors.dso(selectors.invoices_visible_to(fin), TODAY) == Decimal("139.0")


def test_collected_vs_planned_per_month(fin, book):
    with organization_scope(fin.organization_id):
        rows = selectors.monthly(fin, dt.date(2026, 5, 1), TODAY)
    assert [(r.month.month, r.planned, r.collected) for r in rows] == [
        (5, Decimal("60000.00"), Decimal("40000.00")),
        (6, Decimal("90000.00"), Decimal("13000.00")),
    ]


def test_collection_rate_per_rep_and_customer(fin, book, rep, rep2):
    with organization_scope(fin.organization_id):
        invoices = selectors.invoices_visible_to(fin)
        by_rep = selectors.collection_rates(invoices, TODAY, "owner")
        by_customer = selectors.collection_rates(invoices, TODAY, "account")
    # rep: due 140,000 (A2–A5), paid 45,000 → 32.1 %; rep2: 100 %
    assert [(r.key, r.rate) for r in by_rep] == [
        (rep.user_id, Decimal("32.1")),
        (rep2.user_id, Decimal("100.0")),
    ]
    assert [r.label for r in by_customer] == ["华东电力", "星河集团"]


def test_a_rep_sees_only_their_own_receivables(rep, rep2, book):
    with organization_scope(rep.organization_id):
        assert {i.number for i in selectors.invoices_visible_to(rep2)} == {"B1"}
        assert selectors.aging(selectors.invoices_visible_to(rep2), TODAY)["total"] == Decimal(
            "0.00"
        )
        assert len(selectors.invoices_visible_to(rep)) == 5


def test_collection_rate_per_team_adds_up_the_reps_of_a_department(org, fin, book, rep, rep2):
    from departments.roles import Role
    from requests_sla.tests.factories import person

    # rep and rep2 are both in Business: due 140,000 + 8,000 = 148,000,
    # paid 45,000 + 8,000 = 53,000 → 35.8 %. A rep of Marketing with one
    # 1,000 invoice due and nothing paid: 0.0 %, listed first (worst first).
    other = person(org, Role.SALES_REP, "marketing", "rep-mkt")
    deal = won_deal(org, other.user, "海川物流", Decimal("1000.00"))
    services.invoice_issue(
        actor=fin,
        opportunity_id=deal.pk,
        number="C1",
        amount=Decimal("1000.00"),
        issued_on=dt.date(2026, 6, 1),
        due_on=dt.date(2026, 6, 20),
    )
    with organization_scope(fin.organization_id):
        by_rep = selectors.collection_rates(selectors.invoices_visible_to(fin), TODAY, "owner")
        by_team = selectors.collection_rates_by_team(by_rep)
    assert [(r.key, r.due, r.paid, r.invoices, r.rate) for r in by_team] == [
        (other.department_id, Decimal("1000.00"), Decimal("0.00"), 1, Decimal("0.0")),
        (rep.department_id, Decimal("148000.00"), Decimal("53000.00"), 5, Decimal("35.8")),
    ]
    assert by_team[1].label == rep.department.name


def test_dashboard_headline_in_one_query(fin, book, django_assert_num_queries):
    # open 105,000; overdue open: A2 15,000 + A3 30,000 + A5 50,000 = 95,000;
    # due by today 148,000 (A2–A5, B1), paid 53,000 → 35.8 %; DSO 139.0
    with organization_scope(fin.organization_id), django_assert_num_queries(1):
        h = selectors.headline(selectors.invoices_visible_to(fin), TODAY)
    assert (h.open, h.overdue, h.due, h.paid) == (
        Decimal("105000.00"),
        Decimal("95000.00"),
        Decimal("148000.00"),
        Decimal("53000.00"),
    )
    assert (h.rate, h.dso) == (Decimal("35.8"), Decimal("139.0"))


def test_the_headline_agrees_with_the_page_dso_and_the_teams_rates(fin, book):
    """One DSO and one rate rule (``_dso_terms``/``_dso_days``/``_rate``): the
    dashboard's headline says what the collections page and its team table say."""
    with organization_scope(fin.organization_id):
        invoices = selectors.invoices_visible_to(fin)
        h = selectors.headline(invoices, TODAY)
        teams = selectors.collection_rates_by_team(
            selectors.collection_rates(invoices, TODAY, "owner")
        )
        assert h.dso == selectors.dso(invoices, TODAY)
    whole = selectors.RateRow(
        0, "", sum(t.due for t in teams), sum(t.paid for t in teams), sum(t.invoices for t in teams)
    )
    assert h.rate == whole.rate == Decimal("35.8")
