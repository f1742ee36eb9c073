"""Writes of the request ↔ customer/deal links: requests_sla's link store
(``requests_sla.catalog.links.link_store_register`` in ``PipelineConfig.ready``).

``request_file`` calls ``request_link_save`` inside its transaction, after the
link checks (``links.checks``) passed for the filer: the ids here are known
to be the organization's and visible to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.opportunities.models import Opportunity, RequestLink

if TYPE_CHECKING:
    from requests_sla.requests.models import Request


def request_link_save(
    request: Request, *, account_id: int | None, opportunity_id: int | None
) -> None:
    """Link a request just filed to its customer (and deal). A deal alone
    brings its account."""
    if account_id is None and opportunity_id is not None:
        account_id = (
            Opportunity.objects.filter(pk=opportunity_id)
            .values_list("account_id", flat=True)
            .first()
        )
    if account_id is None:
        return
    RequestLink.objects.create(
        organization_id=request.organization_id,
        request=request,
        account_id=account_id,
        opportunity_id=opportunity_id,
    )
