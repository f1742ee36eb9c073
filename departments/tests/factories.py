import factory
from django.contrib.auth import get_user_model

from collab.tenancy import organization_scope
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
    with organization_scope(organization.id):
        department = Department.objects.get(code=department_code) if department_code else None
        Membership.objects.create(
            organization=organization, user=user, role=role, department=department
        )
    return user


def token_for(user, *, name="tests", days=365) -> str:
    """A fresh API key for ``user`` (what DRF's ``Token.objects.create`` was)."""
    from departments.services import api_token_create

    _token, key = api_token_create(user=user, name=name, days=days)
    return key


def api_client(user, organization=None):
    """A token-authenticated API client, naming ``organization`` if given."""
    from rest_framework.test import APIClient

    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Token {token_for(user)}"}
    if organization is not None:
        headers["HTTP_X_ORGANIZATION"] = organization.slug
    client.credentials(**headers)
    return client
