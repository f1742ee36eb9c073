"""Tenancy of the enablement writes that look rows up by name or by
department, and of the library's capped count: another organization's
account of the same name is never matched to a response, a release course
enrols the Business department of its own organization only, and a search's
count (capped, read through raw SQL) counts this organization's assets."""

import datetime as dt
from decimal import Decimal

import pytest

from collab.tenancy import organization_scope
from departments.roles import Role
from enablement.campaigns import responses_import
from enablement.campaigns import services as campaigns
from enablement.library import selectors as library
from enablement.models import CampaignResponse, Enrolment
from enablement.training import services as training
from pipeline.accounts import services as accounts
from pricing.tests.helpers import make_bundle, make_catalog
from requests_sla.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def their_account(other_org, outsider):
    """An account of the other organization named like a company of ours."""
    with organization_scope(other_org.id):
        return accounts.account_create(
            actor=outsider, name="远方科技", owner=outsider, industry="finance", size="large"
        )


def _campaign(mkt):
    with organization_scope(mkt.organization_id):
        return campaigns.campaign_save(
            actor=mkt,
            fields=campaigns.CampaignFields(
                kind="event",
                title_zh="发布会",
                starts_on=dt.date(2026, 9, 1),
                ends_on=dt.date(2026, 9, 2),
                budget=Decimal("100"),
            ),
        )


def test_responses_never_match_another_organizations_account(org, mkt, their_account):
    campaign = _campaign(mkt)
    with organization_scope(org.id):
        entered = campaigns.response_record(
            actor=mkt,
            campaign=campaign,
            fields=campaigns.ResponseFields(
                "registration", dt.date(2026, 9, 1), "张伟", "", "远方科技"
            ),
        )
        imported = responses_import.responses_import(
            actor=mkt,
            campaign=campaign,
            data="类型,日期,姓名,公司\n参加,2026-09-01,李四,远方科技\n".encode("gb18030"),
        )
        assert campaigns.accounts_by_name(["远方科技"]) == {}
    assert entered.account_id is None and imported[0].account_id is None
    assert CampaignResponse.unscoped.filter(account=their_account).count() == 0


def test_a_release_course_enrols_its_own_business_department_only(org, other_org, rep, rep2):
    head_pm = person(org, Role.DEPT_HEAD, "product", "head-pm")
    theirs = person(other_org, Role.SALES_REP, "business", "their-rep")
    products = make_catalog(head_pm, effective_from=dt.date(2026, 1, 1))["products"]
    bundle = make_bundle(
        head_pm, products, starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31)
    )
    with organization_scope(org.id):
        course = training.course_for_release(actor=head_pm, bundle=bundle)
    enrolled = Enrolment.unscoped.filter(course=course)
    assert {rep.user_id, rep2.user_id} <= set(enrolled.values_list("user_id", flat=True))
    assert not enrolled.filter(user_id=theirs.user_id).exists()
    assert set(enrolled.values_list("organization_id", flat=True)) == {org.id}
    assert not Enrolment.unscoped.filter(organization=other_org).exists()


def test_the_capped_search_count_is_this_organizations(
    org, other_org, mkt, make_asset, monkeypatch
):
    their_mkt = person(other_org, Role.DEPT_MEMBER, "marketing", "their-mkt")
    monkeypatch.setattr(library, "MAX_RESULTS", 3)
    make_asset(mkt, "数据安全话术工具包")
    make_asset(mkt, "数据安全白皮书", kind="industry_report")
    for n in range(4):
        make_asset(their_mkt, f"数据安全方案 {n}", kind="solution_page")
    with organization_scope(org.id):
        found = library.library_search(mkt, library.LibraryFilters(q="数据安全"))
        assert found.count() == 2
        assert sorted(a.title_zh for a in found) == ["数据安全白皮书", "数据安全话术工具包"]
    with organization_scope(other_org.id):
        theirs = library.library_search(their_mkt, library.LibraryFilters(q="数据安全"))
        assert theirs.count() == 3  # capped at MAX_RESULTS, their four
