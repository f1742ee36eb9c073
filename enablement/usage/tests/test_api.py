"""The library's API: search, create, versions, use, fulfil; tenancy trio;
field-level 400s; query counts."""

import pytest

from enablement.usage.models import AssetFulfilment, AssetUse
from requests_sla.requests.services import request_file
from requests_sla.tests.factories import request_type

pytestmark = pytest.mark.django_db


def test_search_endpoint_in_chinese_and_english(
    api, rep, mkt, make_asset, outsider, django_assert_num_queries
):
    make_asset(mkt, "数据安全话术工具包", title_en="Data security talk track")
    make_asset(mkt, "制造业报告", kind="industry_report")
    client = api(rep)
    client.get("/api/assets/")
    with django_assert_num_queries(5):  # count, ids, assets
        found = client.get("/api/assets/", {"q": "数据安全"}).json()
    assert [a["title_zh"] for a in found["results"]] == ["数据安全话术工具包"]
    found = client.get("/api/assets/", {"q": "talk track"}).json()
    assert [a["title_zh"] for a in found["results"]] == ["数据安全话术工具包"]
    assert api(outsider).get("/api/assets/", {"q": "数据安全"}).json()["results"] == []


def test_create_with_bad_fields_is_a_400_naming_them(api, mkt, rep):
    response = api(mkt).post(
        "/api/assets/", {"kind": "talk_track", "title_zh": "x", "industry": "mining"}, format="json"
    )
    assert response.status_code == 400 and "industry" in response.json()
    assert (
        api(rep)
        .post("/api/assets/", {"kind": "talk_track", "title_zh": "x"}, format="json")
        .status_code
        == 400
    )


def test_create_version_and_read_versions(api, mkt, rep):
    client = api(mkt)
    created = client.post(
        "/api/assets/",
        {
            "kind": "talk_track",
            "title_zh": "金融话术",
            "sections": {"objections": [{"q": "贵", "a": "看总成本"}]},
            "publish": True,
        },
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (
        client.post(f"/api/assets/{pk}/new-version/", {"body": "v2"}, format="json").status_code
        == 400
    )
    assert (
        client.post(
            f"/api/assets/{pk}/new-version/", {"body": "v2", "change_note": "改"}, format="json"
        ).status_code
        == 201
    )
    versions = api(rep).get(f"/api/assets/{pk}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert api(rep).post(f"/api/assets/{pk}/retire/").status_code == 403
    assert client.post(f"/api/assets/{pk}/retire/").json()["status"] == "retired"


def test_trio_on_asset_detail(api, mkt, rep, outsider, make_asset):
    asset = make_asset(mkt)
    draft = make_asset(mkt, "草稿", publish=False)
    assert api(rep).get(f"/api/assets/{asset.pk}/").status_code == 200
    assert api(rep).get(f"/api/assets/{draft.pk}/").status_code == 404
    assert api(outsider).get(f"/api/assets/{asset.pk}/").status_code == 404


def test_use_and_effectiveness(api, rep, mkt, deal, make_asset, outsider, scope):
    asset = make_asset(mkt)
    response = api(rep).post(
        f"/api/assets/{asset.pk}/uses/", {"opportunity": deal.pk}, format="json"
    )
    assert response.status_code == 201
    assert AssetUse.objects.filter(asset=asset).count() == 1
    figures = api(rep).get(f"/api/assets/{asset.pk}/effectiveness/").json()
    assert figures["deals"] == 1 and figures["won"] == 0
    bad = api(rep).post(f"/api/assets/{asset.pk}/uses/", {"opportunity": 999999}, format="json")
    assert bad.status_code == 400 and "opportunity" in bad.json()
    assert api(outsider).get(f"/api/assets/{asset.pk}/uses/").status_code == 404


def test_fulfil_endpoint(api, org, rep, head_mkt, scope):
    req = request_file(
        actor=rep,
        request_type=request_type(org, "mkt_talk_track"),
        priority="normal",
        title="话术",
        extra={"scenario": "x"},
    )
    body = {"request": req.pk, "new_asset": {"kind": "talk_track", "title_zh": "话术工具包"}}
    assert api(rep).post("/api/fulfilments/", body, format="json").status_code == 403
    response = api(head_mkt).post("/api/fulfilments/", body, format="json")
    assert response.status_code == 201
    assert AssetFulfilment.objects.get(request=req).asset.title_zh == "话术工具包"
