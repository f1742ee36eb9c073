"""Writes of payment-risk warnings: evaluate the rules for one organization
(the nightly task), and Finance acknowledging or resolving a warning.

Evaluation inserts with ``ON CONFLICT DO NOTHING`` on the unique (organization,
rule, key): two runs at once, or a run repeated, raise each warning once.
The rep who owns the subject gets an inbox notification for each new one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Membership
from finance.permissions import is_finance
from finance.risk import rules
from finance.risk.models import RiskRun, RiskWarning, WarningState
from requests_sla.notifications.models import Notification
from requests_sla.notifications.services import notifications_send_many

NOTIFICATION_KIND = "payment_risk"


@dataclass(frozen=True)
class Evaluation:
    raised: int
    full: bool


def _candidates(today: dt.date, since: dt.datetime | None) -> list[RiskWarning]:
    return [
        *rules.overdue(today, since),
        *rules.partial(today, since),
        *rules.late_payer(since),
        *rules.concentration(),
        *rules.no_plan(today, since),
    ]


def risk_evaluate(
    *, organization_id: int, today: dt.date | None = None, full: bool = False
) -> Evaluation:
    """Raise the warnings that hold now. Incremental unless ``full`` (or the
    first run): account-driven rules read only accounts changed since the
    last run; date-driven ones read open invoices by due date."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    with organization_scope(organization_id), transaction.atomic():
        last = RiskRun.objects.order_by("-ran_at").values_list("ran_at", flat=True).first()
        since = None if full or last is None else last
        candidates = _candidates(today, since)
        for warning in candidates:
            warning.organization_id, warning.created_at = organization_id, now
        created = RiskWarning.objects.bulk_create(
            candidates, ignore_conflicts=True, batch_size=1000
        )
        # With ignore_conflicts the rows carry no ids: read back the new ones.
        new = (
            list(RiskWarning.objects.filter(created_at=now).select_related("account"))
            if created
            else []
        )
        _notify(new, now)
        RiskRun.objects.create(
            organization_id=organization_id, ran_at=now, full=since is None, raised=len(new)
        )
        return Evaluation(len(new), since is None)


def _notify(warnings: list[RiskWarning], at: dt.datetime) -> None:
    notifications_send_many(
        [
            Notification(
                organization_id=w.organization_id,
                recipient_id=w.owner_id,
                kind=NOTIFICATION_KIND,
                link=f"/finance/accounts/{w.account_id}/risk/",
                params={"rule": w.rule, "facts": w.facts, "account": w.account.name},
                text=f"{w.account.name}: {w.get_rule_display()}"[:300],
                created_at=at,
            )
            for w in warnings
            if w.owner_id
        ],
        at=at,
    )


def warning_act(*, actor: Membership, warning_id: int, state: str, note: str = "") -> RiskWarning:
    """Finance acknowledges or resolves a warning, with a note."""
    if not is_finance(actor):
        raise ServiceError(_("只有财务可以处理风险预警。"))
    if state not in (WarningState.ACKNOWLEDGED, WarningState.RESOLVED):
        raise ServiceError(_("未知的处理方式。"), field="state")
    note = (note or "").strip()[:2000]
    if state == WarningState.RESOLVED and not note:
        raise ServiceError(_("解决预警需要填写备注。"), field="note")
    with organization_scope(actor.organization_id), transaction.atomic():
        warning = RiskWarning.objects.select_for_update().filter(pk=warning_id).first()
        if warning is None:
            raise ServiceError(_("找不到这条预警。"), field="warning")
        if warning.state == WarningState.RESOLVED:
            raise ServiceError(_("这条预警已解决。"), field="state")
        warning.state, warning.note = state, note or warning.note
        warning.acted_by_id, warning.acted_at = actor.user_id, timezone.now()
        warning.save(update_fields=["state", "note", "acted_by", "acted_at"])
        return warning
