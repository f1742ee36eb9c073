"""The payout run page: each rep's lines with the deals, tiers and rates
behind every figure (a rep sees only their own), HR submits it to its
approval chain, whose status shows here; the pending step's approver
approves (the last approval freezes the run), rejects or sends it back with
a reason; computing from the sprint page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError
from incentives import permissions
from incentives.payouts import approval, selectors, services
from incentives.payouts.models import PayoutRun
from incentives.plans.selectors import bundle_names, name_parts
from incentives.views.common import manager, viewer, visible_sprint


def _visible_run(request, pk):
    run = get_object_or_404(PayoutRun.objects.select_related("sprint", "approved_by"), pk=pk)
    visible_sprint(request, run.sprint_id)
    return run


@viewer
def run(request, pk):
    run = _visible_run(request, pk)
    reps = selectors.run_by_rep(request.membership, run)
    sees_all = permissions.sees_all_figures(request.membership)
    lines = [ln for rep in reps for ln in rep.lines]
    warnings = [dict(w) for w in run.warnings] if sees_all else []
    bundles = bundle_names([ln.bundle_id for ln in lines] + [w.get("bundle_id") for w in warnings])
    name_parts(lines, bundles)
    name_parts(warnings, bundles)
    steps = approval.approval_steps(run)
    pending = approval.pending_of(steps)
    return render(
        request,
        "incentives/run.html",
        {
            "run": run,
            "reps": reps,
            "sees_all": sees_all,
            "no_version": [w for w in warnings if w.get("kind", "no_version") == "no_version"],
            "no_rate": [w for w in warnings if w.get("kind") == "no_rate"],
            "can_manage": permissions.can_manage(request.membership),
            "steps": steps,
            "can_approve": approval.may_act(run, pending, request.user.pk),
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


def _act(request, pk, service, ok, **kwargs):
    run = _visible_run(request, pk)
    try:
        service(actor=request.membership, run=run, **kwargs)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("incentives:run", pk=run.pk)


@require_POST
@manager
def run_submit(request, pk):
    return _act(request, pk, services.payout_submit, _("已提交审批。"))


@require_POST
@viewer
def run_approve(request, pk):
    return _act(request, pk, services.payout_approve, _("已审批通过。"))


@require_POST
@viewer
def run_decide(request, pk):
    action = request.POST.get("action", "")
    if action not in ("reject", "send_back"):
        messages.error(request, _("未知的审批操作。"))
        return redirect("incentives:run", pk=_visible_run(request, pk).pk)
    reason = request.POST.get("reason", "")[:2000]
    return _act(request, pk, services.payout_decide, _("已处理。"), action=action, reason=reason)
