"""The API: tenancy trio, the rep-visibility rule, bad input as 400s, the
HR → Finance flow, the OpenAPI schema."""

from decimal import Decimal

import pytest

from collab.tenancy import organization_scope
from incentives.payouts import services as payouts
from incentives.sprints import services
from incentives.sprints.models import Target
from incentives.tests.helpers import api, won

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(org, hr, sprint, rep, rep2):
    for m in (rep, rep2):
        services.target_set(
            actor=hr, sprint=sprint, measure="won", amount=Decimal("100000"), user_id=m.user_id
        )
    won(org, rep, "50000", name="华东电力")
    won(org, rep2, "70000", name="西南物流")
    return payouts.payout_compute(actor=hr, sprint=sprint)


def test_progress_is_served_to_a_rep_in_the_sprint(rep, sprint, run):
    body = api(rep.user).get(f"/api/incentives/sprints/{sprint.pk}/progress/").json()
    assert [r["rank"] for r in body["reps"]] == [1, 2]
    assert body["reps"][0]["won"]["attainment"] == "70.0"


def test_a_rep_reads_only_their_own_payout_lines_and_no_total(rep, rep2, run):
    body = api(rep.user).get(f"/api/incentives/payout-runs/{run.pk}/").json()
    assert {line["user"] for line in body["lines"]} == {rep.user_id}
    assert body["total"] is None


def test_hr_reads_every_line(hr, rep, rep2, run):
    body = api(hr.user).get(f"/api/incentives/payout-runs/{run.pk}/").json()
    assert {line["user"] for line in body["lines"]} == {rep.user_id, rep2.user_id}
    assert body["total"] == "3600.00"


def test_an_outsider_gets_404s_and_empty_lists(outsider, sprint, run):
    client = api(outsider)
    assert client.get(f"/api/incentives/sprints/{sprint.pk}/").status_code == 404
    assert client.get(f"/api/incentives/payout-runs/{run.pk}/").status_code == 404
    assert client.get("/api/incentives/sprints/").json()["results"] == []


def test_a_target_on_a_rep_outside_the_sprint_is_a_400_with_the_field(hr, sprint, head_fin, org):
    response = api(hr.user).post(
        f"/api/incentives/sprints/{sprint.pk}/targets/",
        {"measure": "won", "amount": "100", "user": head_fin.user_id},
        format="json",
    )
    assert response.status_code == 400 and "user" in response.json()
    with organization_scope(org.id):
        assert not Target.objects.exists()


def test_a_bad_amount_is_a_400(hr, sprint, rep):
    response = api(hr.user).post(
        f"/api/incentives/sprints/{sprint.pk}/targets/",
        {"measure": "won", "amount": "NaN", "user": rep.user_id},
        format="json",
    )
    assert response.status_code == 400 and "amount" in response.json()


def test_overlapping_tiers_are_a_400(hr, plan):
    response = api(hr.user).post(
        f"/api/incentives/plans/{plan.pk}/versions/",
        {
            "effective_from": "2026-12-01",
            "tiers": [
                {"from_pct": "0", "to_pct": "120", "rate": "3"},
                {"from_pct": "100", "to_pct": None, "rate": "5"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400 and "tiers" in response.json()


def test_hr_submits_finance_approves_then_the_run_is_frozen(hr, head_fin, rep, run):
    assert api(rep.user).post(f"/api/incentives/payout-runs/{run.pk}/submit/").status_code == 400
    assert api(hr.user).post(f"/api/incentives/payout-runs/{run.pk}/submit/").status_code == 200
    approved = api(head_fin.user).post(f"/api/incentives/payout-runs/{run.pk}/approve/")
    assert approved.json()["state"] == "approved"
    again = api(head_fin.user).post(f"/api/incentives/payout-runs/{run.pk}/approve/")
    assert again.status_code == 400


def test_the_schema_lists_the_endpoints(hr):
    schema = api(hr.user).get("/api/schema/?format=json").json()
    assert "/api/incentives/sprints/{id}/progress/" in schema["paths"]
    assert "/api/incentives/payout-runs/{id}/approve/" in schema["paths"]


def test_finance_sends_the_run_back_with_a_reason_through_the_api(hr, head_fin, run):
    api(hr.user).post(f"/api/incentives/payout-runs/{run.pk}/submit/")
    url = f"/api/incentives/payout-runs/{run.pk}/decide/"
    assert api(head_fin.user).post(url, {"action": "bogus"}, format="json").status_code == 400
    assert api(hr.user).post(url, {"action": "reject", "reason": "x"}).status_code == 400
    back = api(head_fin.user).post(url, {"action": "send_back", "reason": "请核对"}, format="json")
    assert back.status_code == 200
    assert back.json()["state"] == "draft" and back.json()["approval_note"] == "请核对"
