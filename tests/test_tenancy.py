import pytest
from django.db import transaction
from django.db.models import Value

from collab import tenancy
from departments.models import Department


@pytest.mark.django_db
def test_scoped_manager_refuses_to_run_without_an_organization(org):
    with pytest.raises(tenancy.NoOrganizationInScope):
        list(Department.objects.all())


@pytest.mark.django_db
def test_scoped_manager_returns_only_the_organization_in_scope(org, other_org):
    with tenancy.organization_scope(org.id):
        orgs = set(Department.objects.values_list("organization_id", flat=True))
    assert orgs == {org.id}


@pytest.mark.django_db
def test_a_foreign_row_is_missing_not_forbidden(org, other_org):
    foreign = Department.unscoped.filter(organization=other_org).first()
    with tenancy.organization_scope(org.id), pytest.raises(Department.DoesNotExist):
        Department.objects.get(pk=foreign.pk)


@pytest.mark.django_db
def test_writing_into_another_organization_is_refused(org, other_org):
    with tenancy.organization_scope(org.id), pytest.raises(tenancy.NoOrganizationInScope):
        Department(organization=other_org, code="x", name_zh="x", name_en="x", stage="mid").save()


@pytest.mark.django_db
def test_dangerously_unscoped_sees_every_organization(org, other_org):
    with tenancy.dangerously_unscoped():
        assert set(Department.objects.values_list("organization_id", flat=True)) == {
            org.id,
            other_org.id,
        }


def test_organization_scope_needs_an_id():
    with pytest.raises(tenancy.NoOrganizationInScope), tenancy.organization_scope(None):
        pass


@pytest.mark.django_db
def test_tenant_task_never_carries_one_scope_into_the_next(org, other_org):
    seen = []

    @tenancy.tenant_task
    def body(*, organization_id):
        seen.append((tenancy.current_organization_id(), Department.objects.count()))
        if organization_id == org.id:
            raise RuntimeError("the first task fails")

    with pytest.raises(RuntimeError):
        body(organization_id=org.id)
    assert tenancy.current_organization_id() is None
    body(organization_id=other_org.id)
    assert [s[0] for s in seen] == [org.id, other_org.id]
    assert tenancy.current_organization_id() is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "run",
    [
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.update(name_en="x"),
        lambda qs: qs.delete(),
        lambda qs: list(qs.values_list("pk", flat=True)),
        lambda qs: qs.first(),
    ],
)
def test_every_way_of_running_an_unscoped_query_fails_closed(org, run):
    with pytest.raises(tenancy.NoOrganizationInScope), transaction.atomic():
        run(Department.objects.all())
    assert Department.unscoped.filter(organization=org).count() == 9


def test_an_empty_queryset_needs_no_scope_because_it_never_reaches_sql():
    # Serializer fields and schema generation build these at import time.
    assert list(Department.objects.none()) == []
    assert Department.objects.none().count() == 0
    # …and it stays the queryset it was: annotations survive.
    assert list(Department.objects.annotate(n=Value(1)).none().order_by("n")) == []
