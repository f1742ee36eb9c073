"""Link checks for collaboration requests (registered with
``requests_sla.catalog.links`` in ``PipelineConfig.ready``).

requests_sla links a request to a customer or deal (pipeline's
``RequestLink``, written by ``links.services``) and never imports this app;
it calls these through its link registry. An id from another organization,
a missing one and one the actor may not see all get the same message, so the answer never tells whether a foreign id exists.
With no organization (a schema checked on its own) there is nothing to look
up and the id passes; ``request_file`` always passes the actor's organization.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from collab.tenancy import organization_scope
from pipeline.accounts import selectors as accounts_selectors
from pipeline.accounts.models import Account
from pipeline.opportunities import selectors as opportunities_selectors
from pipeline.opportunities.models import Opportunity


def _accounts(actor):
    """The accounts ``actor`` may see (all the organization's without one)."""
    return (
        accounts_selectors.accounts_visible_to(actor)
        if actor is not None
        else Account.objects.all()
    )


def _deals(actor):
    """The deals ``actor`` may see (all the organization's without one)."""
    return (
        opportunities_selectors.opportunities_visible_to(actor)
        if actor is not None
        else Opportunity.objects.all()
    )


def account_check(value: int, *, organization_id: int | None, actor=None) -> int:
    """The account exists in the organization (and ``actor`` may see it)."""
    if organization_id is None:
        return value
    with organization_scope(organization_id):
        if not _accounts(actor).filter(pk=value).exists():
            raise ValidationError(_("找不到这个客户，或你无权查看。"), code="invalid_link")
    return value


def opportunity_check(value: int, *, organization_id: int | None, actor=None) -> int | None:
    """The deal exists in the organization (and ``actor`` may see it);
    returns the id of its account, which the request is then linked to."""
    if organization_id is None:
        return None
    with organization_scope(organization_id):
        account_id = _deals(actor).filter(pk=value).values_list("account_id", flat=True).first()
    if account_id is None:
        raise ValidationError(_("找不到这个商机，或你无权查看。"), code="invalid_link")
    return account_id


def account_customer(value: int, *, organization_id: int, actor=None) -> str:
    """The linked account's name (what a request type's 客户名称 asks)."""
    with organization_scope(organization_id):
        return _accounts(actor).filter(pk=value).values_list("name", flat=True).first() or ""


def opportunity_customer(value: int, *, organization_id: int, actor=None) -> str:
    """The name of the linked deal's account."""
    with organization_scope(organization_id):
        return _deals(actor).filter(pk=value).values_list("account__name", flat=True).first() or ""
