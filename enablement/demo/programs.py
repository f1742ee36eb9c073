"""The demo's campaigns and training in both organizations (demo step 510,
after the library): two past campaigns with their assets, target accounts
and responses (some from known accounts), three of those turned into leads,
one lead converted into a deal that was won; and one course built from the
数据安全 toolkit with a past and an upcoming session on working days and a
weekend extra one scheduled with the "outside working hours" override, the
Business department
enrolled (some attended, one passed the check, one overdue). Dated relative
to today, its sessions on working days of the organization's business
calendar. Idempotent: each part only when the organization has none yet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from enablement.campaigns import services as campaigns
from enablement.demo.library import AUTHORS
from enablement.library.models import Asset, AssetKind, AssetStatus
from enablement.models import Campaign, Course
from enablement.training import services as training
from pipeline.leads.services import lead_convert
from pipeline.models import Account, Stage
from pipeline.opportunities.services import opportunity_move

CAMPAIGNS = [
    {
        "kind": "webinar",
        "title_zh": "金融行业数据安全线上研讨会",
        "title_en": "Data security in finance — webinar",
        "pain_point": "数据安全",
        "industry": "finance",
        "days_ago": 75,
        "length": 1,
        "budget": Decimal("60000"),
        "asset_kinds": (AssetKind.TALK_TRACK, AssetKind.WEBINAR),
    },
    {
        "kind": "event",
        "title_zh": "智能制造解决方案发布会",
        "title_en": "Smart manufacturing solution launch",
        "pain_point": "降本增效",
        "industry": "manufacturing",
        "days_ago": 40,
        "length": 2,
        "budget": Decimal("120000"),
        "asset_kinds": (AssetKind.SOLUTION_PAGE, AssetKind.CASE_STUDY),
    },
]
PEOPLE = [("张伟", "registration"), ("Emma Li", "attendance"), ("刘洋", "download")]
QUESTIONS = [
    training.Question(
        "客户担心数据出境时，第一步应当？", ["先报价", "认同并说明本地部署方案", "转给研发"], 1
    ),
    training.Question(
        "Which proof point answers a compliance objection best?",
        ["A discount", "The certification and a bank reference", "A roadmap slide"],
        1,
    ),
]


def _member(username: str) -> Membership | None:
    return (
        Membership.objects.select_related("user", "department")
        .filter(user__username=username, is_active=True)
        .first()
    )


def _asset_ids(kinds) -> list[int]:
    return list(
        Asset.objects.filter(kind__in=kinds, status=AssetStatus.PUBLISHED)
        .order_by("id")
        .values_list("pk", flat=True)[:2]
    )


def _campaign(marketer: Membership, spec: dict, accounts: list[Account], today: dt.date):
    starts = today - dt.timedelta(days=spec["days_ago"])
    campaign = campaigns.campaign_save(
        actor=marketer,
        fields=campaigns.CampaignFields(
            kind=spec["kind"],
            title_zh=spec["title_zh"],
            title_en=spec["title_en"],
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=spec["length"]),
            budget=spec["budget"],
            industry=spec["industry"],
            pain_point=spec["pain_point"],
            assets_used=_asset_ids(spec["asset_kinds"]),
            target_accounts=[a.pk for a in accounts[:3]],
        ),
    )
    responses = []
    for i, (name, kind) in enumerate(PEOPLE):
        company = accounts[i].name if i < len(accounts) else "未知科技有限公司"
        responses.append(
            campaigns.response_record(
                actor=marketer,
                campaign=campaign,
                fields=campaigns.ResponseFields(kind, starts, name, company=company),
            )
        )
    campaigns.response_record(
        actor=marketer,
        campaign=campaign,
        fields=campaigns.ResponseFields("registration", starts, "Guest", company="Walk-in Ltd"),
    )
    return campaign, responses


def _won_deal(response, at: dt.datetime) -> None:
    lead = response.lead
    owner = lead.account.owner
    if owner is None:
        return
    lead = lead_convert(lead=lead, actor=owner, at=at)
    won = Stage.objects.filter(is_won=True).first()
    if won is not None and lead.opportunity is not None:
        opportunity_move(
            opportunity=lead.opportunity, stage=won, actor=owner, at=at + dt.timedelta(days=20)
        )


def _campaigns(marketer: Membership, now: dt.datetime) -> None:
    accounts = list(Account.objects.select_related("owner").order_by("id")[:6])
    if len(accounts) < 2:
        return
    for index, spec in enumerate(CAMPAIGNS):
        campaign, responses = _campaign(marketer, spec, accounts[index * 2 :], now.date())
        at = now - dt.timedelta(days=spec["days_ago"] - spec["length"] - 2)
        known = [r for r in responses if r.account_id][: 2 - index]
        for response in known:
            campaigns.response_to_lead(
                actor=marketer,
                response=response,
                estimated_amount=Decimal("180000") - index * Decimal("50000"),
                at=at,
            )
            response.refresh_from_db()
        if index == 0 and known:
            _won_deal(known[0], at + dt.timedelta(days=3))


def _course(author: Membership, now: dt.datetime) -> None:
    toolkit = Asset.objects.filter(kind=AssetKind.TALK_TRACK).order_by("id").first()
    course = training.course_create(
        actor=author,
        fields=training.CourseFields(
            title_zh="数据安全话术培训",
            title_en="Data-security talk track training",
            description="用数据安全话术工具包应对合规与数据出境异议。\n"
            "Answering compliance and data-residency objections with the toolkit.",
            pass_mark=50,
            due_on=now.date() - dt.timedelta(days=2),
            assets=[toolkit.pk] if toolkit else [],
            questions=QUESTIONS,
        ),
    )
    # On the business calendar: the working day on or before ten days ago,
    # and the working day on or after a week from now (never a weekend or
    # a holiday, whatever today is).
    past_day = training.previous_working_day(author, now.date() - dt.timedelta(days=10))
    starts_at, ends_at = training.working_slot(author, past_day, dt.time(10))
    past = training.session_add(
        actor=author,
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        place="总部 3 楼培训室 / HQ training room 3F",
        trainer_id=author.user_id,
    )
    next_day = training.next_working_day(author, now.date() + dt.timedelta(days=7))
    starts_at, ends_at = training.working_slot(author, next_day, dt.time(14))
    training.session_add(
        actor=author,
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        link="https://meet.example.com/data-security",
        trainer_id=author.user_id,
    )
    # A weekend make-up session for those who missed both: off the calendar,
    # so scheduled with the organizer's override, which the session records.
    calendar = training.session_calendar(author, starts_at)
    off_day = next_day + dt.timedelta(days=1)
    while calendar.is_working_day(off_day):
        off_day += dt.timedelta(days=1)
    starts_at, ends_at = training.working_slot(author, off_day, dt.time(10))
    training.session_add(
        actor=author,
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        place="总部 3 楼培训室（周末加场）/ HQ training room 3F (weekend extra)",
        trainer_id=author.user_id,
        outside_hours=True,
    )
    training.enrol(actor=author, course=course, user_ids=training.business_members())
    enrolments = list(course.enrolments.order_by("id"))
    for enrolment in enrolments[:2]:
        training.attendance_mark(actor=author, enrolment=enrolment, session=past)
    if enrolments:
        first = enrolments[0]
        rep = Membership.objects.select_related("user").get(user_id=first.user_id)
        training.check_submit(actor=rep, enrolment=first, answers=[1, 1])


def load(*, organization: Organization, key: str) -> None:
    authors = AUTHORS.get(key, {})
    with organization_scope(organization.id):
        now = timezone.now()
        marketer = _member(authors.get("marketing", ""))
        if marketer is not None and not Campaign.objects.exists():
            _campaigns(marketer, now)
        trainer = _member(authors.get("hr", "")) or _member(authors.get("product", ""))
        if trainer is not None and not Course.objects.exists():
            _course(trainer, now)
