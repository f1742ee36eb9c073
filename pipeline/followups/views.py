"""Recording a follow-up, and the satisfaction report."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError, apply_service_error
from collab.parsing import optional_id
from pipeline import permissions
from pipeline.followups import selectors, services
from pipeline.followups.forms import FollowUpForm
from pipeline.periods import period_from_request
from pipeline.permissions import pipeline_required


@pipeline_required(permissions.can_view_leads)
def follow_up_create(request):
    membership = request.membership
    initial = {
        "account": request.GET.get("account"),
        "request_id": request.GET.get("request"),
        "scheduled_for": timezone.localtime().replace(second=0, microsecond=0),
    }
    form = FollowUpForm(request.POST or None, initial=initial, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        done = data.pop("done")
        try:
            follow_up = services.followup_create(
                actor=request.user, done_at=timezone.now() if done or data["csat"] else None, **data
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("回访已记录。"))
            return redirect("pipeline:account_detail", pk=follow_up.account_id)
    return render(request, "pipeline/form.html", {"form": form, "title": _("记录回访")})


@pipeline_required(permissions.can_view_pipeline)
def feedback_report(request):
    form, period = period_from_request(request)
    accounts, comments = selectors.feedback_report(
        request.membership,
        start=period["start"],
        end=period["end"],
        account_id=optional_id(request.GET.get("account")),
    )
    return render(
        request,
        "pipeline/feedback_report.html",
        {"form": form, "accounts": accounts, "comments": comments, "period": period},
    )
