"""Writes for accounts, opportunities, leads and follow-ups.

Every function runs in one transaction and writes its own audit trail
(``StageChange`` rows, simple-history on opportunities, accounts and leads).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from requests_sla.models import NotificationKind, Request
from requests_sla.notifications.services import (
    notifications_send,
    notifications_settle,
    organization_language,
)

from .models import (
    Account,
    Contact,
    FollowUp,
    Lead,
    LeadKind,
    LeadSource,
    LeadStatus,
    LostReason,
    Opportunity,
    Stage,
    StageChange,
)
from .postmortem import postmortem_if_due

User = get_user_model()

# code, name_zh, name_en, order, default probability, is_won, is_lost
DEFAULT_STAGES = [
    ("lead", "线索", "Lead", 10, 10, False, False),
    ("qualified", "已确认需求", "Qualified", 20, 20, False, False),
    ("solution", "方案/演示", "Solution / demo", 30, 40, False, False),
    ("proposal", "报价", "Proposal / quote", 40, 60, False, False),
    ("negotiation", "谈判", "Negotiation", 50, 80, False, False),
    ("won", "赢单", "Won", 60, 100, True, False),
    ("lost", "丢单", "Lost", 70, 0, False, True),
]


def stages_provision(*, organization: Organization) -> list[Stage]:
    """Create the default stages that are missing. Idempotent by ``code``;
    stages an admin renamed keep their names."""
    with organization_scope(organization.id):
        existing = set(Stage.objects.values_list("code", flat=True))
        for code, name_zh, name_en, order, probability, is_won, is_lost in DEFAULT_STAGES:
            if code in existing:
                continue
            Stage.objects.create(
                organization=organization,
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                order=order,
                default_probability=probability,
                is_won=is_won,
                is_lost=is_lost,
            )
        return list(Stage.objects.all())


def first_stage() -> Stage:
    stage = Stage.objects.filter(is_won=False, is_lost=False).order_by("order").first()
    if stage is None:
        raise ServiceError(_("本企业还没有销售阶段。"), field="stage")
    return stage


def _check_member(user, *, field: str) -> None:
    if user is None or not Membership.objects.filter(user=user, is_active=True).exists():
        raise ServiceError(_("该用户不是本企业的有效成员。"), field=field)


def _check_same_org(obj, actor_obj, *, field: str) -> None:
    if obj is not None and obj.organization_id != actor_obj.organization_id:
        raise ServiceError(_("不存在。"), field=field)


# --- accounts ------------------------------------------------------------------------------


def _check_account_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写客户名称。"), field="name")
    clash = Account.objects.filter(name=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ServiceError(_("已有同名客户。"), field="name")
    return name


def account_create(
    *,
    actor,
    name: str,
    industry: str,
    size: str,
    owner,
    is_key_account: bool = False,
    created_at: dt.datetime | None = None,
) -> Account:
    with transaction.atomic():
        name = _check_account_name(name)
        _check_member(owner, field="owner")
        account = Account(
            name=name,
            industry=industry,
            size=size,
            owner=owner,
            is_key_account=is_key_account,
            created_at=created_at or timezone.now(),
        )
        account._history_user = actor
        account.full_clean(exclude=["organization"])
        account.save()
        return account


ACCOUNT_FIELDS = {"name", "industry", "size", "owner", "is_key_account"}


def account_update(*, account: Account, actor, **fields: Any) -> Account:
    with transaction.atomic():
        # The funnel counts a deal under its account's current industry.
        ids = []
        if "industry" in fields and fields["industry"] != account.industry:
            ids = list(
                Opportunity.objects.select_for_update()
                .filter(account_id=account.pk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        rollup = _FunnelRollupKept(account.organization_id, ids)
        for key, value in fields.items():
            if key not in ACCOUNT_FIELDS:
                raise ServiceError(f"unknown field {key}", field=key)
            if key == "name":
                value = _check_account_name(value, exclude_pk=account.pk)
            if key == "owner":
                _check_member(value, field="owner")
            setattr(account, key, value)
        account._history_user = actor
        account.full_clean(exclude=["organization"])
        account.save()
        rollup.done()
        return account


def contact_add(
    *, account: Account, actor, name: str, title: str = "", phone: str = "", email: str = ""
) -> Contact:
    with transaction.atomic():
        if not (name or "").strip():
            raise ServiceError(_("请填写联系人姓名。"), field="name")
        contact = Contact(
            organization_id=account.organization_id,
            account=account,
            name=name.strip(),
            title=title,
            phone=phone,
            email=email,
        )
        contact.full_clean(exclude=["organization", "account"])
        contact.save()
        return contact


# --- opportunities ---------------------------------------------------------------------------


def opportunity_create(
    *,
    actor,
    account: Account,
    name: str,
    owner,
    amount: Decimal,
    expected_close_date: dt.date,
    currency: str = "CNY",
    stage: Stage | None = None,
    probability: int | None = None,
    next_step: str = "",
    at: dt.datetime | None = None,
) -> Opportunity:
    """A new deal, with its first ``StageChange`` (entering its first stage)."""
    at = at or timezone.now()
    with transaction.atomic():
        stage = stage or first_stage()
        _check_same_org(stage, account, field="stage")
        if stage.is_closed:
            raise ServiceError(_("新商机不能直接处于赢单或丢单阶段。"), field="stage")
        _check_member(owner, field="owner")
        if amount is None or Decimal(amount) < 0:
            raise ServiceError(_("金额不能为负数。"), field="amount")
        opportunity = Opportunity(
            organization_id=account.organization_id,
            account=account,
            name=(name or "").strip(),
            owner=owner,
            amount=amount,
            currency=currency,
            expected_close_date=expected_close_date,
            stage=stage,
            probability=stage.default_probability if probability is None else probability,
            next_step=next_step,
            stage_entered_at=at,
            reached_level=stage.order,
            reached_at=at,
            created_at=at,
        )
        opportunity._history_user = actor
        opportunity.full_clean(exclude=["organization"])
        opportunity.save()
        StageChange.objects.create(
            organization_id=opportunity.organization_id,
            opportunity=opportunity,
            from_stage=None,
            to_stage=stage,
            changed_by=actor,
            changed_at=at,
            amount=opportunity.amount,
            currency=opportunity.currency,
            from_level=0,
            to_level=stage.order,
            prev_level_at=None,
        )
        _FunnelRollupKept(opportunity.organization_id, [opportunity.pk], new=True).done()
        return opportunity


def opportunity_move(
    *,
    opportunity: Opportunity,
    stage: Stage,
    actor,
    at: dt.datetime | None = None,
    lost_reason: str = "",
    lost_note: str = "",
    probability: int | None = None,
) -> Opportunity:
    """Move a deal to ``stage`` at ``at`` (now by default), recording the change.

    Lost needs a reason (and a note when the reason is "other"); won sets the
    probability to 100, lost to 0, any other stage to its default unless the
    rep gives one. ``at`` may be in the past (imports, demo data) but never
    before the deal entered its current stage, so stays never overlap.
    """
    at = at or timezone.now()
    with transaction.atomic():
        opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        _check_same_org(stage, opp, field="stage")
        rollup = _FunnelRollupKept(opp.organization_id, [opp.pk])
        if stage.pk == opp.stage_id:
            raise ServiceError(_("商机已处于该阶段。"), field="stage")
        if at < opp.stage_entered_at:
            raise ServiceError(_("变更时间不能早于进入当前阶段的时间。"), field="at")
        if stage.is_lost:
            if lost_reason not in LostReason.values:
                raise ServiceError(_("丢单时请选择丢单原因。"), field="lost_reason")
            if lost_reason == LostReason.OTHER and not lost_note.strip():
                raise ServiceError(_("丢单原因为“其他”时请填写说明。"), field="lost_note")
        if probability is not None and not 0 <= probability <= 100:
            raise ServiceError(_("赢率须在 0 到 100 之间。"), field="probability")

        from_level = opp.reached_level
        to_level = from_level if stage.is_lost else max(from_level, stage.order)
        StageChange.objects.filter(opportunity=opp, left_at__isnull=True).update(left_at=at)
        StageChange.objects.create(
            organization_id=opp.organization_id,
            opportunity=opp,
            from_stage_id=opp.stage_id,
            to_stage=stage,
            changed_by=actor,
            changed_at=at,
            amount=opp.amount,
            currency=opp.currency,
            from_level=from_level,
            to_level=to_level,
            prev_level_at=opp.reached_at,
        )
        if to_level > from_level:
            opp.reached_level, opp.reached_at = to_level, at
        opp.stage = stage
        opp.stage_entered_at = at
        if stage.is_won:
            opp.probability = 100
        elif stage.is_lost:
            opp.probability = 0
        else:
            opp.probability = stage.default_probability if probability is None else probability
        opp.lost_reason = lost_reason if stage.is_lost else ""
        opp.lost_note = lost_note if stage.is_lost else ""
        opp._history_user = actor
        opp.save()
        rollup.done()
        if stage.is_lost:
            postmortem_if_due(opportunity=opp, actor=actor, at=at)
        return opp


OPPORTUNITY_FIELDS = {
    "name",
    "account",
    "owner",
    "amount",
    "currency",
    "expected_close_date",
    "probability",
    "next_step",
    "lost_note",
}


def opportunity_update(*, opportunity: Opportunity, actor, **fields: Any) -> Opportunity:
    """Edit a deal's details. The stage moves only through ``opportunity_move``."""
    with transaction.atomic():
        # The funnel counts a deal under its current owner and industry.
        regroups = bool({"owner", "account"} & fields.keys()) and opportunity.pk
        if regroups:
            Opportunity.objects.select_for_update().filter(pk=opportunity.pk).exists()
        rollup = _FunnelRollupKept(
            opportunity.organization_id, [opportunity.pk] if regroups else []
        )
        for key, value in fields.items():
            if key not in OPPORTUNITY_FIELDS:
                raise ServiceError(f"unknown field {key}", field=key)
            if key == "owner":
                _check_member(value, field="owner")
            if key == "account":
                _check_same_org(value, opportunity, field="account")
            setattr(opportunity, key, value)
        opportunity._history_user = actor
        opportunity.full_clean(exclude=["organization"])
        opportunity.save()
        rollup.done()
        return opportunity


