"""HTML pages of the customer side. Glue: parse, resolve, call one service, render."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError
from collab.exports import FORMATS

from . import permissions, reports, selectors, selectors_links, services
from .forms import (
    AccountForm,
    ContactForm,
    FollowUpForm,
    FunnelFilterForm,
    LeadForm,
    MoveForm,
    OpportunityForm,
    PeriodForm,
    RejectForm,
)
from .models import Industry, Lead, LeadKind, LeadSource, LeadStatus, Stage


def pipeline_required(rule):
    """Like ``membership_required`` but for the pipeline's role+department rules."""

    def decorator(view):
        @membership_required()
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not rule(request.membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _service_error(form, exc: ServiceError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


# --- accounts ------------------------------------------------------------------------------


@pipeline_required(permissions.can_view_pipeline)
def account_list(request):
    accounts = selectors.accounts_visible_to(request.membership)
    q = request.GET.get("q", "").strip()
    industry = request.GET.get("industry", "")
    if q:
        accounts = accounts.filter(name__icontains=q)
    if industry in Industry.values:
        accounts = accounts.filter(industry=industry)
    if request.GET.get("key") == "1":
        accounts = accounts.filter(is_key_account=True)
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pipeline/account_list.html",
        {
            "page": page,
            "q": q,
            "industry": industry,
            "industries": Industry.choices,
            "key": request.GET.get("key") == "1",
            "can_create": permissions.can_sell(request.membership),
        },
    )


def _visible_account(request, pk):
    try:
        return selectors.account_detail(request.membership, pk)
    except selectors.Account.DoesNotExist as exc:
        raise Http404 from exc


@pipeline_required(permissions.can_view_pipeline)
def account_detail(request, pk: int):
    account = _visible_account(request, pk)
    membership = request.membership
    return render(
        request,
        "pipeline/account_detail.html",
        {
            "account": account,
            "contact_form": ContactForm(),
            "can_edit": permissions.can_edit_account(membership, account),
            "can_sell": permissions.can_sell(membership),
            "can_manage_leads": permissions.can_manage_leads(membership),
            "service_records": selectors_links.account_service_records(membership, account),
        },
    )


@pipeline_required(permissions.can_sell)
def account_create(request):
    can_assign = permissions.manages_pipeline(request.membership)
    form = AccountForm(request.POST or None, can_assign=can_assign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("owner", request.user)
        try:
            account = services.account_create(actor=request.user, **data)
        except ServiceError as exc:
            _service_error(form, exc)
        else:
            messages.success(request, _("客户已创建。"))
            return redirect("pipeline:account_detail", pk=account.pk)
    return render(request, "pipeline/form.html", {"form": form, "title": _("新建客户")})


@pipeline_required(permissions.can_view_pipeline)
def account_edit(request, pk: int):
    account = get_object_or_404(selectors.accounts_visible_to(request.membership), pk=pk)
    if not permissions.can_edit_account(request.membership, account):
        raise PermissionDenied
    can_assign = permissions.manages_pipeline(request.membership)
    initial = {
        f: getattr(account, f) for f in ("name", "industry", "size", "is_key_account", "owner")
    }
    form = AccountForm(request.POST or None, initial=initial, can_assign=can_assign)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(account=account, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _service_error(form, exc)
        else:
            messages.success(request, _("客户已保存。"))
            return redirect("pipeline:account_detail", pk=account.pk)
    return render(
        request, "pipeline/form.html", {"form": form, "title": _("编辑客户"), "cancel": account}
    )


@require_POST
@pipeline_required(permissions.can_view_pipeline)
def contact_add(request, pk: int):
    account = get_object_or_404(selectors.accounts_visible_to(request.membership), pk=pk)
    if not permissions.can_edit_account(request.membership, account):
        raise PermissionDenied
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_add(account=account, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _service_error(form, exc)
        else:
            messages.success(request, _("联系人已添加。"))
            return redirect("pipeline:account_detail", pk=account.pk)
    return render(
        request, "pipeline/form.html", {"form": form, "title": _("添加联系人"), "cancel": account}
    )


# --- opportunities -----------------------------------------------------------------------------


@pipeline_required(permissions.can_view_pipeline)
def opportunity_list(request):
    membership = request.membership
    opportunities = selectors.opportunities_visible_to(membership)
    mine = request.GET.get("mine", "1" if membership.role == "sales_rep" else "") == "1"
    if mine:
        opportunities = opportunities.filter(owner_id=request.user.pk)
    stage = request.GET.get("stage", "")
    if stage.isdigit():
        opportunities = opportunities.filter(stage_id=int(stage))
    if request.GET.get("open", "1") == "1":
        opportunities = opportunities.filter(stage__is_won=False, stage__is_lost=False)
    page = Paginator(opportunities, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pipeline/opportunity_list.html",
        {
            "page": page,
            "mine": mine,
            "stages": Stage.objects.all(),
            "stage": stage,
            "open_only": request.GET.get("open", "1") == "1",
            "can_create": permissions.can_sell(membership),
            "now": timezone.now(),
        },
    )


@pipeline_required(permissions.can_sell)
def opportunity_create(request):
    membership = request.membership
    can_assign = permissions.manages_pipeline(membership)
    initial = {
        "account": request.GET.get("account"),
        "expected_close_date": timezone.localdate() + dt.timedelta(days=60),
    }
    form = OpportunityForm(
        request.POST or None, initial=initial, membership=membership, can_assign=can_assign
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("owner", request.user)
        try:
            opportunity = services.opportunity_create(actor=request.user, **data)
        except ServiceError as exc:
            _service_error(form, exc)
        else:
            messages.success(request, _("商机已创建。"))
            return redirect("pipeline:opportunity_detail", pk=opportunity.pk)
    return render(request, "pipeline/form.html", {"form": form, "title": _("新建商机")})


def _stepper_context(request, opportunity, move_form=None):
    return {
        "opportunity": opportunity,
        "stages": Stage.objects.all(),
        "history": selectors.stage_history(opportunity),
        "move_form": move_form or MoveForm(initial={"stage": opportunity.stage_id}),
        "can_edit": permissions.can_edit_opportunity(request.membership, opportunity),
    }


@pipeline_required(permissions.can_view_pipeline)
def opportunity_detail(request, pk: int):
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.membership), pk=pk)
    context = _stepper_context(request, opportunity)
    context["linked_requests"] = selectors_links.opportunity_requests(
        request.membership, opportunity
    )
    context["can_file"] = request.membership.can("file_requests")
    return render(request, "pipeline/opportunity_detail.html", context)


@pipeline_required(permissions.can_view_pipeline)
def opportunity_edit(request, pk: int):
    membership = request.membership
    opportunity = get_object_or_404(selectors.opportunities_visible_to(membership), pk=pk)
    if not permissions.can_edit_opportunity(membership, opportunity):
        raise PermissionDenied
    can_assign = permissions.manages_pipeline(membership)
    fields = (
        "account",
        "name",
        "owner",
        "amount",
        "currency",
        "expected_close_date",
        "probability",
        "next_step",
    )
    initial = {f: getattr(opportunity, f) for f in fields}
    form = OpportunityForm(
        request.POST or None, initial=initial, membership=membership, can_assign=can_assign
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("probability") is None:
            data["probability"] = opportunity.stage.default_probability
        try:
            services.opportunity_update(opportunity=opportunity, actor=request.user, **data)
        except ServiceError as exc:
            _service_error(form, exc)
        else:
            messages.success(request, _("商机已保存。"))
            return redirect("pipeline:opportunity_detail", pk=opportunity.pk)
    return render(
        request, "pipeline/form.html", {"form": form, "title": _("编辑商机"), "cancel": opportunity}
    )


@require_POST
@pipeline_required(permissions.can_view_pipeline)
def opportunity_move(request, pk: int):
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.membership), pk=pk)
    if not permissions.can_edit_opportunity(request.membership, opportunity):
        raise PermissionDenied
    form = MoveForm(request.POST)
    moved = False
    if form.is_valid():
        try:
            opportunity = services.opportunity_move(
                opportunity=opportunity,
                actor=request.user,
                stage=form.cleaned_data["stage"],
                lost_reason=form.cleaned_data["lost_reason"],
                lost_note=form.cleaned_data["lost_note"],
            )
            moved = True
        except ServiceError as exc:
            _service_error(form, exc)
    if not request.htmx:
        if moved:
            messages.success(request, _("阶段已更新。"))
            return redirect("pipeline:opportunity_detail", pk=opportunity.pk)
        return render(
            request,
            "pipeline/opportunity_detail.html",
            _stepper_context(request, opportunity, form),
        )
    context = _stepper_context(request, opportunity, None if moved else form)
    context["moved"] = moved
    return render(request, "pipeline/_stepper.html", context)


# --- the "customer / deal" field of the request form ---------------------------------------------


@membership_required("file_requests")
def link_lookup(request):
    """htmx: the open deals and accounts matching ``q`` that the member may see."""
    q = request.GET.get("q", "").strip()[:100]
    deals, accounts = selectors_links.link_lookup(request.membership, q)
    return render(
        request, "pipeline/_link_results.html", {"deals": deals, "accounts": accounts, "q": q}
    )


@membership_required("file_requests")
def link_pick(request):
    """htmx: the field with ``link`` chosen (or empty again to search)."""
    choice = None
    kind, _sep, number = request.GET.get("link", "").partition(":")
    if number.isdigit():
        choice = selectors_links.link_target(request.membership, kind, int(number))
    return render(request, "pipeline/_link_control.html", {"choice": choice, "q": ""})


# --- funnel --------------------------------------------------------------------------------


@pipeline_required(permissions.can_view_funnel)
def funnel(request):
    membership = request.membership
    restricted = not permissions.manages_pipeline(membership)
    form = FunnelFilterForm(request.GET or None, restricted=restricted)
    filters = form.filters(owner_id=request.user.pk if restricted else None)
    if connection.vendor != "postgresql":
        return render(request, "pipeline/funnel_needs_postgres.html", {"form": form})
    report = selectors.funnel_report(filters)
    export = request.GET.get("export")
    if export in FORMATS:
        return reports.funnel_export(report, export)
    query = request.GET.copy()
    query.pop("export", None)
    headers, rows = reports.funnel_table(report)
    f_headers, f_rows = reports.forecast_table(report)
    return render(
        request,
        "pipeline/funnel.html",
        {
            "form": form,
            "report": report,
            "restricted": restricted,
            "table": (headers, rows),
            "forecast": (f_headers, f_rows),
            "chart": reports.funnel_chart(report),
            "sentences": reports.bottleneck_sentences(report),
            "query": query.urlencode(),
        },
    )


def _period(request) -> tuple[PeriodForm, dict]:
    """The period in the URL, or the default one when it is missing or wrong
    (the form then shows what was wrong)."""
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data
    fallback = PeriodForm({})
    fallback.is_valid()
    return form, fallback.cleaned_data


# --- leads ---------------------------------------------------------------------------------


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
            _service_error(form, exc)
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
    form, period = _period(request)
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


# --- follow-ups and feedback ---------------------------------------------------------------------


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
            _service_error(form, exc)
        else:
            messages.success(request, _("回访已记录。"))
            return redirect("pipeline:account_detail", pk=follow_up.account_id)
    return render(request, "pipeline/form.html", {"form": form, "title": _("记录回访")})


@pipeline_required(permissions.can_view_pipeline)
def feedback_report(request):
    form, period = _period(request)
    accounts, comments = selectors.feedback_report(
        request.membership,
        start=period["start"],
        end=period["end"],
        account_id=int(request.GET["account"])
        if request.GET.get("account", "").isdigit()
        else None,
    )
    return render(
        request,
        "pipeline/feedback_report.html",
        {"form": form, "accounts": accounts, "comments": comments, "period": period},
    )
