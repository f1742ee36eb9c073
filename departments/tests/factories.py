import factory
from django.contrib.auth import get_user_model

from departments.models import Membership, Organization
from departments.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.django.Password("pw-collab-test")


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An organization provisioned like a real one (departments, catalog…)."""

    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    default_language = "en"

    @factory.post_generation
    def provisioned(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            from departments.services import organization_provision

            organization_provision(organization=obj)


def member(
    organization, *, role=Role.SALES_REP, department_code=None, username=None, **user_kwargs
):
    """Create a user with a membership; the department is looked up by code."""
    from departments.models import Department

    user = UserFactory(**({"username": username} if username else {}), **user_kwargs)
    department = (
        Department.unscoped.get(organization=organization, code=department_code)
        if department_code
        else None
    )
    Membership.unscoped.create(
        organization=organization, user=user, role=role, department=department
    )
    return user
