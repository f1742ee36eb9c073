"""Pages of promotion bundles and the generated comparison sheet (page,
.xlsx, printable page)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError, apply_service_error
from collab.parsing import optional_date
from pipeline.permissions import pipeline_required as pricing_required
from pricing import permissions
from pricing.bundles import selectors, services
from pricing.bundles.models import Bundle
from pricing.web.documents import comparison_xlsx
from pricing.web.forms import BundleForm, BundleItemForm


@pricing_required(permissions.can_view_pricing)
def bundle_list(request):
    can_edit = permissions.manages_pricing(request.membership)
    form = BundleForm(request.POST or None, initial={"currency": "CNY"}) if can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            bundle = services.bundle_save(actor=request.membership, **form.cleaned_data)
            messages.success(request, _("促销方案已创建，请添加产品后发布。"))
            return redirect("pricing:bundle_detail", bundle.pk)
        except ServiceError as exc:
            apply_service_error(form, exc)
    bundles = Bundle.objects.order_by("-starts_on", "code")
    return render(
        request,
        "pricing/bundle_list.html",
        {"bundles": bundles, "form": form, "can_edit": can_edit},
    )


@pricing_required(permissions.can_view_pricing)
def bundle_detail(request, pk):
    bundle = get_object_or_404(Bundle, pk=pk)
    can_edit = permissions.manages_pricing(request.membership) and bundle.state == "draft"
    form = BundleItemForm(request.POST or None) if can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.bundle_item_set(actor=request.membership, bundle=bundle, **form.cleaned_data)
            return redirect("pricing:bundle_detail", bundle.pk)
        except ServiceError as exc:
            apply_service_error(form, exc)
    items = bundle.items.select_related("product")
    return render(
        request,
        "pricing/bundle_detail.html",
        {"bundle": bundle, "items": items, "form": form, "can_edit": can_edit},
    )


@require_POST
@pricing_required(permissions.manages_pricing)
def bundle_publish(request, pk):
    bundle = get_object_or_404(Bundle, pk=pk)
    try:
        services.bundle_publish(actor=request.membership, bundle=bundle)
        messages.success(request, _("促销方案已发布，已进入对比表。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("pricing:bundle_detail", bundle.pk)


def _on(request):
    return optional_date(request.GET.get("on")) or timezone.localdate()


@pricing_required(permissions.can_view_pricing)
def comparison(request):
    on = _on(request)
    rows = selectors.comparison_rows(on)
    if request.GET.get("format") == "xlsx":
        return comparison_xlsx(rows, on)
    template = (
        "pricing/comparison_print.html" if request.GET.get("print") else "pricing/comparison.html"
    )
    return render(request, template, {"rows": rows, "on": on})
