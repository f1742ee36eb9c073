"""Rate lines of a plan version, through the service, the page and the API:
valid lines, bad input as field errors with nothing written (duplicates,
another organization's bundle, unknown categories, no on-target rate), the
tenancy trio, and the warning listing the deals sold in a category the
version does not rate."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from incentives.payouts import services as payouts
from incentives.plans import services
from incentives.plans.models import PlanVersion, RateLine
from incentives.plans.services import RateInput, TierInput
from incentives.tests.helpers import api, won
from incentives.tests.quotes import accepted_quote, bundle

pytestmark = pytest.mark.django_db

D = Decimal
TIERS = [{"from_pct": "0", "to_pct": "100", "rate": "3"}, {"from_pct": "100", "rate": "5"}]


def _versions(org, plan):
    with organization_scope(org.id):
        return PlanVersion.objects.filter(plan=plan).count(), RateLine.objects.count()


def test_hr_adds_a_version_with_category_and_bundle_rates(hr, plan, org):
    pack = bundle(org)
    response = api(hr.user).post(
        f"/api/incentives/plans/{plan.pk}/versions/",
        {
            "effective_from": "2026-01-01",
            "tiers": TIERS,
            "rate_lines": [
                {"category": "licence", "rate": "6"},
                {"bundle_id": pack.pk, "rate": "8"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    latest = response.json()["versions"][-1]
    assert sorted(latest["rate_lines"], key=repr) == [
        {"category": "", "bundle_id": pack.pk, "rate": "8.000"},
        {"category": "licence", "bundle_id": None, "rate": "6.000"},
    ]


@pytest.mark.parametrize(
    "lines",
    [
        [{"category": "licence", "rate": "6"}, {"category": "licence", "rate": "7"}],  # twice
        [{"rate": "6"}],  # neither category nor bundle
        [{"category": "hardware", "rate": "6"}],  # not a category
        [{"bundle_id": 10**9, "rate": "6"}],  # no such bundle
        [{"category": "licence", "rate": "101"}],
    ],
)
def test_bad_rate_lines_are_field_errors_and_nothing_is_written(hr, plan, org, lines):
    before = _versions(org, plan)
    response = api(hr.user).post(
        f"/api/incentives/plans/{plan.pk}/versions/",
        {"effective_from": "2026-01-01", "tiers": TIERS, "rate_lines": lines},
        format="json",
    )
    assert response.status_code == 400
    assert "rate_lines" in response.json()
    assert _versions(org, plan) == before


def test_another_organizations_bundle_is_a_field_error(hr, plan, org, other_org):
    foreign = bundle(other_org, code="theirs")
    before = _versions(org, plan)
    response = api(hr.user).post(
        f"/api/incentives/plans/{plan.pk}/versions/",
        {
            "effective_from": "2026-01-01",
            "tiers": TIERS,
            "rate_lines": [{"bundle_id": foreign.pk, "rate": "8"}],
        },
        format="json",
    )
    assert response.status_code == 400 and "rate_lines" in response.json()
    assert _versions(org, plan) == before


def test_rate_lines_need_an_on_target_rate_to_replace(hr, plan, org):
    before = _versions(org, plan)
    with pytest.raises(ServiceError) as raised:
        services.version_add(
            actor=hr,
            plan=plan,
            effective_from=dt.date(2026, 1, 1),
            tiers=[TierInput(D(0), D(100), D(0)), TierInput(D(100), None, D(5))],
            rates=[RateInput(D(6), category="licence")],
        )
    assert raised.value.field == "rate_lines"
    assert _versions(org, plan) == before


def test_the_plan_page_form_parses_rate_lines_by_code_or_name(client_for, hr, plan, org):
    pack = bundle(org)
    client = client_for(hr.user)
    url = reverse("incentives:version_add", args=[plan.pk])
    response = client.post(
        url,
        {
            "effective_from": "2026-02-01",
            "tiers": "0-100:3\n100-:5",
            "rate_lines": f"licence:6\n培训：2%\n{pack.code}:8",
        },
    )
    assert response.status_code == 302
    with organization_scope(org.id):
        rates = sorted(
            RateLine.objects.values_list("category", "bundle_id", "rate"), key=lambda r: r[0]
        )
    assert rates == [
        ("", pack.pk, D("8.000")),
        ("licence", None, D("6.000")),
        ("training", None, D("2.000")),
    ]
    before = _versions(org, plan)
    client.post(url, {"effective_from": "2026-03-01", "tiers": "0-:3", "rate_lines": "foo:3"})
    assert _versions(org, plan) == before


def test_rate_lines_trio_owner_teammate_outsider(client_for, hr, rep, outsider, plan, org):
    body = {
        "effective_from": "2026-01-01",
        "tiers": TIERS,
        "rate_lines": [{"category": "licence", "rate": "6"}],
    }
    url = f"/api/incentives/plans/{plan.pk}/versions/"
    assert api(rep.user).post(url, body, format="json").status_code == 403
    assert api(outsider).post(url, body, format="json").status_code == 404
    page = reverse("incentives:version_add", args=[plan.pk])
    form = {"effective_from": "2026-01-01", "tiers": "0-:3", "rate_lines": "licence:6"}
    assert client_for(outsider).post(page, form).status_code == 404
    assert _versions(org, plan) == (1, 0)
    assert api(hr.user).post(url, body, format="json").status_code == 201


def test_a_sold_category_without_a_rate_is_listed_on_the_plan_page_run_and_api(
    client_for, hr, plan, sprint, rep, org
):
    services.version_add(
        actor=hr,
        plan=plan,
        effective_from=dt.date(2021, 1, 1),
        tiers=[TierInput(D(0), D(100), D(3)), TierInput(D(100), None, D(5))],
        rates=[RateInput(D(6), category="licence")],
    )
    deal = won(org, rep, "12000", days_ago=2, name="华北能源")
    accepted_quote(deal, [("licence", "8000"), ("support", "4000")])
    plans_page = client_for(hr.user).get(reverse("incentives:plans")).content.decode()
    assert "华北能源" in plans_page and f"gaps-{plan.pk}" in plans_page
    gaps = api(hr.user).get(f"/api/incentives/plans/{plan.pk}/").json()["rate_gaps"]
    assert [(g["opportunity_id"], g["category"]) for g in gaps] == [(deal.pk, "support")]
    run = payouts.payout_compute(actor=hr, sprint=sprint)
    run_page = client_for(hr.user).get(reverse("incentives:run", args=[run.pk])).content.decode()
    assert 'id="no-rate"' in run_page and "华北能源" in run_page
    body = api(hr.user).get(f"/api/incentives/payout-runs/{run.pk}/").json()
    assert [(w["kind"], w["category"]) for w in body["warnings"]] == [("no_rate", "support")]
    assert {(ln["category"], ln["rate"]) for ln in body["lines"]} == {
        ("licence", "6.000"),
        ("support", "3.000"),
    }
    # A rep sees their own lines' categories, never the review's warnings.
    mine = client_for(rep.user).get(reverse("incentives:run", args=[run.pk])).content.decode()
    assert 'id="no-rate"' not in mine


def test_a_rep_reads_no_warnings_through_the_api(hr, plan, sprint, rep, org):
    services.version_add(
        actor=hr,
        plan=plan,
        effective_from=dt.date(2021, 1, 1),
        tiers=[TierInput(D(0), D(100), D(3)), TierInput(D(100), None, D(5))],
        rates=[RateInput(D(6), category="licence")],
    )
    deal = won(org, rep, "1000", days_ago=1)
    accepted_quote(deal, [("support", "1")])
    run = payouts.payout_compute(actor=hr, sprint=sprint)
    assert api(hr.user).get(f"/api/incentives/payout-runs/{run.pk}/").json()["warnings"]
    assert api(rep.user).get(f"/api/incentives/payout-runs/{run.pk}/").json()["warnings"] == []
