"""The request pages' side of the customer/deal link and the watchers box.

The pipeline app registers the picker and the link display with
``requests_sla.catalog.links``; these tests drive the pages as a person would.
"""

import pytest
from django.urls import reverse

from collab.tenancy import organization_scope
from pipeline.accounts import services as accounts_services
from pipeline.opportunities import services as opportunities_services
from requests_sla.catalog.links import LinkIds, links_of, links_overridden
from requests_sla.requests.models import Request
from requests_sla.tests.factories import file_tech_support, person, request_type


@pytest.fixture
def zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.fixture
def deal(org, rep):
    with organization_scope(org.id):
        account = accounts_services.account_create(
            actor=rep.user, name="华信精密", industry="manufacturing", size="large", owner=rep.user
        )
        return opportunities_services.opportunity_create(
            actor=rep.user,
            account=account,
            name="ERP 升级",
            owner=rep.user,
            amount=100,
            expected_close_date=account.created_at.date(),
        )


@pytest.fixture
def foreign_deal(other_org, outsider):
    with organization_scope(other_org.id):
        account = accounts_services.account_create(
            actor=outsider, name="Foreign", industry="retail", size="small", owner=outsider
        )
        return opportunities_services.opportunity_create(
            actor=outsider,
            account=account,
            name="Foreign Deal",
            owner=outsider,
            amount=1,
            expected_close_date=account.created_at.date(),
        )


FORM = {"title": "参数确认", "priority": "normal", "x-customer_name": "华信"}


# --- filing ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_filing_form_has_one_customer_deal_field_instead_of_raw_ids(client_for, rep, org, zh):
    body = (
        client_for(rep.user)
        .get(reverse("requests_sla:file", args=[request_type(org, "rnd_tech_support").pk]))
        .content.decode()
    )
    assert "客户/商机" in body and 'id="link-q"' in body
    assert reverse("pipeline:link_lookup") in body
    assert 'name="x-opportunity"' not in body  # the type's raw id field is folded in


@pytest.mark.django_db
def test_new_request_for_a_deal_carries_the_deal_into_the_form(client_for, rep, org, deal):
    client = client_for(rep.user)
    link = f"opportunity:{deal.pk}"
    step_one = client.get(reverse("requests_sla:new"), {"link": link}).content.decode()
    tech = request_type(org, "rnd_tech_support")
    assert (
        f"{reverse('requests_sla:file', args=[tech.pk])}?link=opportunity%3A{deal.pk}" in step_one
    )
    form = client.get(reverse("requests_sla:file", args=[tech.pk]), {"link": link}).content
    assert f'name="link" value="{link}"' in form.decode() and "ERP 升级" in form.decode()


@pytest.mark.django_db
def test_filing_through_the_page_links_the_deal_and_its_account(client_for, rep, org, deal):
    tech = request_type(org, "rnd_tech_support")
    response = client_for(rep.user).post(
        reverse("requests_sla:file", args=[tech.pk]), {**FORM, "link": f"opportunity:{deal.pk}"}
    )
    filed = Request.unscoped.get(organization=org)
    assert response.status_code == 302
    with organization_scope(org.id):
        assert links_of(filed) == LinkIds(deal.account_id, deal.pk)
    assert filed.extra["opportunity"] == deal.pk


@pytest.mark.django_db
def test_the_customer_name_is_answered_by_the_link_and_marked_to_hide(client_for, rep, org, deal):
    tech = request_type(org, "rnd_tech_support")
    client = client_for(rep.user)
    page = client.get(reverse("requests_sla:file", args=[tech.pk])).content.decode()
    assert 'name="x-customer_name"' in page and 'data-from-link="customer"' in page
    form = {k: v for k, v in FORM.items() if k != "x-customer_name"}
    response = client.post(
        reverse("requests_sla:file", args=[tech.pk]), {**form, "link": f"opportunity:{deal.pk}"}
    )
    assert response.status_code == 302
    filed = Request.unscoped.get(organization=org)
    assert filed.extra["customer_name"] == "华信精密"  # the deal's account, not typed twice
    # Without a link the field is still asked for.
    response = client.post(reverse("requests_sla:file", args=[tech.pk]), form)
    assert response.status_code == 200 and Request.unscoped.filter(organization=org).count() == 1


@pytest.mark.django_db
def test_the_key_account_complaint_asks_for_the_complaint_once(client_for, rep, org):
    complaint = request_type(org, "cs_key_account_complaint")
    client = client_for(rep.user)
    page = client.get(reverse("requests_sla:file", args=[complaint.pk])).content.decode()
    assert 'name="x-complaint"' in page and 'name="description"' not in page
    response = client.post(
        reverse("requests_sla:file", args=[complaint.pk]),
        {
            "title": "系统宕机",
            "priority": "normal",
            "x-customer_name": "华信精密",
            "x-contact": "李工",
            "x-complaint": "上午系统宕机两小时",
        },
    )
    assert response.status_code == 302
    filed = Request.unscoped.get(organization=org)
    assert filed.description == "上午系统宕机两小时"


