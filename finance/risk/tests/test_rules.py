"""Every payment-risk rule fires once and only once, with its reason; the
nightly run is incremental; Finance acknowledges and resolves."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from finance.receivables import services as receivables
from finance.receivables.services import MilestoneInput
from finance.risk import reasons, rules
from finance.risk.models import RiskRun, RiskWarning, Rule, WarningState
from finance.risk.services import risk_evaluate, warning_act
from finance.risk.tasks import risk_nightly
from finance.tests.helpers import won_deal
from requests_sla.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _issue(fin, deal, number, amount, due, issued=None):
    return receivables.invoice_issue(
        actor=fin,
        opportunity_id=deal.pk,
        number=number,
        amount=Decimal(amount),
        issued_on=issued or due - dt.timedelta(days=30),
        due_on=due,
    )


def _plan(fin, deal):
    receivables.plan_set(
        actor=fin,
        opportunity_id=deal.pk,
        milestones=[MilestoneInput("deposit", Decimal("1000.00"), timezone.localdate())],
    )


def _warnings(org, rule=None):
    with organization_scope(org.id):
        qs = RiskWarning.objects.all()
        return list(qs.filter(rule=rule) if rule else qs)


def test_overdue_fires_once_with_its_reason_and_notifies_the_rep(org, fin, rep, deal, today):
    _plan(fin, deal)
    _issue(fin, deal, "FP-9", "20000.00", today - dt.timedelta(days=31))
    _issue(fin, deal, "FP-10", "20000.00", today - dt.timedelta(days=30))
    assert risk_evaluate(organization_id=org.id).raised == 1
    assert risk_evaluate(organization_id=org.id, full=True).raised == 0
    (warning,) = _warnings(org, Rule.OVERDUE)
    assert warning.owner_id == rep.user_id
    assert "FP-9" in reasons.reason(warning.rule, warning.facts)
    assert "31" in reasons.reason(warning.rule, warning.facts)
    with organization_scope(org.id):
        assert Notification.objects.filter(recipient=rep.user, kind="payment_risk").count() == 1


def test_overdue_fires_when_time_passes(org, fin, deal, today):
    _plan(fin, deal)
    _issue(fin, deal, "FP-1", "100.00", today)
    assert risk_evaluate(organization_id=org.id).raised == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=32)):
        assert risk_evaluate(organization_id=org.id).raised == 1
        assert risk_evaluate(organization_id=org.id).raised == 0


def test_partial_payment_fires_once(org, fin, deal, today):
    _plan(fin, deal)
    invoice = _issue(fin, deal, "FP-2", "1000.00", today - dt.timedelta(days=3))
    receivables.payment_record(
        actor=fin, invoice_id=invoice.pk, amount=Decimal("400.00"), received_on=today
    )
    risk_evaluate(organization_id=org.id)
    risk_evaluate(organization_id=org.id)
    (warning,) = _warnings(org, Rule.PARTIAL)
    assert "400.00" in reasons.reason(warning.rule, warning.facts)


def test_late_payer_history_fires_once_per_account(org, fin, deal, today):
    _plan(fin, deal)
    for n in (1, 2):
        invoice = _issue(fin, deal, f"OLD-{n}", "100.00", today - dt.timedelta(days=20 * n))
        receivables.payment_record(
            actor=fin, invoice_id=invoice.pk, amount=Decimal("100.00"), received_on=today
        )
    risk_evaluate(organization_id=org.id)
    risk_evaluate(organization_id=org.id, full=True)
    (warning,) = _warnings(org, Rule.LATE_PAYER)
    assert warning.account_id == deal.account_id and warning.facts["late"] == 2


def test_concentration_fires_for_the_dominant_customer(org, fin, rep, deal, today):
    _plan(fin, deal)
    _issue(fin, deal, "BIG", "90000.00", today + dt.timedelta(days=30))
    for name in ("甲公司", "乙公司"):
        other = won_deal(org, rep.user, name, Decimal("5000.00"))
        _plan(fin, other)
        _issue(fin, other, f"S-{name}", "5000.00", today + dt.timedelta(days=30))
    risk_evaluate(organization_id=org.id)
    risk_evaluate(organization_id=org.id)
    (warning,) = _warnings(org, Rule.CONCENTRATION)
    assert warning.account_id == deal.account_id and warning.facts["share"] == "90.0"


def test_won_deal_without_a_plan_fires_after_five_working_days(org, rep, today):
    won_deal(org, rep.user, "慢计划", Decimal("100.00"))
    risk_evaluate(organization_id=org.id)
    assert _warnings(org, Rule.NO_PLAN) == []
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        risk_evaluate(organization_id=org.id)
        risk_evaluate(organization_id=org.id)
    (warning,) = _warnings(org, Rule.NO_PLAN)
    assert "慢计划" in reasons.reason(warning.rule, warning.facts)


def test_working_days_skip_weekends():
    friday = dt.date(2026, 12, 4)
    assert rules.working_days_before(dt.date(2026, 12, 7), 1) == friday


def test_incremental_run_reads_only_changed_accounts(org, fin, deal, today):
    _plan(fin, deal)
    risk_evaluate(organization_id=org.id)
    with organization_scope(org.id):
        since = RiskRun.objects.latest("ran_at").ran_at
    for n in (1, 2):
        invoice = _issue(fin, deal, f"L-{n}", "100.00", today - dt.timedelta(days=5))
        receivables.payment_record(
            actor=fin, invoice_id=invoice.pk, amount=Decimal("100.00"), received_on=today
        )
    with organization_scope(org.id):
        assert len(rules.late_payer(since)) == 1
        assert rules.late_payer(timezone.now()) == []


def test_two_runs_of_the_nightly_task_raise_each_warning_once(org, fin, deal, today):
    _plan(fin, deal)
    _issue(fin, deal, "FP-3", "100.00", today - dt.timedelta(days=40))
    assert risk_nightly.apply().get() >= 1
    risk_nightly.apply().get()
    assert len(_warnings(org, Rule.OVERDUE)) == 1


def test_finance_acknowledges_and_resolves_with_a_note(org, fin, rep, deal, today):
    _plan(fin, deal)
    _issue(fin, deal, "FP-4", "100.00", today - dt.timedelta(days=40))
    risk_evaluate(organization_id=org.id)
    (warning,) = _warnings(org, Rule.OVERDUE)
    with pytest.raises(ServiceError):
        warning_act(actor=rep, warning_id=warning.pk, state="acknowledged")
    with pytest.raises(ServiceError, match="备注"):
        warning_act(actor=fin, warning_id=warning.pk, state="resolved")
    warning_act(actor=fin, warning_id=warning.pk, state="acknowledged")
    done = warning_act(
        actor=fin, warning_id=warning.pk, state="resolved", note="客户已承诺下周付清"
    )
    assert (done.state, done.acted_by_id) == (WarningState.RESOLVED, fin.user_id)


def test_incremental_run_catches_a_payment_recorded_since_the_last_run(org, fin, deal, today):
    _plan(fin, deal)
    invoice = _issue(fin, deal, "FP-INC", "1000.00", today - dt.timedelta(days=200))
    risk_evaluate(organization_id=org.id)  # the first run: full
    receivables.payment_record(
        actor=fin, invoice_id=invoice.pk, amount=Decimal("10.00"), received_on=today
    )
    evaluation = risk_evaluate(organization_id=org.id)
    assert not evaluation.full
    assert len(_warnings(org, Rule.PARTIAL)) == 1


def test_nightly_reads_the_date_once_for_every_organization(org, other_org, monkeypatch):
    import datetime as dt_

    import time_machine

    from finance.budgets import services as budget_services
    from finance.risk import services as risk_services

    seen = []

    class Result:
        raised = 0

    def evaluate(*, organization_id, full=False):
        seen.append(("evaluate", organization_id, full))
        return Result()

    def expire(*, organization_id, today):
        seen.append(("expire", organization_id, today))
        return 0

    monkeypatch.setattr(risk_services, "risk_evaluate", evaluate)
    monkeypatch.setattr(budget_services, "reservations_expire", expire)
    sunday = dt_.datetime(2026, 12, 6, 12, 0, tzinfo=dt_.UTC)
    with time_machine.travel(sunday, tick=False):
        risk_nightly.apply().get()
    days = {x[2] for x in seen if x[0] == "expire"}
    fulls = {x[2] for x in seen if x[0] == "evaluate"}
    assert len(seen) >= 4 and fulls == {True} and len(days) == 1
