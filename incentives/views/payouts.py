"""The payout run page: each rep's lines with the deals, tiers and rates
behind every figure (a rep sees only their own), HR submits, Finance
approves (which freezes the run); computing from the sprint page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError
from incentives import permissions
from incentives.payouts import selectors, services
from incentives.payouts.models import PayoutRun
from incentives.views.common import incentives_page, manager, viewer, visible_sprint


def _visible_run(request, pk):
    run = get_object_or_404(PayoutRun.objects.select_related("sprint", "approved_by"), pk=pk)
    visible_sprint(request, run.sprint_id)
    return run


@viewer
def run(request, pk):
    run = _visible_run(request, pk)
    reps = selectors.run_by_rep(request.membership, run)
    return render(
        request,
        "incentives/run.html",
        {
            "run": run,
            "reps": reps,
            "sees_all": permissions.sees_all_figures(request.membership),
            "can_manage": permissions.can_manage(request.membership),
            "can_approve": permissions.can_approve_payouts(request.membership),
        },
    )


@require_POST
@manager
def run_compute(request, pk):
    sprint = visible_sprint(request, pk)
    try:
        run = services.payout_compute(actor=request.membership, sprint=sprint)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("incentives:sprint", pk=sprint.pk)
    messages.success(request, _("发放已计算。"))
    return redirect("incentives:run", pk=run.pk)


def _act(request, pk, action, ok):
    run = _visible_run(request, pk)
    try:
        action(actor=request.membership, run=run)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("incentives:run", pk=run.pk)


@require_POST
@manager
def run_submit(request, pk):
    return _act(request, pk, services.payout_submit, _("已提交财务审批。"))


@require_POST
@incentives_page(permissions.can_approve_payouts)
def run_approve(request, pk):
    return _act(request, pk, services.payout_approve, _("发放已审批，批次已冻结。"))
