"""The working-calendar page: the organization's week, official holidays and its own exceptions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import MemberRequest, membership_required
from collab.errors import ServiceError, apply_service_error
from departments.models import Membership
from requests_sla.sla import selectors, services
from requests_sla.sla.forms import CalendarExceptionForm, CalendarForm
from requests_sla.sla.models import CalendarException


def _calendar_admin(membership: Membership) -> None:
    if not (membership.can("manage_organization") or membership.can("manage_catalog")):
        raise PermissionDenied


@membership_required()
def calendar(request: MemberRequest) -> HttpResponse:
    membership = request.membership
    _calendar_admin(membership)
    cal = selectors.organization_calendar()
    if cal is None:
        return render(request, "requests_sla/calendar.html", {"cal": None})
    form = CalendarForm(calendar=cal)
    exception_form = CalendarExceptionForm()
    if request.method == "POST":
        try:
            if request.POST.get("form") == "weekly":
                form = CalendarForm(request.POST, calendar=cal)
                if form.is_valid():
                    services.calendar_update(
                        calendar=cal,
                        actor=membership,
                        weekly=form.cleaned_data["weekly"],
                        use_official_holidays=form.cleaned_data["use_official_holidays"],
                    )
                    messages.success(request, _("工作时间已保存，进行中的计时已重新计算。"))
                    return redirect("requests_sla:calendar")
            elif request.POST.get("form") == "exception":
                exception_form = CalendarExceptionForm(request.POST)
                if exception_form.is_valid():
                    services.calendar_exception_add(
                        calendar=cal, actor=membership, **exception_form.cleaned_data
                    )
                    messages.success(request, _("例外日期已添加，进行中的计时已重新计算。"))
                    return redirect("requests_sla:calendar")
        except ServiceError as exc:
            target = exception_form if request.POST.get("form") == "exception" else form
            apply_service_error(target, exc)
        cal = selectors.organization_calendar()
        assert cal is not None  # read above; an organization never loses its calendar
    this_year = timezone.localdate().year
    return render(
        request,
        "requests_sla/calendar.html",
        {
            "cal": cal,
            "form": form,
            "exception_form": exception_form,
            "exceptions": list(cal.exceptions.all()),
            "official": selectors.official_years(cal.country, [this_year, this_year + 1])
            if cal.use_official_holidays
            else [],
            "can_edit": membership.can("manage_organization"),
        },
    )


@require_POST
@membership_required("manage_organization")
def calendar_exception_remove(request: MemberRequest, pk: int) -> HttpResponse:
    exception = get_object_or_404(CalendarException.objects.select_related("calendar"), pk=pk)
    services.calendar_exception_remove(exception=exception, actor=request.membership)
    messages.success(request, _("例外日期已删除，进行中的计时已重新计算。"))
    return redirect("requests_sla:calendar")
