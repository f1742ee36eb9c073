"""Publishing a price list, and the re-quote offer it makes: every rep whose
open quote (draft to sent) uses a product whose price changed is notified
once per quote, with a link to the quote, whose page offers a new revision
priced from the new list. Sent quotes themselves never change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from collab.tenancy import organization_scope
from pricing.catalog.models import PriceList
from pricing.catalog.services import price_list_publish
from pricing.quotes.models import OPEN_STATES, Quote, QuoteLine
from requests_sla.notifications.services import notifications_send

if TYPE_CHECKING:
    from departments.models import Membership

NOTICE_KIND = "price_change"
NOTICE = gettext_noop("新定价表 %(list)s 已发布：报价单 %(ref)s 中有产品调价，可以重新报价。")


def notice_text(params: Mapping) -> str:
    """The re-quote notice in the reader's language (notification_text_register)."""
    return _(NOTICE) % {"list": params["list"], "ref": params["ref"]}


def price_list_publish_and_offer(
    *, actor: Membership, price_list: PriceList, at: dt.datetime | None = None
) -> list[Quote]:
    """Publish ``price_list``; offer a re-quote on the open quotes that use a
    changed product. Returns those quotes."""
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        changed = price_list_publish(actor=actor, price_list=price_list, at=at)
        if not changed:
            return []
        quote_ids = (
            QuoteLine.objects.filter(
                product_id__in=changed,
                quote__state__in=OPEN_STATES,
                quote__currency=price_list.currency,
                quote__quote_date__lt=price_list.effective_from,
            )
            .values_list("quote_id", flat=True)
            .distinct()
        )
        quotes = list(Quote.objects.filter(pk__in=list(quote_ids)).select_related("opportunity"))
        Quote.objects.filter(pk__in=[q.pk for q in quotes]).update(requote_offered_at=at)
        label = f"{price_list.name} V{price_list.version}"
        for quote in quotes:
            params = {"list": label, "ref": quote.reference}
            notifications_send(
                organization_id=actor.organization_id,
                recipient_ids=[quote.opportunity.owner_id],
                kind=NOTICE_KIND,
                params=params,
                text=notice_text(params),
                link=f"/pricing/quotes/{quote.pk}/",
                at=at,
            )
        return quotes
