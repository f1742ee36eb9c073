"""The bi-weekly review board (双周需求评审会): its settings, its dates on the
business calendar, its creation ahead of time (exactly once per slot: the
unique (organization, slot) row and get_or_create, whose insert runs in a
savepoint and reads the winner's row on a conflict, so two beats or a retried
task create nothing twice), its agenda and its decisions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from collab.tenancy import dangerously_unscoped, organization_scope
from departments.models import Organization
from requests_sla.notifications.models import NotificationKind
from requests_sla.notifications.services import notifications_send
from requests_sla.sla.calendars import org_calendar
from requests_sla.sla.engine.calendar import BusinessCalendar as EngineCalendar
from roadmap import permissions
from roadmap.models import (
    BoardItem,
    BoardSettings,
    Decision,
    Prototype,
    Release,
    Requirement,
    ReviewBoard,
    State,
)
from roadmap.notices import ROADMAP_KEY
from roadmap.selectors import reach_of, score
from roadmap.services.audience import backer_user_ids, working_minutes
from roadmap.services.requirements import require, requirement_transition

if TYPE_CHECKING:
    from departments.models import Membership

HORIZON_DAYS = 42  # boards exist three meetings ahead
DECISION_TARGET: dict[str, str] = {
    Decision.ACCEPT: State.ACCEPTED,
    Decision.DECLINE: State.DECLINED,
    Decision.DEFER: State.DEFERRED,
    Decision.PROTOTYPE: State.PROTOTYPE,
}


def board_settings_provision(*, organization: Organization) -> None:
    """Every organization's board: Wednesdays at 15:00, every other week from now."""
    with organization_scope(organization.id):
        BoardSettings.objects.get_or_create(
            organization=organization, defaults={"anchor_date": timezone.localdate()}
        )


def board_settings_update(
    *, actor: Membership, weekday: int, time: dt.time, anchor_date: dt.date, active: bool = True
) -> BoardSettings:
    if not actor.can("manage_organization"):
        require(False)
    if not 0 <= weekday <= 6:
        raise ServiceError(_("请选择星期。"), field="weekday")
    settings, _created = BoardSettings.objects.update_or_create(
        organization_id=actor.organization_id,
        defaults={"weekday": weekday, "time": time, "anchor_date": anchor_date, "active": active},
    )
    return settings


