"""Expenses: typed lines, the policy limits, the approval chain of the
request engine (amount > 5,000 → Finance's head) and the booking on final
approval against the filer's department budget."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from finance.budgets.models import Budget, BudgetLine, LineKind
from finance.expenses import services
from finance.expenses.models import Expense, ExpenseLine, ExpenseState
from finance.tests.helpers import line
from requests_sla.approvals import services as approvals
from requests_sla.approvals.models import ApprovalStep, StepState
from requests_sla.requests.models import Attachment

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _file(rep, lines, kind="travel", title="上海客户拜访"):
    return services.expense_file(
        actor=rep, kind=kind, title=title, purpose="拜访华东电力", lines=lines
    )


def _pending(expense):
    with organization_scope(expense.organization_id):
        return ApprovalStep.objects.get(request_id=expense.request_id, state=StepState.PENDING)


def test_policy_warns_above_the_limit_per_unit(categories):
    hotel = categories["hotel_t1"]
    within = line(hotel, "1200.00", units=Decimal("2"))
    above = line(hotel, "1300.00", units=Decimal("2"))
    warnings = services.policy_check([within, above], {hotel.pk: hotel})
    assert [(w.position, w.limit) for w in warnings] == [(1, Decimal("1200.00"))]
    assert "理由" in warnings[0].message


def test_above_the_limit_needs_a_reason(rep, categories, chain, budget):
    with pytest.raises(ServiceError, match="须填写理由") as caught:
        _file(rep, [line(categories["hotel_t1"], "900.00")])
    assert caught.value.field == "lines"
    with organization_scope(rep.organization_id):
        assert not Expense.objects.exists()
    expense = _file(
        rep, [line(categories["hotel_t1"], "900.00", over_limit_reason="展会期间酒店涨价")]
    )
    assert expense.over_limit


def test_small_expense_passes_the_chain_and_is_booked_at_once(rep, categories, chain, budget):
    expense = _file(
        rep, [line(categories["transport"], "320.50"), line(categories["meals"], "99.50")]
    )
    with organization_scope(rep.organization_id):
        expense.refresh_from_db()
        assert (expense.state, expense.total) == (ExpenseState.APPROVED, Decimal("420.00"))
        assert Budget.objects.get(pk=budget.pk).consumed == Decimal("420.00")
        assert expense.request.extra["amount"] == "420.00"


def test_large_expense_waits_for_finance_head_then_is_booked(
    rep, head_fin, categories, chain, budget
):
    expense = _file(
        rep,
        [line(categories["event"], "18000.00", campaign_note="华东巡展")],
        kind="campaign",
    )
    step = _pending(expense)
    assert step.approver_id == head_fin.user_id
    with organization_scope(rep.organization_id):
        assert Budget.objects.get(pk=budget.pk).consumed == Decimal("0.00")
    approvals.step_act(step_id=step.pk, actor=head_fin, action="approve")
    with organization_scope(rep.organization_id):
        expense.refresh_from_db()
        assert expense.state == ExpenseState.APPROVED
        booking = BudgetLine.objects.get(expense=expense)
        assert (booking.kind, booking.amount) == (LineKind.CONSUMPTION, Decimal("18000.00"))
        assert Budget.objects.get(pk=budget.pk).available == Decimal("82000.00")


def test_approval_beyond_the_budget_is_refused_and_nothing_is_written(
    rep, head_fin, categories, chain, budget
):
    from finance.budgets.services import reservation_make

    reservation_make(actor=head_fin, budget_id=budget.pk, amount=Decimal("95000.00"), label="冲刺")
    expense = _file(rep, [line(categories["event"], "6000.00")], kind="campaign")
    step = _pending(expense)
    with pytest.raises(ServiceError, match="超出可用预算"):
        approvals.step_act(step_id=step.pk, actor=head_fin, action="approve")
    with organization_scope(rep.organization_id):
        assert ApprovalStep.objects.get(pk=step.pk).state == StepState.PENDING
        assert Expense.objects.get(pk=expense.pk).state == ExpenseState.SUBMITTED
        assert not BudgetLine.objects.filter(expense=expense).exists()


def test_rejected_expense_is_never_booked(rep, head_fin, categories, chain, budget):
    expense = _file(rep, [line(categories["event"], "7000.00")], kind="campaign")
    approvals.step_act(step_id=_pending(expense).pk, actor=head_fin, action="reject", reason="超标")
    with organization_scope(rep.organization_id):
        assert Expense.objects.get(pk=expense.pk).state == ExpenseState.SUBMITTED
        assert Budget.objects.get(pk=budget.pk).consumed == Decimal("0.00")


def test_receipt_is_stored_as_a_checked_attachment(rep, categories, chain, budget):
    receipt = SimpleUploadedFile("fapiao.png", PNG, content_type="image/png")
    expense = _file(rep, [line(categories["transport"], "88.00", receipt=receipt)])
    with organization_scope(rep.organization_id):
        stored = ExpenseLine.objects.get(expense=expense).receipt
        assert stored.request_id == expense.request_id
        assert stored.original_name == "fapiao.png"


def test_a_fake_receipt_is_refused_before_anything_is_written(rep, categories, chain, budget):
    fake = SimpleUploadedFile(
        "fapiao.pdf", b"MZ\x90\x00" + b"\x00" * 64, content_type="application/pdf"
    )
    with pytest.raises(ServiceError) as caught:
        _file(rep, [line(categories["transport"], "88.00", receipt=fake)])
    assert caught.value.field == "file"
    with organization_scope(rep.organization_id):
        assert not Expense.objects.exists()
        assert not Attachment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_lines_need_positive_amounts(rep, categories, chain, budget, amount):
    with pytest.raises(ServiceError, match="金额必须大于零"):
        _file(rep, [line(categories["transport"], amount)])


def test_one_currency_per_expense(rep, categories, chain, budget):
    with pytest.raises(ServiceError, match="一种币种"):
        _file(
            rep,
            [
                line(categories["transport"], "10.00"),
                line(categories["transport"], "10.00", currency="USD"),
            ],
        )


def test_a_deal_the_rep_cannot_see_is_refused(rep, rep2, categories, chain, budget, org):
    from finance.tests.helpers import won_deal

    others = won_deal(org, rep2.user, "星河集团", Decimal("1000.00"))
    with pytest.raises(ServiceError, match="找不到这个商机"):
        _file(rep, [line(categories["transport"], "10.00", opportunity_id=others.pk)])


def test_no_budget_for_the_quarter_refuses_the_booking(rep, categories, chain):
    with pytest.raises(ServiceError, match="没有"):
        _file(rep, [line(categories["transport"], "10.00")])


def test_finance_marks_approved_expenses_paid(rep, fin, categories, chain, budget):
    expense = _file(rep, [line(categories["transport"], "10.00")])
    with pytest.raises(ServiceError):
        services.expenses_mark_paid(actor=rep, expense_ids=[expense.pk])
    assert services.expenses_mark_paid(actor=fin, expense_ids=[expense.pk]) == 1
    with organization_scope(rep.organization_id):
        assert Expense.objects.get(pk=expense.pk).state == ExpenseState.PAID
