"""Fulfilment from a request, use on deals, new-version notices, effectiveness."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from collab.errors import ServiceError
from collab.money import Money
from collab.tenancy import organization_scope
from enablement.library import services as library
from enablement.usage import selectors, services
from enablement.usage.models import AssetFulfilment, AssetUse
from pipeline.models import Stage
from pipeline.opportunities import services as opportunities_services
from requests_sla.models import Notification, Request
from requests_sla.requests.services import request_file
from requests_sla.tests.factories import request_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk_track_request(org, rep):
    with organization_scope(org.id):
        return request_file(
            actor=rep,
            request_type=request_type(org, "mkt_talk_track"),
            priority="normal",
            title="医疗行业“数据安全”话术工具包",
            extra={"scenario": "医院客户担心病历数据外泄"},
        )


def _content(**kw):
    kw.setdefault("change_note", "")
    return library.VersionContent(**kw)


def test_head_mkt_fulfils_a_talk_track_request_with_a_new_toolkit(
    org, rep, head_mkt, talk_track_request
):
    fields = library.AssetFields(
        kind="talk_track", title_zh="医疗数据安全话术", pain_points=["数据安全"]
    )
    with organization_scope(org.id):
        link = services.request_fulfil(
            actor=head_mkt, request=talk_track_request, fields=fields, content=_content(body="正文")
        )
        request = Request.objects.get(pk=talk_track_request.pk)
        assert request.status == "resolved"
        assert "医疗数据安全话术" in request.status_reason
        assert link.asset.status == "published" and link.version == 1
        notes = Notification.objects.filter(recipient=rep.user, kind="asset_ready")
        assert [n.link for n in notes] == [link.asset.get_absolute_url()]
        assert list(selectors.fulfilments_of_request(request)) == [link]


def test_fulfilling_with_a_new_version_links_that_version(
    org, head_mkt, talk_track_request, make_asset
):
    asset = make_asset(head_mkt, "数据安全话术")
    with organization_scope(org.id):
        link = services.request_fulfil(
            actor=head_mkt,
            request=talk_track_request,
            asset=asset,
            content=_content(body="v2", change_note="加入医疗行业异议"),
        )
    assert link.version == 2


def test_rep_cannot_fulfil_and_nothing_is_written(org, rep, talk_track_request):
    fields = library.AssetFields(kind="talk_track", title_zh="x")
    with organization_scope(org.id):
        with pytest.raises((PermissionDenied, ServiceError)):
            services.request_fulfil(
                actor=rep, request=talk_track_request, fields=fields, content=_content()
            )
        assert not AssetFulfilment.objects.exists()
        assert Request.objects.get(pk=talk_track_request.pk).status == "new"


def test_a_technical_request_is_not_fulfilled_by_an_asset(org, rep, head_mkt):
    from requests_sla.tests.factories import file_tech_support

    tech = file_tech_support(rep)
    fields = library.AssetFields(kind="talk_track", title_zh="x")
    with organization_scope(org.id), pytest.raises(ServiceError):
        services.request_fulfil(actor=head_mkt, request=tech, fields=fields, content=_content())


def test_rep_records_use_once_and_hears_of_a_new_version(org, rep, mkt, deal, make_asset):
    asset = make_asset(mkt)
    with organization_scope(org.id):
        first = services.asset_use_record(actor=rep, asset=asset, opportunity=deal)
        again = services.asset_use_record(actor=rep, asset=asset, opportunity=deal)
        assert first.pk == again.pk and first.account_id == deal.account_id
        library.asset_version_publish(
            actor=mkt, asset=asset, content=_content(change_note="新增两条证明材料")
        )
        notes = list(Notification.objects.filter(recipient=rep.user, kind="asset_version"))
        assert len(notes) == 1 and notes[0].params["note"] == "新增两条证明材料"


def test_no_notice_for_a_deal_already_closed(org, rep, mkt, deal, make_asset):
    asset = make_asset(mkt)
    with organization_scope(org.id):
        services.asset_use_record(actor=rep, asset=asset, opportunity=deal)
        opportunities_services.opportunity_move(
            opportunity=deal, stage=Stage.objects.get(code="won"), actor=rep.user
        )
        library.asset_version_publish(actor=mkt, asset=asset, content=_content(change_note="x"))
        assert not Notification.objects.filter(kind="asset_version").exists()


def test_use_needs_a_published_asset_and_a_visible_deal(org, rep, rep2, mkt, deal, make_asset):
    draft = make_asset(mkt, publish=False)
    published = make_asset(mkt, "另一个")
    with organization_scope(org.id):
        with pytest.raises(ServiceError):
            services.asset_use_record(actor=rep, asset=draft, opportunity=deal)
        with pytest.raises(ServiceError) as exc:
            services.asset_use_record(actor=rep2, asset=published, opportunity=deal)
        assert exc.value.field == "opportunity"
        assert not AssetUse.objects.exists()


@pytest.fixture
def hand_case(org, rep, mkt, make_asset):
    """Used on 3 deals: 2 won (300k + 200k), 1 lost → 66.67 %. The
    organization closed 5 deals since: 2 won, 3 lost → 40.00 %."""
    from pipeline.accounts import services as accounts_services

    asset = make_asset(mkt)
    with organization_scope(org.id):
        account = accounts_services.account_create(
            actor=rep.user, name="客户甲", owner=rep.user, industry="finance", size="large"
        )
        stages = {s.code: s for s in Stage.objects.all()}
        deals = []
        for i, amount in enumerate(["300000", "200000", "50000", "10000", "20000"]):
            deals.append(
                opportunities_services.opportunity_create(
                    actor=rep.user,
                    account=account,
                    name=f"D{i}",
                    owner=rep.user,
                    amount=Decimal(amount),
                    expected_close_date=dt.date(2030, 1, 1),
                )
            )
        for d in deals[:3]:
            services.asset_use_record(actor=rep, asset=asset, opportunity=d)
        for d, code in zip(deals, ["won", "won", "lost", "lost", "lost"], strict=True):
            extra = {"lost_reason": "price"} if code == "lost" else {}
            opportunities_services.opportunity_move(
                opportunity=d, stage=stages[code], actor=rep.user, **extra
            )
    return asset


def test_effectiveness_on_a_hand_computed_case(org, hand_case, django_assert_num_queries):
    with organization_scope(org.id), django_assert_num_queries(1):
        figures = selectors.effectiveness(hand_case)
    assert (figures.deals, figures.won, figures.lost) == (3, 2, 1)
    assert figures.win_rate == Decimal("66.67")
    assert figures.org_win_rate == Decimal("40.00")
    assert figures.revenue == [Money(Decimal("500000.00"), "CNY")]


def test_effectiveness_counts_only_the_organizations_own_deals(org, hand_case, outsider_membership):
    """The figures' SQL is written out (one query): another organization's
    deals, closed after the first use, change nothing."""
    from pipeline.accounts import services as accounts_services

    other = outsider_membership
    with organization_scope(other.organization_id):
        account = accounts_services.account_create(
            actor=other.user, name="客户乙", owner=other.user, industry="finance", size="large"
        )
        for _ in range(3):
            foreign = opportunities_services.opportunity_create(
                actor=other.user,
                account=account,
                name="外企业的单",
                owner=other.user,
                amount=Decimal("1"),
                expected_close_date=dt.date(2030, 1, 1),
            )
            opportunities_services.opportunity_move(
                opportunity=foreign, stage=Stage.objects.get(code="won"), actor=other.user
            )
    with organization_scope(org.id):
        figures = selectors.effectiveness(hand_case)
    assert (figures.deals, figures.won, figures.lost) == (3, 2, 1)
    assert figures.org_win_rate == Decimal("40.00")


def test_effectiveness_of_an_asset_used_on_an_account_only(org, rep, mkt, make_asset, deal):
    """No deal of its own, but a first use: the organization's rate since."""
    asset = make_asset(mkt, "只用于客户")
    with organization_scope(org.id):
        services.asset_use_record(actor=rep, asset=asset, account=deal.account)
        opportunities_services.opportunity_move(
            opportunity=deal, stage=Stage.objects.get(code="won"), actor=rep.user
        )
        figures = selectors.effectiveness(asset)
    assert (figures.deals, figures.won, figures.win_rate, figures.revenue) == (0, 0, None, [])
    assert figures.since is not None and figures.org_win_rate == Decimal("100.00")


