"""Bad input, one class at a time (issue 10, "No 500 on any input"): each
class is refused where it enters, by one parser, with a message for the
person; none is a 500 and none leaves a row that breaks a page later.

Dates (2000-01-01 .. 2100-12-31), ids (ASCII digits), money, the bounds of
admin-set values. NUL bytes and body limits: test_bad_input_bodies.py."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from django import forms
from django.urls import reverse
from rest_framework import serializers

from collab import parsing, tenancy
from departments.roles import Role
from departments.tests.factories import api_client, member
from tests.walk import project_classes

OUT_OF_RANGE_DATES = ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"]
OUT_OF_RANGE_MOMENTS = ["0001-01-01T00:00", "9999-12-31T23:59", "1970-01-01T00:00"]
NON_ASCII_IDS = ["²", "١٢", "12a", "abc", "-1", "0", "1" * 30, "1.5", " ", "\u0000"]


@pytest.fixture
def ops(org):
    return member(org, role=Role.OPS_MANAGER, department_code="ops_mgmt", username="ops")


@pytest.fixture
def account(org, owner):
    from pipeline.accounts import services as accounts_services

    with tenancy.organization_scope(org.id):
        return accounts_services.account_create(
            actor=owner, name="华信制造", industry="manufacturing", size="large", owner=owner
        )


def _no_500(response):
    assert response.status_code < 500, response.content[:500]
    return response


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("moment", OUT_OF_RANGE_MOMENTS)
@pytest.mark.django_db
def test_a_meeting_outside_the_supported_dates_is_a_form_error(client_for, org, ops, moment):
    from requests_sla.meetings.models import ReviewMeeting

    client = client_for(ops)
    response = client.post(reverse("escalation:meetings"), {"scheduled_at": moment})
    assert response.status_code == 400
    assert "2000-01-01" in response.content.decode() and "2100-12-31" in response.content.decode()
    with tenancy.organization_scope(org.id):
        assert not ReviewMeeting.objects.exists()
    assert client.get(reverse("escalation:meetings")).status_code == 200


@pytest.mark.parametrize("moment", OUT_OF_RANGE_MOMENTS)
@pytest.mark.django_db
def test_a_follow_up_outside_the_supported_dates_is_refused_on_page_and_api(
    client_for, org, owner, account, moment
):
    from pipeline.followups.models import FollowUp

    page = client_for(owner).post(
        reverse("pipeline:follow_up_create"),
        {"account": account.pk, "kind": "visit", "scheduled_for": moment},
    )
    assert page.status_code == 200 and "2100-12-31" in page.content.decode()
    response = api_client(owner).post(
        "/api/follow-ups/",
        {"account": account.pk, "kind": "visit", "scheduled_for": moment},
        format="json",
    )
    assert response.status_code == 400
    assert "2100-12-31" in str(response.json()["scheduled_for"])
    with tenancy.organization_scope(org.id):
        assert not FollowUp.objects.exists()


@pytest.mark.parametrize("day", OUT_OF_RANGE_DATES)
@pytest.mark.django_db
def test_deal_close_dates_and_calendar_exceptions_outside_the_range_are_400s(
    org, owner, account, day
):
    from requests_sla.sla.models import BusinessCalendar

    client = api_client(owner)
    deal = client.post(
        "/api/opportunities/",
        {"account": account.pk, "name": "D", "amount": "1.00", "expected_close_date": day},
        format="json",
    )
    assert deal.status_code == 400 and "expected_close_date" in deal.json()
    with tenancy.organization_scope(org.id):
        calendar = BusinessCalendar.objects.first()
    response = client.post(
        f"/api/calendars/{calendar.pk}/exceptions/", {"date": day, "kind": "holiday"}
    )
    assert response.status_code in (400, 404, 405)
    if response.status_code == 400:
        assert "date" in response.json()


QUERY_DATES = [
    ("escalation:kpis", {"month": "0001-01"}),
    ("escalation:kpis", {"month": "9999-12"}),
    ("escalation:kpis", {"month": "2000-01"}),  # its previous month is out of range
    ("escalation:kpis", {"month": "2100-12"}),
    ("escalation:kpis", {"month": "2025-13"}),
    ("dashboard:index", {"period": "custom", "start": "0001-01-01", "end": "0001-12-31"}),
    ("dashboard:index", {"period": "custom", "start": "9999-01-01", "end": "9999-12-31"}),
    ("dashboard:index", {"period": "custom", "start": "2000-01-01", "end": "2000-01-31"}),
    ("dashboard:drilldown", {"bucket": "week", "week": "9999-12-27"}),
    ("dashboard:drilldown", {"bucket": "filed", "week": "0001-01-01"}),
    ("dashboard:drilldown", {"period": "custom", "start": "0001-01-01", "end": "9999-12-31"}),
    ("pipeline:funnel", {"start": "0001-01-01", "end": "0001-02-01"}),
    ("pipeline:funnel", {"start": "9999-01-01", "end": "9999-12-31"}),
    ("pipeline:feedback", {"start": "0001-01-01"}),
    ("pipeline:lead_report", {"end": "9999-12-31"}),
]


@pytest.mark.parametrize("name, params", QUERY_DATES)
@pytest.mark.django_db
def test_out_of_range_dates_in_the_url_are_a_message_never_a_500(client_for, owner, name, params):
    response = client_for(owner).get(reverse(name), params)
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize(
    "url",
    [
        "/api/kpis/?period=9999-12",
        "/api/kpis/?period=0001-01",
        "/api/kpis/?period=2025-13",
        "/api/funnel/?start=0001-01-01&end=0001-02-01",
        "/api/funnel/?start=9999-01-01&end=9999-12-31",
    ],
)
@pytest.mark.django_db
def test_out_of_range_dates_in_api_queries_are_400s_saying_the_range(owner, url):
    response = api_client(owner).get(url)
    assert response.status_code == 400
    assert "2100-12-31" in str(response.json()) or "YYYY" in str(response.json())


@pytest.mark.parametrize(
    "params", [{"period": "custom", "start": "0001-01-01", "end": "9999-12-31"}]
)
@pytest.mark.django_db
def test_the_dashboard_api_reports_a_bad_range_without_a_500(owner, params):
    response = api_client(owner).get("/api/dashboard/", params)
    assert response.status_code < 500


@pytest.mark.django_db
def test_every_date_input_of_every_form_and_input_serializer_is_bounded():
    """New forms and serializers are covered without anyone remembering."""
    unbounded = []
    walked = {"forms": 0, "inputs": 0, "dates": 0}
    for form_class in project_classes(forms.BaseForm):
        walked["forms"] += 1
        for name, field in form_class.base_fields.items():
            walked["dates"] += isinstance(field, forms.DateField | forms.DateTimeField)
            if isinstance(field, forms.DateField | forms.DateTimeField) and not isinstance(
                field, parsing.BoundedDateField | parsing.BoundedDateTimeField
            ):
                unbounded.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    for serializer_class in project_classes(serializers.Serializer):
        if not serializer_class.__name__.endswith("Input") or inspect.isabstract(serializer_class):
            continue
        walked["inputs"] += 1
        for name, field in serializer_class().fields.items():
            if field.read_only:
                continue
            walked["dates"] += isinstance(field, serializers.DateField | serializers.DateTimeField)
            if isinstance(field, serializers.DateField | serializers.DateTimeField) and not (
                isinstance(
                    field,
                    parsing.BoundedDateSerializerField | parsing.BoundedDateTimeSerializerField,
                )
            ):
                unbounded.append(
                    f"{serializer_class.__module__}.{serializer_class.__name__}.{name}"
                )
    assert unbounded == []
    # The walk saw the project's forms and input serializers (an empty walk passes).
    assert walked["forms"] >= 20 and walked["inputs"] >= 20 and walked["dates"] >= 15, walked


@pytest.mark.parametrize("raw", ["0001-01-01", "2101-01-01"])
@pytest.mark.django_db
def test_a_date_field_of_a_request_type_form_is_bounded(org, raw):
    from requests_sla.catalog.form_schema import build_form_class, validate_values

    schema = [{"key": "when", "label_zh": "日期", "type": "date"}]
    _cleaned, errors = validate_values(schema, {"when": raw}, organization_id=org.id)
    assert "2100-12-31" in str(errors["when"])
    form = build_form_class(schema, organization_id=org.id)({"when": raw})
    assert not form.is_valid() and "2100-12-31" in str(form.errors["when"])


# ---------------------------------------------------------------- ids


@pytest.mark.parametrize("raw", NON_ASCII_IDS)
@pytest.mark.django_db
def test_ids_in_query_strings_are_ascii_digits_or_ignored(client_for, owner, raw):
    client = client_for(owner)
    for name, params in [
        ("requests_sla:queue", {"request_type": raw, "assignee": raw, "department": raw}),
        ("requests_sla:queue", {"requesting_department": raw, "page": raw}),
        ("dashboard:index", {"serving": raw, "requesting": raw, "request_type": raw}),
        ("dashboard:drilldown", {"bucket": "matrix", "from": raw, "to": raw}),
        ("pipeline:opportunities", {"stage": raw}),
        ("pipeline:feedback", {"account": raw}),
        ("pipeline:link_pick", {"link": f"opportunity:{raw}"}),
        ("pipeline:link_pick", {"link": f"account:{raw}"}),
        ("requests_sla:new", {"link": f"account:{raw}"}),
    ]:
        _no_500(client.get(reverse(name), params))


@pytest.mark.parametrize("raw", NON_ASCII_IDS)
@pytest.mark.django_db
def test_ids_in_api_filters_are_400s_or_ignored(owner, raw):
    client = api_client(owner)
    for key in ("request_type", "requesting_department", "department", "assignee"):
        response = client.get("/api/requests/queue/", {key: raw})
        assert response.status_code in (200, 400)
        if raw.strip() and raw not in ("0",) and not raw.isascii():
            assert response.status_code == 400
    _no_500(client.get("/api/kpis/", {"department": raw}))


@pytest.mark.parametrize(
    "path", ["/api/meetings/abc/", "/api/meetings/²/", "/api/requests/x1/", "/api/accounts/1e3/"]
)
@pytest.mark.django_db
def test_a_non_numeric_object_id_in_an_api_path_is_a_404(owner, path):
    assert api_client(owner).get(path).status_code == 404


def test_parse_id_refuses_what_str_isdigit_accepts():
    assert "²".isdigit()
    assert parsing.optional_id("²") is None
    assert parsing.optional_id("١٢") is None
    assert parsing.optional_id("42") == 42


# ---------------------------------------------------------------- money


BAD_AMOUNTS = ["1e400", "1" + "0" * 30, "NaN", "Infinity", "-Infinity", "12.345", "1e3", 1e30]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
@pytest.mark.django_db
def test_bad_money_in_a_requests_money_field_is_a_field_error(org, owner, amount):
    from requests_sla.catalog.models import RequestType
    from requests_sla.requests.models import Request

    with tenancy.organization_scope(org.id):
        rtype = RequestType.objects.get(code="mkt_campaign_support")
        schema = rtype.form_schema
    extra = {f["key"]: "x" for f in schema if f.get("required")}
    extra = {
        **extra,
        **{
            f["key"]: f["choices"][0]["value"]
            for f in schema
            if f.get("required") and f.get("type") == "choice"
        },
    }
    money_key = next(f["key"] for f in schema if f.get("type") == "money")
    extra[money_key] = amount
    response = api_client(owner).post(
        "/api/requests/",
        {"request_type": rtype.pk, "title": "活动", "extra": extra},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert money_key in str(response.json())
    with tenancy.organization_scope(org.id):
        assert not Request.objects.exists()


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
@pytest.mark.django_db
def test_bad_money_in_a_deal_is_a_field_error(owner, account, amount):
    response = api_client(owner).post(
        "/api/opportunities/",
        {"account": account.pk, "name": "D", "amount": amount, "expected_close_date": "2026-06-30"},
        format="json",
    )
    assert response.status_code == 400 and "amount" in response.json()


@pytest.mark.django_db
def test_a_json_number_with_cents_is_still_a_good_amount(owner, account):
    response = api_client(owner).post(
        "/api/opportunities/",
        {"account": account.pk, "name": "D", "amount": 1234.5, "expected_close_date": "2026-06-30"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "1234.50"


def test_the_date_range_is_the_one_in_the_message():
    assert dt.date(2000, 1, 1) == parsing.DATE_MIN and dt.date(2100, 12, 31) == parsing.DATE_MAX
    assert "2000-01-01" in str(parsing.range_message())
