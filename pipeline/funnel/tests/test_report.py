"""The funnel's figures against a fixture computed by hand.

Current period 1–30 April 2025, previous period 2–31 March 2025, now 10 May.
  A: lead 04-01 → qualified 04-05 → proposal 04-10 (skips solution) → won 04-20
  B: lead 04-02 → qualified 04-06 → lead 04-08 (back) → qualified 04-12 → lost 04-25
  C: lead 03-10 → qualified 03-20 → solution 04-03 (still there)
  D: lead 04-15 (still there)
  E: lead 03-05 → qualified 03-15 → solution 03-25 → lost 03-28
"""

import datetime as dt
from decimal import Decimal

import pytest

from collab import tenancy
from departments.models import Department, Membership
from pipeline.accounts import services as accounts_services
from pipeline.funnel.filters import FunnelFilters
from pipeline.funnel.selectors import funnel_report
from pipeline.opportunities import services as opportunities_services
from pipeline.tests.factories import at

NOW = at(5, 10)
APRIL = FunnelFilters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30))


@pytest.fixture
def funnel(org, teammate, rep2, make_account, make_opportunity, move):
    account = make_account(teammate)
    other = make_account(rep2, name="远景零售", industry="retail")
    a = make_opportunity(account, amount="100000", when=at(4, 1), name="A")
    move(a, "qualified", at(4, 5))
    move(a, "proposal", at(4, 10))
    move(a, "won", at(4, 20))
    b = make_opportunity(account, amount="50000", when=at(4, 2), name="B")
    move(b, "qualified", at(4, 6))
    move(b, "lead", at(4, 8))
    move(b, "qualified", at(4, 12))
    move(b, "lost", at(4, 25), lost_reason="price")
    c = make_opportunity(
        other, amount="200000", when=at(3, 10), name="C", close=dt.date(2025, 6, 15)
    )
    move(c, "qualified", at(3, 20))
    move(c, "solution", at(4, 3))
    make_opportunity(account, amount="10000", when=at(4, 15), name="D", close=dt.date(2025, 7, 20))
    e = make_opportunity(account, amount="30000", when=at(3, 5), name="E")
    move(e, "qualified", at(3, 15))
    move(e, "solution", at(3, 25))
    move(e, "lost", at(3, 28), lost_reason="collaboration_delay")
    # Noise the report must ignore: another currency, another organization.
    make_opportunity(account, amount="999999", when=at(4, 3), name="USD", currency="USD")
    return {"a": a, "b": b, "c": c}


@pytest.fixture
def foreign_noise(other_org, outsider):
    with tenancy.organization_scope(other_org.id):
        account = accounts_services.account_create(
            actor=outsider, name="Foreign", industry="retail", size="small", owner=outsider
        )
        opportunities_services.opportunity_create(
            actor=outsider,
            account=account,
            name="F",
            owner=outsider,
            amount=Decimal("5"),
            expected_close_date=dt.date(2025, 6, 1),
            at=at(4, 2),
        )


def report_for(org, filters=APRIL):
    with tenancy.organization_scope(org.id):
        return funnel_report(filters, now=NOW)


def by_code(report):
    return {f.stage.code: f for f in report.stages}


@pytest.mark.django_db
def test_entries_count_each_deal_once_per_stage_and_skipped_stages_are_passed(
    org, funnel, foreign_noise
):
    figures = by_code(report_for(org))
    assert {code: f.entered for code, f in figures.items()} == {
        "lead": 3,
        "qualified": 2,
        "solution": 2,
        "proposal": 1,
        "negotiation": 1,
        "won": 1,
    }
    assert figures["lead"].entered_amount == Decimal("160000")
    assert figures["solution"].entered_amount == Decimal("300000")


@pytest.mark.django_db
def test_conversion_is_the_share_of_a_stages_entrants_that_reached_the_next_stage_in_the_period(
    org, funnel
):
    figures = by_code(report_for(org))
    assert figures["lead"].conversion == pytest.approx(2 / 3)
    assert figures["qualified"].conversion == pytest.approx(1 / 2)  # C entered qualified in March
    assert figures["solution"].conversion == pytest.approx(1 / 2)
    assert figures["proposal"].conversion == 1
    assert figures["negotiation"].conversion == 1
    assert figures["won"].conversion is None


