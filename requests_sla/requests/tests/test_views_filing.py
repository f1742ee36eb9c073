"""Filing pages: department → type → form with the promise, then the request."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from departments.roles import Role
from requests_sla.requests.models import Request
from requests_sla.sla.models import SlaTimer
from requests_sla.tests.factories import person, request_type

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Wednesday morning: tomorrow is a working day, no holiday nearby.
WEDNESDAY_0930 = dt.datetime(2025, 3, 12, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture
def zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.mark.django_db
def test_step_one_lists_departments_with_types_and_their_promise(client_for, teammate, zh):
    body = client_for(teammate).get(reverse("requests_sla:new")).content.decode()
    assert 'id="offer-rnd"' in body and "技术支持（绿色通道）" in body
    tech = body[body.index('id="type-rnd_tech_support"') :]
    assert "回复时限：24小时" in tech[:800]
    assert "解决时限：5个工作日" in tech[:800]
    assert "回复时限：3个工作日" in body  # marketing's "feedback within 3 working days"


@pytest.mark.django_db
def test_step_one_in_english_words_the_promise_by_unit(client_for, teammate):
    body = client_for(teammate).get(reverse("requests_sla:new")).content.decode()  # org default: en
    assert "Response: 24 h" in body and "Resolution: 5 working days" in body


@pytest.mark.django_db
def test_promise_is_phrased_relative_to_now_in_the_org_timezone(client_for, teammate, org, zh):
    rtype = request_type(org, "rnd_tech_support")
    client = client_for(teammate)
    with time_machine.travel(WEDNESDAY_0930, tick=False):
        body = client.get(reverse("requests_sla:file", args=[rtype.pk])).content.decode()
        assert "明天 09:30 前回复" in body  # 24 calendar hours
        assert "3月19日 周三 18:00 前解决" in body  # 5 working days, close of business
        urgent = client.get(
            reverse("requests_sla:promise", args=[rtype.pk]), {"priority": "urgent"}
        )
    assert "今天 13:30 前回复" in urgent.content.decode()  # 4 calendar hours
    assert "<form" not in urgent.content.decode()  # a fragment for htmx


@pytest.mark.django_db
def test_promise_in_english_and_provisional_years_are_marked(client_for, teammate, org):
    rtype = request_type(org, "rnd_feasibility")
    far = dt.datetime(2031, 12, 30, 10, 0, tzinfo=SHANGHAI)  # runs into a year not yet published
    with time_machine.travel(far, tick=False):
        body = (
            client_for(teammate).get(reverse("requests_sla:file", args=[rtype.pk])).content.decode()
        )
    assert "Reply by" in body and "Resolve by" in body and "Feasibility answer by" in body
    assert "(provisional)" in body


@pytest.mark.django_db
def test_filing_creates_the_request_and_redirects_with_a_message(client_for, teammate, org, zh):
    rtype = request_type(org, "rnd_tech_support")
    response = client_for(teammate).post(
        reverse("requests_sla:file", args=[rtype.pk]),
        {
            "title": "参数确认",
            "priority": "high",
            "description": "",
            "x-customer_name": "华东电力",
            "x-opportunity": "",
        },
        follow=True,
    )
    filed = Request.unscoped.get(organization=org)
    assert response.redirect_chain[-1][0] == reverse("requests_sla:detail", args=[filed.pk])
    assert (filed.priority, filed.extra) == ("high", {"customer_name": "华东电力"})
    assert f"已提交 {filed.reference}" in response.content.decode()
    assert SlaTimer.unscoped.filter(request=filed).count() == 2


@pytest.mark.django_db
def test_filing_errors_keep_the_input_and_say_what_was_wrong(client_for, teammate, org, zh):
    rtype = request_type(org, "pm_training")  # attendees: a required number
    response = client_for(teammate).post(
        reverse("requests_sla:file", args=[rtype.pk]),
        {
            "title": "新品培训",
            "priority": "normal",
            "x-topic": "季度促销套餐",
            "x-attendees": "很多",
            "x-format": "bogus",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="新品培训"' in body and 'value="季度促销套餐"' in body and 'value="很多"' in body
    assert len(re.findall(r'class="error"', body)) >= 2
    assert "输入一个数字" in body and "bogus" in body  # each mistake is explained
    assert not Request.unscoped.filter(organization=org).exists()


@pytest.mark.django_db
def test_a_missing_required_extra_field_is_refused_by_the_shared_schema(
    client_for, teammate, org, zh
):
    rtype = request_type(org, "rnd_tech_support")
    response = client_for(teammate).post(
        reverse("requests_sla:file", args=[rtype.pk]), {"title": "x", "priority": "normal"}
    )
    assert "必填" in response.content.decode()
    assert not Request.unscoped.filter(organization=org).exists()


@pytest.mark.django_db
def test_an_outsider_cannot_open_our_request_types(client_for, outsider, org):
    rtype = request_type(org, "rnd_tech_support")
    client = client_for(outsider)
    assert client.get(reverse("requests_sla:file", args=[rtype.pk])).status_code == 404
    assert client.get(reverse("requests_sla:promise", args=[rtype.pk])).status_code == 404
    response = client.post(
        reverse("requests_sla:file", args=[rtype.pk]), {"title": "x", "priority": "normal"}
    )
    assert response.status_code == 404
    assert not Request.unscoped.exists()


@pytest.mark.django_db
def test_step_one_never_shows_another_organizations_types(client_for, outsider, org):
    theirs = request_type(org, "rnd_tech_support")
    body = client_for(outsider).get(reverse("requests_sla:new")).content.decode()
    assert reverse("requests_sla:file", args=[theirs.pk]) not in body


@pytest.mark.django_db
def test_filing_pages_need_sign_in(client, org):
    response = client.get(reverse("requests_sla:new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_inactive_types_cannot_be_filed(client_for, teammate, org):
    rtype = request_type(org, "rnd_tech_support")
    type(rtype).unscoped.filter(pk=rtype.pk).update(is_active=False)
    assert (
        client_for(teammate).get(reverse("requests_sla:file", args=[rtype.pk])).status_code == 404
    )


@pytest.mark.django_db
def test_a_member_without_a_department_role_still_files(client_for, org):
    head = person(org, Role.DEPT_HEAD, "marketing", "mkthead")
    assert client_for(head.user).get(reverse("requests_sla:new")).status_code == 200
