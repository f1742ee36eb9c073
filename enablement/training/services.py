"""Writes of training: build a course (from library assets, with its check
questions), add sessions, enrol reps, mark attendance, take the check, and
the one step "a course for this published bundle / price list" that enrols
every member of the Business department. Product Management and HR (and the
organization admin) manage courses; a rep takes their own check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.parsing import check_date, clean_text
from departments.models import Department, Membership
from enablement import permissions
from enablement.library.models import Asset
from enablement.training.models import (
    Course,
    CourseAsset,
    CourseQuestion,
    CourseSession,
    Enrolment,
)
from pricing.models import Bundle, BundleState, PriceList, PriceListState
from requests_sla.sla.calendars import engine_calendar_for
from requests_sla.sla.engine.calendar import MAX_SEARCH_DAYS, BusinessCalendar

MAX_QUESTIONS = 20
RELEASE_DUE_DAYS = 14


@dataclass
class Question:
    text: str
    options: list[str]
    answer: int  # index into options


@dataclass
class CourseFields:
    title_zh: str
    title_en: str = ""
    description: str = ""
    pass_mark: int = 80
    due_on: dt.date | None = None
    assets: list[int] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


def require_manager(actor: Membership) -> None:
    if not permissions.can_manage_courses(actor):
        raise PermissionDenied(_("你无权执行此操作。"))


def _bounded(value: dt.date, name: str) -> None:
    try:
        check_date(value)
    except ValidationError as exc:
        raise ServiceError(exc.messages[0], field=name) from None


def _check(fields: CourseFields) -> None:
    if not clean_text(fields.title_zh).strip():
        raise ServiceError(_("请填写课程名称。"), field="title_zh")
    if not 1 <= fields.pass_mark <= 100:
        raise ServiceError(_("及格线应在 1 到 100 之间。"), field="pass_mark")
    if fields.due_on is not None:
        _bounded(fields.due_on, "due_on")
    if len(fields.questions) > MAX_QUESTIONS:
        raise ServiceError(_("考核题太多。"), field="questions")
    for q in fields.questions:
        if not q.text.strip() or not 2 <= len(q.options) <= 6:
            raise ServiceError(_("每道题需要题目和 2 到 6 个选项。"), field="questions")
        if not 0 <= q.answer < len(q.options):
            raise ServiceError(_("正确选项不在选项之中。"), field="questions")


def _owner_department(actor: Membership) -> Department:
    if actor.department is not None and actor.department.code in permissions.COURSE_DEPARTMENTS:
        return actor.department
    return Department.objects.get(code=permissions.COURSE_DEPARTMENTS[0])


def course_create(
    *,
    actor: Membership,
    fields: CourseFields,
    bundle: Bundle | None = None,
    price_list: PriceList | None = None,
) -> Course:
    require_manager(actor)
    _check(fields)
    with transaction.atomic():
        assets = list(Asset.objects.filter(pk__in=fields.assets).values_list("pk", flat=True))
        if set(fields.assets) - set(assets):
            raise ServiceError(_("找不到所选资料。"), field="assets")
        course = Course.objects.create(
            organization_id=actor.organization_id,
            title_zh=clean_text(fields.title_zh).strip()[:200],
            title_en=clean_text(fields.title_en).strip()[:200],
            description=clean_text(fields.description).strip(),
            owner_department=_owner_department(actor),
            pass_mark=fields.pass_mark,
            due_on=fields.due_on,
            bundle=bundle,
            price_list=price_list,
            created_by=actor.user,
        )
        org = actor.organization_id
        CourseAsset.objects.bulk_create(
            [CourseAsset(organization_id=org, course=course, asset_id=pk) for pk in assets]
        )
        CourseQuestion.objects.bulk_create(
            [
                CourseQuestion(
                    organization_id=org,
                    course=course,
                    position=i,
                    text=clean_text(q.text).strip()[:500],
                    options=[clean_text(o).strip()[:200] for o in q.options],
                    answer=q.answer,
                )
                for i, q in enumerate(fields.questions)
            ]
        )
        return course


def _override_hint() -> str:
    return _("如确需安排，请勾选“非工作时间”。")


def session_calendar(actor: Membership, *instants: dt.datetime) -> BusinessCalendar:
    """The organization's business calendar (not a department's: reps of
    every team attend), covering these instants' years."""
    return engine_calendar_for(None, actor.organization, *instants)


