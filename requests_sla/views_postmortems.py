"""The post-mortem item of a review meeting: per late department the chair
records a finding and action items, and may add a department the deal waited
on. Glue over services.postmortems; ids resolve through the scoped managers
and must belong to the meeting in the URL (foreign or mismatched → 404)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError
from requests_sla.meetings.models import PostMortem, PostMortemFinding

from . import selectors_meetings
from .forms_postmortem import DepartmentAddForm, FindingForm
from .services import postmortems as postmortem_services
from .views_meetings import ActionForm, _meeting_for, _render_meeting, meeting_url


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
            postmortem_services.postmortem_finding_classify(
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
    members = selectors_meetings.meeting_members(request.organization.id)
    form = ActionForm(request.POST, members=members, prefix=f"fa{finding.pk}")
    if form.is_valid():
        try:
            postmortem_services.postmortem_action_add(
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
            postmortem_services.postmortem_department_add(
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
