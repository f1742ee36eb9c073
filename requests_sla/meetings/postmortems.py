"""Lost-deal post-mortems (复盘): open one on the next review meeting, record
the chair's finding per late department, add action items.

``postmortem_open`` is the public entry for other apps (pipeline calls it
when a deal is lost for a collaboration delay or with breached requests). It
runs in the caller's transaction: the meeting, the agenda item, the late
requests, the findings and the notifications commit or roll back with the
loss itself, and email delivery is enqueued on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Department, Membership
from departments.roles import Role
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    PostMortem,
    PostMortemCause,
    PostMortemFinding,
    PostMortemRequest,
    PostMortemTrigger,
    ReviewMeeting,
)
from requests_sla.meetings.selectors import late_requests, postmortem_for_source
from requests_sla.meetings.services import (
    action_item_add,
    meeting_lock_open,
    participants_add,
    require_meeting_manager,
    review_meeting_next,
)
from requests_sla.notifications.models import NotificationKind
from requests_sla.notifications.services import notifications_send, organization_language
from requests_sla.sla.calendars import org_calendar
from requests_sla.sla.services import escalation_policy_for

LEAD_REASON = "postmortem_lead"
DEPARTMENT_REASON = "postmortem_dept"


def postmortem_open(
    *,
    organization,
    actor,
    source_ref: str,
    subject_label: str,
    late_request_ids: Iterable[int] = (),
    stated_delay: bool = False,
    subject_url: str = "",
    subject_amount: Decimal | None = None,
    subject_currency: str = "",
    reason_zh: str = "",
    reason_en: str = "",
    reason_note: str = "",
    now: dt.datetime | None = None,
) -> tuple[PostMortem, bool]:
    """Put ONE post-mortem item for ``source_ref`` on the next review meeting
    (the one in the escalation window, else a new one at the next working
    slot), listing the late requests among ``late_request_ids`` with their
    departments; operations management's heads and the late departments'
    heads take part and are notified. Idempotent per source: a second call
    returns the existing post-mortem (adding late requests it did not list
    yet while its meeting is still open). Returns (post-mortem, created)."""
    organization_id = getattr(organization, "pk", organization)
    source_ref = source_ref[:80]  # as stored, so a long ref still finds its post-mortem
    user = getattr(actor, "user", actor)
    now = now or timezone.now()
    with organization_scope(organization_id), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                [4006, f"{organization_id}:{source_ref}"],
            )
        late = late_requests(late_request_ids, now=now)
        existing = postmortem_for_source(source_ref)
        if existing is not None:
            meeting = existing.agenda_item.meeting
            if meeting.is_open and late:
                _add_late(existing, meeting, late, user, organization_id, now)
            return existing, False
        if not stated_delay and not late:
            raise ServiceError(_("没有超时的请求，无需复盘。"), field="late_request_ids")
        meeting, _created = review_meeting_next(
            organization_id,
            now=now,
            policy=escalation_policy_for(organization_id),
            calendar=org_calendar(organization_id, now),
        )
        item = AgendaItem.objects.create(
            meeting=meeting, request=None, department=None, by_escalation=False, added_at=now
        )
        postmortem = PostMortem.objects.create(
            source_ref=source_ref,
            agenda_item=item,
            trigger=PostMortemTrigger.STATED if stated_delay else PostMortemTrigger.BREACHED,
            subject_label=(subject_label or source_ref)[:300],
            subject_url=subject_url[:300],
            subject_amount=subject_amount,
            subject_currency=subject_currency[:3],
            reason_zh=reason_zh[:100],
            reason_en=reason_en[:100],
            reason_note=reason_note or "",
            opened_by=user if getattr(user, "pk", None) else None,
            opened_at=now,
        )
        leads = _leads()
        if meeting.chair_id is None:
            chair = next((u for u, role in leads if role == Role.OPS_MANAGER), None)
            if chair is not None:
                ReviewMeeting.objects.filter(pk=meeting.pk).update(chair_id=chair)
                meeting.chair_id = chair
        participants_add(meeting, [(u, LEAD_REASON) for u in {u for u, _role in leads}])
        _add_late(postmortem, meeting, late, user, organization_id, now, leads=leads)
        return postmortem, True


def _leads() -> list[tuple[int, str]]:
    """(user id, role) of operations management's heads: the active dept heads
    and ops managers of the department(s) that lead post-mortems."""
    return list(
        Membership.objects.filter(
            is_active=True,
            department__leads_postmortems=True,
            role__in=[Role.DEPT_HEAD, Role.OPS_MANAGER],
        )
        .order_by("role", "user_id")
        .values_list("user_id", "role")
    )


def _heads_of(department_ids) -> set[int]:
    return set(
        Membership.objects.filter(
            is_active=True, role=Role.DEPT_HEAD, department_id__in=list(department_ids)
        ).values_list("user_id", flat=True)
    )


def _add_late(postmortem, meeting, late, user, organization_id, now, *, leads=None) -> None:
    """Record late requests and a finding per new late department; invite and
    notify whoever is new to this post-mortem."""
    known = set(
        PostMortemRequest.objects.filter(postmortem=postmortem).values_list("request_id", flat=True)
    )
    fresh = [row for row in late if row.request_id not in known]
    PostMortemRequest.objects.bulk_create(
        [
            PostMortemRequest(
                organization_id=organization_id,
                postmortem=postmortem,
                request_id=row.request_id,
                department_id=row.department_id,
                due_at=row.due_at,
                late_minutes=row.late_minutes,
            )
            for row in fresh
        ],
        ignore_conflicts=True,
    )
    new_departments = _findings_add(postmortem, {row.department_id for row in fresh})
    heads = _heads_of(new_departments)
    participants_add(meeting, [(u, DEPARTMENT_REASON) for u in heads])
    recipients = heads | ({u for u, _role in leads} if leads is not None else set())
    recipients.discard(getattr(user, "pk", None))
    _notify(postmortem, recipients, organization_id, now)


def _findings_add(postmortem, department_ids) -> set[int]:
    have = set(
        PostMortemFinding.objects.filter(postmortem=postmortem).values_list(
            "department_id", flat=True
        )
    )
    new = set(department_ids) - have
    if new:
        PostMortemFinding.objects.bulk_create(
            [
                PostMortemFinding(
                    organization_id=postmortem.organization_id,
                    postmortem=postmortem,
                    department_id=d,
                )
                for d in sorted(new)
            ],
            ignore_conflicts=True,
        )
        if postmortem.concluded_at is not None:
            PostMortem.objects.filter(pk=postmortem.pk).update(concluded_at=None)
            postmortem.concluded_at = None
    return new


def _notify(postmortem, recipients, organization_id, now) -> None:
    if not recipients:
        return
    with translation.override(organization_language(organization_id)):
        text = _("丢单复盘：%(subject)s") % {"subject": postmortem.subject_label}
    notifications_send(
        organization_id=organization_id,
        recipient_ids=recipients,
        kind=NotificationKind.MEETING,
        text=text,
        link=reverse("escalation:meeting", args=[postmortem.agenda_item.meeting_id]),
        at=now,
    )  # email goes out on commit


# ---------------------------------------------------------------- the meeting


def postmortem_department_add(
    *, actor: Membership, postmortem: PostMortem, department: Department
) -> PostMortemFinding:
    """The chair names a department the deal waited on (a collaboration delay
    with no breached request on record), to be classified like the others."""
    require_meeting_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        meeting = meeting_lock_open(postmortem.agenda_item.meeting)
        if department is None or department.organization_id != actor.organization_id:
            raise ServiceError(_("请选择部门。"), field="department")
        if department.is_business or department.leads_postmortems:
            raise ServiceError(_("该部门不是服务部门。"), field="department")
        if _findings_add(postmortem, {department.pk}):
            heads = _heads_of([department.pk])
            participants_add(meeting, [(u, DEPARTMENT_REASON) for u in heads])
            heads.discard(actor.user_id)
            _notify(postmortem, heads, actor.organization_id, timezone.now())
        return PostMortemFinding.objects.get(postmortem=postmortem, department=department)


def postmortem_finding_classify(
    *, actor: Membership, finding: PostMortemFinding, root_cause: str, note: str = ""
) -> PostMortemFinding:
    """Subjective delay (counted in the department's KPIs), objective
    resource limit (answered with action items) or not the cause."""
    require_meeting_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        finding = PostMortemFinding.objects.select_related("postmortem__agenda_item").get(
            pk=finding.pk
        )
        meeting_lock_open(finding.postmortem.agenda_item.meeting)
        if root_cause not in PostMortemCause.values:
            raise ServiceError(_("请选择原因分类。"), field="root_cause")
        finding = PostMortemFinding.objects.select_for_update().get(pk=finding.pk)
        finding.root_cause = root_cause
        finding.note = (note or "").strip()[:4000]
        finding.classified_at = timezone.now()
        finding.classified_by = actor.user
        finding.save(update_fields=["root_cause", "note", "classified_at", "classified_by"])
        postmortem = PostMortem.objects.select_for_update().get(pk=finding.postmortem_id)
        unclassified = PostMortemFinding.objects.filter(postmortem=postmortem, root_cause="")
        concluded = (
            None if unclassified.exists() else (postmortem.concluded_at or finding.classified_at)
        )
        if postmortem.concluded_at != concluded:
            postmortem.concluded_at = concluded
            postmortem.save(update_fields=["concluded_at"])
        return finding


def postmortem_action_add(
    *, actor: Membership, finding: PostMortemFinding, title: str, owner, due_date
) -> ActionItem:
    """An action item answering one department's finding (the meeting's
    action-item rules apply)."""
    with organization_scope(actor.organization_id):
        item = AgendaItem.objects.select_related("meeting").get(postmortem__findings=finding.pk)
    return action_item_add(
        actor=actor, item=item, title=title, owner=owner, due_date=due_date, finding=finding
    )