def test_effectiveness_of_an_unused_asset_is_empty_in_one_query(
    org, mkt, make_asset, django_assert_num_queries
):
    asset = make_asset(mkt, "没人用过")
    # One (was two): the first use is read with the deals, none or not.
    with organization_scope(org.id), django_assert_num_queries(1):
        figures = selectors.effectiveness(asset)
    assert (figures.deals, figures.won, figures.lost, figures.revenue) == (0, 0, 0, [])
    assert figures.since is None and figures.win_rate is None and figures.org_win_rate is None


def test_effectiveness_counts_revenue_in_the_deals_currency(org, rep, mkt, make_asset, deal):
    asset = make_asset(mkt, "外币资料")
    with organization_scope(org.id):
        services.asset_use_record(actor=rep, asset=asset, opportunity=deal)
        deal.currency = "USD"
        deal.save(update_fields=["currency"])
        opportunities_services.opportunity_move(
            opportunity=deal, stage=Stage.objects.get(code="won"), actor=rep.user
        )
        figures = selectors.effectiveness(asset)
    assert (figures.deals, figures.won, figures.win_rate) == (1, 1, Decimal("100.00"))
    assert figures.revenue == [Money(Decimal("500000.00"), "USD")]
    assert figures.since is not None and figures.org_win_rate == Decimal("100.00")


def test_library_report_gives_the_same_figures_and_exports(
    org, hand_case, client_for, rep, django_assert_num_queries
):
    from enablement.usage import report

    with organization_scope(org.id), django_assert_num_queries(4):
        rows = report.library_report()
    (row,) = rows
    assert (row.deals, row.won, row.lost) == (3, 2, 1)
    assert (row.win_rate, row.org_win_rate) == (Decimal("66.67"), Decimal("40.00"))
    assert row.revenue == [Money(Decimal("500000.00"), "CNY")]
    csv = client_for(rep.user).get("/enablement/report/?format=csv")
    assert csv.status_code == 200 and "66.67" in csv.content.decode("utf-8-sig")
    assert client_for(rep.user).get("/enablement/report/?format=xlsx").status_code == 200
