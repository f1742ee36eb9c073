"""The hiring page: plan vs filled per department, the headcount requests
(departments ask, HR decides and opens approved ones in a quarter's plan)
and the plan's positions through the pipeline, with time-to-fill in working
days and the one-step "add the new joiner as a member"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError
from departments.models import Department
from incentives import permissions
from incentives.hiring import forms, selectors, services
from incentives.hiring.models import HeadcountRequest, Position
from incentives.views.common import form_errors, incentives_page

hiring_viewer = incentives_page(permissions.can_view_hiring)
hiring_manager = incentives_page(permissions.can_manage_hiring)
requester = incentives_page(permissions.can_request_headcount)


def _quarters(today) -> list[tuple[str, str]]:
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _i in range(4):
        out.append((f"{year}-{quarter}", f"{year} Q{quarter}"))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


@hiring_viewer
def hiring(request):
    membership = request.membership
    manages = permissions.can_manage_hiring(membership)
    plans = list(selectors.plans_all())
    plan = next((p for p in plans if str(p.pk) == request.GET.get("plan", "")), None)
    plan = plan or (plans[0] if plans else None)
    positions = selectors.positions_visible_to(membership).filter(plan=plan)
    departments = list(Department.objects.order_by("sort_order")) if manages else ()
    return render(
        request,
        "incentives/hiring.html",
        {
            "manages": manages,
            "can_request": permissions.can_request_headcount(membership),
            "plans": plans,
            "plan": plan,
            "rows": selectors.plan_vs_filled(positions),
            "positions": selectors.with_days_to_fill(
                list(positions.order_by("department_id", "id"))
            ),
            "requests": list(selectors.requests_visible_to(membership)[:200]),
            "form": forms.HeadcountForm(departments=departments),
            "quarters": _quarters(timezone.localdate()),
            "stages": forms.MoveForm().fields["stage"].choices,
        },
    )


def _back(plan_id=None):
    url = reverse("incentives:hiring")
    return redirect(f"{url}?plan={plan_id}" if plan_id else url)


def _run(request, call, ok, plan_id=None):
    try:
        call()
    except (HeadcountRequest.DoesNotExist, Position.DoesNotExist) as exc:
        raise Http404 from exc  # another organization's id, or none
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return _back(plan_id)


@require_POST
@requester
def headcount_create(request):
    departments = (
        Department.objects.all() if permissions.can_manage_hiring(request.membership) else ()
    )
    form = forms.HeadcountForm(request.POST, departments=departments)
    if not form.is_valid():
        form_errors(request, form)
        return _back()
    return _run(
        request,
        lambda: services.headcount_request(actor=request.membership, **form.cleaned_data),
        _("编制申请已提交。"),
    )


def _act(request, model, pk, form_class, call, ok, plan_id=None):
    """Act on one row: 404 for another organization's id (before any
    validation), the form's errors back to the page, else the one service
    (``call(form)``) and its message."""
    get_object_or_404(model, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back()
    return _run(request, lambda: call(form), ok, plan_id)


@require_POST
@hiring_manager
def headcount_decide(request, pk):
    return _act(
        request,
        HeadcountRequest,
        pk,
        forms.DecideForm,
        lambda form: services.headcount_decide(
            actor=request.membership,
            request_id=pk,
            approve=form.cleaned_data["action"] == "approve",
            note=form.cleaned_data["note"],
        ),
        _("已处理。"),
    )


@require_POST
@hiring_manager
def headcount_open(request, pk):
    def call(form):
        year, quarter = form.year_quarter()
        return services.positions_open(
            actor=request.membership, request_id=pk, year=year, quarter=quarter
        )

    return _act(request, HeadcountRequest, pk, forms.OpenForm, call, _("职位已纳入招聘计划。"))


@require_POST
@hiring_manager
def position_move(request, pk):
    return _act(
        request,
        Position,
        pk,
        forms.MoveForm,
        lambda form: services.position_move(
            actor=request.membership, position_id=pk, stage=form.cleaned_data["stage"]
        ),
        _("阶段已更新。"),
        request.POST.get("plan"),
    )


@require_POST
@hiring_manager
def position_fill(request, pk):
    return _act(
        request,
        Position,
        pk,
        forms.FillForm,
        lambda form: services.position_fill(
            actor=request.membership, position_id=pk, request=request, **form.cleaned_data
        ),
        _("新员工已加入（已发出邀请）。"),
        request.POST.get("plan"),
    )
