"""HTML pages of the customer side. Glue: parse, resolve, call one service, render."""

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
from pipeline.accounts import selectors, services
from pipeline.accounts.forms import AccountForm, ContactForm
from pipeline.accounts.models import Account, Industry
from pipeline.permissions import pipeline_required

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
    except Account.DoesNotExist as exc:
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
            apply_service_error(form, exc)
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
            apply_service_error(form, exc)
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
            apply_service_error(form, exc)
        else:
            messages.success(request, _("联系人已添加。"))
            return redirect("pipeline:account_detail", pk=account.pk)
    return render(
        request, "pipeline/form.html", {"form": form, "title": _("添加联系人"), "cancel": account}
    )


# --- opportunities -----------------------------------------------------------------------------


# --- the "customer / deal" field of the request form ---------------------------------------------


# --- funnel --------------------------------------------------------------------------------


# --- leads ---------------------------------------------------------------------------------


# --- follow-ups and feedback ---------------------------------------------------------------------
