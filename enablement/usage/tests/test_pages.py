"""The library's pages: tenancy trio, query counts, the journey's steps."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from collab.tenancy import organization_scope
from enablement.library import services as library
from enablement.usage.models import AssetFulfilment, AssetUse
from pipeline.accounts import services as accounts_services
from pipeline.models import Account, Stage
from pipeline.opportunities import services as opportunities_services
from requests_sla.requests.services import request_file
from requests_sla.tests.factories import request_type

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"enablement:{name}", args=args)


def test_library_lists_published_assets_and_searches(client_for, rep, mkt, make_asset):
    make_asset(mkt, "数据安全话术工具包", pain_points=["数据安全"])
    make_asset(mkt, "制造业报告", kind="industry_report")
    client = client_for(rep.user)
    page = client.get(_url("library"), {"q": "数据安全"})
    assert page.status_code == 200
    assert "数据安全话术工具包" in page.text and "制造业报告" not in page.text
    assert "制造业报告" in client.get(_url("library")).text


def test_library_query_count_does_not_grow_with_assets(
    client_for, rep, mkt, make_asset, django_assert_num_queries
):
    client = client_for(rep.user)
    for i in range(3):
        make_asset(mkt, f"资料{i}")
    client.get(_url("library"))  # warm the session and jieba
    with django_assert_num_queries(8):
        client.get(_url("library"), {"q": "资料"})
    for i in range(3, 8):
        make_asset(mkt, f"资料{i}")
    with django_assert_num_queries(8):
        client.get(_url("library"), {"q": "资料"})


def test_asset_page_trio_and_draft_rule(
    client_for, rep, mkt, make_asset, outsider, django_assert_num_queries
):
    asset = make_asset(mkt)
    draft = make_asset(mkt, "草稿", publish=False)
    assert client_for(mkt.user).get(_url("asset", asset.pk)).status_code == 200
    assert client_for(mkt.user).get(_url("asset", draft.pk)).status_code == 200
    client = client_for(rep.user)
    assert client.get(_url("asset", draft.pk)).status_code == 404
    # 9 (was 12): the figures are one query even for an unused asset, the
    # shown version is read with the list of versions, and the deal picker is
    # read when the rep reaches for it, not with the page.
    with django_assert_num_queries(9):
        assert client.get(_url("asset", asset.pk)).status_code == 200
    assert client_for(outsider).get(_url("asset", asset.pk)).status_code == 404


def test_asset_page_of_a_used_asset_reads_its_figures_in_one_query(
    client_for, rep, mkt, make_asset, deal, django_assert_num_queries
):
    from collab.tenancy import organization_scope
    from enablement.usage import services

    asset = make_asset(mkt)
    with organization_scope(rep.organization_id):
        services.asset_use_record(actor=rep, asset=asset, opportunity=deal)
    client = client_for(rep.user)
    client.get(_url("asset", asset.pk))
    with django_assert_num_queries(9):  # was 11: no picker deals, versions in one
        response = client.get(_url("asset", asset.pk))
    assert deal.name in response.content.decode()


def _deal(owner, name, *, customer="顺达物流", stage="proposal"):
    with organization_scope(owner.organization_id):
        account = Account.objects.filter(name=customer).first() or (
            accounts_services.account_create(
                actor=owner.user,
                name=customer,
                owner=owner.user,
                industry="logistics",
                size="medium",
            )
        )
        deal = opportunities_services.opportunity_create(
            actor=owner.user,
            account=account,
            name=name,
            owner=owner.user,
            amount=Decimal("1000"),
            expected_close_date=timezone.localdate() + dt.timedelta(days=30),
            stage=Stage.objects.get(code="proposal"),
        )
        if stage != "proposal":
            extra = {"lost_reason": "price"} if stage == "lost" else {}
            opportunities_services.opportunity_move(
                opportunity=deal, stage=Stage.objects.get(code=stage), actor=owner.user, **extra
            )
        return deal


def test_asset_page_query_count_does_not_grow_with_uses_or_open_deals(
    client_for, rep, mkt, make_asset, django_assert_num_queries
):
    from enablement.usage import services

    asset = make_asset(mkt)
    client = client_for(rep.user)
    client.get(_url("asset", asset.pk))
    with django_assert_num_queries(9):
        client.get(_url("asset", asset.pk))
    deals = [_deal(rep, f"仓储扩容 {i}") for i in range(12)]
    with organization_scope(rep.organization_id):
        for d in deals:
            services.asset_use_record(actor=rep, asset=asset, opportunity=d)
    with django_assert_num_queries(9):
        page = client.get(_url("asset", asset.pk)).text
    # The ten latest uses, and the way to all of them.
    assert page.count('class="chip">提案') + page.count('class="chip">Proposal') == 10
    assert _url("asset_uses", asset.pk) in page
    # No deal list rides with the page: the picker asks when it is used.
    assert 'name="opportunity"' not in page and _url("asset_deals", asset.pk) in page


def test_all_uses_page_lists_every_use_a_page_at_a_time(
    client_for, rep, mkt, make_asset, outsider, monkeypatch, django_assert_num_queries
):
    from enablement.usage import services, views

    asset = make_asset(mkt)
    deals = [_deal(rep, f"门店会员 {i:02}") for i in range(5)]
    with organization_scope(rep.organization_id):
        for d in deals:
            services.asset_use_record(actor=rep, asset=asset, opportunity=d)
    monkeypatch.setattr(views, "USES_PER_PAGE", 3)
    client = client_for(mkt.user)
    client.get(_url("asset_uses", asset.pk))
    with django_assert_num_queries(6):  # the asset, the count, the uses (+ user, membership, bell)
        first = client.get(_url("asset_uses", asset.pk)).text
    second = client.get(_url("asset_uses", asset.pk), {"page": 2}).text
    shown = [d.name for d in deals if d.name in first]
    assert len(shown) == 3 and all(d.name in second for d in deals if d.name not in shown)
    assert "?page=2" in first
    assert client_for(outsider).get(_url("asset_uses", asset.pk)).status_code == 404


def test_deal_picker_offers_own_open_deals_then_searches_what_the_rep_may_see(
    client_for, rep, rep2, mkt, make_asset, django_assert_num_queries
):
    from enablement.usage import services

    asset = make_asset(mkt)
    mine = _deal(rep, "核心系统升级", customer="华信银行")
    used = _deal(rep, "数据中台二期", customer="华信银行")
    closed = _deal(rep, "旧报表项目", customer="华信银行", stage="won")
    theirs = _deal(rep2, "华信银行分行试点", customer="华信银行")
    with organization_scope(rep.organization_id):
        services.asset_use_record(actor=rep, asset=asset, opportunity=used)
    client = client_for(rep.user)
    client.get(_url("asset_deals", asset.pk))
    with django_assert_num_queries(5):  # the asset, the deals (+ session, membership)
        own = client.get(_url("asset_deals", asset.pk)).text
    assert mine.name in own and used.name in own
    assert closed.name not in own and theirs.name not in own
    assert own.index(used.name) < own.index(mine.name)  # the latest touched first
    assert own.count('class="chip"') == 1
    assert own.index('class="chip"') > own.index(used.name) and own.index(mine.name) > own.index(
        'class="chip"'
    )
    # A customer's name finds the rep's deals there; another rep's stay hidden.
    found = client.get(_url("asset_deals", asset.pk), {"q": "华信"}).text
    assert mine.name in found and theirs.name not in found and closed.name not in found
    assert 'id="use-none"' in client.get(_url("asset_deals", asset.pk), {"q": "不存在"}).text


def test_deal_picker_trio(client_for, rep, rep2, mkt, make_asset, outsider, deal):
    asset = make_asset(mkt)
    draft = make_asset(mkt, "草稿", publish=False)
    assert deal.name in client_for(rep.user).get(_url("asset_deals", asset.pk)).text
    # A teammate does not see another rep's deal, even by its name.
    teammate = client_for(rep2.user).get(_url("asset_deals", asset.pk), {"q": deal.name})
    assert teammate.status_code == 200 and 'id="use-none"' in teammate.text
    assert client_for(rep.user).get(_url("asset_deals", draft.pk)).status_code == 404
    assert client_for(outsider).get(_url("asset_deals", asset.pk)).status_code == 404


def test_asset_page_lists_the_latest_uses_and_says_so(
    client_for, rep, mkt, make_asset, deal, monkeypatch
):
    from collab.tenancy import organization_scope
    from enablement.usage import services, views

    asset = make_asset(mkt)
    with organization_scope(rep.organization_id):
        services.asset_use_record(actor=rep, asset=asset, opportunity=deal)
        services.asset_use_record(actor=rep, asset=asset, account=deal.account)
    client = client_for(rep.user)
    assert 'id="more-uses"' not in client.get(_url("asset", asset.pk)).content.decode()
    monkeypatch.setattr(views, "USES_SHOWN", 1)
    page = client.get(_url("asset", asset.pk)).content.decode()
    assert 'id="more-uses"' in page and _url("asset_uses", asset.pk) in page


def test_retired_asset_link_resolves_with_a_notice(client_for, rep, mkt, make_asset):
    asset = make_asset(mkt)
    client_for(mkt.user).post(_url("asset_action", asset.pk, "retire"))
    page = client_for(rep.user).get(_url("asset", asset.pk))
    assert page.status_code == 200 and 'id="retired-notice"' in page.text


def test_owner_creates_and_versions_through_the_pages(client_for, mkt, scope):
    client = client_for(mkt.user)
    response = client.post(
        _url("asset_new"),
        {
            "kind": "talk_track",
            "title_zh": "金融数据安全话术",
            "pain_points": "数据安全，合规",
            "objections": "数据放哪里？ | 私有化部署",
            "key_messages": "等保三级",
            "publish": "on",
        },
    )
    assert response.status_code == 302
    from enablement.library.models import Asset

    asset = Asset.objects.get(title_zh="金融数据安全话术")
    assert asset.pain_points == ["数据安全", "合规"] and asset.status == "published"
    bad = client.post(_url("version_new", asset.pk), {"body": "x"})
    assert bad.status_code == 200 and 'class="error"' in bad.text
    client.post(_url("version_new", asset.pk), {"body": "第二版", "change_note": "新增案例"})
    asset.refresh_from_db()
    assert asset.version == 2
    old = client.get(_url("asset", asset.pk), {"v": 1})
    assert 'id="old-version-notice"' in old.text and "私有化部署" in old.text


def test_bad_input_keeps_what_was_typed(client_for, mkt):
    page = client_for(mkt.user).post(
        _url("asset_new"), {"kind": "talk_track", "title_zh": "x", "objections": "只有问题"}
    )
    assert page.status_code == 200 and "只有问题" in page.text


def test_rep_cannot_open_new_asset_page(client_for, rep):
    assert client_for(rep.user).get(_url("asset_new")).status_code == 403


def test_file_download_is_checked_and_safe(client_for, mkt, rep, outsider):
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    with organization_scope(mkt.organization_id):
        asset = library.asset_create(
            actor=mkt,
            fields=library.AssetFields(kind="industry_report", title_zh="报告"),
            content=library.VersionContent(files=[pdf]),
            publish=True,
        )
        file_id = asset.versions.get().files.get().pk
    response = client_for(rep.user).get(_url("file", file_id))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(outsider).get(_url("file", file_id)).status_code == 404


def test_rep_records_use_on_a_deal(client_for, rep, mkt, deal, make_asset, scope):
    asset = make_asset(mkt)
    client_for(rep.user).post(_url("asset_use", asset.pk), {"opportunity": deal.pk})
    assert AssetUse.objects.filter(asset=asset, opportunity=deal).exists()
    page = client_for(rep.user).get(_url("asset", asset.pk))
    assert deal.name in page.text


def test_fulfil_from_the_request_page(client_for, org, rep, head_mkt, scope):
    req = request_file(
        actor=rep,
        request_type=request_type(org, "mkt_talk_track"),
        priority="normal",
        title="医疗行业数据安全话术",
        extra={"scenario": "医院"},
    )
    client = client_for(head_mkt.user)
    request_page = client.get(reverse("requests_sla:detail", args=[req.pk]))
    assert _url("fulfil", req.pk) in request_page.text
    assert client_for(rep.user).get(_url("fulfil", req.pk)).status_code == 403
    client = client_for(head_mkt.user)
    response = client.post(
        _url("fulfil", req.pk),
        {"mode": "new", "new-kind": "talk_track", "new-title_zh": "医疗数据安全话术"},
    )
    assert response.status_code == 302
    link = AssetFulfilment.objects.get(request=req)
    rep_view = client_for(rep.user).get(reverse("requests_sla:detail", args=[req.pk]))
    assert link.asset.get_absolute_url() in rep_view.text
    assert req.reference in client_for(rep.user).get(link.asset.get_absolute_url()).text


def test_deal_page_lists_used_assets_and_suggests_matching_ones(
    client_for, rep, mkt, deal, make_asset, scope
):
    used = make_asset(mkt, "已用的话术")
    make_asset(mkt, "金融行业报告", kind="industry_report", industry="finance")
    make_asset(mkt, "医疗行业报告", kind="industry_report", industry="healthcare")
    make_asset(mkt, "报价阶段以外", stages=["lead"])
    client_for(rep.user).post(_url("asset_use", used.pk), {"opportunity": deal.pk})
    page = client_for(rep.user).get(reverse("pipeline:opportunity_detail", args=[deal.pk]))
    panel = page.text[page.text.index('id="assets"') :]
    assert "已用的话术" in panel and "金融行业报告" in panel
    assert "医疗行业报告" not in panel and "报价阶段以外" not in panel
    assert panel.index("金融行业报告") > panel.index("已用的话术")


def test_asset_page_shows_the_asked_version_with_its_own_body_sections_and_files(
    client_for, rep, mkt, scope
):
    """The shown version is read with the list of versions (its body picked
    by the query): an old one shows its own text and files, not the current's."""
    pdf = SimpleUploadedFile("v1.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    asset = library.asset_create(
        actor=mkt,
        fields=library.AssetFields(kind="talk_track", title_zh="版本资料"),
        content=library.VersionContent(
            body="第一版正文", sections={"key_messages": ["第一版要点"]}, files=[pdf]
        ),
        publish=True,
    )
    library.asset_version_publish(
        actor=mkt,
        asset=asset,
        content=library.VersionContent(body="第二版正文", change_note="重写"),
    )
    client = client_for(rep.user)
    current = client.get(_url("asset", asset.pk)).text
    assert "第二版正文" in current and "第一版正文" not in current and "第一版要点" not in current
    assert "v1.pdf" not in current and "重写" in current
    old = client.get(_url("asset", asset.pk), {"v": 1}).text
    assert "第一版正文" in old and "第一版要点" in old and "v1.pdf" in old
    assert "第二版正文" not in old and 'id="old-version-notice"' in old
    assert client.get(_url("asset", asset.pk), {"v": 9}).status_code == 404
