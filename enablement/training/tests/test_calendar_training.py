"""Sessions keep to the organization's business calendar: a weekend, an
official holiday, a holiday the admin declared, or a time outside working
hours is refused (form and API: a field error) unless the organizer ticks
"outside working hours", which the session records. Hand-picked days of
2026 in Asia/Shanghai (the test organization's calendar, CN holidays):
Tue 1 Dec a working day, Sun 6 Dec a weekend, Thu 1 Oct National Day,
Sat 10 Oct a make-up workday (调休)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from enablement.models import CourseSession
from enablement.training import services
from requests_sla.sla.models import BusinessCalendar, CalendarException, ExceptionKind

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKING_DAY = dt.date(2026, 12, 1)
SUNDAY = dt.date(2026, 12, 6)
NATIONAL_DAY = dt.date(2026, 10, 1)
MAKEUP_SATURDAY = dt.date(2026, 10, 10)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def course(org, hr):
    with organization_scope(org.id):
        return services.course_create(actor=hr, fields=services.CourseFields(title_zh="课"))


def add(hr, course, starts_at, ends_at, **kw):
    with organization_scope(hr.organization_id):
        return services.session_add(
            actor=hr, course=course, starts_at=starts_at, ends_at=ends_at, place="A", **kw
        )


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        (at(WORKING_DAY, 10), at(WORKING_DAY, 12)),
        (at(WORKING_DAY, 9), at(WORKING_DAY, 18)),  # the whole day, lunch inside
        (at(WORKING_DAY, 11), at(WORKING_DAY, 14)),  # across the lunch break
        (at(MAKEUP_SATURDAY, 10), at(MAKEUP_SATURDAY, 12)),  # 调休: a working Saturday
    ],
)
def test_working_hours_of_a_working_day_are_accepted(hr, course, starts_at, ends_at):
    session = add(hr, course, starts_at, ends_at)
    assert session.outside_hours is False and session.created_by_id == hr.user_id


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field", "words"),
    [
        (at(SUNDAY, 10), at(SUNDAY, 12), "starts_at", "周末"),
        (at(NATIONAL_DAY, 10), at(NATIONAL_DAY, 12), "starts_at", "节假日"),
        (at(WORKING_DAY, 8), at(WORKING_DAY, 10), "starts_at", "09:00–18:00"),
        (at(WORKING_DAY, 18), at(WORKING_DAY, 19), "starts_at", "09:00–18:00"),
        (at(WORKING_DAY, 17), at(WORKING_DAY, 19), "ends_at", "09:00–18:00"),
        (at(WORKING_DAY, 17), at(WORKING_DAY + dt.timedelta(days=1), 10), "ends_at", "18:00"),
    ],
)
def test_off_the_calendar_is_refused_on_its_field(hr, course, starts_at, ends_at, field, words):
    with pytest.raises(ServiceError) as refused:
        add(hr, course, starts_at, ends_at)
    assert refused.value.field == field
    assert words in refused.value.message and "非工作时间" in refused.value.message
    assert CourseSession.unscoped.count() == 0


def test_the_override_is_recorded_with_who(hr, course):
    session = add(hr, course, at(SUNDAY, 10), at(SUNDAY, 12), outside_hours=True)
    assert session.outside_hours is True and session.created_by_id == hr.user_id
    # Ticked on a working day, nothing was overridden: not recorded as off-hours.
    plain = add(hr, course, at(WORKING_DAY, 10), at(WORKING_DAY, 12), outside_hours=True)
    assert plain.outside_hours is False


def test_a_holiday_the_admin_declared_and_the_english_message(org, hr, course):
    wednesday = dt.date(2026, 12, 16)
    with organization_scope(org.id):
        calendar = BusinessCalendar.objects.get(department__isnull=True)
        CalendarException.objects.create(
            organization=org, calendar=calendar, date=wednesday, kind=ExceptionKind.HOLIDAY
        )
        BusinessCalendar.objects.filter(pk=calendar.pk).update(version=calendar.version + 1)
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        add(hr, course, at(wednesday, 10), at(wednesday, 12))
    assert refused.value.message == (
        "16 Dec 2026 is a holiday, not a working day. "
        'To schedule it anyway, tick "Outside working hours".'
    )


def test_another_organizations_calendar_does_not_apply(org, other_org, hr, course):
    """A holiday declared by another organization leaves ours a working day."""
    with organization_scope(other_org.id):
        theirs = BusinessCalendar.objects.get(department__isnull=True)
        CalendarException.objects.create(
            organization=other_org, calendar=theirs, date=WORKING_DAY, kind=ExceptionKind.HOLIDAY
        )
    assert add(hr, course, at(WORKING_DAY, 10), at(WORKING_DAY, 12)).outside_hours is False


def test_next_and_previous_working_day(org, hr):
    with organization_scope(org.id):
        assert services.next_working_day(hr, SUNDAY) == dt.date(2026, 12, 7)
        assert services.next_working_day(hr, NATIONAL_DAY) == dt.date(2026, 10, 8)
        assert services.next_working_day(hr, WORKING_DAY) == WORKING_DAY
        assert services.previous_working_day(hr, SUNDAY) == dt.date(2026, 12, 4)
        assert services.working_slot(hr, WORKING_DAY, dt.time(14)) == (
            at(WORKING_DAY, 14),
            at(WORKING_DAY, 16),
        )


def test_the_form_refuses_a_sunday_and_records_the_override(client, org, hr, course):
    client.force_login(hr.user)
    client.cookies["django_language"] = "zh-hans"
    url = reverse("enablement:session_new", args=[course.pk])
    body = {"s-starts_at": "2026-12-06T10:00", "s-ends_at": "2026-12-06T12:00", "s-place": "A"}
    page = client.post(url, body)
    assert page.status_code == 400
    assert "2026年12月6日是周末，不是工作日。" in page.content.decode()
    assert page.context["session_form"].has_error("starts_at")
    assert CourseSession.unscoped.count() == 0
    assert client.post(url, {**body, "s-outside_hours": "on"}).status_code == 302
    assert CourseSession.unscoped.get().outside_hours is True
    shown = client.get(course.get_absolute_url()).content.decode()
    assert "2026年12月6日（星期日）10:00–12:00" in shown and "非工作时间" in shown


def test_the_session_list_in_english(client, org, hr, course):
    add(hr, course, at(WORKING_DAY, 10), at(WORKING_DAY, 12))
    client.force_login(hr.user)
    client.cookies["django_language"] = "en"
    text = client.get(course.get_absolute_url()).content.decode()
    assert "Tue 1 Dec 2026, 10:00–12:00" in text and "星期" not in text


def test_the_api_refuses_a_holiday_and_a_weekend_unless_overridden(api, org, hr, course):
    url = f"/api/courses/{course.pk}/sessions/"
    holiday = {
        "starts_at": "2026-10-01T10:00:00+08:00",
        "ends_at": "2026-10-01T12:00:00+08:00",
        "place": "A",
    }
    refused = api(hr).post(url, holiday, format="json")
    assert refused.status_code == 400
    assert "节假日" in refused.json()["starts_at"][0]
    evening = {
        "starts_at": "2026-12-01T19:00:00+08:00",
        "ends_at": "2026-12-01T21:00:00+08:00",
        "place": "A",
    }
    assert api(hr).post(url, evening, format="json").json().keys() == {"starts_at"}
    made = api(hr).post(url, {**evening, "outside_hours": True}, format="json")
    assert made.status_code == 201 and made.json()["outside_hours"] is True
    bad = api(hr).post(url, {**holiday, "outside_hours": "maybe"}, format="json")
    assert bad.status_code == 400 and "outside_hours" in bad.json()
    assert CourseSession.unscoped.count() == 1