def calendar_conflict(
    calendar: BusinessCalendar, starts_at: dt.datetime, ends_at: dt.datetime
) -> ServiceError | None:
    """Why a session from ``starts_at`` to ``ends_at`` is off the business
    calendar, or None. A session keeps to one working day, from the day's
    first working hour to its last (a lunch break inside is allowed)."""
    day = calendar.local_date(starts_at)
    hint = _override_hint()
    if not calendar.is_working_day(day):
        if day in calendar.holidays:
            message = _("%(day)s是节假日，不是工作日。")
        elif day.weekday() >= 5:
            message = _("%(day)s是周末，不是工作日。")
        else:
            message = _("%(day)s是休息日，不是工作日。")
        return ServiceError(message % {"day": date_format(day)} + hint, field="starts_at")
    intervals = calendar.working_intervals(day)
    opens, closes = intervals[0][0], intervals[-1][1]
    close_local = closes.astimezone(calendar.tz)
    hours = {
        "open": opens.astimezone(calendar.tz).strftime("%H:%M"),
        "close": "24:00" if close_local.date() != day else close_local.strftime("%H:%M"),
    }
    if starts_at < opens or starts_at >= closes:
        return ServiceError(
            _("开始时间不在工作时间内（%(open)s–%(close)s）。") % hours + hint, field="starts_at"
        )
    if ends_at > closes:
        return ServiceError(
            _("结束时间超出当天工作时间（%(open)s–%(close)s）。") % hours + hint, field="ends_at"
        )
    return None


