"""Who is told about a requirement (its submitter, the owners of its backing
accounts and deals: the backers' reps), and the business time between two
of its moments."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from departments.models import Membership, Organization
from departments.roles import Role
from requests_sla.sla.calendars import engine_calendar_for
from roadmap.models import Backer, Requirement


def backer_user_ids(requirement: Requirement) -> set[int]:
    ids: set[int] = {requirement.submitted_by_id}
    for account_owner, deal_owner in Backer.objects.filter(requirement=requirement).values_list(
        "account__owner_id", "opportunity__owner_id"
    ):
        ids.add(account_owner)
        if deal_owner is not None:
            ids.add(deal_owner)
    return ids


def department_head_ids(*codes: str) -> set[int]:
    return set(
        Membership.objects.filter(
            Q(department__code__in=codes), role=Role.DEPT_HEAD, is_active=True
        ).values_list("user_id", flat=True)
    )


def working_minutes(organization_id: int, start: dt.datetime, end: dt.datetime) -> int:
    """Business time between two instants on the organization's calendar."""
    organization = Organization.objects.get(pk=organization_id)
    calendar = engine_calendar_for(None, organization, start, end)
    return max(0, int(calendar.working_minutes_between(start, end)))
