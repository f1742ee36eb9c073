"""Citus-ready by construction: the tenancy invariants, checked on every model.

Walks ``django.apps`` (so an app added later is checked without touching this
file) and asserts, for every concrete model of the project's own apps:

* it is a ``TenantModel`` unless it is on the short allow-list below;
* every unique constraint, ``unique_together`` and unique field of a tenant
  model includes ``organization`` (the primary key aside);
* every many-to-many field of a tenant model goes through an explicit
  ``TenantModel`` through table;
* no bare integer field named ``*_id`` on a tenant model (a link to a row
  must be a real foreign key);
* every foreign key from a tenant model to a project model points at a tenant
  model (so it could be declared with ``organization_id`` in it).

These are the properties a distribution of the tenant tables by
``organization_id`` (Citus) needs; see the README.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from collab.tenancy import TenantModel

ROOT = Path(__file__).resolve().parent.parent

# The models that are not tenant-owned, and why. Keep it short.
NOT_TENANT = {
    # The tenant itself (the distribution column's table: a Citus reference table).
    "departments.Organization",
    # A person's own choices: they follow the person across organizations.
    "departments.UserProfile",
    # An API key authenticates a person; each call names its organization.
    "departments.ApiToken",
}

# Integer columns named ``*_id`` that are not links: the dimension keys of
# rollup tables written by triggers and set-based upkeep, where 0 (or NULL)
# means "none" or "every value" (the coarse grain). A key, never joined to
# a row being written, so no foreign key; the rest of the rule stands.
ROLLUP_KEYS = {
    "requests_sla.SlaOutcomeDay": {
        "serving_department_id",
        "requesting_department_id",
        "request_type_id",
    },
    "requests_sla.RequestDay": {
        "serving_department_id",
        "requesting_department_id",
        "request_type_id",
    },
    "pipeline.FunnelEntryDay": {"owner_id"},
    "pipeline.FunnelStayDay": {"owner_id"},
    "pipeline.FunnelOpenDay": {"owner_id"},
    "incentives.CreditDay": {"owner_id"},
}


def _project_models() -> list[type[models.Model]]:
    """Concrete models of the apps that live in this repository (not the
    installed packages), auto-created through tables included."""
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if ROOT not in path.parents or "site-packages" in path.parts:
            continue
        for model in config.get_models(include_auto_created=True):
            if not model._meta.abstract and not model._meta.proxy:
                found.append(model)
    return found


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _is_history(model) -> bool:
    """A django-simple-history table: a copy of a tenant model's rows, with
    the row's ``organization`` copied along (checked below)."""
    return hasattr(model, "instance_type") and hasattr(model, "history_id")


def _tenant_models() -> list[type[models.Model]]:
    return [m for m in _project_models() if issubclass(m, TenantModel)]


def test_the_walk_sees_every_project_app():
    labels = {m._meta.app_label for m in _project_models()}
    assert {"departments", "requests_sla", "pipeline"} <= labels


def _not_tenant_offenders(models_) -> list[str]:
    offenders = []
    for model in models_:
        label = _label(model)
        if issubclass(model, TenantModel) or label in NOT_TENANT:
            continue
        if _is_history(model) and _label(model.instance_type) in NOT_TENANT:
            continue
        if _is_history(model) and issubclass(model.instance_type, TenantModel):
            if "organization" not in {f.name for f in model._meta.concrete_fields}:
                offenders.append(f"{label} (history without organization)")
            continue
        offenders.append(label)
    return offenders


def test_every_model_is_tenant_owned_or_allow_listed():
    offenders = _not_tenant_offenders(_project_models())
    assert not offenders, "\n".join(offenders)


def _unique_sets(model) -> list[tuple[str, tuple[str, ...]]]:
    sets = []
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            sets.append((f"field {field.name}", (field.name,)))
    for fields in model._meta.unique_together:
        sets.append(("unique_together", tuple(fields)))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names = tuple(constraint.fields)
            if constraint.expressions:
                names += tuple(str(e) for e in constraint.expressions)
            sets.append((f"constraint {constraint.name}", names))
    return sets


def _unique_offenders(tenant_models) -> list[str]:
    offenders = []
    for model in tenant_models:
        for what, names in _unique_sets(model):
            if not any(n in ("organization", "organization_id") for n in names):
                offenders.append(f"{_label(model)}: {what} {names}")
    return offenders


