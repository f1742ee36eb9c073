"""Writes of campaigns: plan or edit one (its assets and target accounts
with it), record a response, and turn a response from a known account into
a lead of pipeline's leads flow (source "campaign"). Only Marketing (and the
organization admin) writes; every service checks it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import MAX_AMOUNT, Currency
from collab.parsing import check_date, clean_text
from departments.models import Department, Membership
from enablement import permissions
from enablement.campaigns.models import (
    AssetRole,
    Campaign,
    CampaignAsset,
    CampaignKind,
    CampaignResponse,
    CampaignTarget,
    ResponseKind,
)
from enablement.library.models import Asset
from pipeline.leads.services import lead_create
from pipeline.models import Account, Industry, LeadKind, LeadSource


@dataclass
class CampaignFields:
    kind: str
    title_zh: str
    starts_on: dt.date
    ends_on: dt.date
    budget: Decimal = Decimal("0")
    currency: str = "CNY"
    title_en: str = ""
    description: str = ""
    industry: str = ""
    pain_point: str = ""
    assets_used: list[int] = field(default_factory=list)
    assets_produced: list[int] = field(default_factory=list)
    target_accounts: list[int] = field(default_factory=list)


def require_manager(actor: Membership) -> None:
    if not permissions.can_manage_campaigns(actor):
        raise PermissionDenied(_("你无权执行此操作。"))


def _check_date(value: dt.date, name: str) -> None:
    try:
        check_date(value)
    except ValidationError as exc:
        raise ServiceError(exc.messages[0], field=name) from None


def _check(fields: CampaignFields) -> None:
    if fields.kind not in CampaignKind.values:
        raise ServiceError(_("请选择活动类型。"), field="kind")
    if not clean_text(fields.title_zh).strip():
        raise ServiceError(_("请填写活动名称。"), field="title_zh")
    _check_date(fields.starts_on, "starts_on")
    _check_date(fields.ends_on, "ends_on")
    if fields.ends_on < fields.starts_on:
        raise ServiceError(_("结束日期不能早于开始日期。"), field="ends_on")
    if fields.industry and fields.industry not in Industry.values:
        raise ServiceError(_("请选择行业。"), field="industry")
    if not Decimal("0") <= fields.budget <= MAX_AMOUNT:
        raise ServiceError(_("预算超出范围。"), field="budget")
    if fields.currency not in Currency.values:
        raise ServiceError(_("币种不支持"), field="currency")


def _owner_department(actor: Membership) -> Department:
    if actor.department is not None and actor.department.code in (permissions.CAMPAIGN_DEPARTMENTS):
        return actor.department
    return Department.objects.get(code=permissions.CAMPAIGN_DEPARTMENTS[0])


def _links(campaign: Campaign, fields: CampaignFields) -> None:
    """Replace the campaign's assets and targets with ``fields``' (ids of
    this organization only: another's id is "not found", never linked)."""
    wanted = {*fields.assets_used, *fields.assets_produced}
    found = set(Asset.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for name in ("assets_used", "assets_produced"):
        if set(getattr(fields, name)) - found:
            raise ServiceError(_("找不到所选资料。"), field=name)
    accounts = set(
        Account.objects.filter(pk__in=fields.target_accounts).values_list("pk", flat=True)
    )
    if set(fields.target_accounts) - accounts:
        raise ServiceError(_("找不到这个客户。"), field="target_accounts")
    campaign.asset_links.all().delete()
    campaign.targets.all().delete()
    org = campaign.organization_id
    CampaignAsset.objects.bulk_create(
        [
            CampaignAsset(organization_id=org, campaign=campaign, asset_id=pk, role=role)
            for role, ids in (
                (AssetRole.USED, fields.assets_used),
                (AssetRole.PRODUCED, fields.assets_produced),
            )
            for pk in dict.fromkeys(ids)
        ]
    )
    CampaignTarget.objects.bulk_create(
        [
            CampaignTarget(organization_id=org, campaign=campaign, account_id=pk)
            for pk in sorted(accounts)
        ]
    )


PLAIN_FIELDS = ("kind", "starts_on", "ends_on", "budget", "currency", "industry")
TEXT_FIELDS = ("title_zh", "title_en", "description", "pain_point")


def campaign_save(
    *, actor: Membership, fields: CampaignFields, campaign: Campaign | None = None
) -> Campaign:
    """Plan a campaign (``campaign`` None) or change one."""
    require_manager(actor)
    _check(fields)
    with transaction.atomic():
        if campaign is None:
            campaign = Campaign(
                organization_id=actor.organization_id,
                owner_department=_owner_department(actor),
                created_by=actor.user,
            )
        for name in PLAIN_FIELDS:
            setattr(campaign, name, getattr(fields, name))
        for name in TEXT_FIELDS:
            setattr(campaign, name, clean_text(getattr(fields, name)).strip())
        campaign.save()
        _links(campaign, fields)
        return campaign


@dataclass
class ResponseFields:
    kind: str
    responded_on: dt.date
    name: str
    email: str = ""
    company: str = ""


def check_response(fields: ResponseFields) -> None:
    if fields.kind not in ResponseKind.values:
        raise ServiceError(_("请选择响应类型。"), field="kind")
    _check_date(fields.responded_on, "responded_on")
    if not clean_text(fields.name).strip():
        raise ServiceError(_("请填写姓名。"), field="name")


def accounts_by_name(companies: list[str]) -> dict[str, Account]:
    """The known accounts of these company names, by lower-cased name (one query)."""
    names = {c.strip().lower() for c in companies if c.strip()}
    found: dict[str, Account] = {}
    for account in (
        Account.objects.annotate(lname=Lower("name")).filter(lname__in=names).order_by("-id")
    ):
        found[account.name.lower()] = account  # the oldest wins
    return found


def response_build(
    actor: Membership,
    campaign: Campaign,
    fields: ResponseFields,
    accounts: dict[str, Account] | None = None,
) -> CampaignResponse:
    """An unsaved response (the import saves them all at once)."""
    company = clean_text(fields.company).strip()[:200]
    if accounts is None:
        accounts = accounts_by_name([company])
    return CampaignResponse(
        organization_id=campaign.organization_id,
        campaign=campaign,
        kind=fields.kind,
        responded_on=fields.responded_on,
        name=clean_text(fields.name).strip()[:100],
        email=fields.email.strip()[:254],
        company=company,
        account=accounts.get(company.lower()),
        created_by=actor.user,
    )


def response_record(
    *, actor: Membership, campaign: Campaign, fields: ResponseFields
) -> CampaignResponse:
    require_manager(actor)
    check_response(fields)
    with transaction.atomic():
        response = response_build(actor, campaign, fields)
        response.save()
        return response


def response_to_lead(
    *,
    actor: Membership,
    response: CampaignResponse,
    kind: str = LeadKind.UPSELL,
    estimated_amount: Decimal = Decimal("0"),
    description: str = "",
    at: dt.datetime | None = None,
) -> CampaignResponse:
    """The response of a known account becomes a lead (source "campaign")
    for the account's owner; once."""
    require_manager(actor)
    with transaction.atomic():
        response = (
            CampaignResponse.objects.select_for_update()
            .select_related("campaign")
            .get(pk=response.pk)
        )
        if response.lead_id is not None:
            raise ServiceError(_("这条响应已转为线索。"), field="lead")
        if response.account_id is None:
            raise ServiceError(_("只有已知客户的响应才能转为线索。"), field="account")
        if not Decimal("0") <= estimated_amount <= MAX_AMOUNT:
            raise ServiceError(_("金额超出范围。"), field="estimated_amount")
        account = Account.objects.select_related("owner").get(pk=response.account_id)
        text = clean_text(description).strip() or _(
            "%(name)s 在市场活动《%(campaign)s》中%(kind)s"
        ) % {
            "name": response.name,
            "campaign": response.campaign.title_zh,
            "kind": response.get_kind_display(),
        }
        lead = lead_create(
            actor=actor.user,
            account=account,
            source=LeadSource.CAMPAIGN,
            kind=kind,
            estimated_amount=estimated_amount,
            description=text,
            created_at=at or timezone.now(),
        )
        response.lead = lead
        response.save(update_fields=["lead"])
        return response
