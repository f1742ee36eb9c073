"""Bad input, admin-set values and ids in bodies (issue 10): SLA amounts,
the escalation policy, calendar countries, invitation emails and every
integer input bounded where it enters. Dates, query ids and money:
test_bad_input.py."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse
from rest_framework import serializers

from collab import tenancy
from departments.tests.factories import api_client
from tests.walk import project_classes


@pytest.fixture
def account(org, owner):
    from pipeline.accounts import services as accounts_services

    with tenancy.organization_scope(org.id):
        return accounts_services.account_create(
            actor=owner, name="华信制造", industry="manufacturing", size="large", owner=owner
        )


# ---------------------------------------------------------------- admin-set values


def _type_payload(org, targets):
    from departments.models import Department

    with tenancy.organization_scope(org.id):
        department = Department.objects.get(code="rnd")
    return {
        "serving_department": department.pk,
        "code": "bounded",
        "name_zh": "限",
        "name_en": "Bounded",
        "priorities": ["normal"],
        "default_priority": "normal",
        "sla_targets": {"normal": targets},
    }


BAD_TARGETS = [
    {"unit": "calendar_hours", "amount": 1e9},
    {"unit": "working_hours", "amount": 99_999_999},
    {"unit": "working_days", "amount": 100_000},
    {"unit": "working_days", "amount": 1_001},
    {"unit": "calendar_hours", "amount": 1e-9},
    {"unit": "calendar_hours", "amount": 0.01},  # 36 seconds: under a minute
    {"unit": "working_hours", "amount": 10_000.5},
]


@pytest.mark.parametrize("target", BAD_TARGETS)
@pytest.mark.django_db
def test_sla_amounts_are_bounded_in_the_api(org, owner, target):
    good = {"unit": "working_hours", "amount": 4}
    for targets in (
        {"response": target, "resolution": good},
        {"response": good, "resolution": target},
    ):
        response = api_client(owner).post(
            "/api/request-types/", _type_payload(org, targets), format="json"
        )
        assert response.status_code == 400, response.content
        assert "sla_targets" in response.json()
        assert "10,000" in str(response.json()) or "1,000" in str(response.json())


@pytest.mark.parametrize(
    "amount, unit",
    [
        ("1000000000", "calendar_hours"),
        ("99999999", "working_hours"),
        ("100000", "working_days"),
        ("0.01", "calendar_hours"),
        ("1e-9", "calendar_hours"),
        ("1001", "working_days"),
    ],
)
@pytest.mark.django_db
def test_sla_amounts_are_bounded_in_the_catalog_form(org, amount, unit):
    from requests_sla.catalog.forms import RequestTypeForm

    with tenancy.organization_scope(org.id):
        payload = _type_payload(org, {})
        del payload["sla_targets"]
        payload |= {
            "normal_response_amount": amount,
            "normal_response_unit": unit,
            "normal_resolution_amount": "8",
            "normal_resolution_unit": "working_hours",
            "sort_order": 0,
            "is_active": "on",
        }
        form = RequestTypeForm(payload)
        assert not form.is_valid()
    assert "normal_response_amount" in form.errors


@pytest.mark.django_db
def test_a_good_sla_amount_passes_the_bounds(org, owner):
    targets = {
        "response": {"unit": "calendar_hours", "amount": 0.5},
        "resolution": {"unit": "working_days", "amount": 1000},
    }
    response = api_client(owner).post(
        "/api/request-types/", _type_payload(org, targets), format="json"
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("country", ["ZZ", "zz", "X", "", "中国"])
@pytest.mark.django_db
def test_a_calendar_country_is_one_the_holidays_package_knows(org, owner, country):
    from requests_sla.sla.models import BusinessCalendar

    with tenancy.organization_scope(org.id):
        calendar = BusinessCalendar.objects.first()
    response = api_client(owner).patch(
        f"/api/calendars/{calendar.pk}/", {"country": country}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "country" in response.json()
    with tenancy.organization_scope(org.id):
        calendar.refresh_from_db()
    assert calendar.country != country.upper() or country == ""


@pytest.mark.parametrize(
    "email", ["a" * 65 + "@example.com", "a" * 300 + "@example.com", "b@" + "c" * 250 + ".com"]
)
@pytest.mark.django_db
def test_an_invitation_email_with_a_long_local_part_or_address_is_a_form_error(
    client_for, org, owner, email
):
    from departments.models import Membership

    response = client_for(owner).post(
        reverse("departments:settings"), {"form": "invite", "email": email, "role": "sales_rep"}
    )
    assert response.status_code in (200, 400)
    assert "64" in response.content.decode() or "254" in response.content.decode()
    assert Membership.unscoped.filter(organization=org).count() == 1


@pytest.mark.django_db
def test_every_integer_input_of_every_form_and_input_serializer_has_an_upper_bound():
    """10^30 in any integer input is a field error, never a database overflow."""
    unbounded = []
    walked = {"forms": 0, "inputs": 0, "integers": 0}
    for form_class in project_classes(forms.BaseForm):
        walked["forms"] += 1
        for name, field in form_class.base_fields.items():
            walked["integers"] += isinstance(field, forms.IntegerField)
            if isinstance(field, forms.IntegerField) and field.max_value is None:
                unbounded.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    for serializer_class in project_classes(serializers.Serializer):
        if not serializer_class.__name__.endswith("Input"):
            continue
        walked["inputs"] += 1
        for name, field in serializer_class().fields.items():
            field = getattr(field, "child", field)
            walked["integers"] += isinstance(field, serializers.IntegerField)
            if isinstance(field, serializers.IntegerField) and field.max_value is None:
                unbounded.append(
                    f"{serializer_class.__module__}.{serializer_class.__name__}.{name}"
                )
    assert unbounded == []
    # The walk saw the project's forms and input serializers (an empty walk passes).
    assert walked["forms"] >= 20 and walked["inputs"] >= 20 and walked["integers"] >= 20, walked


@pytest.mark.parametrize("value", [10**30, "1" * 30, "١٢", 1.5, True])
@pytest.mark.django_db
def test_huge_or_odd_ids_in_bodies_are_field_errors(org, owner, account, value):
    client = api_client(owner)
    follow_up = client.post(
        "/api/follow-ups/",
        {
            "account": account.pk,
            "kind": "visit",
            "scheduled_for": "2026-01-05T10:00",
            "request_id": value,
        },
        format="json",
    )
    assert follow_up.status_code == 400 and "request_id" in follow_up.json()
    schema = [{"key": "deal", "label_zh": "商机", "type": "opportunity"}]
    from requests_sla.catalog.form_schema import validate_values

    _cleaned, errors = validate_values(schema, {"deal": value}, organization_id=org.id)
    assert "deal" in errors


@pytest.mark.parametrize(
    "name, value",
    [("meeting_window_days", 99_999_999), ("follow_up_hours", 100_000), ("follow_up_hours", 0)],
)
def test_escalation_policy_numbers_are_bounded(name, value):
    from requests_sla.escalation.forms import PolicyForm

    data = {
        "meeting_window_days": 5,
        "meeting_time": "10:00",
        "meeting_duration_minutes": 60,
        "follow_up_hours": 8,
        name: value,
    }
    form = PolicyForm(data)
    assert not form.is_valid() and name in form.errors
