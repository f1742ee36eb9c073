import pytest
from django.core.management import call_command
from django.utils import translation

from collab import tenancy
from departments.models import Department, Invitation, Organization
from departments.seed import DEPARTMENTS
from departments.services import organization_create, organization_provision


@pytest.mark.django_db
def test_a_new_organization_gets_the_nine_seed_departments_in_both_languages():
    org = organization_create(name="Acme", slug="acme")
    with tenancy.organization_scope(org.id):
        departments = {d.code: d for d in Department.objects.all()}
    assert len(departments) == 9
    assert departments["rnd"].name_zh == "研发部" and departments["rnd"].name_en == "R&D"
    assert departments["business"].is_business
    assert departments["ops_mgmt"].leads_postmortems
    assert departments["customer_success"].stage == "back"
    assert departments["finance"].stage == "whole"
    for d in departments.values():
        assert d.duties_zh and d.duties_en and d.deliverables_zh and d.deliverables_en
    with translation.override("en"):
        assert departments["marketing"].name == "Marketing"
    with translation.override("zh-hans"):
        assert departments["marketing"].name == "市场部"


@pytest.mark.django_db
def test_provisioning_twice_does_not_duplicate_and_keeps_edits():
    org = organization_create(name="Acme", slug="acme")
    with tenancy.organization_scope(org.id):
        Department.objects.filter(code="rnd").update(name_en="Engineering")
    organization_provision(organization=org)
    organization_provision(organization=org)
    with tenancy.organization_scope(org.id):
        assert Department.objects.count() == len(DEPARTMENTS)
        assert Department.objects.get(code="rnd").name_en == "Engineering"


@pytest.mark.django_db
def test_the_management_command_and_the_demo_loader_use_the_same_service():
    call_command("provision_organization", "cli-co", "--name", "CLI Co")
    call_command("load_demo")
    call_command("load_demo")  # idempotent
    for slug in ("cli-co", "demo", "other"):
        org = Organization.objects.get(slug=slug)
        with tenancy.organization_scope(org.id):
            assert Department.objects.count() == 9
    # Each demo organization has one pending invitation to the other's HR head.
    pending = Invitation.unscoped.filter(state="pending").values_list(
        "organization__slug", "invitee__username"
    )
    assert sorted(pending) == [("demo", "other-hr"), ("other", "head-hr")]