def board_slots(settings: BoardSettings, start: dt.date, end: dt.date) -> list[dt.date]:
    """The planned dates in [start, end]: ``weekday`` of every other week,
    counted from the anchor's week."""
    anchor_monday = settings.anchor_date - dt.timedelta(days=settings.anchor_date.weekday())
    day = start + dt.timedelta(days=(settings.weekday - start.weekday()) % 7)
    slots = []
    while day <= end:
        if ((day - anchor_monday).days // 7) % 2 == 0:
            slots.append(day)
        day += dt.timedelta(days=7)
    return slots


def board_date(slot: dt.date, calendar: EngineCalendar) -> dt.date:
    """A board on a holiday moves to the next working day; make-up workdays work."""
    day = slot
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def boards_schedule(*, organization_id: int, now: dt.datetime | None = None) -> int:
    """Create the boards of the coming weeks that do not exist yet; returns
    how many this call created (0 when another beat got there first)."""
    now = now or timezone.now()
    with organization_scope(organization_id):
        settings = BoardSettings.objects.filter(active=True).first()
        if settings is None:
            return 0
        calendar = org_calendar(organization_id, now)
        tz = ZoneInfo(Organization.objects.get(pk=organization_id).timezone)
        today = now.astimezone(tz).date()
        created = 0
        for slot in board_slots(settings, today, today + dt.timedelta(days=HORIZON_DAYS)):
            day = board_date(slot, calendar)
            _board, made = ReviewBoard.objects.get_or_create(
                organization_id=organization_id,
                slot=slot,
                defaults={
                    "starts_at": dt.datetime.combine(day, settings.time, tzinfo=tz),
                    "created_at": now,
                },
            )
            created += made
        return created


def _agenda(board: ReviewBoard) -> list[BoardItem]:
    return list(
        BoardItem.objects.filter(board=board)
        .select_related("requirement", "decided_by")
        .order_by("-score", "id")
    )


def agenda_refresh(board: ReviewBoard) -> list[BoardItem]:
    """Put every requirement ready for review on an open board, scored
    (``selectors.score``); a held board's agenda stays as it was. The agenda
    is read once and again only when this put or rescored an item."""
    agenda = _agenda(board)
    if board.held_at is not None:
        return agenda
    ready = list(
        Requirement.objects.filter(state=State.READY_FOR_REVIEW).only(
            "impact", "feasibility", "cost_low_days", "cost_high_days"
        )
    )
    reach = reach_of(r.pk for r in ready)
    items = {i.requirement_id: i for i in agenda}
    new, changed = [], []
    for requirement in ready:
        value = score(
            reach=reach.get(requirement.pk, 0),
            impact=requirement.impact,
            feasibility=requirement.feasibility,
            cost_low=requirement.cost_low_days,
            cost_high=requirement.cost_high_days,
        )
        item = items.get(requirement.pk)
        if item is None:
            new.append(
                BoardItem(
                    organization_id=board.organization_id,
                    board=board,
                    requirement=requirement,
                    score=value,
                )
            )
        elif not item.decision and item.score != value:
            item.score = value
            changed.append(item)
    if not new and not changed:
        return agenda
    BoardItem.objects.bulk_create(new, ignore_conflicts=True)
    BoardItem.objects.bulk_update(changed, ["score"])
    return _agenda(board)


def _validated(requirement: Requirement) -> bool:
    return Prototype.objects.filter(requirement=requirement, completed_at__isnull=False).exists()


def _decision_fields(
    requirement: Requirement,
    decision: str,
    note: str,
    release: Release | None,
    revisit_on: dt.date | None,
    today: dt.date,
) -> list[str]:
    """Check what the decision needs and set it on the requirement; the fields written."""
    if decision == Decision.ACCEPT:
        if requirement.needs_prototype and not _validated(requirement):
            raise ServiceError(_("该需求需要原型验证，验证完成前不能纳入版本。"), field="decision")
        if release is not None and release.shipped_at is not None:
            raise ServiceError(_("该版本已上线。"), field="release")
        requirement.release = release
        return ["release"]
    if decision == Decision.DECLINE:
        if not note:
            raise ServiceError(_("拒绝时必须填写原因，原因会告知每个支持方。"), field="note")
        requirement.decline_reason = note
        return ["decline_reason"]
    if decision == Decision.DEFER:
        if revisit_on is None or revisit_on <= today:
            raise ServiceError(_("请填写今天之后的重新评审日期。"), field="revisit_on")
        requirement.revisit_on = revisit_on
        return ["revisit_on"]
    requirement.needs_prototype = True
    return ["needs_prototype"]


def board_decide(
    *,
    actor: Membership,
    board: ReviewBoard,
    requirement: Requirement,
    decision: str,
    priority: int | None = None,
    note: str = "",
    release: Release | None = None,
    revisit_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> BoardItem:
    """Record the board's decision on one item of its agenda and tell every backer."""
    require(permissions.can_decide(actor))
    at = at or timezone.now()
    note = (note or "").strip()
    if decision not in DECISION_TARGET:
        raise ServiceError(_("请选择决定。"), field="decision")
    if priority is not None and not 1 <= priority <= 99:
        raise ServiceError(_("优先级应在 1 到 99 之间。"), field="priority")
    with transaction.atomic():
        item = (
            BoardItem.objects.select_for_update()
            .filter(board=board, requirement_id=requirement.pk)
            .first()
        )
        if item is None:
            raise ServiceError(_("该需求不在本次评审会的议程上。"), field="requirement")
        requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
        fields = _decision_fields(
            requirement, decision, note, release, revisit_on, timezone.localdate(at)
        )
        requirement.priority, requirement.decided_at = priority, at
        requirement.decision_minutes = working_minutes(
            requirement.organization_id, requirement.submitted_at, at
        )
        requirement_transition(
            requirement,
            DECISION_TARGET[decision],
            actor=actor,
            at=at,
            reason=f"board:{decision}",
            fields=[*fields, "priority", "decided_at", "decision_minutes"],
        )
        item.decision, item.priority, item.note = decision, priority, note
        item.decided_by, item.decided_at = actor.user, at
        item.save(update_fields=["decision", "priority", "note", "decided_by", "decided_at"])
        _decision_notify(requirement, decision, note or str(revisit_on or ""), at)
        return item


def _decision_notify(requirement: Requirement, decision: str, note: str, at: dt.datetime) -> None:
    notifications_send(
        organization_id=requirement.organization_id,
        recipient_ids=backer_user_ids(requirement),
        kind=NotificationKind.MEETING,
        params={
            ROADMAP_KEY: True,
            "decision": decision,
            "ref": requirement.reference,
            "title": requirement.title,
            "note": note,
        },
        link=reverse("roadmap:requirement", args=[requirement.pk]),
        at=at,
    )


def board_minutes_save(
    *,
    actor: Membership,
    board: ReviewBoard,
    minutes: str,
    held: bool = True,
    at: dt.datetime | None = None,
) -> ReviewBoard:
    require(permissions.can_decide(actor))
    at = at or timezone.now()
    board.minutes = (minutes or "").strip()
    if held and board.held_at is None:
        board.held_at = at
    board.save(update_fields=["minutes", "held_at"])
    return board


def deferred_revisit(*, organization_id: int, now: dt.datetime | None = None) -> int:
    """Deferred requirements whose revisit date has come are ready for review again (beat)."""
    now = now or timezone.now()
    with organization_scope(organization_id), transaction.atomic():
        due = list(
            Requirement.objects.select_for_update(skip_locked=True).filter(
                state=State.DEFERRED, revisit_on__lte=timezone.localdate(now)
            )
        )
        for requirement in due:
            requirement.state = State.READY_FOR_REVIEW
            history_note(requirement, user=None, date=now, reason="revisit")
            requirement.save(update_fields=["state"])
        return len(due)


def organizations_with_boards() -> list[int]:
    """The organizations whose board is on (the beat's cross-organization read)."""
    with dangerously_unscoped("roadmap beat: organizations with an active review board"):
        return list(
            BoardSettings.unscoped.filter(active=True)
            .order_by("organization_id")
            .values_list("organization_id", flat=True)
        )
