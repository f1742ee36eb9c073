"""The starter catalog, the schema validator and the demo data."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from collab.tenancy import organization_scope
from departments.services import organization_create, organization_provision
from requests_sla.catalog.defaults import REQUEST_TYPES
from requests_sla.catalog.form_schema import (
    build_form_class,
    validate_schema,
    validate_sla_targets,
    validate_values,
)
from requests_sla.catalog.links import links_overridden
from requests_sla.catalog.models import RequestType
from requests_sla.requests.models import Request
from requests_sla.sla.models import BusinessCalendar, SlaTimer


@pytest.mark.django_db
def test_a_new_organization_gets_the_bilingual_catalog_and_a_calendar():
    org = organization_create(name="Acme", slug="acme")
    with organization_scope(org.id):
        types = {t.code: t for t in RequestType.objects.select_related("serving_department")}
        assert len(types) == len(REQUEST_TYPES) == 16
        assert {t.serving_department.code for t in types.values()} == {
            "marketing",
            "rnd",
            "sales_ops",
            "product",
            "customer_success",
            "finance",
            "hr",
        }
        for t in types.values():
            assert t.name_zh and t.name_en and t.description_zh and t.description_en
            assert not validate_schema(t.form_schema), t.code
            assert not validate_sla_targets(t.sla_targets, t.priorities), t.code
        tech = types["rnd_tech_support"]
        assert tech.sla_targets["normal"]["response"] == {"unit": "calendar_hours", "amount": 24}
        assert types["mkt_talk_track"].sla_targets["normal"]["response"] == {
            "unit": "working_days",
            "amount": 3,
        }
        assert types["cs_key_account_complaint"].sla_targets["normal"]["resolution"]["amount"] == 24
        with translation.override("en"):
            assert tech.name == "Technical support (green channel)"
        with translation.override("zh-hans"):
            assert tech.name == "技术支持（绿色通道）"
        assert BusinessCalendar.objects.filter(department__isnull=True).count() == 1


@pytest.mark.django_db
def test_provisioning_twice_keeps_edits_and_adds_nothing():
    org = organization_create(name="Acme", slug="acme")
    with organization_scope(org.id):
        RequestType.objects.filter(code="hr_hiring").update(name_en="Recruiting")
    organization_provision(organization=org)
    organization_provision(organization=org)
    with organization_scope(org.id):
        assert RequestType.objects.count() == 16
        assert RequestType.objects.get(code="hr_hiring").name_en == "Recruiting"
        assert BusinessCalendar.objects.count() == 1


SCHEMA = [
    {
        "key": "customer",
        "label_zh": "客户",
        "label_en": "Customer",
        "type": "text",
        "required": True,
    },
    {"key": "amount", "label_zh": "金额", "label_en": "Amount", "type": "money"},
    {"key": "when", "label_zh": "日期", "label_en": "Date", "type": "date"},
    {"key": "size", "label_zh": "人数", "label_en": "Headcount", "type": "number"},
    {
        "key": "kind",
        "label_zh": "类型",
        "label_en": "Kind",
        "type": "choice",
        "choices": [{"value": "a", "label_zh": "甲", "label_en": "A"}],
    },
    {"key": "account", "label_zh": "客户编号", "label_en": "Account", "type": "account"},
    {"key": "doc", "label_zh": "附件", "label_en": "File", "type": "file", "required": True},
]


def test_values_are_cleaned_and_errors_keyed_by_field():
    cleaned, errors = validate_values(
        SCHEMA,
        {
            "customer": " 星河 ",
            "amount": "1,200.5",
            "when": "2025-03-01",
            "size": "3",
            "kind": "a",
            "account": "42",
        },
        files={"doc": object()},
    )
    assert errors == {}
    assert cleaned == {
        "customer": "星河",
        "amount": "1200.50",
        "when": "2025-03-01",
        "size": 3,
        "kind": "a",
        "account": 42,
    }
    _, errors = validate_values(
        SCHEMA, {"amount": "abc", "when": "soon", "kind": "z", "account": -1, "extra": 1}
    )
    assert set(errors) == {"customer", "amount", "when", "kind", "account", "extra", "doc"}
    _, errors = validate_values(SCHEMA, ["not", "a", "dict"])
    assert set(errors) == {"extra"}


def reject_odd(value, *, organization_id):
    if value % 2:
        raise ValidationError("odd")


def test_link_fields_use_the_check_registered_for_their_kind():
    schema = [f for f in SCHEMA if f["key"] == "account"]
    with links_overridden(checks={"account": reject_odd}):
        assert validate_values(schema, {"account": 3})[1] == {"account": ["odd"]}
        assert validate_values(schema, {"account": 4}) == ({"account": 4}, {})
    with links_overridden(checks={}):
        assert validate_values(schema, {"account": 3}) == ({"account": 3}, {})


def test_the_django_form_accepts_and_refuses_like_the_api():
    form_class = build_form_class([f for f in SCHEMA if f["type"] != "file"])
    form = form_class(data={"customer": "", "amount": "1.234", "when": "2025-03-01"})
    assert not form.is_valid() and {"customer", "amount"} <= set(form.errors)
    form = form_class(data={"customer": "星河", "amount": "99.90", "size": "2", "kind": "a"})
    assert form.is_valid(), form.errors
    assert form.extra_values == {"customer": "星河", "amount": "99.90", "size": 2, "kind": "a"}


@pytest.mark.django_db
def test_demo_data_spreads_states_consistently_and_loads_once():
    from departments import demo as people
    from requests_sla.demo import requests as demo
    from requests_sla.sla.services import timer_recompute

    org = organization_create(name="Demo", slug="demo")
    people.load(organization=org, key="demo")
    demo.load(organization=org, key="demo")
    demo.load(organization=org, key="demo")
    with organization_scope(org.id):
        assert Request.objects.count() == 40
        statuses = set(Request.objects.values_list("status", flat=True))
        assert {
            "new",
            "in_progress",
            "waiting_on_requester",
            "resolved",
            "closed",
            "cancelled",
            "rejected",
        } <= statuses
        assert {"breached", "met", "paused"} <= set(
            SlaTimer.objects.values_list("state", flat=True)
        )
        # The cache agrees with the event log: recomputing moves no due time,
        # and clocks that no longer run keep their state.
        for timer in SlaTimer.objects.select_related("calendar", "request"):
            before = (timer.due_at, timer.state)
            timer_recompute(timer, save=False)
            assert timer.due_at == before[0]
            if timer.stopped_at or timer.paused:
                assert timer.state == before[1]
