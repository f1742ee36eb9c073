"""Demo review meetings (issue 4), made through the services.

In each demo organization: last week's meeting (where requests had
breached a week ago: in Demo Co), closed, whose items are
classified (one subjective delay with an action item for head-rnd that is
now overdue, one objective resource limit whose action item is done), and
the upcoming meeting the escalation sweep fills from the breached demo
requests. Runs after ``requests_sla.demo`` and ``demo_history``. Idempotent:
the past meeting is made once (found by its title), and the sweep never
takes a rung twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from requests_sla.escalation.services import sla_sweep
from requests_sla.meetings import services as meeting_services
from requests_sla.meetings.models import ReviewMeeting
from requests_sla.requests.models import Request as CollabRequest
from requests_sla.sla.models import SlaState

PAST_TITLE = "上周跨部门沟通会"
# Who runs the meetings, whose action item is overdue, who owns the other one.
PEOPLE = {
    "demo": ("ops", "head-rnd", "head-mkt"),
    "other": ("other-ops", "other-head", "other-mkt"),
}


def load(*, organization: Organization, key: str) -> None:
    if key not in PEOPLE:
        return
    runner, rnd_head, other_head = PEOPLE[key]
    with organization_scope(organization.id):
        people = {
            m.user.username: m
            for m in Membership.objects.filter(is_active=True).select_related(
                "user", "organization"
            )
        }
        ops, head_rnd = people.get(runner), people.get(rnd_head)
        if ops is None or head_rnd is None:
            return
        if not ReviewMeeting.objects.filter(title=PAST_TITLE).exists():
            _past_meeting(ops, head_rnd, people.get(other_head) or ops)
    # The upcoming meeting: the sweep puts the breached demo requests on it.
    sla_sweep(organization_id=organization.id)


def _past_meeting(ops: Membership, head_rnd: Membership, other_owner: Membership) -> None:
    """Last week's meeting, reviewing requests that had breached before it was
    held (one item each); the sweep then leaves them off the upcoming one."""
    held = timezone.localtime(timezone.now() - dt.timedelta(days=7)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    late = list(
        CollabRequest.objects.filter(
            timers__state=SlaState.BREACHED, timers__breached_at__lte=held - dt.timedelta(hours=2)
        )
        .distinct()
        .order_by("-created_at")[:50]
    )
    rnd = [r for r in late if r.serving_department_id == head_rnd.department_id]
    first = rnd[0] if rnd else (late[0] if late else None)
    second = next((r for r in late if r.pk != getattr(first, "pk", None)), None)
    if first is None or second is None:
        return
    today = timezone.localdate()
    meeting = meeting_services.meeting_schedule(
        actor=ops,
        scheduled_at=held,
        title=PAST_TITLE,
        location="3 楼大会议室",
    )
    subjective = meeting_services.agenda_item_add(actor=ops, meeting=meeting, request=first)
    meeting_services.agenda_item_classify(
        actor=ops,
        item=subjective,
        root_cause="subjective",
        note="工单无人认领，两天后才有人回复客户",
    )
    meeting_services.action_item_add(
        actor=ops,
        item=subjective,
        title="研发部建立技术支持值班表",
        owner=head_rnd.user,
        due_date=today - dt.timedelta(days=3),  # still open: overdue on head-rnd's queue
    )
    objective = meeting_services.agenda_item_add(actor=ops, meeting=meeting, request=second)
    meeting_services.agenda_item_classify(
        actor=ops,
        item=objective,
        root_cause="objective",
        note="同时段三个投标项目，人手不足",
    )
    done = meeting_services.action_item_add(
        actor=ops,
        item=objective,
        title="投标季临时抽调两名工程师支援",
        owner=other_owner.user,
        due_date=today - dt.timedelta(days=2),
    )
    meeting_services.action_item_set_done(actor=other_owner, action=done)
    meeting_services.meeting_close(
        actor=ops, meeting=meeting, summary="研发部建立值班表；投标季提前协调人手。"
    )
