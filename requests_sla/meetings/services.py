"""Review meetings: schedule, classify agenda items, action items, close; and
the meeting an escalated request or a post-mortem goes on.

The chair (an ops manager or admin: ``manage_meetings``) records per item a
root cause (主观拖延 / 客观资源限制 / 提交方原因 / 其他), a note and action
items; closing the meeting freezes it and produces the minutes page. The
escalation sweep and the post-mortems write meetings, participants and
agenda items only through ``review_meeting_next``, ``participants_add`` and
``agenda_escalations_add``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Membership
from departments.roles import Role
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    MeetingParticipant,
    MeetingStatus,
    ReviewMeeting,
    RootCause,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from requests_sla.meetings.models import PostMortemFinding
    from requests_sla.requests.models import Request
    from requests_sla.sla.engine.calendar import BusinessCalendar as EngineCalendar
    from requests_sla.sla.models import EscalationPolicy


def require_meeting_manager(actor: Membership, capability: str = "manage_meetings") -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("你无权执行此操作。"))


def meeting_lock_open(meeting: ReviewMeeting) -> ReviewMeeting:
    meeting = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ServiceError(_("会议已结束，不能再修改。"), field="status")
    return meeting


def _owner_id(owner: User | int | None) -> int:
    """An action item's owner (user or id): an active member of the organization."""
    owner_id = owner.pk if isinstance(owner, Model) else owner
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


def agenda_item_add(*, actor: Membership, meeting: ReviewMeeting, request: Request) -> AgendaItem:
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
    owner: User | int | None,
    due_date: dt.date | None,
    finding: PostMortemFinding | None = None,
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
    owner: User | int | None = None,
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


# ---------------------------------------------------------------- escalation and post-mortems


def ops_manager_ids() -> list[int]:
    """The organization's active ops managers, who take part in every review
    meeting (the first of them chairs one the sweep creates)."""
    return list(
        Membership.objects.filter(is_active=True, role=Role.OPS_MANAGER)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def participants_add(meeting: ReviewMeeting, people: Iterable[tuple[int, str]]) -> None:
    """(user id, reason) pairs take part in the meeting; idempotent (one row
    per meeting and user, whatever the reason given first)."""
    MeetingParticipant.objects.bulk_create(
        [
            MeetingParticipant(
                organization_id=meeting.organization_id, meeting=meeting, user_id=u, reason=why
            )
            for u, why in sorted(people)
        ],
        ignore_conflicts=True,
    )


def next_meeting_slot(calendar: EngineCalendar, now: dt.datetime, at: dt.time) -> dt.datetime:
    """``at`` local time on the next working day after today."""
    day = calendar.nth_working_day_after(now, 1)
    return dt.datetime.combine(day, at, tzinfo=calendar.tz).astimezone(dt.UTC)


def review_meeting_next(
    organization_id: int,
    *,
    now: dt.datetime,
    policy: EscalationPolicy,
    calendar: EngineCalendar,
    ops_user_ids: Callable[[], list[int]] = ops_manager_ids,
) -> tuple[ReviewMeeting, bool]:
    """(meeting, created): the next scheduled review meeting inside the ladder
    policy's window (``meeting_window_days`` working days of ``calendar``), or
    a new one at the next working slot (``meeting_time``) with the ops
    managers taking part, the first chairing. An advisory lock keeps two
    writers (two sweeps, a sweep and a post-mortem) from creating two
    meetings. Call inside the caller's transaction; ``ops_user_ids`` is only
    asked when a meeting is created (the sweep passes its own, already read)."""
    window_end = calendar.close_of_nth_working_day_after(now, max(policy.meeting_window_days, 1))
    found = _meeting_in_window(now, window_end)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4004, organization_id])
        found = _meeting_in_window(now, window_end)
    if found is not None:
        return found, False
    meeting = ReviewMeeting.objects.create(
        organization_id=organization_id,
        title="",
        scheduled_at=next_meeting_slot(calendar, now, policy.meeting_time),
        duration_minutes=policy.meeting_duration_minutes,
        created_by_escalation=True,
    )
    ops = list(ops_user_ids())
    participants_add(meeting, [(u, "ops") for u in ops])
    if ops:
        ReviewMeeting.objects.filter(pk=meeting.pk).update(chair_id=ops[0])
        meeting.chair_id = ops[0]
    return meeting, True


def _meeting_in_window(now: dt.datetime, window_end: dt.datetime) -> ReviewMeeting | None:
    return (
        ReviewMeeting.objects.filter(
            status=MeetingStatus.SCHEDULED, scheduled_at__gte=now, scheduled_at__lte=window_end
        )
        .order_by("scheduled_at", "pk")
        .first()
    )


def agenda_escalations_add(
    *,
    meeting: ReviewMeeting,
    requests: Iterable[Request],
    participants: Iterable[tuple[int, str]],
    at: dt.datetime,
) -> None:
    """Put breached requests on the meeting's agenda, each answered for by its
    serving department, with the people who take part for them. Idempotent:
    a request is on a meeting's agenda once (unique), a person takes part once.
    A request already reviewed (classified on a meeting) is not put on
    another: its cause is decided, and counting it twice would count it in
    two departments' reviews (or as both subjective and objective)."""
    requests = list(requests)
    reviewed = set(
        AgendaItem.objects.filter(request_id__in=[r.pk for r in requests])
        .exclude(root_cause="")
        .exclude(meeting=meeting)
        .values_list("request_id", flat=True)
    )
    requests = [r for r in requests if r.pk not in reviewed]
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                organization_id=meeting.organization_id,
                meeting=meeting,
                request_id=r.pk,
                department_id=r.serving_department_id,
                added_at=at,
            )
            for r in requests
        ],
        ignore_conflicts=True,
    )
    participants_add(meeting, participants)
