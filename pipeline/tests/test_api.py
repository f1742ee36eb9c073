import pytest
from rest_framework.test import APIClient

from collab import tenancy
from departments.tests.factories import token_for
from pipeline.accounts import services as accounts_services
from pipeline.followups import services as followups_services
from pipeline.leads import services as leads_services
from pipeline.leads.models import Lead
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import Opportunity
from pipeline.tests.factories import at


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def deals(org, teammate, rep2, make_account, make_opportunity):
    mine = make_opportunity(make_account(teammate, name="A"), name="mine", when=at(4, 1))
    theirs = make_opportunity(make_account(rep2, name="B"), name="theirs", when=at(4, 1))
    return mine, theirs


@pytest.fixture
def foreign(other_org, outsider):
    with tenancy.organization_scope(other_org.id):
        account = accounts_services.account_create(
            actor=outsider, name="F", industry="retail", size="small", owner=outsider
        )
        opp = opportunities_services.opportunity_create(
            actor=outsider,
            account=account,
            name="F",
            owner=outsider,
            amount=1,
            expected_close_date=at(6, 1).date(),
        )
        lead = leads_services.lead_create(
            actor=outsider,
            account=account,
            source="other",
            kind="repeat",
            estimated_amount=1,
            description="f",
        )
        follow_up = followups_services.followup_create(
            actor=outsider, account=account, kind="call", scheduled_for=at(4, 1)
        )
    return {"accounts": account, "opportunities": opp, "leads": lead, "follow-ups": follow_up}


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["accounts", "opportunities", "leads", "follow-ups"])
def test_foreign_ids_are_404_and_lists_hold_no_foreign_rows(owner, deals, foreign, resource):
    client = api_for(owner)
    assert client.get(f"/api/{resource}/{foreign[resource].pk}/").status_code == 404
    ids = {row["id"] for row in client.get(f"/api/{resource}/").json()["results"]}
    assert foreign[resource].pk not in ids


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["accept", "reject", "convert"])
def test_lead_actions_on_a_foreign_lead_are_404(owner, foreign, action):
    response = api_for(owner).post(f"/api/leads/{foreign['leads'].pk}/{action}/", {"reason": "x"})
    assert response.status_code == 404
    assert Lead.unscoped.get(pk=foreign["leads"].pk).status == "new"


@pytest.mark.django_db
def test_a_rep_lists_only_their_own_opportunities(teammate, deals):
    names = [row["name"] for row in api_for(teammate).get("/api/opportunities/").json()["results"]]
    assert names == ["mine"]
    assert api_for(teammate).get(f"/api/opportunities/{deals[1].pk}/").status_code == 404


@pytest.mark.django_db
def test_move_endpoint_gives_field_level_400s(teammate, deals, stages, foreign):
    client = api_for(teammate)
    mine = deals[0]
    lost = client.post(f"/api/opportunities/{mine.pk}/move/", {"stage": stages["lost"].pk})
    assert lost.status_code == 400 and "lost_reason" in lost.json()
    foreign_stage = client.post(
        f"/api/opportunities/{mine.pk}/move/", {"stage": foreign["opportunities"].stage_id}
    )
    assert foreign_stage.status_code == 400 and "stage" in foreign_stage.json()
    ok = client.post(f"/api/opportunities/{mine.pk}/move/", {"stage": stages["won"].pk})
    assert ok.status_code == 200 and ok.json()["probability"] == 100


@pytest.mark.django_db
def test_creating_an_opportunity_on_a_foreign_account_is_a_field_error(teammate, foreign):
    response = api_for(teammate).post(
        "/api/opportunities/",
        {
            "account": foreign["accounts"].pk,
            "name": "x",
            "amount": "1",
            "expected_close_date": "2026-12-01",
        },
    )
    assert response.status_code == 400 and "account" in response.json()


@pytest.mark.django_db
def test_customer_success_creates_a_lead_and_the_rep_converts_it(org, cs, teammate, deals):
    created = api_for(cs).post(
        "/api/leads/",
        {
            "account": deals[0].account_id,
            "source": "follow_up",
            "kind": "upsell",
            "estimated_amount": "30000",
            "description": "more seats",
        },
    )
    assert created.status_code == 201
    converted = api_for(teammate).post(f"/api/leads/{created.json()['id']}/convert/")
    assert converted.status_code == 200 and converted.json()["status"] == "converted"
    assert Opportunity.unscoped.get(pk=converted.json()["opportunity"]).owner == teammate
    assert api_for(teammate).post("/api/leads/", {}).status_code == 403


@pytest.mark.django_db
def test_follow_up_csat_is_validated(cs, deals):
    response = api_for(cs).post(
        "/api/follow-ups/",
        {
            "account": deals[0].account_id,
            "kind": "call",
            "scheduled_for": "2026-11-01T10:00:00+08:00",
            "csat": 7,
        },
    )
    assert response.status_code == 400 and "csat" in response.json()


@pytest.mark.django_db
def test_funnel_endpoint_for_a_rep_counts_only_their_deals(teammate, owner, deals):
    params = "?start=2025-04-01&end=2025-04-30"
    rep = api_for(teammate).get("/api/funnel/" + params).json()
    manager = api_for(owner).get("/api/funnel/" + params).json()
    assert rep["stages"][0]["entered"] == 1 and manager["stages"][0]["entered"] == 2
    assert api_for(owner).get("/api/funnel/?start=x").status_code == 400
    assert api_for(owner).get("/api/funnel/?team=999999").status_code == 400


@pytest.mark.django_db
def test_people_outside_sales_get_403_from_the_pipeline_api(head_rnd):
    assert api_for(head_rnd).get("/api/opportunities/").status_code == 403
    assert api_for(head_rnd).get("/api/funnel/").status_code == 403
