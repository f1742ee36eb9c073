"""Tenancy: the ONE place where rows are scoped to an organization.

The current organization lives in a context variable, set once per web
request (``collab.middleware.TenantMiddleware``, or the API mixin after
token authentication) and once per Celery task (``tenant_task``). Every
tenant-owned model uses ``TenantManager`` as its default manager, which
filters on that organization and *raises* when none is in scope: a missing
scope is a bug to surface, never a reason to return every organization's
rows. The bypass has a loud name, ``dangerously_unscoped()``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import models

_UNSCOPED = object()  # sentinel: explicit cross-organization access

_current: contextvars.ContextVar[Any] = contextvars.ContextVar("collab_org_id", default=None)


class NoOrganizationInScope(RuntimeError):
    """A tenant-owned table was queried with no organization in scope."""


def current_organization_id() -> int | None:
    value = _current.get()
    return None if value is _UNSCOPED else value


def require_organization_id() -> int:
    value = _current.get()
    if value is None or value is _UNSCOPED:
        raise NoOrganizationInScope("no organization in scope")
    return value


def set_organization(organization_id: int | None) -> contextvars.Token:
    """Set the scope for the rest of this context; pair with ``reset``."""
    return _current.set(organization_id)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def organization_scope(organization_id: int) -> Iterator[None]:
    if not organization_id:
        raise NoOrganizationInScope("organization_scope needs an organization id")
    token = _current.set(organization_id)
    try:
        yield
    finally:
        _current.reset(token)


@contextlib.contextmanager
def dangerously_unscoped() -> Iterator[None]:
    """Cross-organization access (the sweep's selection, admin, bench seeding)."""
    token = _current.set(_UNSCOPED)
    try:
        yield
    finally:
        _current.reset(token)


_M = TypeVar("_M", bound=models.Model)


class TenantQuerySet(models.QuerySet[_M]):
    pass


class _MissingScope(models.Expression):
    """A WHERE condition that refuses to become SQL: no scope, no rows."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, model_name: str) -> None:
        super().__init__()
        self.model_name = model_name

    def as_sql(self, compiler, connection):
        if compiler.query.is_empty():
            # ``none()``: nothing to leak, so it runs without a scope
            # (serializer fields and schema generators evaluate these at
            # import time), keeping its values(), annotations and ordering.
            raise EmptyResultSet
        raise NoOrganizationInScope(f"{self.model_name} queried with no organization in scope")


class TenantManager(models.Manager[_M]):
    """Default manager of every tenant-owned model; fails closed."""

    # A typed manager (not ``from_queryset``) so the checker knows each model's
    # rows; a method added to TenantQuerySet is reached through ``.all()``.
    _queryset_class = TenantQuerySet

    def get_queryset(self) -> models.QuerySet[_M]:
        qs = super().get_queryset()
        value = _current.get()
        if value is _UNSCOPED:
            return qs
        if value is None:
            # Building a queryset is harmless (forms, filters and schema
            # generators do it at import time); running one is not. The guard
            # raises when the query is compiled to SQL, whatever runs it.
            return qs.filter(_MissingScope(self.model.__name__))
        return qs.filter(organization_id=value)


class TenantModel(models.Model):
    """Abstract base: an ``organization`` FK and the scoped default manager.

    ``unscoped`` is a plain manager for the rare explicit cross-tenant read;
    grep for it in review. Related-object access (``obj.fk``) uses Django's
    base manager and so follows the FK without a second scope check.
    """

    organization = models.ForeignKey(
        "departments.Organization", on_delete=models.CASCADE, related_name="+"
    )

    objects = TenantManager()
    unscoped = models.Manager()  # noqa: DJ012 (ruff takes a second manager for a field)

    class Meta:
        abstract = True
        base_manager_name = "unscoped"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Writing a row into another organization than the one in scope is
        # the same bug as reading one: refuse it.
        scoped = current_organization_id()
        if scoped is not None and self.organization_id not in (None, scoped):
            raise NoOrganizationInScope(
                f"{type(self).__name__} for organization {self.organization_id} "
                f"written while {scoped} is in scope"
            )
        if self.organization_id is None and scoped is not None:
            self.organization_id = scoped
        super().save(*args, **kwargs)


def tenant_task(func):
    """Decorator for Celery task bodies: ``organization_id`` sets the scope.

    The scope is reset when the task returns or raises, so a worker that runs
    tasks for two organizations one after the other never carries the first
    one's scope into the second.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, organization_id: int, **kwargs: Any) -> Any:
        with organization_scope(organization_id):
            return func(*args, organization_id=organization_id, **kwargs)

    return wrapper
