"""Campaigns: planning, responses (entered and imported all-or-nothing),
a response becoming a lead, and the lead's deal won counting as the
campaign's revenue."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from collab.errors import ServiceError
from collab.money import Money
from collab.tenancy import organization_scope
from enablement.campaigns import responses_import, selectors, services
from enablement.models import CampaignResponse
from pipeline.leads.services import lead_convert
from pipeline.models import Lead, LeadSource, Stage
from pipeline.opportunities.services import opportunity_move

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 10, 1)


def plan(actor, **kw):
    fields = services.CampaignFields(
        kind=kw.pop("kind", "webinar"),
        title_zh=kw.pop("title_zh", "金融数据安全研讨会"),
        starts_on=kw.pop("starts_on", TODAY),
        ends_on=kw.pop("ends_on", TODAY + dt.timedelta(days=1)),
        budget=kw.pop("budget", Decimal("30000")),
        **kw,
    )
    with organization_scope(actor.organization_id):
        return services.campaign_save(actor=actor, fields=fields)


def respond(actor, campaign, company="华信银行", name="张伟"):
    with organization_scope(actor.organization_id):
        return services.response_record(
            actor=actor,
            campaign=campaign,
            fields=services.ResponseFields("attendance", TODAY, name, company=company),
        )


def test_campaign_lead_deal_and_won_revenue_are_attributed(org, mkt, rep, deal):
    campaign = plan(mkt, target_accounts=[deal.account_id])
    response = respond(mkt, campaign, company=deal.account.name)
    other = respond(mkt, campaign, company="不认识的公司", name="Guest")
    assert response.account_id == deal.account_id and other.account_id is None
    with organization_scope(org.id):
        response = services.response_to_lead(
            actor=mkt, response=response, estimated_amount=Decimal("200000")
        )
        lead = Lead.objects.get(pk=response.lead_id)
        assert lead.source == LeadSource.CAMPAIGN and lead.account_id == deal.account_id
        with pytest.raises(ServiceError):  # only once
            services.response_to_lead(actor=mkt, response=response)
        with pytest.raises(ServiceError):  # an unknown company is no lead
            services.response_to_lead(actor=mkt, response=other)
        lead = lead_convert(lead=lead, actor=rep.user)
        opportunity_move(
            opportunity=lead.opportunity, stage=Stage.objects.get(is_won=True), actor=rep.user
        )
        figures = selectors.campaign_figures(campaign)
        [row] = selectors.campaigns_report()
    assert (figures.leads, figures.deals, figures.won) == (1, 1, 1)
    assert figures.revenue == [Money(Decimal("200000.00"), "CNY")]
    assert figures.responses["attendance"] == 2
    assert figures.cost_per_lead == Decimal("30000.00")
    assert row.figures.revenue == figures.revenue and row.responses == 2


def test_only_marketing_plans_campaigns(org, rep, pm):
    for who in (rep, pm):
        with pytest.raises(PermissionDenied):
            plan(who)


def test_campaign_dates_are_checked(org, mkt):
    with pytest.raises(ServiceError) as exc:
        plan(mkt, ends_on=TODAY - dt.timedelta(days=1))
    assert exc.value.field == "ends_on"
    with pytest.raises(ServiceError):
        plan(mkt, starts_on=dt.date(1900, 1, 1))


GOOD = "类型,日期,姓名,邮箱,公司\n报名,2026-10-01,张伟,zw@example.com,华信银行\ndownload,2026-10-02,Emma,,\n"
BAD = (
    "类型,日期,姓名,邮箱,公司\n"
    "报名,2026-10-01,张伟,,华信银行\n"
    "旁听,2026-10-01,李四,,\n"
    "参加,1899-01-01,王五,,\n"
    "参加,2026-10-01,,,\n"
    "参加,2026-10-01,赵六,not-an-email,\n"
)


def test_csv_import_is_all_or_nothing_with_line_numbers(org, mkt, deal):
    campaign = plan(mkt)
    with organization_scope(org.id), translation.override("zh-hans"):
        with pytest.raises(responses_import.ImportRejected) as exc:
            responses_import.responses_import(
                actor=mkt, campaign=campaign, data=BAD.encode("utf-8")
            )
        assert CampaignResponse.objects.count() == 0
        errors = exc.value.errors
        assert [e.split("：")[0] for e in errors] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
        made = responses_import.responses_import(
            actor=mkt, campaign=campaign, data=("\ufeff" + GOOD).encode("utf-8")
        )
        assert len(made) == 2
        assert CampaignResponse.objects.get(name="张伟").account_id == deal.account_id


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe\x00\x00", "姓名\n张伟\n".encode(), b"type,date,name\n" + b"x" * 10],
)
def test_unreadable_csv_files_are_refused(org, mkt, data):
    campaign = plan(mkt)
    with organization_scope(org.id), pytest.raises(responses_import.ImportRejected):
        responses_import.responses_import(actor=mkt, campaign=campaign, data=data)


def test_campaign_page_shows_figures_and_imports(
    client, org, mkt, rep, deal, django_assert_num_queries
):
    campaign = plan(mkt)
    respond(mkt, campaign, company=deal.account.name)
    client.force_login(mkt.user)
    # the page's own 10, and the panels the apps above register
    # (enablement.panels): finance's cost (booked lines, and revenue for ROI: 3)
    with django_assert_num_queries(13):
        page = client.get(campaign.get_absolute_url())
    assert page.status_code == 200 and "张伟" in page.content.decode()
    bad = client.post(
        reverse("enablement:responses_import", args=[campaign.pk]),
        {"i-file": _upload(BAD)},
    )
    body = bad.content.decode()
    assert bad.status_code == 400 and 'id="import-errors"' in body
    assert "第 3 行" in body or "Line 3" in body  # the page speaks the user's language
    good = client.post(
        reverse("enablement:responses_import", args=[campaign.pk]), {"i-file": _upload(GOOD)}
    )
    assert good.status_code == 302
    response = CampaignResponse.unscoped.filter(campaign=campaign, lead__isnull=True).first()
    made = client.post(
        reverse("enablement:response_lead", args=[response.pk]),
        {"l-kind": "upsell", "l-estimated_amount": "1000"},
    )
    assert made.status_code == 302
    client.force_login(rep.user)
    assert client.get(reverse("enablement:campaign_new")).status_code == 403


def _upload(text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("responses.csv", text.encode("utf-8"), content_type="text/csv")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_campaigns_report_exports(client, org, mkt, fmt):
    plan(mkt)
    client.force_login(mkt.user)
    response = client.get(reverse("enablement:campaigns_report"), {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_campaign_pages_render(client, org, mkt, rep, django_assert_num_queries):
    plan(mkt)
    client.force_login(rep.user)
    for name in ("enablement:campaigns", "enablement:campaigns_report"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "金融数据安全研讨会" in response.content.decode()
