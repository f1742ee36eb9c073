"""Requirements: submit, back, merge, and the one state machine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from pipeline.accounts.models import Account
from pipeline.accounts.selectors import accounts_visible_to
from pipeline.opportunities.models import Opportunity
from pipeline.opportunities.selectors import opportunities_visible_to
from roadmap import permissions
from roadmap.models import TRANSITIONS, Backer, Requirement, State
from roadmap.search import search_words
from roadmap.services.clock import assessment_request_file, assessment_request_withdraw

if TYPE_CHECKING:
    from departments.models import Membership

TEXT_FIELDS = ("title", "background", "pain_point", "expected_outcome")


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("你无权执行此操作。"))


def requirement_transition(
    requirement: Requirement,
    to: str,
    *,
    actor: Membership,
    at: dt.datetime,
    reason: str = "",
    fields: Iterable[str] = (),
) -> Requirement:
    """Move the requirement to ``to`` if the table allows it, saving ``fields`` too."""
    if to not in TRANSITIONS[requirement.state]:
        raise ServiceError(
            _("需求当前为“%(state)s”，不能变为“%(to)s”。")
            % {"state": State(requirement.state).label, "to": State(to).label},
            field="state",
        )
    requirement.state = to
    history_note(requirement, user=actor.user, date=at, reason=reason or to)
    requirement.save(update_fields=["state", *fields])
    return requirement


def _text(values: dict[str, str]) -> dict[str, str]:
    errors = {k: (values.get(k) or "").strip() for k in TEXT_FIELDS}
    for key, value in errors.items():
        if not value:
            raise ServiceError(_("此项为必填项。"), field=key)
    if len(errors["title"]) > 200:
        raise ServiceError(_("标题最多 200 个字。"), field="title")
    return errors


def _backers_checked(
    actor: Membership, account_ids: Iterable[int], opportunity_ids: Iterable[int]
) -> list[tuple[Account, Opportunity | None]]:
    """The accounts and deals named, each visible to the actor (a foreign or
    hidden id is the same error as a missing one)."""
    pairs: list[tuple[Account, Opportunity | None]] = []
    deal_ids = sorted(set(opportunity_ids))
    deals = {o.pk: o for o in opportunities_visible_to(actor).filter(pk__in=deal_ids)}
    for deal_id in deal_ids:
        deal = deals.get(deal_id)
        if deal is None:
            raise ServiceError(_("商机不存在。"), field="opportunity_ids")
        if deal.stage.is_lost:
            raise ServiceError(_("已丢单的商机不能支持需求。"), field="opportunity_ids")
        pairs.append((deal.account, deal))
    named = sorted(set(account_ids) - {a.pk for a, _d in pairs})
    accounts = {a.pk: a for a in accounts_visible_to(actor).filter(pk__in=named)}
    for account_id in named:
        if account_id not in accounts:
            raise ServiceError(_("客户不存在。"), field="account_ids")
        pairs.append((accounts[account_id], None))
    return pairs


def _backers_add(
    requirement: Requirement,
    pairs: Iterable[tuple[Account, Opportunity | None]],
    *,
    actor: Membership,
    at: dt.datetime,
    needed_for_renewal: bool = False,
) -> int:
    """Add the pairs not already behind the requirement; returns how many were new."""
    have: set[tuple[int, int | None]] = set(
        Backer.objects.filter(requirement=requirement).values_list("account_id", "opportunity_id")
    )
    have_deals = {d for _a, d in have if d is not None}
    new = [
        Backer(
            organization_id=requirement.organization_id,
            requirement=requirement,
            account=account,
            opportunity=deal,
            needed_for_renewal=needed_for_renewal and deal is not None and deal.stage.is_won,
            added_by=actor.user,
            added_at=at,
        )
        for account, deal in pairs
        if (deal is not None and deal.pk not in have_deals)
        or (deal is None and (account.pk, None) not in have)
    ]
    Backer.objects.bulk_create(new)
    return len(new)


def requirement_submit(
    *,
    actor: Membership,
    title: str,
    background: str,
    pain_point: str,
    expected_outcome: str,
    account_ids: Iterable[int] = (),
    opportunity_ids: Iterable[int] = (),
    impact: int = 2,
    at: dt.datetime | None = None,
) -> Requirement:
    """File a requirement with its first backers and start R&D's assessment clock."""
    require(permissions.can_submit(actor))
    at = at or timezone.now()
    texts = _text(
        {
            "title": title,
            "background": background,
            "pain_point": pain_point,
            "expected_outcome": expected_outcome,
        }
    )
    if impact not in (1, 2, 3):
        raise ServiceError(_("请选择业务影响。"), field="impact")
    with transaction.atomic():
        pairs = _backers_checked(actor, account_ids, opportunity_ids)
        if not pairs:
            raise ServiceError(_("请至少选择一个客户或商机。"), field="account_ids")
        requirement = Requirement(
            organization_id=actor.organization_id,
            submitted_by=actor.user,
            submitted_at=at,
            impact=impact,
            search_text=search_words(
                texts["title"], texts["background"], texts["pain_point"], texts["expected_outcome"]
            ),
            **texts,
        )
        history_note(requirement, user=actor.user, date=at, reason="submit")
        requirement.save()
        _backers_add(requirement, pairs, actor=actor, at=at)
        assessment_request_file(requirement, actor=actor, at=at, pairs=pairs)
        return requirement