# --- follow-ups ------------------------------------------------------------------------------


def _check_csat(csat: int | None) -> None:
    if csat is not None and not 1 <= int(csat) <= 5:
        raise ServiceError(_("满意度须为 1 到 5 分。"), field="csat")


def followup_create(
    *,
    actor,
    account: Account,
    kind: str,
    scheduled_for: dt.datetime,
    request_id: int | None = None,
    done_at: dt.datetime | None = None,
    csat: int | None = None,
    comment: str = "",
) -> FollowUp:
    """Plan a follow-up, or record one already done (with its satisfaction)."""
    _check_csat(csat)
    with transaction.atomic():
        # Only a request of the organization in scope linked to the account.
        if request_id and not Request.objects.filter(pk=request_id, account_id=account.pk).exists():
            raise ServiceError(_("该协作请求没有关联这个客户。"), field="request_id")
        if csat is not None and done_at is None:
            done_at = timezone.now()
        follow_up = FollowUp(
            organization_id=account.organization_id,
            account=account,
            kind=kind,
            scheduled_for=scheduled_for,
            request_id=request_id,
            done_at=done_at,
            csat=csat,
            comment=comment,
            by=actor,
        )
        follow_up.full_clean(exclude=["organization", "account", "by"])
        follow_up.save()
        return follow_up


