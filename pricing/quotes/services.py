"""Writes of a quote's content: create (V1), edit a draft (with the
optimistic version check), revise (V2, V3… priced again from the list
current on the new date). The state changes live in ``lifecycle``.

Every write is one transaction in the actor's scope; the totals are those of
``totals.quote_totals``; a constant number of queries whatever the number of
lines (bulk inserts, one price read, one product read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from collab.tenancy import organization_scope
from pipeline.opportunities.models import Opportunity
from pricing.catalog.models import PricingPolicy
from pricing.catalog.selectors import policy_of
from pricing.permissions import can_quote_on
from pricing.quotes.models import Quote, QuoteBundle, QuoteLanguage, QuoteLine, QuoteState
from pricing.quotes.pricing_input import (
    BlockDraft,
    Context,
    LineDraft,
    blocks_in,
    lines_in,
    percent_in,
    pricing_context,
)
from pricing.quotes.totals import quote_totals

if TYPE_CHECKING:
    from departments.models import Membership

Rows = Sequence[Mapping[str, Any]]


class QuoteConflict(ServiceError):
    """Someone else saved the quote since this edit began (optimistic check)."""


def _existing_customer(opportunity: Opportunity) -> bool:
    return (
        Opportunity.objects.filter(account_id=opportunity.account_id, stage__is_won=True)
        .exclude(pk=opportunity.pk)
        .exists()
    )


def _opportunity_checked(actor: Membership, opportunity_id: int) -> Opportunity:
    opportunity = (
        Opportunity.objects.select_related("account", "stage").filter(pk=opportunity_id).first()
    )
    if opportunity is None or not can_quote_on(actor, opportunity):
        raise ServiceError(_("找不到这个商机，或你无权为它报价。"), field="opportunity")
    if opportunity.stage.is_closed:
        raise ServiceError(_("商机已关闭，不能再报价。"), field="opportunity")
    return opportunity


def _header(quote: Quote, policy: PricingPolicy, fields: Mapping[str, Any], on: dt.date) -> None:
    if "language" in fields:
        if fields["language"] not in QuoteLanguage.values:
            raise ServiceError(_("语言无效。"), field="language")
        quote.language = fields["language"]
    if "terms" in fields:
        quote.terms = (fields["terms"] or "").strip()[:5000]
    if "order_discount_pct" in fields:
        quote.order_discount_pct = percent_in(fields["order_discount_pct"], "order_discount_pct")
    valid_until = fields.get("valid_until") or quote.valid_until
    quote.valid_until = valid_until or on + dt.timedelta(days=policy.validity_days)
    if quote.valid_until < on:
        raise ServiceError(_("有效期不能早于报价日期。"), field="valid_until")


def _write_content(
    quote: Quote,
    ctx: Context,
    lines: list[LineDraft],
    blocks: list[BlockDraft],
    policy: PricingPolicy | None = None,
) -> None:
    """Replace the quote's lines and blocks and store its totals."""
    if not lines and not blocks:
        raise ServiceError(_("报价单至少需要一行产品或一个促销方案。"), field="lines")
    totals = quote_totals(
        [d.as_input() for d in lines],
        [b.as_input() for b in blocks],
        order_discount_pct=quote.order_discount_pct,
        vat_rate=quote.vat_rate,
    )
    policy_limit = (policy or policy_of(quote.organization_id)).rep_discount_limit
    is_new = quote.pk is None
    quote.price_list, quote.currency, quote.quote_date = ctx.price_list, ctx.currency, ctx.on
    for name in ("list_total", "subtotal", "order_discount", "net_total", "tax", "total"):
        setattr(quote, name, getattr(totals, name))
    quote.discount_depth, quote.rep_discount_pct = totals.discount_depth, totals.rep_discount_pct
    quote.below_floor = any(totals.below_floor)
    quote.needs_approval = quote.below_floor or totals.rep_discount_pct > policy_limit
    quote.save()
    if not is_new:
        QuoteLine.objects.filter(quote=quote).delete()
        QuoteBundle.objects.filter(quote=quote).delete()
    org = quote.organization_id
    QuoteLine.objects.bulk_create(
        QuoteLine(
            organization_id=org,
            quote=quote,
            position=position,
            product=d.product,
            name_zh=d.product.name_zh,
            name_en=d.product.name_en,
            unit=d.product.unit,
            quantity=d.quantity,
            list_price=d.price.list_price,
            floor_price=d.price.floor_price,
            unit_price=d.unit_price,
            discount_pct=d.discount_pct,
            amount=amount,
        )
        for position, (d, amount) in enumerate(zip(lines, totals.line_amounts, strict=True))
    )
    QuoteBundle.objects.bulk_create(
        QuoteBundle(
            organization_id=org,
            quote=quote,
            bundle=b.bundle,
            name_zh=b.bundle.name_zh,
            name_en=b.bundle.name_en,
            quantity=b.quantity,
            list_total=b.list_total,
            bundle_price=b.bundle.bundle_price,
            amount=amount,
            stackable=b.bundle.stackable,
        )
        for b, amount in zip(blocks, totals.block_amounts, strict=True)
    )


