"""Tenancy: the ONE place where rows are scoped to an organization.

The current organization lives in a context variable, set once per web
request (``collab.middleware.TenantMiddleware``, or the API mixin after
token authentication) and once per Celery task (``tenant_task``). Every
tenant-owned model uses ``TenantManager`` as its default manager, which
filters on that organization and *raises* when none is in scope: a missing
scope is a bug to surface, never a reason to return every organization's
rows. The bypass has a loud name, ``dangerously_unscoped()``.

The database enforces the same scope with row-level security (``collab/rls.py``):
every statement carries the scope of this context variable, and
``dangerously_unscoped()`` switches to the service role that bypasses it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import sys
from collections.abc import Iterator
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.signals import class_prepared

_UNSCOPED = object()  # sentinel: explicit cross-organization access

_current: contextvars.ContextVar[Any] = contextvars.ContextVar("collab_org_id", default=None)

# Every entry into dangerously_unscoped() is logged here (the audit trail of
# cross-organization access; INFO in production, quieter in make run and tests).
audit_log = logging.getLogger("collab.tenancy.unscoped")


class NoOrganizationInScope(RuntimeError):
    """A tenant-owned table was queried with no organization in scope."""


def current_organization_id() -> int | None:
    value = _current.get()
    return None if value is _UNSCOPED else value


def is_unscoped() -> bool:
    """True inside ``dangerously_unscoped()``."""
    return _current.get() is _UNSCOPED


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
def dangerously_unscoped(reason: str = "") -> Iterator[None]:
    """Cross-organization access: the sweep's and outboxes' selection of ids,
    sign-in's membership lookup, provisioning, the demo, admin, commands.

    Besides lifting the manager's filter, it switches the database to the
    service role that bypasses row-level security (``collab.rls``), and it
    logs who asked (``collab.tenancy.unscoped``). Leaving it restores the
    previous scope, and so the previous role."""
    if audit_log.isEnabledFor(logging.INFO):
        caller = _caller(sys._getframe(1))
        audit_log.info(
            "unscoped database access: %s (%s:%d)",
            reason or caller.f_code.co_name,
            "/".join(caller.f_code.co_filename.rsplit("/", 2)[-2:]),
            caller.f_lineno,
        )
    token = _current.set(_UNSCOPED)
    try:
        yield
    finally:
        _current.reset(token)


def _caller(frame):
    """The first frame outside this module, contextlib and Django: who asked."""
    while frame.f_back is not None and (
        frame.f_code.co_filename in (__file__, contextlib.__file__)
        or "/django/" in frame.f_code.co_filename
    ):
        frame = frame.f_back
    return frame


_M = TypeVar("_M", bound=models.Model)


class TenantQuerySet(models.QuerySet[_M]):
    pass


class UnscopedQuerySet(models.QuerySet):
    """``Model.unscoped``: every statement it runs is on the audited unscoped
    path (``dangerously_unscoped()``: no manager filter, the BYPASSRLS role,
    a log line naming the caller). Building one is harmless; running one is
    the explicit cross-organization access. A ``.unscoped`` queryset used as
    a subquery of a scoped one is compiled into that statement, and so stays
    under row-level security."""

    def iterator(self, chunk_size=None):
        # A generator would hold the unscoped scope open between its yields
        # (in the caller's code): materialize instead.
        with dangerously_unscoped(f"{self.model.__name__}.unscoped.iterator"):
            rows = list(super().iterator(chunk_size=chunk_size or 2000))
        return iter(rows)


def _unscoped_method(name: str):
    method = getattr(models.QuerySet, name)

    @functools.wraps(method)
    def run(self, *args: Any, **kwargs: Any) -> Any:
        if is_unscoped():
            return method(self, *args, **kwargs)
        with dangerously_unscoped(f"{self.model.__name__}.unscoped.{name.lstrip('_')}"):
            return method(self, *args, **kwargs)

    return run


# Every QuerySet method that runs SQL (iteration, get() and first() go through _fetch_all).
for _name in (
    "_fetch_all", "count", "exists", "contains", "aggregate", "update", "_update", "delete",
    "_raw_delete", "bulk_create", "bulk_update", "create", "get_or_create",
    "update_or_create", "explain", "_insert",
):  # fmt: skip
    setattr(UnscopedQuerySet, _name, _unscoped_method(_name))


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

    ``Model.unscoped`` is the rare explicit cross-tenant access
    (``UnscopedQuerySet``: audited, past row-level security); grep for it in
    review. Related-object access (``obj.fk``) and ``save()`` use the plain
    base manager: no manager filter, but row-level security still applies.
    """

    organization = models.ForeignKey(
        "departments.Organization", on_delete=models.CASCADE, related_name="+"
    )

    objects = TenantManager()
    # A plain manager in the model's state (and its base manager, so the
    # migrations stay as they were); the class attribute ``Model.unscoped`` is
    # replaced by the audited one when the model is prepared (below).
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

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        # Re-reading a row one already holds, with no scope at all (a test, a
        # shell): in the row's own organization, which row-level security
        # requires. Under another organization's scope it stays invisible.
        if _current.get() is None and self.organization_id:
            with organization_scope(self.organization_id):
                return super().refresh_from_db(*args, **kwargs)
        return super().refresh_from_db(*args, **kwargs)


_UnscopedManager = models.Manager.from_queryset(UnscopedQuerySet)


class _AuditedManagerDescriptor:
    """``Model.unscoped``: the audited manager (class access only, like Django's)."""

    def __init__(self, manager: models.Manager) -> None:
        self.manager = manager

    def __get__(self, instance: Any, cls: Any = None) -> models.Manager:
        if instance is not None:
            raise AttributeError(f"Manager isn't accessible via {cls.__name__} instances")
        return self.manager


def _audit_unscoped(sender: type, **kwargs: Any) -> None:
    if issubclass(sender, TenantModel) and not sender._meta.abstract:
        manager = _UnscopedManager()
        manager.model = sender
        manager.name = "unscoped"
        sender.unscoped = _AuditedManagerDescriptor(manager)


class_prepared.connect(_audit_unscoped, dispatch_uid="collab.tenancy.audited_unscoped")


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