@pytest.mark.django_db
def test_previous_period_has_the_same_length_and_its_own_figures(org, funnel):
    report = report_for(org)
    assert (report.previous.start, report.previous.end) == (
        dt.date(2025, 3, 2),
        dt.date(2025, 3, 31),
    )
    figures = by_code(report)
    assert [figures[c].prev_entered for c in ("lead", "qualified", "solution")] == [2, 2, 1]
    assert figures["lead"].prev_conversion == 1
    assert figures["qualified"].prev_conversion == pytest.approx(1 / 2)
    assert figures["solution"].prev_conversion == 0


@pytest.mark.django_db
def test_median_dwell_counts_closed_stays_and_open_ones_up_to_the_period_end(org, funnel):
    figures = by_code(report_for(org))
    assert figures["lead"].median_days == pytest.approx(4)  # 4, 4, 4 and D's open 15.5
    assert figures["qualified"].median_days == pytest.approx(9)  # 2, 5, 13, 14
    assert figures["solution"].median_days == pytest.approx(27.5)  # C, open until 1 May 00:00
    assert figures["proposal"].median_days == pytest.approx(10)
    assert figures["negotiation"].median_days is None
    assert figures["qualified"].prev_median_days == pytest.approx(10.75)  # 10 and C's 11.5


@pytest.mark.django_db
def test_lost_deals_weighted_pipeline_and_forecast(org, funnel):
    report = report_for(org)
    assert (report.lost, report.lost_amount) == (1, Decimal("50000"))
    assert report.open_count == 2
    assert report.weighted_pipeline == Decimal("81000")  # 200000 × 40% + 10000 × 10%
    assert [(m.month, m.count, m.weighted) for m in report.forecast] == [
        (dt.date(2025, 6, 1), 1, Decimal("80000")),
        (dt.date(2025, 7, 1), 1, Decimal("1000")),
    ]


@pytest.mark.django_db
def test_the_bottleneck_is_the_stage_that_got_worst_against_the_previous_period(org, funnel):
    report = report_for(org)
    assert report.bottleneck.stage.code == "solution"  # stays 27.5 days against 3
    assert [f.stage.code for f in report.stages if f.is_bottleneck] == ["solution"]


@pytest.mark.django_db
def test_filters_by_owner_team_and_industry(org, funnel, rep2):
    only_rep2 = report_for(org, FunnelFilters(start=APRIL.start, end=APRIL.end, owner_id=rep2.pk))
    assert by_code(only_rep2)["solution"].entered == 1  # C only
    assert by_code(only_rep2)["lead"].entered == 0
    retail = report_for(org, FunnelFilters(start=APRIL.start, end=APRIL.end, industry="retail"))
    assert by_code(retail)["qualified"].entered == 0 and by_code(retail)["solution"].entered == 1
    with tenancy.organization_scope(org.id):
        rnd = Department.objects.get(code="rnd")
    Membership.unscoped.filter(user=rep2).update(department=rnd)
    team = report_for(org, FunnelFilters(start=APRIL.start, end=APRIL.end, department_id=rnd.pk))
    assert by_code(team)["solution"].entered == 1 and by_code(team)["lead"].entered == 0


@pytest.mark.django_db
def test_the_funnel_takes_five_queries_whatever_the_data(
    org, funnel, make_opportunity, teammate, make_account, django_assert_num_queries
):
    with tenancy.organization_scope(org.id), django_assert_num_queries(5):
        funnel_report(APRIL, now=NOW)
    account = make_account(teammate, name="更多客户")
    for i in range(5):
        make_opportunity(account, when=at(4, 2 + i), name=f"more{i}")
    with tenancy.organization_scope(org.id), django_assert_num_queries(5):
        funnel_report(APRIL, now=NOW)
