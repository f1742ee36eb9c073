"""Writes of payout runs: compute (or recompute) the open run, submit it to
Finance, approve it (which freezes it).

Computing reads the sprint's figures afresh and writes every line in one
transaction under the sprint's row lock. When earlier runs of the sprint are
approved (frozen), the new run pays only what changed per rep and per deal
or award: a deal not paid before appears with its full detail, a changed one
as an ``adjustment`` for the difference, a deal lost or refunded since as a
negative adjustment (clawback). A frozen run is never written again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Membership
from incentives.payouts import approval, setwise
from incentives.payouts.calc import ZERO
from incentives.payouts.models import LineKind, PayoutLine, PayoutRun, RunState
from incentives.payouts.writes import Line, lines_write
from incentives.permissions import can_manage
from incentives.plans.models import CommissionPlan, PlanVersion
from incentives.plans.selectors import plan_versions, version_on
from incentives.sprints.models import Award, Sprint
from incentives.sprints.selectors import award_standings, sprint_progress
from requests_sla.approvals.models import ApprovalFlow, FlowState

Key = tuple[int, str, int]  # (user, kind, opportunity or award)


def _cap_lines(
    totals: dict[int, Decimal], versions: list[PlanVersion], sprint: Sprint, org_id: int
) -> list[Line]:
    """The cap (of the version in force on the sprint's last day) per rep."""
    version = version_on(versions, sprint.end)
    if version is None or version.cap is None:
        return []
    return [
        Line(
            organization_id=org_id,
            user_id=user_id,
            kind=LineKind.CAP,
            amount=-(total - version.cap),
            note=_("超出封顶金额"),
        )
        for user_id, total in sorted(totals.items())
        if total > version.cap
    ]


def _commission_lines(sprint: Sprint, org_id: int) -> tuple[list[Line], list[dict[str, object]]]:
    """The commission and cap lines as values (a run after a frozen one)."""
    plan = sprint.plan
    if plan is None:
        return [], []
    versions = plan_versions(plan.pk)
    lines = setwise.commission_rows(sprint, plan, versions)
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        totals[line.user_id] += line.amount
    by_user: dict[int, list[Line]] = defaultdict(list)
    for line in lines + _cap_lines(totals, versions, sprint, org_id):
        by_user[line.user_id].append(line)
    ordered = [line for user_id in sorted(by_user) for line in by_user[user_id]]
    return ordered, _warnings(sprint, plan, versions)


def _commission_write(run: PayoutRun, sprint: Sprint, org_id: int) -> list[dict[str, object]]:
    """Write the commission and cap lines straight into the run (no frozen
    run to take off): one INSERT … SELECT, then the caps. The warnings."""
    plan = sprint.plan
    if plan is None:
        return []
    versions = plan_versions(plan.pk)
    setwise.commission_insert(run, sprint, plan, versions)
    lines_write(run, _cap_lines(setwise.totals_by_user(run), versions, sprint, org_id))
    return _warnings(sprint, plan, versions)


def _warnings(
    sprint: Sprint, plan: CommissionPlan, versions: list[PlanVersion]
) -> list[dict[str, object]]:
    """Deals paid nothing (no version on their win day), then deals with a
    sold category or bundle their version does not rate."""
    return setwise.unpaid(sprint, plan, versions) + setwise.no_rate(sprint, plan, versions)


def _award_lines(sprint: Sprint, org_id: int, today: dt.date) -> list[Line]:
    awards = list(Award.objects.filter(sprint=sprint))
    if not awards:
        return []
    progress = sprint_progress(sprint, today)
    lines = []
    for award in awards:
        for row in award_standings(award, progress).winners:
            lines.append(
                Line(
                    organization_id=org_id,
                    user_id=row.key,
                    kind=LineKind.AWARD,
                    award_id=award.pk,
                    note=(f"{award.name_zh} {award.prize_item}").strip()[:200],
                    amount=award.prize_amount,
                )
            )
    return lines


def _key(line: Line | PayoutLine) -> Key:
    if line.kind == LineKind.AWARD or (line.award_id and line.kind == LineKind.ADJUSTMENT):
        return (line.user_id, "award", line.award_id or 0)
    if line.opportunity_id is None and line.kind in (LineKind.CAP, LineKind.ADJUSTMENT):
        return (line.user_id, "cap", 0)
    return (line.user_id, "deal", line.opportunity_id or 0)


def _against_frozen(sprint: Sprint, fresh: list[Line], org_id: int) -> list[Line]:
    """What the frozen runs already paid, taken off the fresh lines per key."""
    paid: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for frozen in PayoutLine.objects.filter(run__sprint=sprint, run__state=RunState.APPROVED):
        paid[_key(frozen)] += frozen.amount
    if not paid:
        return fresh
    grouped: dict[Key, list[Line]] = defaultdict(list)
    for line in fresh:
        grouped[_key(line)].append(line)
    out: list[Line] = []
    for key in sorted(set(grouped) | set(paid)):
        lines = grouped.get(key, [])
        now = sum((ln.amount for ln in lines), ZERO)
        if key not in paid:
            out += lines
        elif now != paid[key]:
            out.append(_adjustment(key, lines, now, paid[key], org_id))
    return out


def _adjustment(key: Key, lines: list[Line], now: Decimal, before: Decimal, org_id: int) -> Line:
    user_id, kind, ref = key
    sample = lines[0] if lines else None
    return Line(
        organization_id=org_id,
        user_id=user_id,
        kind=LineKind.ADJUSTMENT,
        opportunity_id=ref if kind == "deal" else None,
        award_id=ref if kind == "award" else None,
        deal_name=sample.deal_name if sample else "",
        note=_("已发 %(before)s，现应为 %(now)s") % {"before": before, "now": now},
        amount=now - before,
    )


def _require_open(run: PayoutRun) -> None:
    if run.state == RunState.APPROVED:
        raise ServiceError(_("该发放批次已审批冻结，不能修改；之后的变化会作为调整进入下一批次。"))


def payout_compute(*, actor: Membership, sprint: Sprint, today: dt.date | None = None) -> PayoutRun:
    """Compute the sprint's open run (a new one after a frozen run)."""
    if not can_manage(actor):
        raise ServiceError(_("只有人力资源和业务负责人可以计算发放。"))
    org_id = actor.organization_id
    with organization_scope(org_id), transaction.atomic():
        sprint = (
            Sprint.objects.select_for_update(of=("self",)).select_related("plan").get(pk=sprint.pk)
        )
        run = PayoutRun.objects.exclude(state=RunState.APPROVED).filter(sprint=sprint).first()
        if run is not None and run.state == RunState.SUBMITTED:
            raise ServiceError(_("该批次已提交财务审批，不能重新计算。"))
        if run is None:
            last = PayoutRun.objects.filter(sprint=sprint).order_by("-number").first()
            run = PayoutRun(
                organization_id=org_id,
                sprint=sprint,
                number=(last.number + 1) if last else 1,
                currency=sprint.currency,
            )
        else:
            run.lines.all().delete()
        run.computed_at, run.computed_by_id = timezone.now(), actor.user_id
        run.save()
        awards = _award_lines(sprint, org_id, today or timezone.localdate())
        if PayoutLine.objects.filter(run__sprint=sprint, run__state=RunState.APPROVED).exists():
            commission, run.warnings = _commission_lines(sprint, org_id)
            lines = _against_frozen(sprint, commission + awards, org_id)
            lines_write(run, lines)
            run.total = sum((ln.amount for ln in lines), ZERO)
        else:
            run.warnings = _commission_write(run, sprint, org_id)
            lines_write(run, awards)
            run.total = sum(setwise.totals_by_user(run).values(), ZERO)
        run.save(update_fields=["total", "warnings"])
        return run


def payout_submit(*, actor: Membership, run: PayoutRun) -> PayoutRun:
    """HR sends the run to its approval chain (see payouts/approval.py); a
    chain that needs no step approves (freezes) it at once."""
    if not can_manage(actor):
        raise ServiceError(_("只有人力资源和业务负责人可以提交发放。"))
    with organization_scope(actor.organization_id), transaction.atomic():
        run = (
            PayoutRun.objects.select_for_update(of=("self",))
            .select_related("sprint", "approval_request")
            .get(pk=run.pk)
        )
        _require_open(run)
        if run.state != RunState.DRAFT:
            raise ServiceError(_("该批次已提交。"))
        run.state, run.approval_note = RunState.SUBMITTED, ""
        run.save(update_fields=["state", "approval_note"])
        request = approval.approval_file(run, actor, timezone.now())
        run.approval_request = request
        run.save(update_fields=["approval_request"])
        # Filing may have decided the chain already (no step applied): the
        # hook could not find the run before it was linked.
        flow = ApprovalFlow.objects.filter(request=request).first()
        if flow is None:
            raise ServiceError(_("发放审批类型没有审批链，请先在审批设置中配置。"))
        if flow.state != FlowState.IN_PROGRESS:
            run.refresh_from_db(fields=["state"])  # a resubmission's hook may have moved it
            approval.run_follow_flow(run, flow, None)
        return run


def payout_approve(*, actor: Membership, run: PayoutRun) -> PayoutRun:
    """The pending step's approver approves; the last approval freezes the run."""
    return payout_decide(actor=actor, run=run, action="approve")


def payout_decide(*, actor: Membership, run: PayoutRun, action: str, reason: str = "") -> PayoutRun:
    """Approve, reject or send back the run's pending approval step (the
    approvals engine checks the approver and the reason)."""
    with organization_scope(actor.organization_id), transaction.atomic():
        # Not locked here: step_act locks the request, then the decided hook
        # the run — the same order as a decision taken on the request page.
        run = PayoutRun.objects.get(pk=run.pk)
        approval.run_step_act(actor=actor, run=run, action=action, reason=reason)
        return PayoutRun.objects.select_related("approved_by").get(pk=run.pk)
