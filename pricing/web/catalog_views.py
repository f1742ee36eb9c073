"""Pages of products and price lists: everyone reads; Product Management
edits drafts and publishes (publishing offers re-quotes)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError, apply_service_error
from pipeline.permissions import pipeline_required as pricing_required
from pricing import permissions
from pricing.catalog import services
from pricing.catalog.models import PriceList, PriceListItem, Product
from pricing.quotes.requote import price_list_publish_and_offer
from pricing.web.forms import PriceItemForm, PriceListForm, ProductForm


@pricing_required(permissions.can_view_pricing)
def product_list(request):
    can_edit = permissions.manages_pricing(request.membership)
    form = ProductForm(request.POST or None) if can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.product_save(actor=request.membership, **form.cleaned_data)
            messages.success(request, _("产品已保存。"))
            return redirect("pricing:products")
        except ServiceError as exc:
            apply_service_error(form, exc)
    products = Product.objects.select_related("base_product").order_by("category", "code")
    return render(
        request,
        "pricing/product_list.html",
        {"products": products, "form": form, "can_edit": can_edit},
    )


@pricing_required(permissions.can_view_pricing)
def price_list_list(request):
    can_edit = permissions.manages_pricing(request.membership)
    form = PriceListForm(request.POST or None) if can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            price_list = services.price_list_create(actor=request.membership, **form.cleaned_data)
            messages.success(request, _("草稿已创建，价格取自当前定价表。"))
            return redirect("pricing:price_list_detail", price_list.pk)
        except ServiceError as exc:
            apply_service_error(form, exc)
    lists = PriceList.objects.annotate(n=Count("items")).order_by(
        "tier", "-effective_from", "-version"
    )
    return render(
        request,
        "pricing/price_list_list.html",
        {"lists": lists, "form": form, "can_edit": can_edit},
    )


@pricing_required(permissions.can_view_pricing)
def price_list_detail(request, pk):
    price_list = get_object_or_404(PriceList.objects.select_related("published_by"), pk=pk)
    can_edit = permissions.manages_pricing(request.membership) and price_list.is_draft
    form = PriceItemForm(request.POST or None) if can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.price_list_item_set(
                actor=request.membership, price_list=price_list, **form.cleaned_data
            )
            messages.success(request, _("价格已保存。"))
            return redirect("pricing:price_list_detail", price_list.pk)
        except ServiceError as exc:
            apply_service_error(form, exc)
    items = PriceListItem.objects.filter(price_list=price_list).select_related("product")
    return render(
        request,
        "pricing/price_list_detail.html",
        {"price_list": price_list, "items": items, "form": form, "can_edit": can_edit},
    )


@require_POST
@pricing_required(permissions.manages_pricing)
def price_list_publish(request, pk):
    price_list = get_object_or_404(PriceList, pk=pk)
    try:
        offered = price_list_publish_and_offer(actor=request.membership, price_list=price_list)
        messages.success(
            request,
            _("定价表已发布；%(n)s 份进行中的报价单涉及调价，已通知负责销售。")
            % {"n": len(offered)},
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("pricing:price_list_detail", price_list.pk)
