"""Requests ↔ customers and deals, from the pipeline side: the search-as-you-type
lookup, the link checks (registered with requests_sla.catalog.links), the request lists on the
opportunity and account pages, and follow-ups after a service request."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from collab import tenancy
from departments.models import Membership
from pipeline.accounts import services as accounts_services
from pipeline.followups.models import FollowUp
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import RequestLink
from pipeline.tests.factories import at
from requests_sla.catalog.links import LinkIds, links_of
from requests_sla.models import Request, RequestType
from requests_sla.requests import services as request_services


@pytest.fixture
def zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.fixture
def mine(teammate, make_account, make_opportunity):
    account = make_account(teammate, name="华信精密", is_key_account=True)
    return make_opportunity(account, name="ERP 升级", when=at(4, 1))


@pytest.fixture
def theirs(rep2, make_account, make_opportunity):
    account = make_account(rep2, name="华信物流")
    return make_opportunity(account, name="华信数据中台", when=at(4, 1))


@pytest.fixture
def foreign(other_org, outsider):
    with tenancy.organization_scope(other_org.id):
        account = accounts_services.account_create(
            actor=outsider, name="华信 Foreign", industry="retail", size="small", owner=outsider
        )
        deal = opportunities_services.opportunity_create(
            actor=outsider,
            account=account,
            name="华信 Foreign Deal",
            owner=outsider,
            amount=1,
            expected_close_date=at(6, 1).date(),
        )
    return deal


def membership(user, org):
    return Membership.unscoped.select_related("user", "organization", "department").get(
        user=user, organization=org
    )


def rtype(org, code):
    return RequestType.unscoped.select_related("serving_department").get(
        organization=org, code=code
    )


def file(org, user, code="rnd_tech_support", *, at_=None, **kwargs):
    extra = {
        "rnd_tech_support": {"customer_name": "华信", "product_version": "v3"},
        "cs_field_service": {
            "customer_name": "华信",
            "service_kind": "repair",
            "site_address": "上海",
        },
    }[code]
    with tenancy.organization_scope(org.id):
        return request_services.request_file(
            actor=membership(user, org),
            request_type=rtype(org, code),
            title=kwargs.pop("title", "参数确认"),
            extra=extra,
            at=at_,
            **kwargs,
        )


def api_for(user):
    from departments.tests.factories import token_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


# --- the lookup endpoint -----------------------------------------------------------------------


@pytest.mark.django_db
def test_lookup_lists_the_reps_own_deals_and_accounts_only(client_for, mine, theirs, foreign):
    body = client_for(mine.owner).get(reverse("pipeline:link_lookup"), {"q": "华信"}).content
    body = body.decode()
    assert "ERP 升级" in body and "华信精密" in body
    assert f"link=opportunity%3A{mine.pk}" in body and f"link=account%3A{mine.account_id}" in body
    assert "华信数据中台" not in body and "华信物流" not in body  # a colleague's
    assert "Foreign" not in body  # another organization's
    assert "<html" not in body  # a fragment for htmx


@pytest.mark.django_db
def test_lookup_without_a_query_suggests_my_open_deals(client_for, mine, theirs):
    body = client_for(mine.owner).get(reverse("pipeline:link_lookup")).content.decode()
    assert "ERP 升级" in body and "华信数据中台" not in body


@pytest.mark.django_db
def test_lookup_for_customer_success_covers_every_account_of_the_org_only(
    client_for, cs, mine, theirs, foreign
):
    body = client_for(cs).get(reverse("pipeline:link_lookup"), {"q": "华信"}).content.decode()
    assert "华信精密" in body and "华信物流" in body and "华信数据中台" in body
    assert "Foreign" not in body


@pytest.mark.django_db
def test_lookup_says_what_to_do_when_nothing_matches(client_for, mine, zh):
    body = client_for(mine.owner).get(reverse("pipeline:link_lookup"), {"q": "不存在"})
    assert "没有找到“不存在”" in body.content.decode()


@pytest.mark.django_db
def test_lookup_tenancy_outsider_sees_nothing_of_ours_and_cannot_pick_it(
    client, client_for, outsider, mine, foreign
):
    assert client.get(reverse("pipeline:link_lookup"))["Location"].startswith("/accounts/login/")
    outsider_client = client_for(outsider)
    body = outsider_client.get(reverse("pipeline:link_lookup"), {"q": "华信"}).content.decode()
    assert "华信 Foreign Deal" in body and "华信精密" not in body and "ERP 升级" not in body
    picked = outsider_client.get(
        reverse("pipeline:link_pick"), {"link": f"opportunity:{mine.pk}"}
    ).content.decode()
    assert 'name="link" value=""' in picked and "ERP 升级" not in picked


@pytest.mark.django_db
def test_picking_a_visible_deal_returns_the_chosen_field(client_for, mine):
    body = (
        client_for(mine.owner)
        .get(reverse("pipeline:link_pick"), {"link": f"opportunity:{mine.pk}"})
        .content.decode()
    )
    assert f'name="link" value="opportunity:{mine.pk}"' in body
    assert "ERP 升级" in body and "华信精密" in body


@pytest.mark.django_db
def test_lookup_query_count_does_not_grow_with_matches(
    client_for, mine, make_opportunity, django_assert_num_queries
):
    client = client_for(mine.owner)
    url = reverse("pipeline:link_lookup") + "?q=ERP"
    client.get(url)
    # user, memberships (session cached), unread notifications (bell), deals, accounts
    with django_assert_num_queries(5) as first:
        client.get(url)
    for i in range(4):
        make_opportunity(mine.account, name=f"ERP {i}")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


# --- link validation ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_filing_with_a_deal_links_its_account_too(org, mine):
    filed = file(org, mine.owner, opportunity_id=mine.pk)
    ids = filed.link_ids
    assert (ids.opportunity_id, ids.account_id) == (mine.pk, mine.account_id)
    # Kept as one row of real foreign keys, read back through the registry.
    link = RequestLink.unscoped.select_related("opportunity").get(request=filed)
    assert (link.organization_id, link.opportunity, link.account_id) == (
        org.id,
        mine,
        mine.account_id,
    )
    with tenancy.organization_scope(org.id):
        fresh = Request.objects.get(pk=filed.pk)
        assert links_of(fresh) == LinkIds(mine.account_id, mine.pk)
        unlinked = file(org, mine.owner, title="不关联")
        assert not links_of(Request.objects.get(pk=unlinked.pk))
    assert RequestLink.unscoped.filter(request=unlinked).count() == 0


@pytest.mark.django_db
def test_filing_with_a_deal_reads_each_link_once(org, mine, django_assert_num_queries):
    file(org, mine.owner, title="warm")
    actor, request_type = membership(mine.owner, org), rtype(org, "rnd_tech_support")
    # The deal with its account and the account, checked for the filer; then
    # the type's own opportunity field (filled from the link) is not looked
    # up again. Then: the calendar, the heads, the chain, the counter, the
    # request, its history row, the timers, their start events and the link.
    with tenancy.organization_scope(org.id), django_assert_num_queries(12) as captured:
        request_services.request_file(
            actor=actor,
            request_type=request_type,
            title="参数确认",
            extra={"customer_name": "华信", "product_version": "v3"},
            opportunity_id=mine.pk,
        )
    deal_reads = [q for q in captured if 'FROM "pipeline_opportunity"' in q["sql"]]
    assert len(deal_reads) == 1


@pytest.mark.django_db
def test_api_refuses_foreign_or_invisible_links_as_field_errors_and_writes_nothing(
    org, mine, theirs, foreign
):
    api = api_for(mine.owner)
    tech = rtype(org, "rnd_tech_support")
    base = {
        "request_type": tech.pk,
        "title": "参数确认",
        "extra": {"customer_name": "华信", "product_version": "v3"},
    }
    cases = [
        ({"opportunity_id": foreign.pk}, "opportunity_id"),
        ({"account_id": foreign.account_id}, "account_id"),
        ({"opportunity_id": theirs.pk}, "opportunity_id"),  # a colleague's deal
        ({"account_id": theirs.account_id}, "account_id"),
        ({"account_id": theirs.account_id, "opportunity_id": mine.pk}, "opportunity_id"),
    ]
    for extra_fields, field in cases:
        response = api.post(reverse("request-list"), {**base, **extra_fields}, format="json")
        assert response.status_code == 400, (extra_fields, response.content)
        assert list(response.json()) == [field]
    # The type's own account field is checked the same way, keyed under extra.
    response = api.post(
        reverse("request-list"),
        {**base, "extra": {**base["extra"], "opportunity": foreign.pk}},
        format="json",
    )
    assert response.status_code == 400 and "opportunity" in response.json()["extra"]
    assert not Request.unscoped.filter(organization=org).exists()

    response = api.post(reverse("request-list"), {**base, "opportunity_id": mine.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["account_id"] == mine.account_id
    assert response.json()["extra"]["opportunity"] == mine.pk  # the type's field, filled


@pytest.mark.django_db
def test_the_validators_alone_check_existence_in_the_organization(org, other_org, mine, foreign):
    from django.core.exceptions import ValidationError

    from pipeline.links import checks as links

    assert links.opportunity_check(mine.pk, organization_id=org.id) == mine.account_id
    assert links.account_check(mine.account_id, organization_id=org.id) == mine.account_id
    with pytest.raises(ValidationError):
        links.opportunity_check(foreign.pk, organization_id=org.id)
    with pytest.raises(ValidationError):
        links.account_check(foreign.account_id, organization_id=org.id)


# --- the opportunity page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_opportunity_page_lists_its_requests_with_sla_outcomes(
    client_for, org, mine, theirs, head_rnd, zh
):
    filed_at = timezone.now() - dt.timedelta(days=3)
    late = file(org, mine.owner, opportunity_id=mine.pk, title="接口参数", at_=filed_at)
    with tenancy.organization_scope(org.id):
        # Answered 30 h after filing: the 24 h response promise was missed by 6 h.
        request_services.request_start(
            request=late, actor=membership(head_rnd, org), at=filed_at + dt.timedelta(hours=30)
        )
    file(org, mine.owner, opportunity_id=mine.pk, title="还在等回复")
    file(org, theirs.owner, opportunity_id=theirs.pk, title="别人的请求")
    body = client_for(mine.owner).get(reverse("pipeline:opportunity_detail", args=[mine.pk]))
    body = body.content.decode()
    section = body[body.index('id="requests"') :]
    assert "接口参数" in section and "还在等回复" in section and "别人的请求" not in section
    row = section[section.index(f'id="linked-{late.pk}"') :][:3000]
    assert late.reference in row and "处理中" in row
    assert "超时 6小时 完成" in row  # response: breached, by how much
    assert "研发部" in row
    assert f"{reverse('requests_sla:new')}?link=opportunity:{mine.pk}" in body


@pytest.mark.django_db
def test_opportunity_page_query_count_does_not_grow_with_requests(
    client_for, org, mine, django_assert_num_queries
):
    file(org, mine.owner, opportunity_id=mine.pk)
    client = client_for(mine.owner)
    url = reverse("pipeline:opportunity_detail", args=[mine.pk])
    client.get(url)
    # user, memberships (session cached), bell, deal, stages, history, requests, timers, visible,
    # and one read per panel the apps above pipeline register (pipeline.panels): finance's
    # risk warnings and the deal's cost (its approved expenses), pricing's quotes, enablement's
    # assets used and suggested (2), roadmap's notes
    with django_assert_num_queries(15) as first:
        client.get(url)
    for i in range(4):
        file(org, mine.owner, opportunity_id=mine.pk, title=f"more {i}")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


@pytest.mark.django_db
def test_a_request_the_viewer_may_not_open_is_listed_without_a_link(
    client_for, org, mine, sales_ops
):
    filed = file(org, mine.owner, opportunity_id=mine.pk, title="内部请求")
    # Sales Ops manages the pipeline (sees the deal) but is not party to the request.
    body = client_for(sales_ops).get(reverse("pipeline:opportunity_detail", args=[mine.pk]))
    row = body.content.decode().split(f'id="linked-{filed.pk}"')[1][:1500]
    assert "内部请求" in row
    assert reverse("requests_sla:detail", args=[filed.pk]) not in row


# --- the account page: service records and follow-ups ------------------------------------------


@pytest.mark.django_db
def test_account_page_lists_customer_success_service_records_with_follow_up_action(
    client_for, org, mine, cs, zh
):
    repair = file(org, mine.owner, "cs_field_service", account_id=mine.account_id, title="设备维修")
    file(org, mine.owner, opportunity_id=mine.pk, title="研发问题")  # not after-sales
    body = client_for(cs).get(reverse("pipeline:account_detail", args=[mine.account_id]))
    body = body.content.decode()
    section = body[body.index('id="service-records"') : body.index('id="contacts"')]
    assert "设备维修" in section and "研发问题" not in section
    follow_up_url = (
        f"{reverse('pipeline:follow_up_create')}?account={mine.account_id}&amp;request={repair.pk}"
    )
    assert follow_up_url in section


@pytest.mark.django_db
def test_customer_success_records_csat_after_a_service_request(client_for, org, mine, cs):
    repair = file(org, mine.owner, "cs_field_service", account_id=mine.account_id)
    other = file(org, mine.owner, "rnd_tech_support")  # not linked to the account
    client = client_for(cs)
    url = reverse("pipeline:follow_up_create")
    form = {
        "account": mine.account_id,
        "kind": "call",
        "scheduled_for": "2025-05-01T10:00",
        "csat": "5",
        "comment": "很满意",
    }
    refused = client.post(url, {**form, "request_id": other.pk})
    assert refused.status_code == 200 and "request_id" in refused.context["form"].errors
    assert not FollowUp.unscoped.exists()
    done = client.post(url, {**form, "request_id": repair.pk})
    assert done.status_code == 302
    follow_up = FollowUp.unscoped.get()
    assert (follow_up.request_id, follow_up.csat) == (repair.pk, 5)
    page = client.get(reverse("pipeline:account_detail", args=[mine.account_id])).content.decode()
    row = page.split(f'id="linked-{repair.pk}"')[1][:2500]
    assert "5/5" in row


@pytest.mark.django_db
def test_follow_up_api_refuses_a_request_not_linked_to_the_account(org, mine, cs):
    repair = file(org, mine.owner, "cs_field_service", account_id=mine.account_id)
    other = file(org, mine.owner, "rnd_tech_support")  # not linked to the account
    body = {"account": mine.account_id, "kind": "call", "scheduled_for": "2025-05-01T10:00Z"}
    refused = api_for(cs).post("/api/follow-ups/", {**body, "request_id": other.pk})
    assert refused.status_code == 400 and "request_id" in refused.json()
    assert not FollowUp.unscoped.exists()
    done = api_for(cs).post("/api/follow-ups/", {**body, "request_id": repair.pk})
    assert done.status_code == 201 and done.json()["request_id"] == repair.pk
