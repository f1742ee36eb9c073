"""Pages of issue 4: review meetings, minutes, department KPIs, the
notification centre and the escalation settings. Glue over selectors and
services; ids resolve through the scoped managers (foreign id → 404)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError
from requests_sla import selectors_kpi, selectors_meetings
from requests_sla.forms_postmortem import attach_forms as attach_postmortem_forms
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    MeetingStatus,
    ReviewMeeting,
    RootCause,
)
from requests_sla.notifications.models import WebhookEndpoint
from requests_sla.services import meetings as meeting_services
from requests_sla.sla import services as sla_services
from requests_sla.sla.models import EscalationPolicy


class MeetingForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("会议名称"), max_length=200, required=False)
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("会议时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(label=gettext_lazy("地点"), max_length=200, required=False)


class ClassifyForm(forms.Form):
    root_cause = forms.ChoiceField(label=gettext_lazy("原因分类"), choices=RootCause.choices)
    note = forms.CharField(
        label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("改进措施"), max_length=300)
    # "负责人" alone is a department's head; here it is the action item's owner.
    owner = forms.TypedChoiceField(label=pgettext_lazy("action item", "负责人"), coerce=int)
    due_date = forms.DateField(
        label=gettext_lazy("截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            (m.user_id, m.user.get_full_name() or m.user.username) for m in members
        ]


class CloseForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("会议结论"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class PolicyForm(forms.ModelForm):
    class Meta:
        model = EscalationPolicy
        fields = [
            "notify_at_risk",
            "meeting_window_days",
            "meeting_time",
            "meeting_duration_minutes",
            "follow_up_hours",
            "raise_priority",
            "email_off_hours",
        ]
        widgets = {"meeting_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class WebhookForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["url", "format", "secret", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].required = False


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
            "upcoming": selectors_meetings.meetings_upcoming(membership),
            "past": selectors_meetings.meetings_past(membership),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _meeting_for(request, pk) -> ReviewMeeting:
    return get_object_or_404(selectors_meetings.meetings_visible_to(request.membership), pk=pk)


def _render_meeting(request, meeting, *, forms_by_item=None, close_form=None, status=200):
    detail = selectors_meetings.meeting_detail(meeting)
    members = selectors_meetings.meeting_members(request.organization.id)
    forms_by_item = forms_by_item or {}
    for item in detail["items"]:
        item.classify_form = forms_by_item.get(("classify", item.pk)) or ClassifyForm(
            initial={"root_cause": item.root_cause or RootCause.SUBJECTIVE, "note": item.note},
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
    members = selectors_meetings.meeting_members(request.organization.id)
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
    detail = selectors_meetings.meeting_detail(meeting)
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
    department_ids = selectors_kpi.kpi_department_ids(request.membership)
    period = selectors_kpi.month_period(request.GET.get("month"))
    rows = selectors_kpi.department_kpis(period, department_ids=department_ids)
    previous = selectors_kpi.month_period(f"{(period.start - dt.timedelta(days=1)):%Y-%m}")
    following = selectors_kpi.month_period(f"{period.end:%Y-%m}")
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


# ---------------------------------------------------------------- notifications


# ---------------------------------------------------------------- settings


@membership_required("manage_organization")
def escalation_settings(request):
    policy = sla_services.escalation_policy_for(request.organization.id)
    endpoint = WebhookEndpoint.objects.first()
    policy_form = PolicyForm(instance=policy, prefix="p")
    webhook_form = WebhookForm(instance=endpoint, prefix="w")
    if request.method == "POST":
        policy_form = PolicyForm(request.POST, instance=policy, prefix="p")
        webhook_form = WebhookForm(request.POST, instance=endpoint, prefix="w")
        if policy_form.is_valid() and webhook_form.is_valid():
            policy_form.save()
            if webhook_form.cleaned_data.get("url"):
                hook = webhook_form.save(commit=False)
                hook.organization_id = request.organization.id
                hook.save()
            elif endpoint is not None:
                endpoint.delete()
            messages.success(request, _("升级策略已保存。"))
            return redirect("escalation:settings")
    return render(
        request,
        "requests_sla/meetings/settings.html",
        {"policy_form": policy_form, "webhook_form": webhook_form},
        status=400 if (policy_form.errors or webhook_form.errors) else 200,
    )
