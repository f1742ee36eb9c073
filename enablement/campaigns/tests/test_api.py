"""The campaigns API: the tenancy trio, Marketing writes, bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from enablement.models import Campaign, CampaignResponse

pytestmark = pytest.mark.django_db
BODY = {
    "kind": "event",
    "title_zh": "制造业发布会",
    "starts_on": "2026-09-01",
    "ends_on": "2026-09-02",
    "budget": "50000",
}


def test_owner_teammate_outsider(api, org, mkt, rep, outsider_membership):
    made = api(mkt).post("/api/campaigns/", BODY, format="json")
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert api(rep).get(f"/api/campaigns/{pk}/").status_code == 200
    assert api(rep).post("/api/campaigns/", BODY, format="json").status_code == 403
    response = {"kind": "registration", "responded_on": "2026-09-01", "name": "张伟"}
    assert api(rep).post(f"/api/campaigns/{pk}/responses/", response).status_code == 403
    assert api(mkt).post(f"/api/campaigns/{pk}/responses/", response).status_code == 201
    outsider = api(outsider_membership)
    assert outsider.get(f"/api/campaigns/{pk}/").status_code == 404
    assert outsider.get(f"/api/campaigns/{pk}/responses/").status_code == 404
    assert outsider.get(f"/api/campaigns/{pk}/figures/").status_code == 404
    assert outsider.get("/api/campaigns/").json()["results"] == []
    rid = CampaignResponse.unscoped.get(campaign_id=pk).pk
    assert outsider.post(f"/api/responses/{rid}/lead/", {}).status_code == 404
    assert api(rep).get(f"/api/campaigns/{pk}/figures/").status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"ends_on": "2026-08-01"},
        {"starts_on": "1900-01-01"},
        {"starts_on": "2026-02-30"},
        {"budget": "1e400"},
        {"budget": "-1"},
        {"kind": "party"},
        {"assets_used": [99999999]},
        {"target_accounts": ["x"]},
    ],
)
def test_bad_campaign_input_is_a_400(api, org, mkt, change):
    response = api(mkt).post("/api/campaigns/", {**BODY, **change}, format="json")
    assert response.status_code == 400, response.content


def test_csv_import_over_the_api(api, org, mkt):
    pk = api(mkt).post("/api/campaigns/", BODY, format="json").json()["id"]
    bad = "类型,日期,姓名\n报名,2026-09-01,张伟\n报名,2026-13-01,李四\n".encode()
    response = api(mkt).post(
        f"/api/campaigns/{pk}/responses/import/",
        {"file": SimpleUploadedFile("r.csv", bad)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["file"][0].startswith("第 3 行")
    assert not CampaignResponse.unscoped.filter(campaign_id=pk).exists()
    good = b"type,date,name\nregistration,2026-09-01,Ann\n"
    response = api(mkt).post(
        f"/api/campaigns/{pk}/responses/import/",
        {"file": SimpleUploadedFile("r.csv", good)},
        format="multipart",
    )
    assert response.status_code == 201 and response.json() == {"imported": 1}


def test_the_period_rule_is_the_services_for_form_and_api(api, client, org, mkt):
    """One rule, one message: the API's 400 and the form's field error are
    the save service's (ends_on before starts_on)."""
    with translation.override("en"):
        message = gettext("结束日期不能早于开始日期。")
    assert message != "结束日期不能早于开始日期。"
    backwards = {**BODY, "starts_on": "2026-09-02", "ends_on": "2026-09-01"}
    response = api(mkt).post("/api/campaigns/", backwards, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"ends_on": [message]}
    client.force_login(mkt.user)
    client.cookies["django_language"] = "en"
    page = client.post(reverse("enablement:campaign_new"), {**backwards, "currency": "CNY"})
    assert page.status_code == 200
    assert page.context["form"].errors["ends_on"] == [message]
    assert not Campaign.unscoped.exists()


@pytest.mark.parametrize("name", ["assets_used", "assets_produced"])
def test_asset_id_lists_are_capped_at_100(api, org, mkt, name):
    response = api(mkt).post("/api/campaigns/", {**BODY, name: list(range(1, 102))}, format="json")
    assert response.status_code == 400 and name in response.json()
    # 100 is allowed by the cap (the ids themselves are then "not found").
    response = api(mkt).post("/api/campaigns/", {**BODY, name: list(range(1, 101))}, format="json")
    assert response.status_code == 400 and "找不到" in response.json()[name][0]
