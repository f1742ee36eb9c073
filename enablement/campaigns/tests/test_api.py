"""The campaigns API: the tenancy trio, Marketing writes, bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enablement.models import CampaignResponse

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
