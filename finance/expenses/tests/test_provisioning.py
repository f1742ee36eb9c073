"""A new organization can file expenses at once: provisioning gives it the
standard categories with their policy limits, once, its own."""

from decimal import Decimal

import pytest

from collab.tenancy import organization_scope
from departments.services import organization_create, organization_provision
from finance.expenses.defaults import STANDARD_CATEGORIES
from finance.expenses.models import ExpenseCategory
from finance.expenses.services import policy_check
from finance.tests.helpers import line

pytestmark = pytest.mark.django_db


def test_a_new_organization_has_the_standard_categories_once():
    org = organization_create(name="New Co", slug="new-co")
    other = organization_create(name="Other Co", slug="other-co")
    with organization_scope(org.id):
        hotel = ExpenseCategory.objects.get(code="hotel_t1")
        assert hotel.limit_per_unit == Decimal("600.00")
        hotel.limit_per_unit = Decimal("800.00")  # Finance raised the limit
        hotel.save()
    organization_provision(organization=org)
    with organization_scope(org.id):
        codes = list(ExpenseCategory.objects.values_list("code", flat=True))
        assert codes == [code for code, *_ in STANDARD_CATEGORIES]
        assert ExpenseCategory.objects.get(code="hotel_t1").limit_per_unit == Decimal("800.00")
    with organization_scope(other.id):
        assert ExpenseCategory.objects.count() == len(STANDARD_CATEGORIES)
        assert not ExpenseCategory.objects.filter(organization=org).exists()


def test_the_policy_check_works_on_a_new_organization():
    org = organization_create(name="New Co", slug="new-co")
    with organization_scope(org.id):
        meals = ExpenseCategory.objects.get(code="meals")
        warnings = policy_check([line(meals, "400.00", units=Decimal("2"))], {meals.pk: meals})
    assert len(warnings) == 1
