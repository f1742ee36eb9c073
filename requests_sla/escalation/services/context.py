"""What one sweep looks up once per organization: its ladder settings, heads and ops managers, webhook, calendar and meeting."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Literal, TypedDict

from collab.tenancy import dangerously_unscoped
from departments.models import Membership, Organization
from departments.roles import Role
from requests_sla.meetings import services as meeting_services
from requests_sla.meetings.models import (
    ReviewMeeting,
)
from requests_sla.notifications.models import WebhookEndpoint
from requests_sla.sla.calendars import org_calendar
from requests_sla.sla.engine.calendar import BusinessCalendar as EngineCalendar
from requests_sla.sla.models import (
    EscalationPolicy,
)
from requests_sla.sla.services import (
    escalation_policy_for,
)


class People(TypedDict):
    """Heads by department id, ops managers, emails by user id."""

    heads: dict[int, list[int]]
    ops: list[int]
    emails: dict[int, str]


class OrgContext:
    """What one sweep looks up once per organization (``contexts_for``
    fetches it for all the organizations of a page at once)."""

    def __init__(
        self,
        organization_id: int,
        now: dt.datetime,
        *,
        policy: EscalationPolicy | None = None,
        people: People | None = None,
        endpoint: WebhookEndpoint | None | Literal[False] = False,
    ) -> None:
        self.organization_id = organization_id
        self.now = now
        self.policy = policy or escalation_policy_for(organization_id)
        self._calendar: EngineCalendar | None = None
        self._organization: Organization | None = None
        self._people = people
        self._meeting: ReviewMeeting | None = None
        self._endpoint = endpoint
        self.meeting_created = False

    @property
    def calendar(self) -> EngineCalendar:
        if self._calendar is None:
            self._calendar = org_calendar(self.organization_id, self.now)
        return self._calendar

    @property
    def organization(self) -> Organization:
        if self._organization is None:
            self._organization = Organization.objects.get(pk=self.organization_id)
        return self._organization

    @property
    def endpoint(self) -> WebhookEndpoint | None:
        if self._endpoint is False:
            self._endpoint = WebhookEndpoint.objects.filter(is_active=True).first()
        return self._endpoint

    @property
    def people(self) -> People:
        """heads by department id, ops managers, emails, all in one query."""
        if self._people is None:
            rows = Membership.objects.filter(
                is_active=True, role__in=[Role.DEPT_HEAD, Role.OPS_MANAGER]
            ).values_list("user_id", "role", "department_id", "user__email")
            self._people = people_of(rows)
        return self._people

    def meeting(self) -> ReviewMeeting:
        """The meeting this sweep's breached requests go on (the meetings
        service chooses or creates it); one lookup per organization per sweep."""
        if self._meeting is None:
            self._meeting, created = meeting_services.review_meeting_next(
                self.organization_id,
                now=self.now,
                policy=self.policy,
                calendar=self.calendar,
                ops_user_ids=lambda: self.people["ops"],
            )
            self.meeting_created = self.meeting_created or created
        return self._meeting


def people_of(rows: Iterable[Any]) -> People:
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
    return {"heads": heads, "ops": sorted(ops), "emails": emails}


def contexts_for(organization_ids: list[int], now: dt.datetime) -> dict[int, OrgContext]:
    """Policies (created with the defaults where missing), heads and ops
    managers, webhook endpoints of many organizations: four statements in
    all, not four per organization (cross-organization reads of settings)."""
    with dangerously_unscoped("the sweep's organizations' settings"):
        EscalationPolicy.unscoped.bulk_create(
            [EscalationPolicy(organization_id=i) for i in organization_ids], ignore_conflicts=True
        )
        policies = {
            p.organization_id: p
            for p in EscalationPolicy.unscoped.filter(organization_id__in=organization_ids)
        }
        rows: dict[int, list[Any]] = defaultdict(list)
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