def requirement_back(
    *,
    actor: Membership,
    requirement: Requirement,
    account_ids: Iterable[int] = (),
    opportunity_ids: Iterable[int] = (),
    needed_for_renewal: bool = False,
    at: dt.datetime | None = None,
) -> int:
    """ "+1 from another customer": add accounts and deals behind a requirement."""
    require(permissions.can_submit(actor))
    at = at or timezone.now()
    with transaction.atomic():
        requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
        if requirement.state in (State.MERGED, State.DECLINED, State.SHIPPED):
            raise ServiceError(_("该需求已关闭，不能再添加支持方。"), field="requirement")
        pairs = _backers_checked(actor, account_ids, opportunity_ids)
        if not pairs:
            raise ServiceError(_("请至少选择一个客户或商机。"), field="account_ids")
        return _backers_add(
            requirement, pairs, actor=actor, at=at, needed_for_renewal=needed_for_renewal
        )


def requirement_merge(
    *,
    actor: Membership,
    duplicate: Requirement,
    into: Requirement,
    at: dt.datetime | None = None,
) -> Requirement:
    """Merge a duplicate into another requirement: every backer moves over,
    the duplicate ends as "merged" and its assessment request is withdrawn."""
    require(permissions.can_assess(actor))
    at = at or timezone.now()
    if duplicate.pk == into.pk:
        raise ServiceError(_("不能合并到自身。"), field="into")
    with transaction.atomic():
        locked = {
            r.pk: r
            for r in Requirement.objects.select_for_update()
            .filter(pk__in=[duplicate.pk, into.pk])
            .order_by("pk")
        }
        duplicate, into = locked[duplicate.pk], locked[into.pk]
        if into.state in (State.MERGED, State.DECLINED, State.SHIPPED):
            raise ServiceError(_("目标需求已关闭。"), field="into")
        pairs = [
            (b.account, b.opportunity)
            for b in Backer.objects.filter(requirement=duplicate).select_related(
                "account", "opportunity__stage"
            )
        ]
        renewal = set(
            Backer.objects.filter(requirement=duplicate, needed_for_renewal=True).values_list(
                "opportunity_id", flat=True
            )
        )
        _backers_add(
            into, [p for p in pairs if p[1] is None or p[1].pk not in renewal], actor=actor, at=at
        )
        _backers_add(
            into,
            [p for p in pairs if p[1] is not None and p[1].pk in renewal],
            actor=actor,
            at=at,
            needed_for_renewal=True,
        )
        duplicate.merged_into = into
        requirement_transition(
            duplicate, State.MERGED, actor=actor, at=at, reason="merge", fields=["merged_into"]
        )
        assessment_request_withdraw(
            duplicate, actor=actor, at=at, reason=_("已合并到 %(ref)s") % {"ref": into.reference}
        )
        return into
