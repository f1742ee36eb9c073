import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from collab.tenancy import organization_scope
from roadmap.models import Requirement, ReviewBoard, State

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PARTS = {
    "title": "集团客户报表多级权限",
    "background": "集团客户，下属 30 家子公司",
    "pain_point": "报表无法按子公司分级授权",
    "expected_outcome": "子公司只看自己的数据",
}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_submit_back_and_read_with_revenue(rep, deal, make_account, org):
    response = api(rep.user).post(
        "/api/requirements/", {**PARTS, "opportunity_ids": [deal.pk]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted"
    assert body["revenue_at_stake"] == [{"amount": "70000.00", "currency": "CNY"}]  # 200,000 × 35%
    other = make_account(rep, name="远航物流")
    backed = api(rep.user).post(
        f"/api/requirements/{body['id']}/back/", {"account_ids": [other.pk]}, format="json"
    )
    assert backed.status_code == 200
    assert len(backed.json()["backers"]) == 2


def test_submit_with_a_missing_part_is_a_field_400_and_writes_nothing(rep, deal, org):
    response = api(rep.user).post(
        "/api/requirements/",
        {**PARTS, "expected_outcome": "", "opportunity_ids": [deal.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "expected_outcome" in response.json()
    with organization_scope(org.id):
        assert not Requirement.objects.exists()


def test_submit_with_a_foreign_deal_is_a_field_400(
    rep, make_account, make_deal, outsider_membership
):
    foreign = make_deal(make_account(outsider_membership, name="外企"))
    response = api(rep.user).post(
        "/api/requirements/", {**PARTS, "opportunity_ids": [foreign.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "opportunity_ids" in response.json()


def test_rep_cannot_assess_and_rnd_cannot_decide(rep, head_rnd, submit, account, org):
    requirement = submit(account_ids=[account.pk])
    assess = {"feasibility": "feasible", "cost_low_days": "1", "cost_high_days": "2"}
    assert (
        api(rep.user)
        .post(f"/api/requirements/{requirement.pk}/assess/", assess, format="json")
        .status_code
        == 403
    )
    done = api(head_rnd.user).post(
        f"/api/requirements/{requirement.pk}/assess/", assess, format="json"
    )
    assert done.status_code == 200 and done.json()["state"] == "ready_for_review"
    with organization_scope(org.id):
        board = ReviewBoard.objects.create(
            organization=org,
            slot=dt.date(2026, 3, 4),
            starts_at=dt.datetime(2026, 3, 4, 15, tzinfo=SHANGHAI),
        )
    agenda = api(head_rnd.user).get(f"/api/boards/{board.pk}/").json()["agenda"]
    assert [i["requirement_id"] for i in agenda] == [requirement.pk]
    decide = {"requirement_id": requirement.pk, "decision": "accept"}
    assert (
        api(head_rnd.user)
        .post(f"/api/boards/{board.pk}/decide/", decide, format="json")
        .status_code
        == 403
    )


def test_decision_on_an_item_not_on_that_board_is_a_400(ops, submit, account, org):
    requirement = submit(account_ids=[account.pk])
    with organization_scope(org.id):
        board = ReviewBoard.objects.create(
            organization=org,
            slot=dt.date(2026, 3, 4),
            starts_at=dt.datetime(2026, 3, 4, 15, tzinfo=SHANGHAI),
        )
    response = api(ops.user).post(
        f"/api/boards/{board.pk}/decide/",
        {"requirement_id": requirement.pk, "decision": "accept"},
        format="json",
    )
    assert response.status_code == 400
    assert "requirement" in response.json() or "requirement_id" in response.json()


def test_verdict_for_an_account_not_in_the_validation_is_a_400(
    rep, head_rnd, ops, submit, deal, make_account, org
):
    requirement = submit(opportunity_ids=[deal.pk])
    client = api(head_rnd.user)
    client.post(
        f"/api/requirements/{requirement.pk}/assess/",
        {
            "feasibility": "feasible",
            "cost_low_days": "1",
            "cost_high_days": "2",
            "needs_prototype": True,
        },
        format="json",
    )
    with organization_scope(org.id):
        board = ReviewBoard.objects.create(
            organization=org,
            slot=dt.date(2026, 3, 4),
            starts_at=dt.datetime(2026, 3, 4, 15, tzinfo=SHANGHAI),
        )
    api(ops.user).get(f"/api/boards/{board.pk}/")
    gate = api(ops.user).post(
        f"/api/boards/{board.pk}/decide/",
        {"requirement_id": requirement.pk, "decision": "accept"},
        format="json",
    )
    assert gate.status_code == 400 and "decision" in gate.json()
    api(ops.user).post(
        f"/api/boards/{board.pk}/decide/",
        {"requirement_id": requirement.pk, "decision": "prototype"},
        format="json",
    )
    started = client.post(
        f"/api/requirements/{requirement.pk}/prototype/",
        {
            "description": "演示环境",
            "window_start": "2026-03-05",
            "window_end": "2026-03-20",
            "customers": [{"account_id": deal.account_id}],
        },
        format="json",
    )
    assert started.json()["state"] == State.VALIDATING
    stranger = make_account(rep, name="陌生客户")
    response = api(rep.user).post(
        f"/api/requirements/{requirement.pk}/verdict/",
        {"account_id": stranger.pk, "verdict": "meets"},
        format="json",
    )
    assert response.status_code == 400 and "account_id" in response.json()


def test_tenancy_trio_and_list_queries(
    owner, teammate, outsider, submit, account, django_assert_num_queries
):
    requirement = submit(account_ids=[account.pk])
    url = f"/api/requirements/{requirement.pk}/"
    assert api(owner).get(url).status_code == 200
    assert api(teammate).get(url).status_code == 200
    assert api(outsider).get(url).status_code == 404
    assert api(outsider).get("/api/requirements/").json()["count"] == 0
    client = api(owner)
    client.get("/api/requirements/")
    with django_assert_num_queries(5):
        first = client.get("/api/requirements/")
    for i in range(3):
        submit(title=f"需求 {i}", account_ids=[account.pk])
    with django_assert_num_queries(5):
        client.get("/api/requirements/")
    assert first.json()["count"] == 1


def test_releases_api_creates_and_ships(head_rnd, rep, outsider):
    created = api(head_rnd.user).post(
        "/api/releases/", {"version": "v3.2", "planned_on": "2026-04-01"}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api(rep.user).post(f"/api/releases/{pk}/ship/").status_code == 403
    assert api(outsider).post(f"/api/releases/{pk}/ship/").status_code == 404
    assert api(head_rnd.user).post(f"/api/releases/{pk}/ship/").json()["shipped_at"] is not None


def test_schema_lists_the_roadmap_endpoints(client_for, owner):
    schema = client_for(owner).get("/api/schema/").content.decode()
    for path in (
        "/api/requirements/",
        "/api/boards/{id}/decide/",
        "/api/releases/{id}/ship/",
    ):
        assert path in schema