def quote_create(
    *,
    actor: Membership,
    opportunity_id: int,
    lines: Rows = (),
    bundles: Rows = (),
    quote_date: dt.date | None = None,
    at: dt.datetime | None = None,
    **fields: Any,
) -> Quote:
    """V1 of a new quote on a deal the actor may edit, priced from the list
    current on ``quote_date`` (today by default)."""
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        opportunity = _opportunity_checked(actor, opportunity_id)
        on = quote_date or timezone.localdate(at)
        policy = PricingPolicy.objects.select_for_update().filter(
            organization_id=actor.organization_id
        ).first() or policy_of(actor.organization_id)
        ctx = pricing_context(opportunity, on, lines, bundles)
        drafts = lines_in(ctx, lines)
        blocks = blocks_in(ctx, bundles, existing_customer=_existing_customer(opportunity))
        number = (Quote.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        quote = Quote(
            organization_id=actor.organization_id,
            opportunity=opportunity,
            number=number,
            vat_rate=policy.vat_rate,
            created_by_id=actor.user_id,
            created_at=at,
            updated_at=at,
        )
        _header(quote, policy, fields, on)
        history_note(quote, user=actor.user, date=at, reason="created")
        _write_content(quote, ctx, drafts, blocks, policy)
        return quote


def quote_locked(quote_id: int, lock_version: int | None = None) -> Quote:
    """The quote's row, locked; ``QuoteConflict`` when ``lock_version`` (the
    version the editor started from) is no longer the saved one."""
    quote = (
        Quote.objects.select_for_update().select_related("opportunity__account").get(pk=quote_id)
    )
    if lock_version is not None and quote.lock_version != lock_version:
        raise QuoteConflict(
            _("报价单已被他人修改（当前为第 %(v)s 次保存）。请刷新后再编辑，你的修改未保存。")
            % {"v": quote.lock_version},
            field="lock_version",
        )
    return quote


def quote_bump(quote: Quote, actor: Membership, at: dt.datetime, reason: str) -> None:
    quote.lock_version += 1
    quote.updated_at = at
    history_note(quote, user=actor.user, date=at, reason=reason)


def quote_update(
    *,
    actor: Membership,
    quote_id: int,
    lock_version: int,
    lines: Rows,
    bundles: Rows = (),
    at: dt.datetime | None = None,
    **fields: Any,
) -> Quote:
    """Edit a draft (or a rejected quote): its header, lines and blocks, priced
    from the list current on its date. Back to draft; a previous approval no
    longer counts."""
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        quote = quote_locked(quote_id, lock_version)
        if not can_quote_on(actor, quote.opportunity):
            raise Quote.DoesNotExist
        if not quote.is_editable:
            raise ServiceError(
                _("“%(state)s”状态的报价单不能修改，请新建版本。")
                % {"state": quote.get_state_display()}
            )
        ctx = pricing_context(quote.opportunity, quote.quote_date, lines, bundles)
        drafts = lines_in(ctx, lines)
        blocks = blocks_in(ctx, bundles, existing_customer=_existing_customer(quote.opportunity))
        _header(quote, policy_of(actor.organization_id), fields, quote.quote_date)
        quote.state, quote.approval_request, quote.approval_note = QuoteState.DRAFT, None, ""
        quote_bump(quote, actor, at, "edited")
        _write_content(quote, ctx, drafts, blocks)
        return quote


def quote_revise(*, actor: Membership, quote_id: int, at: dt.datetime | None = None) -> Quote:
    """A new revision (same number, next V) as a draft dated today, its lines
    priced again from the list current today (the re-quote after a price
    change); quantities, discounts and bundles carry over."""
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        source = quote_locked(quote_id)
        if not can_quote_on(actor, source.opportunity):
            raise Quote.DoesNotExist
        if source.state == QuoteState.ACCEPTED:
            raise ServiceError(_("客户已接受的报价单不能再出新版本。"))
        on = timezone.localdate(at)
        rows = [
            {"product": li.product_id, "quantity": li.quantity, "discount_pct": li.discount_pct}
            for li in source.lines.all()
        ]
        block_rows = [{"bundle": b.bundle_id, "quantity": b.quantity} for b in source.bundles.all()]
        ctx = pricing_context(source.opportunity, on, rows, block_rows)
        drafts = lines_in(ctx, rows)
        blocks = blocks_in(
            ctx, block_rows, existing_customer=_existing_customer(source.opportunity)
        )
        latest = Quote.objects.filter(number=source.number).aggregate(r=Max("revision"))["r"]
        quote = Quote(
            organization_id=source.organization_id,
            opportunity=source.opportunity,
            number=source.number,
            revision=latest + 1,
            language=source.language,
            terms=source.terms,
            order_discount_pct=source.order_discount_pct,
            vat_rate=policy_of(actor.organization_id).vat_rate,
            valid_until=on + (source.valid_until - source.quote_date),
            created_by_id=actor.user_id,
            created_at=at,
            updated_at=at,
        )
        history_note(quote, user=actor.user, date=at, reason=f"revision of {source.reference}")
        _write_content(quote, ctx, drafts, blocks)
        return quote
