"""Quotes through the services: prices from the current list, bad input
refused with nothing written, approval on the discount chain, send/accept,
revisions, optimistic locking, price-list publication."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from pipeline.opportunities.models import Opportunity
from pricing.catalog import services as catalog_services
from pricing.quotes import lifecycle, services
from pricing.quotes.models import Quote, QuoteLine, QuoteState
from pricing.quotes.requote import price_list_publish_and_offer
from pricing.tests.helpers import NOW, line, make_bundle, make_deal
from requests_sla.approvals import services as approvals
from requests_sla.approvals.models import ApprovalStep
from requests_sla.notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _quote(rep, deal, catalog, *rows, **kw):
    p = catalog["products"]
    rows = rows or (line(p["erp-std"], "2"), line(p["impl-day"], "5"))
    return services.quote_create(actor=rep, opportunity_id=deal.pk, lines=rows, **kw)


def test_a_quote_copies_prices_from_the_current_list_and_stores_its_totals(rep, deal, catalog, org):
    quote = _quote(rep, deal, catalog)
    with organization_scope(org.id):
        lines = list(QuoteLine.objects.filter(quote=quote))
    assert [(li.unit_price, li.amount) for li in lines] == [
        (D("10000.00"), D("20000.00")),
        (D("2000.00"), D("10000.00")),
    ]
    assert (quote.net_total, quote.tax, quote.total) == (
        D("30000.00"),
        D("3900.00"),
        D("33900.00"),
    )
    assert quote.reference == "Q00001-V1"
    assert quote.state == QuoteState.DRAFT
    assert quote.needs_approval is False
    assert quote.price_list_id == catalog["price_list"].pk


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"quantity": "-1"}, "数值必须"),
        ({"quantity": "0"}, "数值必须"),
        ({"unit_price": "-5"}, "数值必须"),
        ({"discount_pct": "101"}, "数值必须"),
        ({"quantity": "abc"}, "请输入数字"),
    ],
)
def test_bad_lines_are_field_errors_and_nothing_is_written(rep, deal, catalog, org, row, message):
    bad = {**line(catalog["products"]["erp-std"]), **row}
    with pytest.raises(ServiceError) as exc:
        services.quote_create(actor=rep, opportunity_id=deal.pk, lines=[bad])
    assert exc.value.field == "lines"
    assert message in exc.value.message
    with organization_scope(org.id):
        assert not Quote.objects.exists()


def test_a_product_not_on_the_current_list_is_refused(rep, deal, catalog, head_pm, org):
    with organization_scope(org.id):
        extra = catalog_services.product_save(
            actor=head_pm, code="new-thing", name_zh="新产品", unit="set", category="licence"
        )
    with pytest.raises(ServiceError, match="不在当前定价表上"):
        services.quote_create(actor=rep, opportunity_id=deal.pk, lines=[line(extra)])


def test_an_option_needs_its_base_product_on_the_quote(rep, deal, catalog):
    with pytest.raises(ServiceError, match="基础产品"):
        services.quote_create(
            actor=rep, opportunity_id=deal.pk, lines=[line(catalog["products"]["erp-hr"])]
        )


def test_no_quote_on_another_organizations_deal(outsider_membership, deal, catalog):
    with pytest.raises(ServiceError) as exc:
        services.quote_create(
            actor=outsider_membership,
            opportunity_id=deal.pk,
            lines=[line(catalog["products"]["erp-std"])],
        )
    assert exc.value.field == "opportunity"


def test_another_reps_deal_is_refused(rep2, deal, catalog):
    with pytest.raises(ServiceError) as exc:
        _quote(rep2, deal, catalog)
    assert exc.value.field == "opportunity"


def test_a_bundle_outside_its_period_or_for_an_ineligible_customer_is_refused(
    rep, deal, catalog, head_pm
):
    p = catalog["products"]
    past = make_bundle(head_pm, p, starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 9, 30))
    with pytest.raises(ServiceError, match="活动周期") as exc:
        services.quote_create(actor=rep, opportunity_id=deal.pk, bundles=[{"bundle": past.pk}])
    assert exc.value.field == "bundle"
    retail = make_bundle(
        head_pm,
        p,
        code="retail-only",
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 12, 31),
        industries=["retail"],
    )
    with pytest.raises(ServiceError, match="行业"):
        services.quote_create(actor=rep, opportunity_id=deal.pk, bundles=[{"bundle": retail.pk}])


def test_a_bundle_in_a_foreign_currency_is_refused(rep, deal, catalog, head_pm):
    usd = make_bundle(
        head_pm,
        catalog["products"],
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 12, 31),
        currency="USD",
    )
    with pytest.raises(ServiceError, match="币种"):
        services.quote_create(actor=rep, opportunity_id=deal.pk, bundles=[{"bundle": usd.pk}])


def test_a_bundle_is_one_block_at_its_price(rep, deal, catalog, head_pm):
    bundle = make_bundle(
        head_pm, catalog["products"], starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31)
    )
    quote = services.quote_create(
        actor=rep, opportunity_id=deal.pk, bundles=[{"bundle": bundle.pk, "quantity": 2}]
    )
    assert quote.list_total == D("40000.00")  # (10000 + 5 × 2000) × 2
    assert quote.net_total == D("40000.00")  # bundle price 20000 × 2
    assert quote.rep_discount_pct == D("0.00")
    assert quote.needs_approval is False


def test_within_the_reps_limit_a_quote_is_sent_and_accepted_and_sets_the_deals_amount(
    rep, deal, catalog, org
):
    quote = _quote(rep, deal, catalog)
    quote = lifecycle.quote_send(actor=rep, quote_id=quote.pk, lock_version=quote.lock_version)
    assert quote.state == QuoteState.SENT
    lifecycle.quote_accept(actor=rep, quote_id=quote.pk)
    with organization_scope(org.id):
        opportunity = Opportunity.objects.get(pk=deal.pk)
        reasons = list(opportunity.history.values_list("history_change_reason", flat=True))
    assert opportunity.amount == D("33900.00")
    assert "quote Q00001-V1 accepted" in reasons


def _deep_discount(rep, deal, catalog):
    p = catalog["products"]
    return _quote(rep, deal, catalog, line(p["erp-std"], "2", discount="25"))


def test_a_deep_discount_cannot_be_sent_before_approval(rep, deal, catalog, org):
    quote = _deep_discount(rep, deal, catalog)
    assert quote.needs_approval and quote.below_floor  # 7500 < floor 8000
    with pytest.raises(ServiceError, match="审批"):
        lifecycle.quote_send(actor=rep, quote_id=quote.pk)
    with organization_scope(org.id):
        assert Quote.objects.get(pk=quote.pk).state == QuoteState.DRAFT


def test_a_discount_over_the_limit_without_a_floor_breach_needs_approval(rep, deal, catalog):
    quote = _quote(rep, deal, catalog, line(catalog["products"]["erp-std"], "1", discount="15"))
    assert quote.below_floor is False
    assert quote.rep_discount_pct == D("15.00")
    assert quote.needs_approval is True


def _pending_step(org, quote):
    with organization_scope(org.id):
        return ApprovalStep.objects.get(request_id=quote.approval_request_id, state="pending")


def test_finance_approves_through_the_chain_then_the_rep_sends(rep, head_fin, deal, catalog, org):
    quote = _deep_discount(rep, deal, catalog)
    quote = lifecycle.quote_request_approval(actor=rep, quote_id=quote.pk)
    assert quote.state == QuoteState.PENDING_APPROVAL
    step = _pending_step(org, quote)
    assert step.approver_id == head_fin.user_id
    assert step.timer_id is not None  # on the SLA engine
    approvals.step_act(step_id=step.pk, actor=head_fin, action="approve")
    with organization_scope(org.id):
        quote = Quote.objects.get(pk=quote.pk)
        notified = Notification.objects.filter(recipient_id=rep.user_id, kind="approval")
        assert notified.exists()
    assert quote.state == QuoteState.APPROVED
    quote = lifecycle.quote_send(actor=rep, quote_id=quote.pk)
    assert quote.state == QuoteState.SENT


def test_a_counter_proposal_sends_the_quote_back_with_the_approvers_words(
    rep, head_fin, deal, catalog, org
):
    quote = lifecycle.quote_request_approval(
        actor=rep, quote_id=_deep_discount(rep, deal, catalog).pk
    )
    step = _pending_step(org, quote)
    approvals.step_act(
        step_id=step.pk, actor=head_fin, action="send_back", reason="可批 8200 元/套"
    )
    with organization_scope(org.id):
        quote = Quote.objects.get(pk=quote.pk)
    assert quote.state == QuoteState.REJECTED
    assert quote.approval_note == "可批 8200 元/套"
    p = catalog["products"]
    edited = services.quote_update(
        actor=rep,
        quote_id=quote.pk,
        lock_version=quote.lock_version,
        lines=[line(p["erp-std"], "2", unit_price="8200.00")],
    )
    assert edited.state == QuoteState.DRAFT
    assert edited.needs_approval is True  # 18% off is still beyond the 10% limit


def test_a_late_approval_step_escalates_like_any_request(rep, head_fin, deal, catalog, org):
    from requests_sla.escalation.services import sla_sweep
    from requests_sla.sla.models import EscalationStep, SlaTimer

    quote = lifecycle.quote_request_approval(
        actor=rep, quote_id=_deep_discount(rep, deal, catalog).pk
    )
    step = _pending_step(org, quote)
    with organization_scope(org.id):
        timer = SlaTimer.objects.get(pk=step.timer_id)
    assert timer.key == f"approval-{step.pk}"
    with time_machine.travel(timer.due_at + dt.timedelta(hours=1), tick=False):
        sla_sweep()
    with organization_scope(org.id):
        levels = set(
            EscalationStep.objects.filter(timer_id=timer.pk).values_list("level", flat=True)
        )
    assert 2 in levels  # breached: escalated like any request's timer


def test_the_second_concurrent_save_is_refused(rep, deal, catalog, org):
    quote = _quote(rep, deal, catalog)
    p = catalog["products"]
    first = services.quote_update(
        actor=rep, quote_id=quote.pk, lock_version=quote.lock_version, lines=[line(p["train"])]
    )
    with pytest.raises(services.QuoteConflict, match="已被他人修改"):
        services.quote_update(
            actor=rep,
            quote_id=quote.pk,
            lock_version=quote.lock_version,
            lines=[line(p["erp-std"])],
        )
    with organization_scope(org.id):
        saved = Quote.objects.get(pk=quote.pk)
        assert list(saved.lines.values_list("product_id", flat=True)) == [p["train"].pk]
    assert saved.lock_version == first.lock_version


def test_only_one_revision_is_sent_at_a_time(rep, deal, catalog, org):
    v1 = lifecycle.quote_send(actor=rep, quote_id=_quote(rep, deal, catalog).pk)
    v2 = services.quote_revise(actor=rep, quote_id=v1.pk)
    assert (v2.number, v2.revision) == (v1.number, 2)
    lifecycle.quote_send(actor=rep, quote_id=v2.pk)
    with organization_scope(org.id):
        states = dict(Quote.objects.values_list("revision", "state"))
    assert states == {1: QuoteState.SUPERSEDED, 2: QuoteState.SENT}


def _new_list(head_pm, catalog, start, erp_price="11000.00"):
    new = catalog_services.price_list_create(
        actor=head_pm, name="2027 标准价", effective_from=start
    )
    catalog_services.price_list_item_set(
        actor=head_pm,
        price_list=new,
        product=catalog["products"]["erp-std"],
        list_price=D(erp_price),
        floor_price=D("8500.00"),
    )
    return new


def test_publishing_a_new_list_never_changes_a_sent_quote_and_offers_a_requote(
    rep, head_pm, deal, catalog, org
):
    sent = lifecycle.quote_send(actor=rep, quote_id=_quote(rep, deal, catalog).pk)
    new = _new_list(head_pm, catalog, dt.date(2026, 11, 20))
    offered = price_list_publish_and_offer(actor=head_pm, price_list=new)
    assert [q.pk for q in offered] == [sent.pk]
    with organization_scope(org.id):
        again = Quote.objects.get(pk=sent.pk)
        assert list(again.lines.values_list("unit_price", flat=True)) == [
            D("10000.00"),
            D("2000.00"),
        ]
        notice = Notification.objects.get(recipient_id=rep.user_id, kind="price_change")
        catalog["price_list"].refresh_from_db()
    assert (again.total, again.state) == (D("33900.00"), QuoteState.SENT)
    assert notice.link == f"/pricing/quotes/{sent.pk}/"
    assert catalog["price_list"].effective_to == dt.date(2026, 11, 19)
    with time_machine.travel(NOW + dt.timedelta(days=5), tick=False):
        v2 = services.quote_revise(actor=rep, quote_id=sent.pk)
    assert v2.price_list_id == new.pk
    assert v2.net_total == D("32000.00")  # 2 × 11000 + 5 × 2000


def test_a_draft_list_cannot_be_published_before_the_current_one(head_pm, catalog):
    early = _new_list(head_pm, catalog, dt.date(2025, 6, 1))
    with pytest.raises(ServiceError) as exc:
        catalog_services.price_list_publish(actor=head_pm, price_list=early)
    assert exc.value.field == "effective_from"


def test_a_published_list_is_frozen(head_pm, catalog):
    with pytest.raises(ServiceError, match="已发布"):
        catalog_services.price_list_item_set(
            actor=head_pm,
            price_list=catalog["price_list"],
            product=catalog["products"]["erp-std"],
            list_price=D("1.00"),
            floor_price=D("1.00"),
        )


def test_a_rep_cannot_edit_prices(rep, catalog):
    with pytest.raises(ServiceError, match="产品管理部"):
        catalog_services.price_list_create(actor=rep, name="x", effective_from=dt.date(2027, 1, 1))


def test_a_key_account_gets_the_key_account_list_where_it_has_the_product(
    rep, head_pm, catalog, org
):
    with organization_scope(org.id):
        key_list = catalog_services.price_list_create(
            actor=head_pm, name="重点客户", tier="key_account", effective_from=dt.date(2026, 1, 1)
        )
        catalog_services.price_list_item_set(
            actor=head_pm,
            price_list=key_list,
            product=catalog["products"]["erp-std"],
            list_price=D("9000.00"),
            floor_price=D("7000.00"),
        )
        catalog_services.price_list_publish(actor=head_pm, price_list=key_list)
    key_deal = make_deal(rep, name="星河集团", key=True)
    quote = _quote(rep, key_deal, catalog)
    assert quote.net_total == D("28000.00")  # 2 × 9000 + 5 × 2000 (standard)


def test_query_count_of_a_quote_save_does_not_grow_with_lines(
    rep, deal, catalog, django_assert_max_num_queries
):
    p = catalog["products"]
    few = [line(p["erp-std"]), line(p["train"])]
    many = [
        line(p[code], str(n + 1)) for n in range(10) for code in ("erp-std", "train", "impl-day")
    ]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        services.quote_create(actor=rep, opportunity_id=deal.pk, lines=few)
    with CaptureQueriesContext(connection) as large:
        services.quote_create(actor=rep, opportunity_id=deal.pk, lines=many)
    assert len(large) == len(small)


def test_the_nightly_task_expires_sent_quotes_past_their_validity_once(rep, deal, catalog, org):
    from pricing.quotes.tasks import quotes_expire_task

    sent = lifecycle.quote_send(actor=rep, quote_id=_quote(rep, deal, catalog).pk)
    with time_machine.travel(NOW + dt.timedelta(days=10), tick=False):
        assert quotes_expire_task() == 0
    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        assert quotes_expire_task() == 1
        assert quotes_expire_task() == 0
    with organization_scope(org.id):
        expired = Quote.objects.get(pk=sent.pk)
        assert expired.state == QuoteState.EXPIRED
        assert expired.lock_version == sent.lock_version + 1
        last = expired.history.first()
        assert last.state == QuoteState.EXPIRED
        assert last.history_change_reason == "有效期已过"