def followup_complete(
    *,
    follow_up: FollowUp,
    actor,
    csat: int | None,
    comment: str = "",
    done_at: dt.datetime | None = None,
) -> FollowUp:
    _check_csat(csat)
    with transaction.atomic():
        follow_up.done_at = done_at or timezone.now()
        follow_up.csat = csat
        follow_up.comment = comment
        follow_up.save(update_fields=["done_at", "csat", "comment"])
        return follow_up


# --- customer-success leads -----------------------------------------------------------------


def _notify_owner(lead: Lead) -> None:
    """The account's owner hears of a new lead in their inbox (and by email);
    their leads page lists it under "new for you" until they decide."""
    lead.owner_notified_at = timezone.now()
    lead.save(update_fields=["owner_notified_at"])
    owner_id = lead.account.owner_id
    if owner_id is None or owner_id == lead.created_by_id:
        return
    with translation.override(organization_language(lead.organization_id)):
        text = _("新线索：%(account)s，%(kind)s，预计 %(amount)s") % {
            "account": lead.account.name,
            "kind": lead.get_kind_display(),
            "amount": f"{lead.estimated_amount:,.2f}",
        }
    notifications_send(
        organization_id=lead.organization_id,
        recipient_ids=[owner_id],
        kind=NotificationKind.LEAD,
        text=text,
        link=_lead_link(lead),
        at=lead.created_at,  # when it was handed over (backdated demo leads too)
    )


