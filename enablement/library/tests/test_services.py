"""The library's writes: who may write, versions, retire, search text."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from enablement.library import selectors, services
from enablement.library.models import AssetStatus, AssetVersion

pytestmark = pytest.mark.django_db

TOOLKIT = {
    "objections": [{"q": "你们的数据放在哪里？", "a": "支持私有化部署，数据不出客户机房。"}],
    "key_messages": ["通过等保三级认证"],
    "proof_points": ["华东某银行 18 个月零安全事件"],
}


def test_marketing_member_creates_a_draft_with_structured_sections(mkt, make_asset):
    asset = make_asset(mkt, publish=False, sections=TOOLKIT)
    with organization_scope(mkt.organization_id):
        version = AssetVersion.objects.get(asset=asset, number=1)
    assert asset.status == AssetStatus.DRAFT
    assert asset.owner_department_id == mkt.department_id
    assert version.sections["objections"][0]["a"] == "支持私有化部署，数据不出客户机房。"


def test_rep_and_rnd_cannot_create_assets(rep, dev_rnd, make_asset):
    for who in (rep, dev_rnd):
        with pytest.raises(ServiceError):
            make_asset(who)


def test_draft_is_seen_by_its_owner_department_only(mkt, head_mkt, pm, rep, admin, make_asset):
    asset = make_asset(mkt, publish=False)
    with organization_scope(mkt.organization_id):
        assert selectors.assets_visible_to(head_mkt).filter(pk=asset.pk).exists()
        assert selectors.assets_visible_to(admin).filter(pk=asset.pk).exists()
        assert not selectors.assets_visible_to(rep).filter(pk=asset.pk).exists()
        assert not selectors.assets_visible_to(pm).filter(pk=asset.pk).exists()


def test_new_version_keeps_the_old_one_readable_and_needs_what_changed(mkt, make_asset):
    asset = make_asset(mkt, body="第一版正文")
    with organization_scope(mkt.organization_id):
        with pytest.raises(ServiceError) as exc:
            services.asset_version_publish(
                actor=mkt, asset=asset, content=services.VersionContent(body="第二版")
            )
        assert exc.value.field == "change_note"
        services.asset_version_publish(
            actor=mkt,
            asset=asset,
            content=services.VersionContent(body="第二版正文", change_note="补充了医疗行业案例"),
        )
        asset.refresh_from_db()
        assert asset.version == 2
        assert selectors.version_get(asset, 1).body == "第一版正文"
        assert selectors.version_get(asset, 2).change_note == "补充了医疗行业案例"


def test_other_department_cannot_publish_a_version(mkt, pm, make_asset):
    asset = make_asset(mkt)
    with organization_scope(mkt.organization_id), pytest.raises(ServiceError):
        services.asset_version_publish(
            actor=pm, asset=asset, content=services.VersionContent(change_note="x")
        )


def test_retired_asset_is_hidden_from_search_but_still_opens(mkt, rep, make_asset):
    asset = make_asset(mkt)
    with organization_scope(mkt.organization_id):
        services.asset_retire(actor=mkt, asset=asset)
        found = selectors.library_search(rep, selectors.LibraryFilters(q="数据安全"))
        assert list(found) == []
        assert selectors.asset_get(rep, asset.pk).status == AssetStatus.RETIRED
        with pytest.raises(ServiceError):
            services.asset_version_publish(
                actor=mkt, asset=asset, content=services.VersionContent(change_note="x")
            )


def test_bad_fields_name_the_field_and_write_nothing(mkt, make_asset):
    cases = [
        ({"title_zh": ""}, "title_zh"),
        ({"industry": "mining"}, "industry"),
        ({"stages": ["nowhere"]}, "stages"),
        ({"kind": "poster"}, "kind"),
        ({"pain_points": ["x" * 41]}, "pain_points"),
    ]
    for kwargs, field in cases:
        kwargs.setdefault("title_zh", "标题")
        with pytest.raises(ServiceError) as exc:
            make_asset(mkt, **kwargs)
        assert exc.value.field == field
    with pytest.raises(ServiceError) as exc:
        make_asset(mkt, sections={"objections": [{"q": "只有问题"}]})
    assert exc.value.field == "sections"
    with organization_scope(mkt.organization_id):
        assert not AssetVersion.objects.exists()


def test_file_with_wrong_content_is_refused(mkt):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    fields = services.AssetFields(kind="industry_report", title_zh="报告")
    with organization_scope(mkt.organization_id), pytest.raises(ServiceError) as exc:
        services.asset_create(
            actor=mkt, fields=fields, content=services.VersionContent(files=[fake])
        )
    assert exc.value.field == "file"


def test_file_is_stored_with_its_version(mkt):
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    fields = services.AssetFields(kind="industry_report", title_zh="金融行业报告")
    with organization_scope(mkt.organization_id):
        asset = services.asset_create(
            actor=mkt, fields=fields, content=services.VersionContent(files=[pdf])
        )
        version = selectors.version_get(asset, 1)
        assert [f.original_name for f in version.files.all()] == ["report.pdf"]