@pytest.mark.django_db
@pytest.mark.parametrize("link", ["opportunity:{foreign}", "account:{foreign_account}", "bogus:1"])
def test_a_foreign_or_bad_link_is_a_form_error_that_keeps_the_input(
    client_for, rep, org, foreign_deal, link, zh
):
    link = link.format(foreign=foreign_deal.pk, foreign_account=foreign_deal.account_id)
    tech = request_type(org, "rnd_tech_support")
    response = client_for(rep.user).post(
        reverse("requests_sla:file", args=[tech.pk]), {**FORM, "link": link}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["link"]
    body = response.content.decode()
    assert 'value="参数确认"' in body and "Foreign" not in body
    assert not Request.unscoped.filter(organization=org).exists()


@pytest.mark.django_db
def test_a_required_link_field_is_asked_for_on_the_one_field(client_for, rep, org, zh):
    rtype = request_type(org, "cs_key_account_complaint")
    with organization_scope(org.id):
        schema = [dict(f, required=True) if f["key"] == "account" else f for f in rtype.form_schema]
        rtype.form_schema = schema
        rtype.save()
    response = client_for(rep.user).post(
        reverse("requests_sla:file", args=[rtype.pk]),
        {
            "title": "投诉",
            "priority": "normal",
            "x-customer_name": "华信",
            "x-contact": "李",
            "x-complaint": "导出失败",
        },
    )
    assert response.context["form"].errors["link"] == ["此项为必填项。"]


@pytest.mark.django_db
def test_without_the_pipeline_templates_the_types_own_id_fields_are_shown(client_for, rep, org):
    tech = request_type(org, "rnd_tech_support")
    with links_overridden(picker="", display=""):
        body = client_for(rep.user).get(reverse("requests_sla:file", args=[tech.pk])).content
    assert b'name="x-opportunity"' in body and b'id="link-q"' not in body


# --- the request page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_request_page_shows_the_linked_deal_and_account_with_links(
    client_for, rep, head_rnd, deal, zh
):
    filed = file_tech_support(rep, opportunity_id=deal.pk)
    url = reverse("requests_sla:detail", args=[filed.pk])
    body = client_for(rep.user).get(url).content.decode()
    assert reverse("pipeline:opportunity_detail", args=[deal.pk]) in body and "ERP 升级" in body
    assert reverse("pipeline:account_detail", args=[deal.account_id]) in body
    assert "关联商机编号" not in body  # no bare id row
    # R&D serves the request and sees the names, without links it could not open.
    body = client_for(head_rnd.user).get(url).content.decode()
    assert "ERP 升级" in body and "华信精密" in body
    assert reverse("pipeline:opportunity_detail", args=[deal.pk]) not in body


# --- watchers ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_requester_adds_and_removes_a_teammate_in_place(client_for, rep, rep2, zh):
    filed = file_tech_support(rep)
    client = client_for(rep.user)
    url = reverse("requests_sla:watchers", args=[filed.pk])
    body = client.get(reverse("requests_sla:detail", args=[filed.pk])).content.decode()
    assert f'<option value="{rep2.user_id}">' in body
    added = client.post(url, {"op": "add", "user": rep2.user_id}, HTTP_HX_REQUEST="true")
    assert added.status_code == 200 and "<html" not in added.content.decode()
    assert "Rep2" in added.content.decode() and "已添加关注人" in added.content.decode()
    assert list(Request.unscoped.get(pk=filed.pk).watchers.all()) == [rep2.user]
    client.post(url, {"op": "remove", "user": rep2.user_id}, HTTP_HX_REQUEST="true")
    assert not Request.unscoped.get(pk=filed.pk).watchers.exists()


@pytest.mark.django_db
def test_a_watcher_may_unwatch_but_not_add_others(client_for, rep, rep2, org):
    filed = file_tech_support(rep, watchers=[rep2.user])
    third = person(org, username="rep3")
    client = client_for(rep2.user)
    url = reverse("requests_sla:watchers", args=[filed.pk])
    assert client.post(url, {"op": "add", "user": third.user_id}).status_code == 403
    assert client.post(url, {"op": "remove"}).status_code == 302  # themselves
    assert not Request.unscoped.get(pk=filed.pk).watchers.exists()


@pytest.mark.django_db
def test_watchers_tenancy_outsiders_get_404_and_foreign_people_cannot_be_added(
    client_for, rep, outsider, zh
):
    filed = file_tech_support(rep)
    url = reverse("requests_sla:watchers", args=[filed.pk])
    assert client_for(outsider).post(url, {"op": "add"}).status_code == 404
    response = client_for(rep.user).post(
        url, {"op": "add", "user": outsider.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "关注人必须是本企业成员" in response.content.decode()
    assert not Request.unscoped.get(pk=filed.pk).watchers.exists()


@pytest.mark.django_db
def test_the_link_is_kept_by_the_registered_store_and_read_back_through_it(rep, org, deal):
    saved, asked = [], []

    def save(request, *, account_id, opportunity_id):
        saved.append((request.pk, account_id, opportunity_id))

    def read(requests):
        asked.append([r.pk for r in requests])
        return {r.pk: LinkIds(7, 8) for r in requests}

    with links_overridden(checks={}, store={"save": save, "read": read}):
        filed = file_tech_support(rep, account_id=7, opportunity_id=8)
        assert saved == [(filed.pk, 7, 8)] and filed.link_ids == LinkIds(7, 8)
        with organization_scope(org.id):
            fresh = Request.objects.get(pk=filed.pk)
            assert links_of(fresh) == LinkIds(7, 8) and links_of(fresh) == LinkIds(7, 8)
        assert asked == [[filed.pk]]  # read once, then carried
    # With no store, links are checked but not kept: every request reads unlinked.
    with links_overridden(checks={}, store={}):
        unkept = file_tech_support(rep, account_id=7)
        with organization_scope(org.id):
            assert not links_of(Request.objects.get(pk=unkept.pk))


@pytest.mark.django_db
def test_the_service_fills_the_customer_name_from_the_link_for_api_callers(rep, org, deal):
    filed = file_tech_support(rep, extra={"product_version": "v3"}, opportunity_id=deal.pk)
    assert filed.extra["customer_name"] == "华信精密"
