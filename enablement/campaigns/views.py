"""The campaign pages: the list, plan/edit, the campaign page (timeline,
assets, responses, leads, deals, won revenue), recording and importing
responses, a response becoming a lead, and the campaigns report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError, apply_service_error
from collab.exports import FORMATS, Sheet, sheets_response
from collab.parsing import optional_date
from enablement import permissions
from enablement.campaigns import responses_import, selectors, services
from enablement.campaigns.forms import CampaignForm, ImportForm, LeadForm, ResponseForm
from enablement.campaigns.models import Campaign, CampaignResponse
from pipeline.models import LeadKind


@membership_required()
def campaigns(request):
    return render(
        request,
        "enablement/campaigns.html",
        {
            "rows": selectors.campaigns_report(),
            "can_manage": permissions.can_manage_campaigns(request.membership),
        },
    )


def _initial(campaign: Campaign) -> dict:
    links = list(campaign.asset_links.all())
    return {
        **{
            name: getattr(campaign, name)
            for name in (*services.PLAIN_FIELDS, *services.TEXT_FIELDS)
        },
        "assets_used": [x.asset_id for x in links if x.role == "used"],
        "assets_produced": [x.asset_id for x in links if x.role == "produced"],
        "target_accounts": list(campaign.targets.values_list("account_id", flat=True)),
    }


@membership_required()
def campaign_edit(request, pk: int | None = None):
    """Plan a campaign, or change one (Marketing)."""
    membership = request.membership
    if not permissions.can_manage_campaigns(membership):
        raise PermissionDenied
    campaign = selectors.campaign_get(membership, pk) if pk is not None else None
    initial = _initial(campaign) if campaign else {}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_save(
                actor=membership, fields=form.campaign_fields(), campaign=campaign
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("市场活动已保存。"))
            return redirect(campaign)
    return render(request, "enablement/campaign_form.html", {"form": form, "campaign": campaign})


def _page(request, campaign, **forms):
    membership = request.membership
    figures = selectors.campaign_figures(campaign)
    leads = selectors.leads_of(membership, campaign)
    return render(
        request,
        "enablement/campaign_detail.html",
        {
            "campaign": campaign,
            "figures": figures,
            "assets": selectors.assets_of(campaign),
            "targets": list(campaign.targets.select_related("account")),
            "responses": list(selectors.responses_of(campaign)[:200]),
            "leads": leads,
            "timeline": selectors.timeline(campaign, leads),
            "can_manage": permissions.can_manage_campaigns(membership),
            "response_form": forms.get("response_form") or ResponseForm(prefix="r"),
            "import_form": forms.get("import_form") or ImportForm(prefix="i"),
            "import_errors": forms.get("import_errors") or [],
            "lead_kinds": LeadKind.choices,
        },
        status=400 if forms else 200,
    )


@membership_required()
def campaign_detail(request, pk: int):
    return _page(request, selectors.campaign_get(request.membership, pk))


@require_POST
@membership_required()
def response_add(request, pk: int):
    membership = request.membership
    campaign = selectors.campaign_get(membership, pk)
    if not permissions.can_manage_campaigns(membership):
        raise PermissionDenied
    form = ResponseForm(request.POST, prefix="r")
    if form.is_valid():
        try:
            services.response_record(
                actor=membership, campaign=campaign, fields=form.response_fields()
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已记录响应。"))
            return redirect(campaign)
    return _page(request, campaign, response_form=form)


@require_POST
@membership_required()
def responses_upload(request, pk: int):
    """All the file's responses, or none and the bad lines."""
    membership = request.membership
    campaign = selectors.campaign_get(membership, pk)
    if not permissions.can_manage_campaigns(membership):
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES, prefix="i")
    if form.is_valid():
        try:
            made = responses_import.responses_import(
                actor=membership, campaign=campaign, data=form.cleaned_data["file"].read()
            )
        except responses_import.ImportRejected as exc:
            return _page(request, campaign, import_form=form, import_errors=exc.errors)
        messages.success(request, _("已导入 %(n)s 条响应。") % {"n": len(made)})
        return redirect(campaign)
    return _page(request, campaign, import_form=form)


@require_POST
@membership_required()
def response_lead(request, pk: int):
    membership = request.membership
    if not permissions.can_manage_campaigns(membership):
        raise PermissionDenied
    response = CampaignResponse.objects.select_related("campaign").filter(pk=pk).first()
    if response is None:
        raise Http404
    form = LeadForm(request.POST, prefix="l")
    if not form.is_valid():
        messages.error(request, _("请检查线索类型和金额。"))
        return redirect(response.campaign)
    try:
        services.response_to_lead(actor=membership, response=response, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已转为线索，客户负责人会收到通知。"))
    return redirect(response.campaign)


def report_sheet(rows: list[selectors.ReportRow]) -> Sheet:
    def money(items) -> str:
        return "; ".join(str(m) for m in items)

    return Sheet(
        title=_("市场活动"),
        headers=[
            _("活动"),
            _("类型"),
            _("开始日期"),
            _("结束日期"),
            pgettext("campaign", "预算"),
            pgettext("campaign", "响应"),
            _("线索"),
            _("单条线索成本"),
            _("商机"),
            _("赢单"),
            _("在途商机金额"),
            _("赢单金额"),
        ],
        rows=[
            [
                r.campaign.title,
                r.campaign.get_kind_display(),
                r.campaign.starts_on,
                r.campaign.ends_on,
                f"{r.campaign.budget} {r.campaign.currency}",
                r.responses,
                r.figures.leads,
                r.figures.cost_per_lead if r.figures.cost_per_lead is not None else "",
                r.figures.deals,
                r.figures.won,
                money(r.figures.pipeline),
                money(r.figures.revenue),
            ]
            for r in rows
        ],
    )


@membership_required()
def campaigns_report(request):
    """Every campaign with cost per lead and revenue (page, CSV or XLSX)."""
    start = optional_date(request.GET.get("start"))
    end = optional_date(request.GET.get("end"))
    rows = selectors.campaigns_report(start, end)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return sheets_response(fmt, "campaigns", [report_sheet(rows)])
    return render(
        request,
        "enablement/campaigns_report.html",
        {"rows": rows, "start": start, "end": end},
    )
