"""Pages of the library: the search page, a new asset, a new version, the
owner's publish/retire buttons and the file download. Glue over the
selectors and services (the asset page is usage/views.py: it shows uses)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError, apply_service_error
from departments.models import Department
from enablement import permissions
from enablement.library import selectors, services
from enablement.library.forms import AssetForm, NewVersionForm
from enablement.library.models import AssetKind
from pipeline.models import Industry, Stage
from requests_sla.requests.downloads import attachment_response


@membership_required()
def library(request):
    membership = request.membership
    filters = selectors.filters_from(request.GET)
    results = selectors.library_search(membership, filters)
    page = Paginator(results, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    partial = False
    if not page.object_list and filters.q:
        # No asset holds every word: show those that hold some, and say so.
        results = selectors.library_search(membership, filters, match_any=True)
        page = Paginator(results, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
        partial = bool(page.object_list)
    return render(
        request,
        "enablement/library.html",
        {
            "page": page,
            "partial": partial,
            "filters": filters,
            "kinds": AssetKind.choices,
            "industries": Industry.choices,
            "stages": Stage.objects.filter(is_won=False, is_lost=False),
            "departments": Department.objects.filter(code__in=permissions.OWNER_DEPARTMENTS),
            "can_author": permissions.can_author(membership),
        },
    )


@membership_required()
def asset_new(request):
    membership = request.membership
    if not permissions.can_author(membership):
        raise PermissionDenied
    form = AssetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.asset_create(
                actor=membership,
                fields=form.asset_fields(),
                content=form.content(),
                publish=form.cleaned_data.get("publish", False),
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("资料已保存。"))
            return redirect(asset)
    return render(request, "enablement/asset_form.html", {"form": form, "title": _("新建资料")})


@membership_required()
def version_new(request, pk: int):
    membership = request.membership
    asset = selectors.asset_get(membership, pk)
    if not permissions.can_edit(membership, asset):
        raise PermissionDenied
    current = selectors.version_get(asset, None)
    form = NewVersionForm(
        request.POST or None, request.FILES or None, initial=NewVersionForm.initial_from(current)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.asset_version_publish(actor=membership, asset=asset, content=form.content())
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("新版本已发布。"))
            return redirect(asset)
    return render(
        request,
        "enablement/asset_form.html",
        {"form": form, "asset": asset, "title": _("发布新版本：%(t)s") % {"t": asset.title}},
    )


_ACTIONS = {"publish": services.asset_publish, "retire": services.asset_retire}


@require_POST
@membership_required()
def asset_action(request, pk: int, action: str):
    membership = request.membership
    asset = selectors.asset_get(membership, pk)
    service = _ACTIONS.get(action)
    if service is None:
        raise Http404
    try:
        service(actor=membership, asset=asset)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已下架。") if action == "retire" else _("已发布。"))
    return redirect(asset)


@membership_required()
def file_download(request, pk: int):
    """Through the request attachments' safe response (download, nosniff,
    sandbox CSP, X-Accel-Redirect behind nginx), after the visibility rule."""
    return attachment_response(selectors.file_get(request.membership, pk))
