"""Pages of the review meetings: list, agenda, minutes, department KPIs, and
the post-mortem items (per late department the chair records a finding and
action items, and may add a department the deal waited on). Glue over
selectors and services; ids resolve through the scoped managers and must
belong to the meeting in the URL (foreign or mismatched id → 404)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError
from requests_sla.meetings import kpis as meeting_kpis
from requests_sla.meetings import postmortems, selectors
from requests_sla.meetings import services as meeting_services
from requests_sla.meetings.forms import (
    ActionForm,
    ClassifyForm,
    CloseForm,
    DepartmentAddForm,
    FindingForm,
    MeetingForm,
)
from requests_sla.meetings.forms import attach_forms as attach_postmortem_forms
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    MeetingStatus,
    PostMortem,
    PostMortemFinding,
    ReviewMeeting,
)

# ---------------------------------------------------------------- meetings


@membership_required("view_meetings")
def meetings(request):
    membership = request.membership
    form = MeetingForm()
    if request.method == "POST":
        if not membership.can("manage_meetings"):
            raise PermissionDenied
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = meeting_services.meeting_schedule(actor=membership, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已安排沟通会。"))
                return redirect("escalation:meeting", pk=meeting.pk)
    return render(
        request,
        "requests_sla/meetings/list.html",
        {
            "upcoming": selectors.meetings_upcoming(membership),
            "past": selectors.meetings_past(membership),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _meeting_for(request, pk) -> ReviewMeeting:
    return get_object_or_404(selectors.meetings_visible_to(request.membership), pk=pk)


def _render_meeting(request, meeting, *, forms_by_item=None, close_form=None, status=200):
    detail = selectors.meeting_detail(meeting)
    members = selectors.meeting_members(request.organization.id)
    forms_by_item = forms_by_item or {}
    for item in detail["items"]:
        item.classify_form = forms_by_item.get(("classify", item.pk)) or ClassifyForm(
            initial={"root_cause": item.root_cause, "note": item.note},
            prefix=f"c{item.pk}",
        )
        item.action_form = forms_by_item.get(("action", item.pk)) or ActionForm(
            members=members, prefix=f"a{item.pk}"
        )
        attach_postmortem_forms(
            item, members=members, bound=forms_by_item, action_form_class=ActionForm
        )
    return render(
        request,
        "requests_sla/meetings/detail.html",
        {
            "meeting": meeting,
            "items": detail["items"],
            "participants": detail["participants"],
            "can_manage": request.membership.can("manage_meetings")
            and meeting.status == MeetingStatus.SCHEDULED,
            "close_form": close_form or CloseForm(),
            "now": timezone.now(),
        },
        status=status,
    )


@membership_required("view_meetings")
def meeting_detail(request, pk):
    return _render_meeting(request, _meeting_for(request, pk))


@require_POST
@membership_required("manage_meetings")
def agenda_classify(request, pk, item_pk):
    meeting = _meeting_for(request, pk)
    item = get_object_or_404(AgendaItem.objects, pk=item_pk, meeting=meeting)
    form = ClassifyForm(request.POST, prefix=f"c{item.pk}")
    if form.is_valid():
        try:
            meeting_services.agenda_item_classify(
                actor=request.membership, item=item, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已记录原因分类。"))
            return redirect(f"{meeting_url(meeting)}#item-{item.pk}")
    return _render_meeting(
        request, meeting, forms_by_item={("classify", item.pk): form}, status=400
    )


@require_POST
@membership_required("manage_meetings")
def action_add(request, pk, item_pk):
    meeting = _meeting_for(request, pk)
    item = get_object_or_404(AgendaItem.objects, pk=item_pk, meeting=meeting)
    members = selectors.meeting_members(request.organization.id)
    form = ActionForm(request.POST, members=members, prefix=f"a{item.pk}")
    if form.is_valid():
        try:
            meeting_services.action_item_add(
                actor=request.membership, item=item, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已添加改进措施。"))
            return redirect(f"{meeting_url(meeting)}#item-{item.pk}")
    return _render_meeting(request, meeting, forms_by_item={("action", item.pk): form}, status=400)


@require_POST
@membership_required()
def action_done(request, action_pk):
    action = get_object_or_404(
        ActionItem.objects.select_related("agenda_item__meeting"), pk=action_pk
    )
    meeting_services.action_item_set_done(
        actor=request.membership, action=action, done=request.POST.get("done", "1") == "1"
    )
    messages.success(request, _("已更新改进措施。"))
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("escalation:meeting", pk=action.agenda_item.meeting_id)


@require_POST
@membership_required("manage_meetings")
def meeting_close(request, pk):
    meeting = _meeting_for(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            meeting_services.meeting_close(
                actor=request.membership, meeting=meeting, **form.cleaned_data
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("escalation:meeting", pk=meeting.pk)
        messages.success(request, _("会议已结束，纪要已生成。"))
        return redirect("escalation:minutes", pk=meeting.pk)
    return _render_meeting(request, meeting, close_form=form, status=400)


@membership_required("view_meetings")
def meeting_minutes(request, pk):
    meeting = _meeting_for(request, pk)
    detail = selectors.meeting_detail(meeting)
    return render(
        request,
        "requests_sla/meetings/minutes.html",
        {"meeting": meeting, "items": detail["items"], "participants": detail["participants"]},
    )


def meeting_url(meeting) -> str:
    from django.urls import reverse

    return reverse("escalation:meeting", kwargs={"pk": meeting.pk})


# ---------------------------------------------------------------- KPIs


@membership_required()
def kpis(request):
    department_ids = meeting_kpis.kpi_department_ids(request.membership)
    try:
        period = meeting_kpis.month_period(request.GET.get("month"))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        period = meeting_kpis.month_period()
    rows = meeting_kpis.department_kpis(period, department_ids=department_ids)
    previous = _month_or_none(f"{(period.start - dt.timedelta(days=1)):%Y-%m}")
    following = _month_or_none(f"{period.end:%Y-%m}")
    return render(
        request,
        "requests_sla/kpis/index.html",
        {
            "rows": rows,
            "period": period,
            "previous": previous,
            "following": following,
            "all": department_ids is None,
        },
    )


def _month_or_none(value: str):
    """The neighbouring month, or None past the supported dates (no link)."""
    try:
        return meeting_kpis.month_period(value)
    except ValidationError:
        return None


# ---------------------------------------------------------------- notifications


# ---------------------------------------------------------------- settings


def _finding_for(request, pk, finding_pk):
    meeting = _meeting_for(request, pk)
    finding = get_object_or_404(
        PostMortemFinding.objects.select_related("postmortem__agenda_item"),
        pk=finding_pk,
        postmortem__agenda_item__meeting=meeting,
    )
    return meeting, finding


def _back(meeting, finding_or_pm):
    item_id = getattr(finding_or_pm, "postmortem", finding_or_pm).agenda_item_id
    return redirect(f"{meeting_url(meeting)}#item-{item_id}")


@require_POST
@membership_required("manage_meetings")
def finding_classify(request, pk, finding_pk):
    meeting, finding = _finding_for(request, pk, finding_pk)
    form = FindingForm(request.POST, prefix=f"f{finding.pk}")
    if form.is_valid():
        try:
            postmortems.postmortem_finding_classify(
                actor=request.membership, finding=finding, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已记录复盘结论。"))
            return _back(meeting, finding)
    return _render_meeting(
        request, meeting, forms_by_item={("finding", finding.pk): form}, status=400
    )


@require_POST
@membership_required("manage_meetings")
def finding_action_add(request, pk, finding_pk):
    meeting, finding = _finding_for(request, pk, finding_pk)
    members = selectors.meeting_members(request.organization.id)
    form = ActionForm(request.POST, members=members, prefix=f"fa{finding.pk}")
    if form.is_valid():
        try:
            postmortems.postmortem_action_add(
                actor=request.membership, finding=finding, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已添加改进措施。"))
            return _back(meeting, finding)
    return _render_meeting(
        request, meeting, forms_by_item={("finding_action", finding.pk): form}, status=400
    )


@require_POST
@membership_required("manage_meetings")
def department_add(request, pk, postmortem_pk):
    meeting = _meeting_for(request, pk)
    postmortem = get_object_or_404(
        PostMortem.objects.select_related("agenda_item"),
        pk=postmortem_pk,
        agenda_item__meeting=meeting,
    )
    exclude = postmortem.findings.values_list("department_id", flat=True)
    form = DepartmentAddForm(request.POST, exclude=exclude, prefix=f"pd{postmortem.pk}")
    if form.is_valid():
        try:
            postmortems.postmortem_department_add(
                actor=request.membership, postmortem=postmortem, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已添加相关部门。"))
            return _back(meeting, postmortem)
    return _render_meeting(
        request, meeting, forms_by_item={("department", postmortem.pk): form}, status=400
    )