def lead_create(
    *,
    actor,
    account: Account,
    source: str,
    kind: str,
    estimated_amount: Decimal,
    description: str,
    follow_up: FollowUp | None = None,
    created_at: dt.datetime | None = None,
) -> Lead:
    """Customer Success hands a repeat/upsell lead to the account's owner."""
    with transaction.atomic():
        if source not in LeadSource.values:
            raise ServiceError(_("请选择线索来源。"), field="source")
        if kind not in LeadKind.values:
            raise ServiceError(_("请选择线索类型。"), field="kind")
        if follow_up is not None and follow_up.account_id != account.pk:
            raise ServiceError(_("该回访不属于这个客户。"), field="follow_up")
        if not (description or "").strip():
            raise ServiceError(_("请描述客户的需求。"), field="description")
        lead = Lead(
            organization_id=account.organization_id,
            account=account,
            source=source,
            kind=kind,
            estimated_amount=estimated_amount,
            description=description.strip(),
            follow_up=follow_up,
            created_by=actor,
            created_at=created_at or timezone.now(),
        )
        lead._history_user = actor
        lead.full_clean(exclude=["organization", "account", "created_by", "follow_up"])
        lead.save()
        _notify_owner(lead)
        return lead


def _lock_lead(lead: Lead, allowed: set[str]) -> Lead:
    locked = Lead.objects.select_for_update().select_related("account").get(pk=lead.pk)
    if locked.status not in allowed:
        raise ServiceError(
            _("线索当前状态为“%(status)s”，不能执行此操作。")
            % {"status": locked.get_status_display()},
            field="status",
        )
    return locked


def _decide(lead: Lead, actor, status: str, at: dt.datetime | None) -> None:
    lead.status = status
    lead.decided_by = actor
    lead.decided_at = at or timezone.now()
    lead._history_user = actor
    notifications_settle(link=_lead_link(lead), at=lead.decided_at)  # decided: no longer news


def _lead_link(lead: Lead) -> str:
    """Where a lead's notification opens: its row on the leads page."""
    return f"{reverse('pipeline:leads')}#lead-{lead.pk}"


def lead_accept(*, lead: Lead, actor, at: dt.datetime | None = None) -> Lead:
    with transaction.atomic():
        lead = _lock_lead(lead, {LeadStatus.NEW})
        _decide(lead, actor, LeadStatus.ACCEPTED, at)
        lead.save()
        return lead


def lead_reject(*, lead: Lead, actor, reason: str, at: dt.datetime | None = None) -> Lead:
    with transaction.atomic():
        if not (reason or "").strip():
            raise ServiceError(_("请填写拒绝原因。"), field="reason")
        lead = _lock_lead(lead, {LeadStatus.NEW, LeadStatus.ACCEPTED})
        _decide(lead, actor, LeadStatus.REJECTED, at)
        lead.reject_reason = reason.strip()
        lead.save()
        return lead


