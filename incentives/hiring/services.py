"""Writes of hiring: a department asks for headcount, HR approves or
rejects it and opens the approved heads as positions of a quarter's hiring
plan, moves each position through the pipeline, and fills it by inviting
the new joiner as a member of the department (departments' invitation flow)
in the same step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import DEFAULT_CURRENCY, parse_amount
from collab.parsing import check_date, clean_text, validate_email_lengths
from collab.tenancy import organization_scope
from departments.models import Department, Membership
from departments.roles import Role
from departments.services import member_invite
from incentives.hiring.models import (
    HEADCOUNT_MAX,
    STAGE_ORDER,
    HeadcountRequest,
    HiringPlan,
    Position,
    RequestState,
    Stage,
)
from incentives.permissions import can_manage_hiring, can_request_headcount


def _require_hr(actor: Membership) -> None:
    if not can_manage_hiring(actor):
        raise ServiceError(_("只有人力资源可以管理招聘计划。"))


def _text(value: str, field: str, max_length: int) -> str:
    text = clean_text(str(value or "")).strip()
    if not text:
        raise ServiceError(_("此字段不能为空。"), field=field)
    if len(text) > max_length:
        raise ServiceError(_("内容过长。"), field=field)
    return text


def _date(value: dt.date, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ServiceError(_("日期格式不正确。"), field=field)
    try:
        return check_date(value)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field=field) from exc


def _department_for(actor: Membership, department_id: int | None) -> Department:
    """A head asks for their own department; HR may ask for any."""
    if department_id is None or department_id == actor.department_id:
        if actor.department_id is None:
            raise ServiceError(_("请选择部门。"), field="department_id")
        return Department.objects.get(pk=actor.department_id)
    department = Department.objects.filter(pk=department_id).first()
    if department is None or not can_manage_hiring(actor):
        raise ServiceError(_("部门不存在。"), field="department_id")
    return department


def headcount_request(
    *,
    actor: Membership,
    position: str,
    level: str,
    count: int,
    reason: str,
    needed_by: dt.date,
    budget_per_head: Decimal | str,
    department_id: int | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> HeadcountRequest:
    if not can_request_headcount(actor):
        raise ServiceError(_("只有部门负责人和人力资源可以申请编制。"))
    if not isinstance(count, int) or not 1 <= count <= HEADCOUNT_MAX:
        raise ServiceError(
            _("人数须在 1 到 %(max)s 之间。") % {"max": HEADCOUNT_MAX}, field="count"
        )
    try:
        budget = parse_amount(budget_per_head, allow_zero=False)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="budget_per_head") from exc
    _date(needed_by, "needed_by")
    if needed_by < timezone.localdate():
        raise ServiceError(_("需到岗日期不能早于今天。"), field="needed_by")
    with organization_scope(actor.organization_id), transaction.atomic():
        return HeadcountRequest.objects.create(
            organization_id=actor.organization_id,
            department=_department_for(actor, department_id),
            position=_text(position, "position", 100),
            level=_text(level, "level", 40),
            count=count,
            reason=_text(reason, "reason", 2000),
            needed_by=needed_by,
            budget_per_head=budget,
            currency=currency,
            requested_by_id=actor.user_id,
            created_at=timezone.now(),
        )


def headcount_decide(
    *, actor: Membership, request_id: int, approve: bool, note: str = ""
) -> HeadcountRequest:
    """HR approves or rejects a submitted request (a rejection says why)."""
    _require_hr(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        req = HeadcountRequest.objects.select_for_update().get(pk=request_id)
        if req.state != RequestState.SUBMITTED:
            raise ServiceError(_("该申请已处理。"), field="state")
        note = clean_text(note or "").strip()[:500]
        if not approve and not note:
            raise ServiceError(_("驳回时请填写原因。"), field="note")
        req.state = RequestState.APPROVED if approve else RequestState.REJECTED
        req.decided_by_id, req.decided_at, req.decision_note = actor.user_id, timezone.now(), note
        req.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        return req


def plan_get_or_create(*, actor: Membership, year: int, quarter: int) -> HiringPlan:
    _require_hr(actor)
    if not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise ServiceError(_("季度须为 1 到 4。"), field="quarter")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError(_("年份不正确。"), field="year")
    with organization_scope(actor.organization_id), transaction.atomic():
        plan, _created = HiringPlan.objects.get_or_create(
            year=year,
            quarter=quarter,
            defaults={
                "organization_id": actor.organization_id,
                "created_by_id": actor.user_id,
                "created_at": timezone.now(),
            },
        )
        return plan


def positions_open(
    *,
    actor: Membership,
    request_id: int,
    year: int,
    quarter: int,
    opened_on: dt.date | None = None,
) -> list[Position]:
    """An approved request becomes ``count`` open positions of the quarter's plan."""
    plan = plan_get_or_create(actor=actor, year=year, quarter=quarter)
    opened_on = _date(opened_on or timezone.localdate(), "opened_on")
    with organization_scope(actor.organization_id), transaction.atomic():
        req = HeadcountRequest.objects.select_for_update().get(pk=request_id)
        if req.state != RequestState.APPROVED:
            raise ServiceError(_("只有已批准的申请可以纳入招聘计划。"), field="request")
        req.state = RequestState.PLANNED
        req.save(update_fields=["state"])
        return Position.objects.bulk_create(
            Position(
                organization_id=actor.organization_id,
                plan=plan,
                request=req,
                department_id=req.department_id,
                title=req.position,
                level=req.level,
                budget=req.budget_per_head,
                currency=req.currency,
                opened_on=opened_on,
            )
            for _i in range(req.count)
        )


