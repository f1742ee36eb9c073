"""Pages of leads: list (new for you), create, decide, report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError, apply_service_error
from pipeline import permissions
from pipeline.leads import selectors, services
from pipeline.leads.forms import LeadForm, RejectForm
from pipeline.leads.models import Lead, LeadKind, LeadSource, LeadStatus
from pipeline.periods import period_from_request
from pipeline.permissions import pipeline_required


@pipeline_required(permissions.can_view_leads)
def lead_list(request):
    membership = request.membership
    leads = selectors.leads_visible_to(membership)
    status = request.GET.get("status", "")
    listed = leads.filter(status=status) if status in LeadStatus.values else leads
    for_you = (
        leads.filter(
            account__owner_id=request.user.pk,
            status=LeadStatus.NEW,
            owner_notified_at__isnull=False,
        )
        if permissions.can_sell(membership)
        else leads.none()
    )
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pipeline/lead_list.html",
        {
            "page": page,
            "for_you": for_you,
            "status": status,
            "statuses": LeadStatus.choices,
            "can_manage": permissions.can_manage_leads(membership),
            "can_decide_all": permissions.manages_pipeline(membership),
        },
    )


@pipeline_required(permissions.can_manage_leads)
def lead_create(request):
    membership = request.membership
    initial = {"account": request.GET.get("account"), "follow_up": request.GET.get("follow_up")}
    if initial["follow_up"]:
        initial["source"] = "follow_up"
    form = LeadForm(request.POST or None, initial=initial, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("线索已提交，已通知客户负责人。"))
            return redirect("pipeline:account_detail", pk=lead.account_id)
    return render(request, "pipeline/form.html", {"form": form, "title": _("新建复购增购线索")})


def _decidable_lead(request, pk) -> Lead:
    lead = get_object_or_404(selectors.leads_visible_to(request.membership), pk=pk)
    if not permissions.can_decide_lead(request.membership, lead):
        raise PermissionDenied
    return lead


@require_POST
@pipeline_required(permissions.can_view_leads)
def lead_decide(request, pk: int, action: str):
    lead = _decidable_lead(request, pk)
    try:
        if action == "accept":
            services.lead_accept(lead=lead, actor=request.user)
            messages.success(request, _("线索已接受。"))
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("请填写拒绝原因。"), field="reason")
            services.lead_reject(lead=lead, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("线索已拒绝。"))
        elif action == "convert":
            lead = services.lead_convert(lead=lead, actor=request.user)
            messages.success(request, _("线索已转为商机。"))
            return redirect("pipeline:opportunity_detail", pk=lead.opportunity_id)
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("pipeline:leads")


@pipeline_required(permissions.can_view_leads)
def lead_report(request):
    form, period = period_from_request(request)
    rows = selectors.lead_report(request.membership, start=period["start"], end=period["end"])
    return render(
        request,
        "pipeline/lead_report.html",
        {
            "form": form,
            "rows": rows,
            "period": period,
            "sources": LeadSource.choices,
            "kinds": LeadKind.choices,
        },
    )