def test_every_unique_rule_of_a_tenant_model_includes_organization():
    offenders = _unique_offenders(_tenant_models())
    assert not offenders, "\n".join(offenders)


def _many_to_many_offenders(tenant_models) -> list[str]:
    offenders = []
    for model in tenant_models:
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created or not issubclass(through, TenantModel):
                offenders.append(f"{_label(model)}.{field.name} through {_label(through)}")
    return offenders


def test_every_many_to_many_of_a_tenant_model_goes_through_a_tenant_table():
    offenders = _many_to_many_offenders(_tenant_models())
    assert not offenders, "\n".join(offenders)


def _bare_integer_offenders(tenant_models) -> list[str]:
    integer_types = (models.IntegerField,)  # BigInteger, PositiveInteger… subclass it
    offenders = []
    for model in tenant_models:
        for field in model._meta.concrete_fields:
            if field.is_relation or field.primary_key:
                continue
            if field.name in ROLLUP_KEYS.get(_label(model), ()):
                continue
            if isinstance(field, integer_types) and field.name.endswith("_id"):
                offenders.append(f"{_label(model)}.{field.name}")
    return offenders


def test_no_bare_integer_points_at_a_row():
    offenders = _bare_integer_offenders(_tenant_models())
    assert not offenders, "\n".join(offenders)


def test_the_rollup_keys_allowed_are_real_integer_fields():
    """The allow-list names fields that exist (a renamed one would leave a
    stale entry that lets the next bare id of that name through)."""
    by_label = {_label(m): m for m in _tenant_models()}
    for label, names in ROLLUP_KEYS.items():
        fields = {f.name: f for f in by_label[label]._meta.concrete_fields}
        for name in names:
            assert isinstance(fields[name], models.IntegerField), f"{label}.{name}"


def _foreign_key_offenders(tenant_models, project) -> list[str]:
    offenders = []
    for model in tenant_models:
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.name == "organization":
                continue
            target = field.related_model
            # An organization column other than ``organization`` (rare) is
            # the distribution column itself: fine.
            if (
                target in project
                and not issubclass(target, TenantModel)
                and _label(target) != "departments.Organization"
            ):
                offenders.append(f"{_label(model)}.{field.name} → {_label(target)}")
    return offenders


def test_every_foreign_key_between_project_tables_joins_two_tenant_tables():
    offenders = _foreign_key_offenders(_tenant_models(), set(_project_models()))
    assert not offenders, "\n".join(offenders)


@isolate_apps("tests")
def test_the_checks_catch_what_they_are_for():
    """Each check above, run on bad models (built in an isolated registry,
    never migrated), names every fault it is for; and passes a good one."""
    from departments.models import ApiToken

    class Plain(models.Model):  # noqa: DJ008 (not a TenantModel, not allow-listed)
        class Meta:
            app_label = "tests"

    class Bad(TenantModel):
        thing_id = models.BigIntegerField()  # a bare id
        code = models.CharField(max_length=5, unique=True)  # unique without organization
        token = models.ForeignKey(ApiToken, on_delete=models.CASCADE)  # to a non-tenant table
        plains = models.ManyToManyField(Plain)  # an auto-created through table

        class Meta:
            app_label = "tests"
            unique_together = [("thing_id", "code")]

    class Good(TenantModel):
        code = models.CharField(max_length=5)

        class Meta:
            app_label = "tests"
            constraints = [
                models.UniqueConstraint(fields=["organization", "code"], name="good_code")
            ]

    project = {Plain, Bad, Good, ApiToken}
    assert _not_tenant_offenders([Plain, Bad, Good]) == ["tests.Plain"]
    assert _unique_offenders([Bad, Good]) == [
        "tests.Bad: field code ('code',)",
        "tests.Bad: unique_together ('thing_id', 'code')",
    ]
    assert _many_to_many_offenders([Bad, Good]) == [
        f"tests.Bad.plains through {_label(Bad.plains.through)}"
    ]
    assert _bare_integer_offenders([Bad, Good]) == ["tests.Bad.thing_id"]
    assert _foreign_key_offenders([Bad, Good], project) == [
        "tests.Bad.token → departments.ApiToken"
    ]
