"""What one sweep looks up once per organization: its ladder settings, heads and ops managers, webhook, calendar and meeting."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from collab.tenancy import dangerously_unscoped
from departments.models import Membership, Organization
from departments.roles import Role
from requests_sla.meetings.models import (
    MeetingParticipant,
    MeetingStatus,
    ReviewMeeting,
)
from requests_sla.notifications.models import WebhookEndpoint
from requests_sla.sla.calendars import org_calendar
from requests_sla.sla.models import (
    EscalationPolicy,
)
from requests_sla.sla.services import (
    escalation_policy_for,
)


class OrgContext:
    """What one sweep looks up once per organization (``contexts_for``
    fetches it for all the organizations of a page at once)."""

    def __init__(
        self, organization_id: int, now: dt.datetime, *, policy=None, people=None, endpoint=False
    ) -> None:
        self.organization_id = organization_id
        self.now = now
        self.policy = policy or escalation_policy_for(organization_id)
        self._calendar = None
        self._organization = None
        self._people = people
        self._meeting: ReviewMeeting | None = None
        self._endpoint = endpoint
        self.meeting_created = False

    @property
    def calendar(self):
        if self._calendar is None:
            self._calendar = org_calendar(self.organization_id, self.now)
        return self._calendar

    @property
    def organization(self) -> Organization:
        if self._organization is None:
            self._organization = Organization.objects.get(pk=self.organization_id)
        return self._organization

    @property
    def endpoint(self):
        if self._endpoint is False:
            self._endpoint = WebhookEndpoint.objects.filter(is_active=True).first()
        return self._endpoint

    @property
    def people(self) -> dict:
        """heads by department id, ops managers, emails, all in one query."""
        if self._people is None:
            rows = Membership.objects.filter(
                is_active=True, role__in=[Role.DEPT_HEAD, Role.OPS_MANAGER]
            ).values_list("user_id", "role", "department_id", "user__email")
            self._people = people_of(rows)
        return self._people

    def meeting(self) -> ReviewMeeting:
        """The next scheduled review meeting inside the window, or a new one
        at the next working slot. One lookup per organization per sweep; an
        advisory lock keeps two sweeps from creating two meetings."""
        if self._meeting is not None:
            return self._meeting
        window_end = self.calendar.close_of_nth_working_day_after(
            self.now, max(self.policy.meeting_window_days, 1)
        )
        found = self._find(window_end)
        if found is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4004, self.organization_id])
            found = self._find(window_end)
        if found is None:
            found = ReviewMeeting.objects.create(
                organization_id=self.organization_id,
                title="",
                scheduled_at=next_meeting_slot(self.calendar, self.now, self.policy.meeting_time),
                duration_minutes=self.policy.meeting_duration_minutes,
                created_by_escalation=True,
            )
            self.meeting_created = True
            ops = self.people["ops"]
            MeetingParticipant.objects.bulk_create(
                [
                    MeetingParticipant(
                        organization_id=self.organization_id, meeting=found, user_id=u, reason="ops"
                    )
                    for u in ops
                ],
                ignore_conflicts=True,
            )
            if ops and found.chair_id is None:
                ReviewMeeting.objects.filter(pk=found.pk).update(chair_id=ops[0])
                found.chair_id = ops[0]
        self._meeting = found
        return found

    def _find(self, window_end):
        return (
            ReviewMeeting.objects.filter(
                status=MeetingStatus.SCHEDULED,
                scheduled_at__gte=self.now,
                scheduled_at__lte=window_end,
            )
            .order_by("scheduled_at", "pk")
            .first()
        )


def people_of(rows) -> dict:
    heads: dict[int, list[int]] = defaultdict(list)
    ops: list[int] = []
    emails: dict[int, str] = {}
    for user_id, role, department_id, email in rows:
        if role == Role.DEPT_HEAD and department_id:
            heads[department_id].append(user_id)
        elif role == Role.OPS_MANAGER:
            ops.append(user_id)
        if email:
            emails[user_id] = email
    return {"heads": heads, "ops": ops, "emails": emails}


def contexts_for(organization_ids: list[int], now: dt.datetime) -> dict[int, OrgContext]:
    """Policies (created with the defaults where missing), heads and ops
    managers, webhook endpoints of many organizations: four statements in
    all, not four per organization (cross-organization reads of settings)."""
    with dangerously_unscoped():
        EscalationPolicy.unscoped.bulk_create(
            [EscalationPolicy(organization_id=i) for i in organization_ids], ignore_conflicts=True
        )
        policies = {
            p.organization_id: p
            for p in EscalationPolicy.unscoped.filter(organization_id__in=organization_ids)
        }
        rows: dict[int, list] = defaultdict(list)
        for organization_id, *row in Membership.unscoped.filter(
            organization_id__in=organization_ids,
            is_active=True,
            role__in=[Role.DEPT_HEAD, Role.OPS_MANAGER],
        ).values_list("organization_id", "user_id", "role", "department_id", "user__email"):
            rows[organization_id].append(row)
        endpoints: dict[int, WebhookEndpoint] = {}
        for endpoint in WebhookEndpoint.unscoped.filter(
            organization_id__in=organization_ids, is_active=True
        ).order_by("pk"):
            endpoints.setdefault(endpoint.organization_id, endpoint)
    return {
        i: OrgContext(
            i,
            now,
            policy=policies.get(i),
            people=people_of(rows.get(i, [])),
            endpoint=endpoints.get(i),
        )
        for i in organization_ids
    }


def next_meeting_slot(calendar, now: dt.datetime, at: dt.time) -> dt.datetime:
    """``at`` local time on the next working day after today."""
    day = calendar.nth_working_day_after(now, 1)
    return dt.datetime.combine(day, at, tzinfo=calendar.tz).astimezone(dt.UTC)


def review_meeting_next(organization_id: int, *, now: dt.datetime | None = None):
    """(meeting, created): the meeting a new agenda item goes on, chosen as the
    sweep chooses it (``OrgContext.meeting``). Call inside a transaction."""
    ctx = OrgContext(organization_id, now or timezone.now())
    return ctx.meeting(), ctx.meeting_created
