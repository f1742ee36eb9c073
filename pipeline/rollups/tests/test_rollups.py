"""The funnel's rollups: kept by the services, equal to a rebuild from scratch."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab import tenancy
from departments.models import Membership
from pipeline.accounts import services as accounts_services
from pipeline.funnel.filters import FunnelFilters
from pipeline.funnel.selectors import funnel_report
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import Stage
from pipeline.rollups import services
from pipeline.rollups.models import FunnelEntryDay, FunnelOpenDay, FunnelStayDay
from pipeline.tests.factories import at

CODES = ["lead", "qualified", "solution", "proposal", "negotiation", "won", "lost"]


def rollup_rows(org):
    with tenancy.organization_scope(org.id):
        entries = sorted(
            FunnelEntryDay.objects.values_list(
                "stage_id", "day", "next_day", "currency", "owner_id", "industry", "n", "amount"
            ),
            key=str,
        )
        stays = sorted(
            FunnelStayDay.objects.values_list(
                "stage_id", "left_day", "dwell_days", "currency", "owner_id", "industry", "n"
            ),
            key=str,
        )
        open_stays = sorted(
            FunnelOpenDay.objects.values_list(
                "stage_id", "day", "currency", "owner_id", "industry", "n"
            ),
            key=str,
        )
    return entries, stays, open_stays


def rebuilt(org):
    services.funnel_rollup_rebuild(organization=org)
    return rollup_rows(org)


# Each step: which deal, what happens, and how many hours later (0: the same
# instant, so zero-length stays and same-day moves are covered).
step = st.tuples(
    st.integers(0, 3),
    st.sampled_from(CODES + ["owner", "industry", "account"]),
    st.sampled_from([0, 1, 7, 13, 24, 36, 100]),
)


@pytest.mark.django_db
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(step, min_size=1, max_size=14),
    currencies=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_the_rollup_kept_by_the_services_equals_a_rebuild_after_any_moves(
    org, teammate, rep2, steps, currencies
):
    with tenancy.organization_scope(org.id), connection.cursor() as cursor:
        # hypothesis reuses the test database between examples: start clean.
        cursor.execute("SAVEPOINT example")
        try:
            stages = {s.code: s for s in Stage.objects.all()}
            accounts = [
                accounts_services.account_create(
                    actor=teammate, name="甲", industry="retail", size="small", owner=teammate
                ),
                accounts_services.account_create(
                    actor=teammate, name="乙", industry="finance", size="small", owner=rep2
                ),
            ]
            when = at(3, 30, 22)
            deals = [
                opportunities_services.opportunity_create(
                    actor=teammate,
                    account=accounts[i % 2],
                    name=f"D{i}",
                    owner=teammate,
                    amount=Decimal(1000 * (i + 1)),
                    currency="USD" if usd else "CNY",
                    expected_close_date=dt.date(2025, 6, 1),
                    at=when + dt.timedelta(hours=i),
                )
                for i, usd in enumerate(currencies)
            ]
            when += dt.timedelta(hours=4)
            for index, action, hours in steps:
                when += dt.timedelta(hours=hours)
                deal = deals[index]
                if action == "owner":
                    new = rep2 if deal.owner_id == teammate.pk else teammate
                    deals[index] = opportunities_services.opportunity_update(
                        opportunity=deal, actor=teammate, owner=new
                    )
                elif action == "account":
                    other = accounts[1] if deal.account_id == accounts[0].pk else accounts[0]
                    deals[index] = opportunities_services.opportunity_update(
                        opportunity=deal, actor=teammate, account=other
                    )
                elif action == "industry":
                    account = accounts[index % 2]
                    account.refresh_from_db()
                    new = "energy" if account.industry != "energy" else "retail"
                    accounts_services.account_update(account=account, actor=teammate, industry=new)
                elif stages[action].pk != deal.stage_id:
                    deals[index] = opportunities_services.opportunity_move(
                        opportunity=deal,
                        stage=stages[action],
                        actor=teammate,
                        at=when,
                        lost_reason="price" if action == "lost" else "",
                    )
            kept = rollup_rows(org)
            assert kept[0]  # every deal entered its first stage
            assert kept == rebuilt(org)
        finally:
            cursor.execute("ROLLBACK TO SAVEPOINT example")


@pytest.fixture
def some_moves(org, teammate, make_account, make_opportunity, move):
    account = make_account(teammate)
    deal = make_opportunity(account, when=at(4, 1))
    move(deal, "qualified", at(4, 3))
    move(deal, "lead", at(4, 4))
    move(deal, "proposal", at(4, 9))
    return deal


@pytest.mark.django_db
def test_the_rebuild_command_repairs_the_rollup_and_is_idempotent(org, some_moves):
    kept = rollup_rows(org)
    assert kept[0] and kept[1] and kept[2]
    with tenancy.organization_scope(org.id):
        FunnelEntryDay.objects.all().delete()
        FunnelStayDay.objects.filter(n__gt=0).update(n=99)
        FunnelOpenDay.objects.all().delete()
    call_command("funnel_rollup_rebuild", organization=org.slug, stdout=io.StringIO())
    assert rollup_rows(org) == kept
    call_command("funnel_rollup_rebuild", stdout=io.StringIO())
    assert rollup_rows(org) == kept


@pytest.mark.django_db
def test_the_rebuild_command_refuses_an_unknown_organization(org):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("funnel_rollup_rebuild", organization="no-such-org")


@pytest.mark.django_db
def test_medians_count_stays_that_ended_on_the_periods_last_partial_day(
    org, teammate, make_account, make_opportunity, move
):
    # Now is 15 April 18:00: the period's last day is partial, so a stay that
    # ended today is not in the daily rollup yet but still counts, exactly.
    account = make_account(teammate)
    a = make_opportunity(account, when=at(4, 10, 6), name="A")
    move(a, "qualified", at(4, 15, 9))  # lead: 5 days 3 hours, ended today
    b = make_opportunity(account, when=at(4, 12, 12), name="B")  # lead, open: 3.25 days
    move(b, "qualified", at(4, 13, 0))  # lead: 0.5 days
    with tenancy.organization_scope(org.id):
        report = funnel_report(
            FunnelFilters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30)), now=at(4, 15, 18)
        )
    lead = report.stages[0]
    assert lead.stays == 2
    assert lead.median_days == pytest.approx((5.125 + 0.5) / 2)
    qualified = report.stages[1]  # open: A 0.375 days, B 2.75 days
    assert qualified.median_days == pytest.approx((0.375 + 2.75) / 2)


@pytest.mark.django_db
def test_a_filtered_funnel_takes_five_queries_whatever_the_data(
    org, teammate, make_account, make_opportunity, move, django_assert_num_queries
):
    account = make_account(teammate)
    filters = FunnelFilters(
        start=dt.date(2025, 4, 1),
        end=dt.date(2025, 4, 30),
        owner_id=teammate.pk,
        department_id=Membership.unscoped.get(user=teammate, organization=org).department_id,
        industry="manufacturing",
    )
    with tenancy.organization_scope(org.id), django_assert_num_queries(5):
        funnel_report(filters, now=at(5, 10))
    for i in range(6):
        deal = make_opportunity(account, when=at(4, 1 + i), name=f"more{i}")
        move(deal, "qualified", at(4, 10 + i))
    with tenancy.organization_scope(org.id), django_assert_num_queries(5):
        report = funnel_report(filters, now=at(5, 10))
    assert report.stages[0].entered == 6
    assert report.stages[0].median_days == pytest.approx(9)


@pytest.mark.django_db
def test_medians_of_closed_and_open_stays_are_exact_to_the_second(
    org, teammate, rep2, make_account, make_opportunity, move
):
    # Now is 30 April 18:00 (10:00 UTC). Open stays are counted by the UTC day
    # they began, a day whose stays lasted between 2.42 and 3.42 days here, so
    # the median is found across whole-day buckets and then read exactly.
    account = make_account(teammate)
    other = make_account(rep2, name="远景零售", industry="retail")
    a = make_opportunity(account, when=at(4, 1, 6), name="A")
    move(a, "qualified", at(4, 5, 6))  # lead: 4 days
    b = make_opportunity(account, when=at(4, 10, 0), name="B")
    move(b, "qualified", at(4, 13, 12))  # lead: 3.5 days
    f = make_opportunity(account, when=at(4, 20, 0), name="F")
    move(f, "qualified", at(4, 25, 0))  # lead: 5 days
    make_opportunity(account, when=at(4, 27, 12), name="C")  # open: 3.25 days
    make_opportunity(other, when=at(4, 27, 20), name="D")  # open: 2 days 22 hours
    make_opportunity(other, when=at(3, 1, 12), name="E")  # open: 60.25 days
    april = FunnelFilters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30))
    with tenancy.organization_scope(org.id):
        report = funnel_report(april, now=at(4, 30, 18))
        rep2_only = funnel_report(
            FunnelFilters(start=april.start, end=april.end, owner_id=rep2.pk), now=at(4, 30, 18)
        )
    lead, qualified = report.stages[0], report.stages[1]
    assert lead.stays == 6
    # D 2.92, C 3.25 (open, both begun on 27 April UTC), B 3.5, A 4, F 5, E 60.25
    assert lead.median_days == pytest.approx((3.5 + 4) / 2, abs=1e-9)
    assert lead.prev_median_days == pytest.approx(30.5, abs=1e-9)  # E, open at 1 April 00:00
    assert qualified.median_days == pytest.approx(17.25, abs=1e-9)  # open: 25.5, 17.25, 5.75
    assert rep2_only.stages[0].stays == 2
    assert rep2_only.stages[0].median_days == pytest.approx((2 + 22 / 24 + 60.25) / 2, abs=1e-9)


@pytest.mark.django_db
def test_an_open_stay_below_a_closed_one_in_the_same_whole_day_bucket_is_ranked_exactly(
    org, teammate, make_account, make_opportunity, move
):
    # Now is 30 April 18:00 (10:00 UTC): Y, open since 27 April 06:00 (26 April
    # UTC), has lasted 3.5 days; its UTC day's stays lasted 3.42 to 4.42 days.
    account = make_account(teammate)
    z = make_opportunity(account, when=at(4, 2, 0), name="Z")
    move(z, "qualified", at(4, 3, 0))  # lead: 1 day
    x = make_opportunity(account, when=at(4, 10, 0), name="X")
    move(x, "qualified", at(4, 10, 0) + dt.timedelta(days=3.9))  # lead: 3.9 days
    make_opportunity(account, when=at(4, 27, 6), name="Y")  # lead, open: 3.5 days
    with tenancy.organization_scope(org.id):
        report = funnel_report(
            FunnelFilters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30)), now=at(4, 30, 18)
        )
    assert report.stages[0].stays == 3
    assert report.stages[0].median_days == pytest.approx(3.5, abs=1e-9)


def brute_force_medians(org, filters, now):
    """Medians straight from the definition, one stay at a time: the stays in
    each open stage that ended in the period or were open at its end (counted
    up to it, or now)."""
    import statistics
    import zoneinfo

    from pipeline.opportunities.models import StageChange

    tz = zoneinfo.ZoneInfo(org.timezone)
    medians = []
    for period in (filters, filters.previous()):
        lo = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        as_of = min(hi, now)
        lengths = {}
        for sc in StageChange.objects.select_related("to_stage"):
            if sc.to_stage.is_closed or sc.currency != filters.currency:
                continue
            if sc.changed_at >= as_of or (sc.left_at is not None and sc.left_at < lo):
                continue
            end = as_of if sc.left_at is None else min(sc.left_at, as_of)
            lengths.setdefault(sc.to_stage.code, []).append(
                (end - sc.changed_at) / dt.timedelta(days=1)
            )
        medians.append({code: statistics.median(v) for code, v in lengths.items()})
    return medians


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    deals=st.lists(
        st.tuples(
            # created, minutes before now: mostly in the last days, so that
            # stays of neighbouring whole-day buckets compete for the median
            st.one_of(st.integers(0, 6 * 24 * 60), st.integers(0, 70 * 24 * 60)),
            st.lists(
                st.tuples(st.sampled_from(CODES), st.integers(0, 3 * 24 * 60)),
                max_size=4,
            ),
        ),
        min_size=1,
        max_size=10,
    ),
    now_minute=st.integers(0, 24 * 60 - 1),
    days=st.sampled_from([1, 7, 30]),
)
def test_medians_equal_the_definition_one_stay_at_a_time(org, teammate, deals, now_minute, days):
    now = at(5, 20, 0) + dt.timedelta(minutes=now_minute)
    end = now.date() if days != 7 else now.date() - dt.timedelta(days=9)
    filters = FunnelFilters(start=end - dt.timedelta(days=days - 1), end=end)
    with tenancy.organization_scope(org.id), connection.cursor() as cursor:
        cursor.execute("SAVEPOINT example")
        try:
            stages = {s.code: s for s in Stage.objects.all()}
            account = accounts_services.account_create(
                actor=teammate, name="甲", industry="retail", size="small", owner=teammate
            )
            for created, moves in deals:
                when = now - dt.timedelta(minutes=created)
                deal = opportunities_services.opportunity_create(
                    actor=teammate,
                    account=account,
                    name="D",
                    owner=teammate,
                    amount=Decimal(1000),
                    expected_close_date=dt.date(2025, 6, 1),
                    at=when,
                )
                for code, after in moves:
                    when += dt.timedelta(minutes=after)
                    if when > now or deal.stage.is_closed or stages[code].pk == deal.stage_id:
                        continue
                    deal = opportunities_services.opportunity_move(
                        opportunity=deal,
                        stage=stages[code],
                        actor=teammate,
                        at=when,
                        lost_reason="price" if code == "lost" else "",
                    )
            report = funnel_report(filters, now=now)
            current, previous = brute_force_medians(org, filters, now)
            for f in report.stages:
                assert f.median_days == pytest.approx(current.get(f.stage.code), abs=1e-9)
                assert f.prev_median_days == pytest.approx(previous.get(f.stage.code), abs=1e-9)
        finally:
            cursor.execute("ROLLBACK TO SAVEPOINT example")