def lead_convert(
    *,
    lead: Lead,
    actor,
    name: str = "",
    expected_close_date: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Lead:
    """Turn the lead into an opportunity at the first stage, owned by the
    account's owner, for the lead's estimated amount."""
    at = at or timezone.now()
    with transaction.atomic():
        lead = _lock_lead(lead, {LeadStatus.NEW, LeadStatus.ACCEPTED})
        account = lead.account
        opportunity = opportunity_create(
            actor=actor,
            account=account,
            name=name.strip() or f"{lead.get_kind_display()} · {account.name}",
            owner=account.owner,
            amount=lead.estimated_amount,
            expected_close_date=expected_close_date or (at + dt.timedelta(days=90)).date(),
            at=at,
        )
        _decide(lead, actor, LeadStatus.CONVERTED, at)
        lead.opportunity = opportunity
        lead.save()
        return lead


# --- the funnel's rollups --------------------------------------------------------------------
#
# FunnelEntryDay, FunnelStayDay and FunnelOpenDay (models.py; design in
# reports.py) are a pure function of the organization's stage changes and each deal's current owner
# and industry. The same SQL computes them for a few deals (kept on every
# write, in the write's transaction) or for the whole organization (rebuild).

_ENTRY_SQL = """
WITH moves AS (
    SELECT sc.opportunity_id, sc.to_stage_id, sc.changed_at, sc.amount, sc.currency,
           sc.from_level, sc.to_level
    FROM pipeline_stagechange sc
    WHERE sc.organization_id = %(org)s {only}
), entries AS (
    -- A move enters every non-lost stage between the old and new high-water
    -- mark; the entered stages of a deal are a prefix of the funnel, so the
    -- next entry by stage order is the next stage's.
    SELECT m.opportunity_id, st.id AS stage_id, m.changed_at, m.amount, m.currency,
           lead(m.changed_at) OVER (PARTITION BY m.opportunity_id ORDER BY st."order") AS next_at
    FROM moves m
    JOIN pipeline_stage st ON st.organization_id = %(org)s AND NOT st.is_lost
        AND st."order" > m.from_level AND st."order" <= m.to_level
    UNION ALL
    SELECT m.opportunity_id, m.to_stage_id, m.changed_at, m.amount, m.currency, NULL
    FROM moves m
    JOIN pipeline_stage st ON st.id = m.to_stage_id AND st.is_lost
), keyed AS (
    SELECT e.stage_id, (e.changed_at AT TIME ZONE %(tz)s)::date AS day,
           (e.next_at AT TIME ZONE %(tz)s)::date AS next_day, e.currency,
           o.owner_id, a.industry, e.amount
    FROM entries e
    JOIN pipeline_opportunity o ON o.id = e.opportunity_id
    JOIN pipeline_account a ON a.id = o.account_id
)
SELECT stage_id, day, next_day, currency, owner_id, industry,
       count(*) AS n, sum(amount) AS amount
FROM keyed
GROUP BY GROUPING SETS (
    (stage_id, day, next_day, currency, owner_id, industry),
    (stage_id, day, next_day, currency)
)
"""

_STAY_SQL = """
WITH keyed AS (
    SELECT sc.to_stage_id AS stage_id, (sc.left_at AT TIME ZONE %(tz)s)::date AS left_day,
           FLOOR(EXTRACT(EPOCH FROM (sc.left_at - sc.changed_at)) / 86400)::int AS dwell_days,
           sc.currency, o.owner_id, a.industry
    FROM pipeline_stagechange sc
    JOIN pipeline_opportunity o ON o.id = sc.opportunity_id
    JOIN pipeline_account a ON a.id = o.account_id
    WHERE sc.organization_id = %(org)s AND sc.left_at IS NOT NULL {only}
)
SELECT stage_id, left_day, dwell_days, currency, owner_id, industry, count(*) AS n
FROM keyed
GROUP BY GROUPING SETS (
    (stage_id, left_day, dwell_days, currency, owner_id, industry),
    (stage_id, left_day, dwell_days, currency)
)
"""

# Stays still open in an open stage, by the UTC day they began (FunnelOpenDay).
_OPEN_SQL = """
WITH keyed AS (
    SELECT sc.to_stage_id AS stage_id, (sc.changed_at AT TIME ZONE 'UTC')::date AS day,
           sc.currency, o.owner_id, a.industry
    FROM pipeline_stagechange sc
    JOIN pipeline_stage st ON st.id = sc.to_stage_id AND NOT st.is_won AND NOT st.is_lost
    JOIN pipeline_opportunity o ON o.id = sc.opportunity_id
    JOIN pipeline_account a ON a.id = o.account_id
    WHERE sc.organization_id = %(org)s AND sc.left_at IS NULL {only}
)
SELECT stage_id, day, currency, owner_id, industry, count(*) AS n
FROM keyed
GROUP BY GROUPING SETS (
    (stage_id, day, currency, owner_id, industry),
    (stage_id, day, currency)
)
"""

_ENTRY_COLUMNS = "stage_id, day, next_day, currency, owner_id, industry, n, amount"
_STAY_COLUMNS = "stage_id, left_day, dwell_days, currency, owner_id, industry, n"
_OPEN_COLUMNS = "stage_id, day, currency, owner_id, industry, n"
_ROLLUP_TABLES = ("pipeline_funnelentryday", "pipeline_funnelstayday", "pipeline_funnelopenday")


def _organization_zone(organization_id: int) -> str:
    """The organization's time zone, in which the rollups count days."""
    name = (
        Organization.objects.filter(pk=organization_id).values_list("timezone", flat=True).first()
    )
    return funnel_zone_name(name)


def funnel_zone_name(name: str | None) -> str:
    try:
        return zoneinfo.ZoneInfo(name or "").key
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return settings.TIME_ZONE


def funnel_rollup_sql(organization_id: int, zone: str) -> list[tuple[str, dict]]:
    """The rebuild: one ``INSERT … SELECT`` statement per rollup table from
    ``StageChange`` (run after deleting the organization's rows;
    bench/funnel.py uses them too)."""
    params = {"org": organization_id, "tz": zone}
    return [
        (
            f"INSERT INTO pipeline_funnelentryday (organization_id, {_ENTRY_COLUMNS}) "  # noqa: S608
            f"SELECT %(org)s, {_ENTRY_COLUMNS} FROM ({_ENTRY_SQL.format(only='')}) c",
            params,
        ),
        (
            f"INSERT INTO pipeline_funnelstayday (organization_id, {_STAY_COLUMNS}) "  # noqa: S608
            f"SELECT %(org)s, {_STAY_COLUMNS} FROM ({_STAY_SQL.format(only='')}) c",
            params,
        ),
        (
            f"INSERT INTO pipeline_funnelopenday (organization_id, {_OPEN_COLUMNS}) "  # noqa: S608
            f"SELECT %(org)s, {_OPEN_COLUMNS} FROM ({_OPEN_SQL.format(only='')}) c",
            params,
        ),
    ]


def funnel_rollup_rebuild(*, organization) -> None:
    """Recompute the organization's funnel rollups from its stage changes.

    Idempotent; the repair for anything written around the services (admin
    deletes, SQL fixes, a changed organization time zone)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Serialize with moves: they lock their deal, then the rollup rows.
        cursor.execute(f"LOCK TABLE {', '.join(_ROLLUP_TABLES)} IN SHARE ROW EXCLUSIVE MODE")
        for table in _ROLLUP_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.id])  # noqa: S608
        for sql, params in funnel_rollup_sql(
            organization.id, funnel_zone_name(organization.timezone)
        ):
            cursor.execute(sql, params)


def _contributions(cursor, organization_id: int, zone: str, opportunity_ids: list[int]):
    """The rollup rows the given deals account for: {key: (n, amount)}, where
    key is (table, stage, day, next_day, dwell_days, currency, owner, industry);
    table 'e' entries, 's' closed stays, 'o' open stays."""
    params = {"org": organization_id, "tz": zone, "ids": list(opportunity_ids)}
    only = "AND sc.opportunity_id = ANY(%(ids)s)"
    cursor.execute(
        "SELECT 'e', stage_id, day, next_day, NULL::int, currency, owner_id, industry, n, amount"  # noqa: S608
        f" FROM ({_ENTRY_SQL.format(only=only)}) e UNION ALL"
        " SELECT 's', stage_id, left_day, NULL::date, dwell_days, currency, owner_id, industry,"
        f" n, 0 FROM ({_STAY_SQL.format(only=only)}) s UNION ALL"
        " SELECT 'o', stage_id, day, NULL::date, NULL::int, currency, owner_id, industry,"
        f" n, 0 FROM ({_OPEN_SQL.format(only=only)}) o",
        params,
    )
    rows: dict = defaultdict(lambda: (0, Decimal("0")))
    for *key, n, amount in cursor.fetchall():
        rows[tuple(key)] = (n, amount)
    return rows


def _key_order(key):
    return tuple("" if v is None else str(v) for v in key)


class _FunnelRollupKept:
    """Keeps the rollups right across a write that changes some deals' stage
    changes, owner or industry: their rows are read before (construction) and
    after (``done``), and the difference applied, in the caller's transaction
    (after the caller has locked the deals)."""

    def __init__(self, organization_id: int, opportunity_ids: list[int], *, new: bool = False):
        # The rollup SQL is PostgreSQL's; on SQLite (make run's embedded
        # default) there is no rollup to keep and the funnel says so.
        if connection.vendor != "postgresql":
            opportunity_ids = []
        self.organization_id, self.ids = organization_id, list(opportunity_ids)
        self.zone = _organization_zone(organization_id) if self.ids else ""
        self.before: dict = defaultdict(lambda: (0, Decimal("0")))
        if self.ids and not new:
            with connection.cursor() as cursor:
                self.before = _contributions(cursor, organization_id, self.zone, self.ids)

    def done(self) -> None:
        if not self.ids:
            return
        with connection.cursor() as cursor:
            after = _contributions(cursor, self.organization_id, self.zone, self.ids)
            delta = {}
            for key in self.before.keys() | after.keys():
                n = after[key][0] - self.before[key][0]
                amount = after[key][1] - self.before[key][1]
                if n or amount:
                    delta[key] = (n, amount)
            _apply(cursor, self.organization_id, delta)


def _apply(cursor, organization_id: int, delta: dict) -> None:
    # Keys in one order in every transaction, so concurrent moves wait for
    # each other instead of deadlocking.
    entry_rows, stay_rows, open_rows = [], [], []
    for key in sorted(delta, key=_key_order):
        kind, stage, day, next_day, dwell, currency, owner, industry = key
        n, amount = delta[key]
        if kind == "e":
            entry_rows.append(
                [organization_id, stage, day, next_day, currency, owner, industry, n, amount]
            )
        elif kind == "s":
            stay_rows.append([organization_id, stage, day, dwell, currency, owner, industry, n])
        else:
            open_rows.append([organization_id, stage, day, currency, owner, industry, n])
    empty = {"e": [], "s": [], "o": []}
    statements = [
        (
            "e",
            "pipeline_funnelentryday",
            _ENTRY_COLUMNS,
            "funnelentryday_key_uniq",
            entry_rows,
            "n = t.n + EXCLUDED.n, amount = t.amount + EXCLUDED.amount",
        ),
        (
            "s",
            "pipeline_funnelstayday",
            _STAY_COLUMNS,
            "funnelstayday_key_uniq",
            stay_rows,
            "n = t.n + EXCLUDED.n",
        ),
        (
            "o",
            "pipeline_funnelopenday",
            _OPEN_COLUMNS,
            "funnelopenday_key_uniq",
            open_rows,
            "n = t.n + EXCLUDED.n",
        ),
    ]
    for kind, table, columns, constraint, rows, update in statements:
        if not rows:
            continue
        width = len(rows[0])
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
        cursor.execute(
            f"INSERT INTO {table} AS t (organization_id, {columns}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ON CONSTRAINT {constraint} DO UPDATE SET {update} "
            "RETURNING t.id, t.n",
            [value for row in rows for value in row],
        )
        empty[kind] = [pk for pk, n in cursor.fetchall() if n == 0]
    if empty["e"] or empty["s"] or empty["o"]:
        cursor.execute(
            "WITH e AS (DELETE FROM pipeline_funnelentryday WHERE id = ANY(%s)),"
            " s AS (DELETE FROM pipeline_funnelstayday WHERE id = ANY(%s)) "
            "DELETE FROM pipeline_funnelopenday WHERE id = ANY(%s)",
            [empty["e"], empty["s"], empty["o"]],
        )
