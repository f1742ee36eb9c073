"""Filing a request (step 1: which department and type; step 2: the type's form with the promised times) and My requests."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from collab.decorators import membership_required
from collab.errors import ServiceError, apply_service_error
from requests_sla.catalog import selectors as catalog_selectors
from requests_sla.catalog.links import (
    LINK_TYPES,
    link_customer_name,
    link_picker_template,
    parse_link,
)
from requests_sla.catalog.models import RequestType
from requests_sla.requests import selectors, services
from requests_sla.requests.forms import (
    RequestForm,
    extra_form,
)
from requests_sla.sla.presentation import target_text, when_text

PROMISE_PHRASES = {
    "response": lambda when, name: _("%(when)s 前回复") % {"when": when},
    "resolution": lambda when, name: _("%(when)s 前解决") % {"when": when},
    "milestone": lambda when, name: _("%(name)s：%(when)s 前") % {"name": name, "when": when},
}


def promise_lines(request_type: RequestType, priority: str) -> list[dict]:
    """The promised times in the rep's words (明天 10:00 前回复)."""
    if priority not in (request_type.priorities or []):
        priority = request_type.default_priority
    lines = []
    for promise in catalog_selectors.promised_times(request_type, priority):
        when = when_text(promise.due_at) if promise.due_at else ""
        lines.append(
            {
                "kind": promise.kind,
                "text": PROMISE_PHRASES.get(promise.kind, PROMISE_PHRASES["milestone"])(
                    when, promise.name
                ),
                "target": target_text(promise.unit, promise.amount),
                "due_at": promise.due_at,
                "provisional": promise.provisional,
            }
        )
    return lines


def _link_param(request) -> str:
    """A pre-filled link (``?link=opportunity:34``) when it is well formed."""
    link = request.GET.get("link", "")
    return link if parse_link(link) else ""


@membership_required("file_requests")
def new_request(request):
    """Step 1: which department, which kind of help (a pre-filled customer or
    deal is carried on to step 2)."""
    return render(
        request,
        "requests_sla/new.html",
        {"offers": catalog_selectors.filing_offers(), "link": _link_param(request)},
    )


def _active_type(type_id: int) -> RequestType:
    return get_object_or_404(
        RequestType.objects.select_related(
            "serving_department", "serving_department__organization"
        ),
        pk=type_id,
        is_active=True,
    )


def _filled_from_link(request, schema):
    """The POST with the fields the chosen customer/deal answers (``from_link``)
    filled from it when left empty (the page hides them once linked)."""
    parsed = parse_link(request.POST.get("link", ""))
    keys = [f"x-{f['key']}" for f in schema if f.get("from_link") == "customer"]
    if parsed is None or not any(not request.POST.get(k, "").strip() for k in keys):
        return request.POST
    name = link_customer_name(
        *parsed, organization_id=request.membership.organization_id, actor=request.membership
    )
    data = request.POST.copy()
    for key in keys:
        if name and not data.get(key, "").strip():
            data[key] = name
    return data


@membership_required("file_requests")
def file_request(request, type_id: int):
    """Step 2: the type's form, with the promised times before submitting."""
    rtype = _active_type(type_id)
    picker = link_picker_template()
    link_keys = {f["key"] for f in rtype.form_schema or [] if f.get("type") in LINK_TYPES}
    schema = rtype.form_schema or []
    describing = next((f["key"] for f in schema if f.get("as_description")), None)
    if request.method == "POST":
        data = _filled_from_link(request, schema) if picker else request.POST
        form = RequestForm(data, request_type=rtype, ask_description=not describing)
        extra = extra_form(rtype, data, request.FILES, without_links=bool(picker))
        # Both forms validate, so every mistake is reported in one round trip.
        if form.is_valid() & extra.is_valid():
            try:
                filed = services.request_file(
                    actor=request.membership,
                    request_type=rtype,
                    priority=form.cleaned_data["priority"],
                    title=form.cleaned_data["title"],
                    description=(
                        extra.extra_values.get(describing, "")
                        if describing
                        else form.cleaned_data["description"]
                    ),
                    extra=extra.extra_values,
                    files=extra.extra_files,
                    **(form.link_ids() if picker else {}),
                )
            except services.SchemaError as exc:
                _schema_errors_show(exc, form, extra, link_keys if picker else set())
            except ServiceError as exc:
                if exc.field in ("account_id", "opportunity_id"):
                    form.add_error("link", exc.message)
                else:
                    apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已提交 %(ref)s，%(department)s 会按承诺时间处理。")
                    % {"ref": filed.reference, "department": rtype.serving_department.name},
                )
                return redirect("requests_sla:detail", pk=filed.pk)
        priority = request.POST.get("priority", rtype.default_priority)
    else:
        form = RequestForm(
            request_type=rtype,
            initial={"link": _link_param(request)},
            ask_description=not describing,
        )
        extra = extra_form(rtype, without_links=bool(picker))
        priority = rtype.default_priority
    return render(
        request,
        "requests_sla/file.html",
        {
            "rtype": rtype,
            "form": form,
            "extra": extra,
            "link_picker": picker,
            "link_required": any(
                f.get("required") for f in rtype.form_schema or [] if f["key"] in link_keys
            ),
            "promises": promise_lines(rtype, priority),
            "has_files": any(f.get("type") == "file" for f in rtype.form_schema or []),
        },
    )


def _schema_errors_show(exc, form, extra, link_keys: set[str]) -> None:
    """Each schema error on its field: the type's own fields on the extra
    form, link fields (when the picker stands for them) on the link field,
    the rest on top of the extra form."""
    for key, errors in exc.errors.items():
        for message in errors:
            if key in extra.fields:
                extra.add_error(key, message)
            elif key in link_keys:
                form.add_error("link", message)
            else:
                extra.add_error(None, message)


@membership_required("file_requests")
def promise(request, type_id: int):
    """htmx: the promised-times box for the chosen priority."""
    rtype = _active_type(type_id)
    priority = request.GET.get("priority", "")
    return render(
        request, "requests_sla/_promise.html", {"promises": promise_lines(rtype, priority)}
    )


@membership_required()
def my_requests(request):
    role = request.GET.get("role", "")
    status = request.GET.get("status", "active")
    rows = list(selectors.my_requests(request.membership, role=role, status=status))
    return render(
        request,
        "requests_sla/mine.html",
        {
            "rows": rows,
            "role": role,
            "status": status,
            "has_filters": bool(role) or status != "active",
        },
    )
