"""The asset page (its version, files, sections, where it was used, the
requests it fulfilled, its effectiveness), every use of an asset, the deal
picker and recording a use on a deal, and fulfilling a content request.
Glue over selectors and services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError, apply_service_error
from collab.exports import FORMATS, sheets_response
from collab.parsing import clean_text, optional_id
from enablement import permissions
from enablement.library import selectors as library_selectors
from enablement.library.forms import AssetForm, NewVersionForm
from enablement.usage import report, selectors, services
from pipeline.models import Industry
from pipeline.opportunities.selectors import opportunities_visible_to
from requests_sla.requests import permissions as request_permissions
from requests_sla.requests import selectors as request_selectors

# The asset page lists the latest uses and links to all of them (a page of
# their own, USES_PER_PAGE at a time); the effectiveness card and the library
# report count them all. Each row costs the page (bench/library.py): a
# hundred rows were most of its time.
USES_SHOWN = 10
USES_PER_PAGE = 50


@membership_required()
def asset_detail(request, pk: int):
    membership = request.membership
    asset = library_selectors.asset_get(membership, pk)
    version, versions = library_selectors.version_and_history(
        asset, optional_id(request.GET.get("v"))
    )
    uses = list(selectors.uses_of_asset(asset)[: USES_SHOWN + 1])
    return render(
        request,
        "enablement/asset_detail.html",
        {
            "asset": asset,
            "industry_label": dict(Industry.choices).get(asset.industry, ""),
            "version": version,
            "versions": versions,
            "can_edit": permissions.can_edit(membership, asset),
            "uses": uses[:USES_SHOWN],
            "more_uses": len(uses) > USES_SHOWN,
            "fulfilments": list(selectors.fulfilments_of_asset(asset)[:50]),
            "figures": selectors.effectiveness(asset),
        },
    )


@membership_required()
def asset_uses(request, pk: int):
    """Every use of the asset, latest first, a page at a time."""
    asset = library_selectors.asset_get(request.membership, pk)
    page = Paginator(selectors.uses_of_asset(asset), USES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "enablement/asset_uses.html", {"asset": asset, "page": page})


@membership_required()
def asset_deals(request, pk: int):
    """htmx: the asset page's deal picker (search as you type). Read when
    the rep reaches for it, not with every page view: at a few thousand open
    deals the picker was the page's slowest part, and fifty names in a
    select were no way to find a deal anyway."""
    membership = request.membership
    asset = library_selectors.asset_get(membership, pk)
    q = clean_text(request.GET.get("q", "")).strip()[:100]
    deals = selectors.deals_to_use_on(membership, asset, q)
    return render(request, "enablement/_use_deals.html", {"deals": deals, "q": q})


@require_POST
@membership_required()
def asset_use(request, pk: int):
    membership = request.membership
    asset = library_selectors.asset_get(membership, pk)
    deal = (
        opportunities_visible_to(membership)
        .filter(pk=optional_id(request.POST.get("opportunity")))
        .first()
    )
    try:
        if deal is None:
            raise ServiceError(_("请选择商机。"), field="opportunity")
        services.asset_use_record(actor=membership, asset=asset, opportunity=deal)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录：在 %(deal)s 使用了这份资料。") % {"deal": deal.name})
    return redirect(asset)


class _AssetChoice(forms.Form):
    asset = forms.TypedChoiceField(label=gettext_lazy("要更新的资料"), coerce=int)


def _fulfil_forms(request, membership, obj):
    kind = services.CONTENT_TYPES.get(obj.request_type.code, "")
    mode = request.POST.get("mode") if request.method == "POST" else None
    new_form = AssetForm(
        request.POST if mode == "new" else None,
        request.FILES if mode == "new" else None,
        initial={"kind": kind, "title_zh": obj.title},
        with_publish=False,
        prefix="new",
    )
    editable = [
        a
        for a in library_selectors.assets_visible_to(membership).exclude(status="retired")[:200]
        if permissions.can_edit(membership, a)
    ]
    choice = _AssetChoice(request.POST if mode == "version" else None, prefix="v")
    choice.fields["asset"].choices = [(a.pk, a.title) for a in editable]
    version_form = NewVersionForm(
        request.POST if mode == "version" else None,
        request.FILES if mode == "version" else None,
        prefix="v",
    )
    return mode, new_form, choice, version_form, {a.pk: a for a in editable}


@membership_required()
def fulfil(request, pk: int):
    """Resolve a Marketing / Product Management content request with the
    asset that fulfils it: a new asset, or a new version of one."""
    membership = request.membership
    obj = request_selectors.request_get(membership, pk)
    if not services.is_content_request(obj) or not request_permissions.can(
        membership, "resolve", obj
    ):
        raise PermissionDenied
    mode, new_form, choice, version_form, editable = _fulfil_forms(request, membership, obj)
    if mode == "new" and new_form.is_valid():
        kwargs = {"fields": new_form.asset_fields(), "content": new_form.content()}
        form = new_form
    elif mode == "version" and choice.is_valid() and version_form.is_valid():
        kwargs = {
            "asset": editable[choice.cleaned_data["asset"]],
            "content": version_form.content(),
        }
        form = version_form
    else:
        kwargs = None
    if kwargs is not None:
        try:
            link = services.request_fulfil(actor=membership, request=obj, **kwargs)
        except ServiceError as exc:
            apply_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("你无权执行此操作。"))
        else:
            messages.success(request, _("请求已解决，资料已交付给提交人。"))
            return redirect(link.asset)
    return render(
        request,
        "enablement/fulfil.html",
        {
            "obj": obj,
            "new_form": new_form,
            "choice": choice,
            "version_form": version_form,
            "mode": mode,
        },
    )


@membership_required()
def library_report(request):
    """Effectiveness of every asset used on a deal (page, CSV or XLSX)."""
    rows = report.library_report()
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return sheets_response(fmt, "library-effectiveness", [report.report_sheet(rows)])
    return render(request, "enablement/report.html", {"rows": rows})


def opportunity_panel(request, opportunity) -> str:
    """The deal page's library panel (pipeline.panels): the assets used on the
    deal and the ones that would fit it."""
    if getattr(request, "membership", None) is None:
        return ""
    return render_to_string(
        "enablement/_opportunity_panel.html", {"opportunity": opportunity}, request=request
    )