def session_add(
    *,
    actor: Membership,
    course: Course,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    link: str = "",
    trainer_id: int | None = None,
    outside_hours: bool = False,
) -> CourseSession:
    """A session on the organization's business calendar: a working day,
    within its working hours, unless the organizer ticks ``outside_hours``
    (recorded on the session, with who added it)."""
    require_manager(actor)
    _bounded(starts_at, "starts_at")
    _bounded(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ServiceError(_("结束时间必须晚于开始时间。"), field="ends_at")
    if not (place.strip() or link.strip()):
        raise ServiceError(_("请填写地点或线上链接。"), field="place")
    conflict = calendar_conflict(session_calendar(actor, starts_at, ends_at), starts_at, ends_at)
    if conflict is not None and not outside_hours:
        raise conflict
    if (
        trainer_id is not None
        and not Membership.objects.filter(user_id=trainer_id, is_active=True).exists()
    ):
        raise ServiceError(_("找不到这位讲师。"), field="trainer")
    return CourseSession.objects.create(
        organization_id=course.organization_id,
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        place=clean_text(place).strip()[:200],
        link=link.strip()[:200],
        trainer_id=trainer_id,
        # Recorded only when it was needed: the session is off the calendar.
        outside_hours=conflict is not None,
        created_by=actor.user,
    )


def next_working_day(actor: Membership, day: dt.date) -> dt.date:
    """``day`` itself if it is a working day of the organization's calendar,
    else the first working day after it (the demo dates its sessions so)."""
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    calendar = session_calendar(actor, noon)
    for _step in range(MAX_SEARCH_DAYS):
        if calendar.is_working_day(day):
            break
        day += dt.timedelta(days=1)
    return day


def previous_working_day(actor: Membership, day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the last one before it."""
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    calendar = session_calendar(actor, noon - dt.timedelta(days=30), noon)
    for _step in range(MAX_SEARCH_DAYS):
        if calendar.is_working_day(day):
            break
        day -= dt.timedelta(days=1)
    return day


def working_slot(
    actor: Membership, day: dt.date, start: dt.time, hours: int = 2
) -> tuple[dt.datetime, dt.datetime]:
    """``start`` to ``start + hours`` on ``day`` in the calendar's timezone."""
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    tz = session_calendar(actor, noon).tz
    begins = dt.datetime.combine(day, start, tzinfo=tz)
    return begins, begins + dt.timedelta(hours=hours)


def enrol(
    *, actor: Membership, course: Course, user_ids: list[int], due_on: dt.date | None = None
) -> int:
    """Enrol these members (of this organization; others are refused); a
    member already enrolled stays as they are. Returns how many are new."""
    require_manager(actor)
    if due_on is not None:
        _bounded(due_on, "due_on")
    wanted = set(user_ids)
    members = set(
        Membership.objects.filter(user_id__in=wanted, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    if wanted - members:
        raise ServiceError(_("找不到所选成员。"), field="users")
    with transaction.atomic():
        already = set(
            Enrolment.objects.filter(course=course, user_id__in=members).values_list(
                "user_id", flat=True
            )
        )
        made = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    organization_id=course.organization_id,
                    course=course,
                    user_id=uid,
                    enrolled_by=actor.user,
                    due_on=due_on or course.due_on,
                )
                for uid in sorted(members - already)
            ],
            ignore_conflicts=True,
        )
        return len(made)


def attendance_mark(
    *, actor: Membership, enrolment: Enrolment, session: CourseSession | None
) -> Enrolment:
    """``session`` attended (None: not attended). A course without check
    questions is completed by attending."""
    require_manager(actor)
    if session is not None and session.course_id != enrolment.course_id:
        raise ServiceError(_("这一场不属于这门课程。"), field="session")
    with transaction.atomic():
        enrolment.attended_session = session
        if session is not None and not enrolment.course.questions.exists():
            enrolment.completed_at = enrolment.completed_at or timezone.now()
        enrolment.save(update_fields=["attended_session", "completed_at"])
        return enrolment


def check_submit(*, actor: Membership, enrolment: Enrolment, answers: list[int]) -> Enrolment:
    """The rep's answers to their course's check: the score, and completion
    when it reaches the pass mark."""
    if enrolment.user_id != actor.user_id:
        raise PermissionDenied(_("你无权执行此操作。"))
    questions = list(enrolment.course.questions.all())
    if not questions:
        raise ServiceError(_("这门课程没有考核。"), field="answers")
    if len(answers) != len(questions):
        raise ServiceError(_("请回答每一道题。"), field="answers")
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        right = sum(1 for q, a in zip(questions, answers, strict=True) if q.answer == a)
        enrolment.score = round(right * 100 / len(questions))
        enrolment.attempts += 1
        if enrolment.score >= enrolment.course.pass_mark and enrolment.completed_at is None:
            enrolment.completed_at = timezone.now()
        enrolment.save(update_fields=["score", "attempts", "completed_at"])
        return enrolment


def business_members() -> list[int]:
    """Every active member of the Business department (the reps and their head)."""
    return list(
        Membership.objects.filter(is_active=True, department__is_business=True).values_list(
            "user_id", flat=True
        )
    )


def course_for_release(
    *, actor: Membership, bundle: Bundle | None = None, price_list: PriceList | None = None
) -> Course:
    """One step: a course for a published promotion bundle or price list,
    every member of the Business department enrolled, due in two weeks.
    Again for the same release: the existing course, newcomers enrolled."""
    require_manager(actor)
    if (bundle is None) == (price_list is None):
        raise ServiceError(_("请选择一个促销方案或定价表。"), field="release")
    release = bundle or price_list
    assert release is not None
    with transaction.atomic():
        # The release's row, locked: two publishes at once (two managers, a
        # double click) queue here, and the second finds the first's course
        # instead of making a second one. Its state as stored now, not as
        # the caller's copy remembers it.
        release = type(release).objects.select_for_update().get(pk=release.pk)
        published = BundleState.PUBLISHED if bundle else PriceListState.PUBLISHED
        if release.state != published:
            raise ServiceError(_("只能为已发布的方案或定价表建课程。"), field="release")
        course = Course.objects.filter(bundle=bundle, price_list=price_list).first()
        if course is None:
            # Stored text in both languages, not the reader's: no gettext.
            if bundle is not None:
                title_zh = f"促销方案培训：{bundle.name_zh}"
                title_en = f"Bundle training: {bundle.name_en or bundle.name_zh}"
            elif price_list is not None:
                title_zh = f"新定价表培训：{price_list.name}"
                title_en = f"Price list training: {price_list.name}"
            fields = CourseFields(
                title_zh=title_zh,
                title_en=title_en,
                due_on=timezone.localdate() + dt.timedelta(days=RELEASE_DUE_DAYS),
            )
            course = course_create(actor=actor, fields=fields, bundle=bundle, price_list=price_list)
        enrol(actor=actor, course=course, user_ids=business_members())
        return course