def position_move(*, actor: Membership, position_id: int, stage: str) -> Position:
    """Move a position between sourcing, interviews and offer; joining is
    ``position_fill`` (it needs the new joiner)."""
    _require_hr(actor)
    if stage not in STAGE_ORDER or stage == Stage.JOINED:
        raise ServiceError(_("请选择寻访、面试或录用通知阶段。"), field="stage")
    with organization_scope(actor.organization_id), transaction.atomic():
        position = Position.objects.select_for_update().get(pk=position_id)
        if position.stage == Stage.JOINED:
            raise ServiceError(_("该职位已有人入职。"), field="stage")
        position.stage = stage
        position.save(update_fields=["stage"])
        return position


def position_fill(
    *,
    actor: Membership,
    position_id: int,
    email: str,
    joined_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Position:
    """The new joiner joins: invited as a member of the position's
    department (a new account, or a pending invitation for an existing
    one), and the position is filled on ``joined_on`` — one step.
    ``request`` builds the welcome link of a new account (as the members page)."""
    _require_hr(actor)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
        validate_email_lengths(email)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="email") from exc
    joined_on = _date(joined_on or timezone.localdate(), "joined_on")
    with organization_scope(actor.organization_id), transaction.atomic():
        position = (
            Position.objects.select_for_update(of=("self",))
            .select_related("department", "organization")
            .get(pk=position_id)
        )
        if position.stage == Stage.JOINED:
            raise ServiceError(_("该职位已有人入职。"), field="stage")
        if joined_on < position.opened_on:
            raise ServiceError(_("入职日期不能早于职位开放日期。"), field="joined_on")
        member = Membership.objects.filter(user__email__iexact=email, is_active=True).first()
        if member is not None:  # already a member (added on the members page): recorded
            position.joiner_id = member.user_id
        else:
            outcome = member_invite(
                organization=position.organization,
                email=email,
                role=Role.DEPT_MEMBER,
                department=position.department,
                actor=actor.user,
                request=request,
            )
            if outcome.membership is not None:
                position.joiner_id = outcome.membership.user_id
            elif outcome.invitation is not None:
                position.joiner_id = outcome.invitation.invitee_id
                position.invitation = outcome.invitation
        position.stage, position.joined_on, position.joiner_email = Stage.JOINED, joined_on, email
        position.save(update_fields=["stage", "joined_on", "joiner", "invitation", "joiner_email"])
        return position
