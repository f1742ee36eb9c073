"""Review meetings: schedule, classify agenda items, action items, close.

The chair (an ops manager or admin: ``manage_meetings``) records per item a
root cause (主观拖延 / 客观资源限制 / 提交方原因 / 其他), a note and action
items; closing the meeting freezes it and produces the minutes page.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Membership
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    MeetingParticipant,
    MeetingStatus,
    ReviewMeeting,
    RootCause,
)
from requests_sla.requests.permissions import PermissionDenied


def require_meeting_manager(actor: Membership, capability: str = "manage_meetings") -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("你无权执行此操作。"))


def meeting_lock_open(meeting: ReviewMeeting) -> ReviewMeeting:
    meeting = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ServiceError(_("会议已结束，不能再修改。"), field="status")
    return meeting


def _owner_id(owner) -> int:
    """An action item's owner (user or id): an active member of the organization."""
    owner_id = getattr(owner, "pk", owner)
    if not owner_id or not Membership.objects.filter(user_id=owner_id, is_active=True).exists():
        raise ServiceError(_("负责人必须是本企业的有效成员。"), field="owner")
    return owner_id


def meeting_schedule(
    *,
    actor: Membership,
    scheduled_at: dt.datetime,
    title: str = "",
    location: str = "",
    duration_minutes: int = 60,
) -> ReviewMeeting:
    require_meeting_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        if scheduled_at is None:
            raise ServiceError(_("请填写会议时间。"), field="scheduled_at")
        meeting = ReviewMeeting.objects.create(
            title=(title or "").strip()[:200],
            scheduled_at=scheduled_at,
            location=(location or "").strip()[:200],
            duration_minutes=duration_minutes or 60,
            chair=actor.user,
        )
        MeetingParticipant.objects.create(meeting=meeting, user=actor.user, reason="chair")
        return meeting


def agenda_item_add(*, actor: Membership, meeting: ReviewMeeting, request) -> AgendaItem:
    """Put a request on an open meeting's agenda by hand (the sweep adds the
    breached ones itself); the serving department answers for it. Idempotent."""
    require_meeting_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        meeting = meeting_lock_open(meeting)
        item, _created = AgendaItem.objects.get_or_create(
            meeting=meeting,
            request=request,
            defaults={"department_id": request.serving_department_id, "by_escalation": False},
        )
        return item


def agenda_item_classify(
    *, actor: Membership, item: AgendaItem, root_cause: str, note: str = ""
) -> AgendaItem:
    require_meeting_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        meeting_lock_open(item.meeting)
        if root_cause not in RootCause.values:
            raise ServiceError(_("请选择原因分类。"), field="root_cause")
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        item.root_cause = root_cause
        item.note = (note or "").strip()[:4000]
        item.classified_at = timezone.now()
        item.classified_by = actor.user
        item.save(update_fields=["root_cause", "note", "classified_at", "classified_by"])
        return item


def action_item_add(
    *,
    actor: Membership,
    item: AgendaItem,
    title: str,
    owner,
    due_date: dt.date | None,
    finding=None,
) -> ActionItem:
    """``finding``: on a post-mortem item, the department finding it answers."""
    require_meeting_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        meeting_lock_open(item.meeting)
        title = (title or "").strip()
        if not title:
            raise ServiceError(_("请填写改进措施。"), field="title")
        if due_date is None:
            raise ServiceError(_("请填写截止日期。"), field="due_date")
        return ActionItem.objects.create(
            agenda_item=item,
            finding=finding,
            title=title[:300],
            owner_id=_owner_id(owner),
            due_date=due_date,
        )


def action_item_update(
    *,
    actor: Membership,
    action: ActionItem,
    title: str | None = None,
    owner=None,
    due_date: dt.date | None = None,
) -> ActionItem:
    """Change an action item's title, owner or due date (while its meeting is open)."""
    require_meeting_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        action = ActionItem.objects.select_for_update().get(pk=action.pk)
        meeting_lock_open(AgendaItem.objects.get(pk=action.agenda_item_id).meeting)
        fields = []
        if title is not None:
            title = title.strip()
            if not title:
                raise ServiceError(_("请填写改进措施。"), field="title")
            action.title = title[:300]
            fields.append("title")
        if owner is not None:
            action.owner_id = _owner_id(owner)
            fields.append("owner")
        if due_date is not None:
            action.due_date = due_date
            fields.append("due_date")
        if fields:
            action.save(update_fields=fields)
        return action


def action_item_set_done(*, actor: Membership, action: ActionItem, done: bool = True) -> ActionItem:
    """The owner or a meeting manager ticks an action item (also after the meeting)."""
    if action.owner_id != actor.user_id:
        require_meeting_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        action = ActionItem.objects.select_for_update().get(pk=action.pk)
        action.done_at = timezone.now() if done else None
        action.save(update_fields=["done_at"])
        return action


def meeting_close(*, actor: Membership, meeting: ReviewMeeting, summary: str = "") -> ReviewMeeting:
    require_meeting_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        meeting = meeting_lock_open(meeting)
        meeting.status = MeetingStatus.CLOSED
        meeting.summary = (summary or "").strip()
        meeting.closed_at = timezone.now()
        if meeting.chair_id is None:
            meeting.chair = actor.user
        meeting.save(update_fields=["status", "summary", "closed_at", "chair"])
        return meeting
