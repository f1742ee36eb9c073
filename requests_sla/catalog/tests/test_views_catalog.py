"""Catalog and calendar admin pages, and the English rendering of every page."""

import re

import pytest
from django.urls import reverse

from collab import tenancy
from departments.roles import Role
from requests_sla.catalog.models import RequestType
from requests_sla.sla.models import CalendarException
from requests_sla.tests.factories import file_tech_support, membership_of, person, request_type

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def type_post(rtype, **changes):
    data = {
        "serving_department": rtype.serving_department_id,
        "code": rtype.code,
        "name_zh": rtype.name_zh,
        "name_en": rtype.name_en,
        "description_zh": "",
        "description_en": "",
        "priorities": ["normal", "high"],
        "default_priority": "normal",
        "sort_order": 0,
        "is_active": "on",
        "form_schema": "[]",
        "milestones": "",
        "normal_response_amount": "12",
        "normal_response_unit": "calendar_hours",
        "normal_resolution_amount": "3",
        "normal_resolution_unit": "working_days",
        "high_response_amount": "4",
        "high_response_unit": "working_hours",
        "high_resolution_amount": "2",
        "high_resolution_unit": "working_days",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_catalog_pages_are_for_catalog_managers_only(client_for, owner, teammate, org):
    assert client_for(owner).get(reverse("requests_sla:catalog")).status_code == 200
    head = person(org, Role.DEPT_HEAD, "rnd", "rndhead")
    for user in (teammate, head.user):
        assert client_for(user).get(reverse("requests_sla:catalog")).status_code == 403
        assert client_for(user).get(reverse("requests_sla:calendar")).status_code == 403


@pytest.mark.django_db
def test_admin_edits_targets_per_priority_with_units(client_for, owner, org):
    rtype = request_type(org, "rnd_tech_support")
    response = client_for(owner).post(
        reverse("requests_sla:type_edit", args=[rtype.pk]), type_post(rtype)
    )
    assert response.status_code == 302, re.findall(
        r'class="(?:error|form-errors)"[^>]*>(.*?)<', response.content.decode()
    )
    rtype.refresh_from_db()
    assert rtype.priorities == ["normal", "high"]
    assert rtype.sla_targets["high"]["response"] == {"unit": "working_hours", "amount": 4}
    assert rtype.policy_version == 2


@pytest.mark.django_db
def test_a_bad_form_schema_is_explained_and_the_input_kept(client_for, owner, org):
    rtype = request_type(org, "rnd_tech_support")
    bad = '[{"key": "1bad", "type": "colour"}]'
    response = client_for(owner).post(
        reverse("requests_sla:type_edit", args=[rtype.pk]), type_post(rtype, form_schema=bad)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "1bad" in body and 'class="error"' in body
    rtype.refresh_from_db()
    assert rtype.policy_version == 1


@pytest.mark.django_db
def test_admin_creates_and_deactivates_a_type(client_for, owner, org):
    rtype = request_type(org, "rnd_tech_support")
    client = client_for(owner)
    response = client.post(
        reverse("requests_sla:type_create"),
        type_post(
            rtype,
            code="rnd_demo",
            name_zh="演示支持",
            name_en="Demo support",
            form_schema='[{"key": "customer", "label_zh": "客户", "label_en": "Customer", "type": "text"}]',
        ),
    )
    assert response.status_code == 302
    created = RequestType.unscoped.get(organization=org, code="rnd_demo")
    client.post(reverse("requests_sla:type_toggle", args=[created.pk]))
    created.refresh_from_db()
    assert created.is_active is False


@pytest.mark.django_db
def test_an_outsider_gets_404_for_our_types_and_calendar_exceptions(
    client_for, outsider, owner, org
):
    rtype = request_type(org, "rnd_tech_support")
    client = client_for(outsider)
    assert client.get(reverse("requests_sla:type_edit", args=[rtype.pk])).status_code == 404
    assert client.post(reverse("requests_sla:type_toggle", args=[rtype.pk])).status_code == 404
    client_for(owner).post(
        reverse("requests_sla:calendar"),
        {"form": "exception", "date": "2025-06-06", "kind": "holiday", "name": "年会"},
    )
    exception = CalendarException.unscoped.get(organization=org)
    client = client_for(outsider)
    assert (
        client.post(reverse("requests_sla:exception_remove", args=[exception.pk])).status_code
        == 404
    )
    assert CalendarException.unscoped.filter(pk=exception.pk).exists()
    body = client.get(reverse("requests_sla:catalog")).content.decode()
    assert reverse("requests_sla:type_edit", args=[rtype.pk]) not in body


@pytest.mark.django_db
def test_english_pages_show_no_chinese_for_an_english_organization(client_for, other_org, outsider):
    """Other Co's data is English: any CJK on its English pages is an untranslated string."""
    rep = person(other_org, Role.SALES_REP, "business", "enrep")
    head = person(other_org, Role.DEPT_HEAD, "rnd", "enhead")
    admin = membership_of(outsider, other_org)
    with tenancy.organization_scope(other_org.id):
        RequestType.objects.filter(code="rnd_tech_support").update(name_zh="", description_zh="")
    filed = file_tech_support(rep, extra={"customer_name": "Acme"}, title="Spec question")
    rtype = request_type(other_org, "rnd_tech_support")
    pages = {
        rep.user: [
            reverse("requests_sla:mine"),
            reverse("requests_sla:file", args=[rtype.pk]),
            reverse("requests_sla:detail", args=[filed.pk]),
        ],
        head.user: [reverse("requests_sla:queue"), reverse("requests_sla:detail", args=[filed.pk])],
        admin.user: [
            reverse("requests_sla:catalog"),
            reverse("requests_sla:calendar"),
            reverse("requests_sla:type_edit", args=[rtype.pk]),
        ],
    }
    for user, urls in pages.items():
        client = client_for(user)
        client.cookies["django_language"] = "en"
        for url in urls:
            html = client.get(url).content.decode()
            html = re.sub(
                r"(?s)<nav .*?</nav>", "", html
            )  # other rooms' links; nav has its own test
            html = html.replace("简体中文", "").replace(">中文<", "><")
            html = re.sub(
                r"<option[^>]*>[^<]*</option>", "", html
            )  # data: names of departments, types
            html = re.sub(
                r"<textarea[^>]*>.*?</textarea>", "", html, flags=re.S
            )  # JSON data with label_zh
            html = re.sub(r'(?s)<span class="person">.*?</span>', "", html)
            found = CJK.findall(html)
            assert not found, f"{url}: {found[:20]}"


@pytest.mark.django_db
def test_a_type_without_milestones_shows_an_empty_milestones_box_not_null(client_for, owner, org):
    rtype = request_type(org, "rnd_tech_support")
    with tenancy.organization_scope(org.id):
        assert not any(p.get("milestones") for p in rtype.sla_targets.values())
    client = client_for(owner)
    for url in (
        reverse("requests_sla:type_edit", args=[rtype.pk]),
        reverse("requests_sla:type_create"),
    ):
        body = client.get(url).content.decode()
        box = re.search(r'<textarea name="milestones"[^>]*>(.*?)</textarea>', body, re.S)
        assert box is not None and box.group(1).strip() == "", url
    with_milestones = request_type(org, "rnd_feasibility")
    body = client.get(reverse("requests_sla:type_edit", args=[with_milestones.pk]))
    box = re.search(
        r'<textarea name="milestones"[^>]*>(.*?)</textarea>', body.content.decode(), re.S
    )
    assert box is not None and "feasibility" in box.group(1)
