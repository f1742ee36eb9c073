"""Pages of quotes: list, new/edit (lines as rows), detail with its actions,
the report. Glue over quotes.selectors and the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError, apply_service_error
from pipeline.opportunities import flags
from pipeline.permissions import pipeline_required as pricing_required
from pricing import permissions
from pricing.bundles.selectors import bundles_active
from pricing.catalog.models import Product
from pricing.quotes import lifecycle, selectors, services
from pricing.quotes.models import Quote, QuoteState
from pricing.web.forms import QuoteForm, lines_from_post


@pricing_required(permissions.can_view_quotes)
def quote_list(request):
    quotes = selectors.quotes_visible_to(request.membership)
    state = request.GET.get("state", "")
    if state in QuoteState.values:
        quotes = quotes.filter(state=state)
    opportunity = request.GET.get("opportunity", "")
    if opportunity.isdigit():
        quotes = quotes.filter(opportunity_id=int(opportunity))
    page = Paginator(quotes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pricing/quote_list.html",
        {
            "page": page,
            "state": state,
            "states": QuoteState.choices,
            "can_quote": permissions.can_quote(request.membership),
        },
    )


def _form_context(request, form, rows, quote=None):
    return {
        "form": form,
        "rows": rows + [{}] * max(3, 8 - len(rows)),
        "products": Product.objects.filter(is_active=True).order_by("category", "code"),
        "quote": quote,
        "lines_error": getattr(form, "lines_error", ""),
    }


def _quote_form(request, data=None, initial=None):
    return QuoteForm(
        data,
        initial=initial,
        opportunities=selectors.quotable_opportunities(request.membership),
        bundles=bundles_active(timezone.localdate()),
    )


def _save(request, form, rows, quote=None):
    """Call the service; on a refusal put the message where it belongs."""
    data = form.cleaned_data
    bundles = (
        [{"bundle": data["bundle"], "quantity": data["bundle_quantity"] or 1}]
        if data.get("bundle")
        else []
    )
    fields = {
        "language": data["language"],
        "valid_until": data["valid_until"],
        "order_discount_pct": data["order_discount_pct"] or 0,
        "terms": data["terms"],
    }
    try:
        if quote is None:
            return services.quote_create(
                actor=request.membership,
                opportunity_id=data["opportunity"],
                lines=rows,
                bundles=bundles,
                **fields,
            )
        return services.quote_update(
            actor=request.membership,
            quote_id=quote.pk,
            lock_version=data["lock_version"] or 0,
            lines=rows,
            bundles=bundles,
            **fields,
        )
    except ServiceError as exc:
        if exc.field == "lines":
            form.lines_error = exc.message
        else:
            apply_service_error(form, exc)
    return None


@pricing_required(permissions.can_quote)
def quote_new(request):
    rows = []
    if request.method == "POST":
        form = _quote_form(request, request.POST)
        rows = lines_from_post(request.POST)
        if form.is_valid():
            quote = _save(request, form, rows)
            if quote is not None:
                messages.success(request, _("报价单 %(ref)s 已保存。") % {"ref": quote.reference})
                return redirect("pricing:quote_detail", quote.pk)
    else:
        form = _quote_form(
            request, initial={"opportunity": request.GET.get("opportunity"), "language": "zh-hans"}
        )
    context = _form_context(request, form, rows)
    context["title"] = _("新建报价单")
    # The chosen deal's account flags (finance's payment risk), also on change.
    form.fields["opportunity"].widget.attrs.update(
        flags.flags_attrs(reverse("pipeline:account_flags"))
    )
    chosen = (request.POST if request.method == "POST" else request.GET).get("opportunity")
    context["flags"] = True
    context["flag_account"] = flags.flagged_account(request.membership, opportunity=chosen)
    return render(request, "pricing/quote_form.html", context)


@pricing_required(permissions.can_quote)
def quote_edit(request, pk):
    quote = get_object_or_404(selectors.quotes_visible_to(request.membership), pk=pk)
    if not permissions.can_quote_on(request.membership, quote.opportunity):
        return redirect("pricing:quote_detail", quote.pk)
    if request.method == "POST":
        form = _quote_form(request, request.POST, initial={"opportunity": quote.opportunity_id})
        form.fields["opportunity"].disabled = True
        rows = lines_from_post(request.POST)
        if form.is_valid() and _save(request, form, rows, quote) is not None:
            messages.success(request, _("报价单已保存。"))
            return redirect("pricing:quote_detail", quote.pk)
    else:
        bundle = quote.bundles.first()
        form = _quote_form(
            request,
            initial={
                "opportunity": quote.opportunity_id,
                "language": quote.language,
                "valid_until": quote.valid_until,
                "order_discount_pct": quote.order_discount_pct,
                "terms": quote.terms,
                "bundle": bundle.bundle_id if bundle else None,
                "bundle_quantity": bundle.quantity if bundle else 1,
                "lock_version": quote.lock_version,
            },
        )
        rows = [
            {
                "product": str(li.product_id),
                "quantity": li.quantity,
                "unit_price": li.unit_price,
                "discount_pct": li.discount_pct,
            }
            for li in quote.lines.all()
        ]
    form.fields["opportunity"].disabled = True
    context = _form_context(request, form, rows, quote)
    context["title"] = _("编辑报价单 %(ref)s") % {"ref": quote.reference}
    return render(request, "pricing/quote_form.html", context)


WAITING = (QuoteState.DRAFT, QuoteState.REJECTED, QuoteState.PENDING_APPROVAL, QuoteState.APPROVED)


@pricing_required(permissions.can_view_quotes)
def quote_detail(request, pk):
    quote = get_object_or_404(selectors.quotes_visible_to(request.membership), pk=pk)
    quote = selectors.quote_with_rows(selectors.quotes_visible_to(request.membership), quote.pk)
    can_act = permissions.can_quote_on(request.membership, quote.opportunity)
    return render(
        request,
        "pricing/quote_detail.html",
        {
            "quote": quote,
            "can_act": can_act,
            "revisions": selectors.quote_revisions(quote),
            "steps": selectors.approval_steps(quote),
            "history": quote.history.select_related("history_user").order_by("-history_date")[:20],
            "States": QuoteState,
            "waiting_states": WAITING,
        },
    )


ACTIONS = {
    "request_approval": (lifecycle.quote_request_approval, _("已提交财务审批。")),
    "send": (lifecycle.quote_send, _("报价单已标记为已发送。")),
    "accept": (lifecycle.quote_accept, _("客户已接受，商机金额已更新。")),
    "decline": (lifecycle.quote_decline, _("已记录客户拒绝。")),
}


@require_POST
@pricing_required(permissions.can_quote)
def quote_action(request, pk, action):
    quote = get_object_or_404(selectors.quotes_visible_to(request.membership), pk=pk)
    version = request.POST.get("lock_version", "")
    try:
        if action == "revise":
            new = services.quote_revise(actor=request.membership, quote_id=quote.pk)
            messages.success(request, _("已新建版本 %(ref)s。") % {"ref": new.reference})
            return redirect("pricing:quote_edit", new.pk)
        service, done = ACTIONS[action]
        service(
            actor=request.membership,
            quote_id=quote.pk,
            lock_version=int(version) if version.isdigit() else None,
        )
        messages.success(request, done)
    except KeyError:
        messages.error(request, _("未知的操作。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    except Quote.DoesNotExist:
        messages.error(request, _("你无权处理这份报价单。"))
    return redirect(reverse("pricing:quote_detail", args=[quote.pk]))


@pricing_required(permissions.sees_all_quotes)
def quote_report(request):
    from pricing.web.documents import report_export

    report = selectors.quotes_report(request.membership)
    if request.GET.get("format") in ("csv", "xlsx"):
        return report_export(report, request.GET["format"])
    return render(request, "pricing/quote_report.html", {"report": report})


@pricing_required(permissions.can_view_quotes)
def quote_pdf(request, pk):
    from django.http import HttpResponse

    from pricing.quotes.document import quote_pdf as render_pdf

    quote = get_object_or_404(selectors.quotes_visible_to(request.membership), pk=pk)
    quote = selectors.quote_with_rows(selectors.quotes_visible_to(request.membership), quote.pk)
    response = HttpResponse(render_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.reference}.pdf"'
    return response


@pricing_required(permissions.can_view_quotes)
def quote_print(request, pk):
    from django.utils import translation

    from pricing.quotes.capitals import amount_in_capitals

    quote = get_object_or_404(selectors.quotes_visible_to(request.membership), pk=pk)
    quote = selectors.quote_with_rows(selectors.quotes_visible_to(request.membership), quote.pk)
    with translation.override(quote.language):
        return render(
            request,
            "pricing/quote_print.html",
            {
                "quote": quote,
                "capitals": amount_in_capitals(quote.total) if quote.currency == "CNY" else "",
                "organization": request.organization,
            },
        )
