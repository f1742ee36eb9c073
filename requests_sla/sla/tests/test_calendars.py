"""Calendar changes move the due times of open requests (and only those)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.catalog import services as catalog_services
from requests_sla.requests import services as request_services
from requests_sla.requests.tests.test_services import local
from requests_sla.sla import services as sla_services
from requests_sla.sla.calendars import build_calendar
from requests_sla.sla.models import BusinessCalendar, SlaEvent, SlaTimer
from requests_sla.tests.factories import file_tech_support


def resolution(req):
    return SlaTimer.unscoped.get(request=req, key="resolution", superseded_at__isnull=True)


def calendar_of(org):
    return BusinessCalendar.unscoped.get(organization=org, department__isnull=True)


@pytest.mark.django_db
def test_adding_a_holiday_recomputes_open_requests_due_times(frozen, org, rep, dev_rnd, admin, api):
    open_request = file_tech_support(rep)
    finished = file_tech_support(rep)
    request_services.request_resolve(request=finished, actor=dev_rnd)
    assert resolution(open_request).due_at == local(10, 18)
    calendar = calendar_of(org)
    response = api(admin).post(
        f"/api/calendars/{calendar.pk}/exceptions/",
        {"date": "2025-03-05", "kind": "holiday", "name": "公司活动日"},
    )
    assert response.status_code == 201
    assert resolution(open_request).due_at == local(11, 18)  # one working day later
    assert resolution(open_request).calendar_version == calendar.version + 1
    assert (
        resolution(finished).stopped_at is not None
        and resolution(finished).calendar_version == calendar.version
    )
    open_request.refresh_from_db()
    assert open_request.sla_due_at == local(
        4, 9
    )  # the response clock (calendar hours) did not move
    assert SlaEvent.unscoped.filter(timer__request=open_request, kind="recalculated").count() == 2
    exception_id = response.json()["id"]
    assert (
        api(admin).delete(f"/api/calendars/{calendar.pk}/exceptions/{exception_id}/").status_code
        == 204
    )
    assert resolution(open_request).due_at == local(10, 18)


@pytest.mark.django_db
def test_a_make_up_workday_and_new_weekly_hours_recompute(frozen, org, rep, admin):
    req = file_tech_support(rep)
    calendar = calendar_of(org)
    sla_services.calendar_exception_add(
        calendar=calendar, actor=admin, date=dt.date(2025, 3, 8), kind="workday"
    )
    assert resolution(req).due_at == local(
        8, 18
    )  # Saturday counts now: 5th working day after Monday
    weekly = {str(d): [["09:00", "17:00"]] for d in range(5)}
    sla_services.calendar_update(calendar=calendar, actor=admin, weekly=weekly)
    assert resolution(req).due_at == local(8, 17)


@pytest.mark.django_db
def test_only_admins_edit_calendars_and_bad_weeks_are_refused(frozen, org, rep, admin, api):
    calendar = calendar_of(org)
    with pytest.raises(PermissionDenied):
        sla_services.calendar_exception_add(
            calendar=calendar, actor=rep, date=dt.date(2025, 3, 5), kind="holiday"
        )
    assert (
        api(rep)
        .post(
            f"/api/calendars/{calendar.pk}/exceptions/", {"date": "2025-03-05", "kind": "holiday"}
        )
        .status_code
        == 403
    )
    with pytest.raises(ServiceError) as error:
        sla_services.calendar_update(
            calendar=calendar, actor=admin, weekly={"0": [["18:00", "09:00"]]}
        )
    assert error.value.field == "weekly"
    response = api(admin).patch(
        f"/api/calendars/{calendar.pk}/", {"timezone": "Mars/Olympus"}, format="json"
    )
    assert response.status_code == 400 and "timezone" in response.json()
    calendar.refresh_from_db()
    assert calendar.timezone == "Asia/Shanghai" and calendar.version == 1


@pytest.mark.django_db
def test_official_holidays_and_exceptions_merge_with_exceptions_winning(org, admin):
    calendar = calendar_of(org)
    with organization_scope(org.id):
        built = build_calendar(calendar, (2025, 2025))
        assert not built.is_working_day(dt.date(2025, 10, 1))  # National Day
        assert built.is_working_day(dt.date(2025, 9, 28))  # official make-up Sunday
        sla_services.calendar_exception_add(
            calendar=calendar, actor=admin, date=dt.date(2025, 9, 28), kind="holiday"
        )
        calendar.refresh_from_db()
        assert not build_calendar(calendar, (2025, 2025)).is_working_day(dt.date(2025, 9, 28))


@pytest.mark.django_db
def test_a_department_calendar_overrides_the_organizations(frozen, org, rep, admin):
    from requests_sla.tests.factories import department

    with organization_scope(org.id):
        BusinessCalendar.objects.create(
            organization=org,
            department=department(org, "rnd"),
            name="R&D 7x24",
            weekly={str(d): [["00:00", "24:00"]] for d in range(7)},
            use_official_holidays=False,
        )
    req = file_tech_support(rep)
    # 5 working days on a 24x7 calendar: close (midnight) of Saturday the 8th.
    assert resolution(req).due_at == local(9, 0)


@pytest.mark.django_db
def test_changing_a_types_targets_recomputes_its_open_timers(frozen, org, rep, admin):
    from requests_sla.tests.factories import request_type

    req = file_tech_support(rep)
    tech = request_type(org, "rnd_tech_support")
    targets = {
        **tech.sla_targets,
        "normal": {
            **tech.sla_targets["normal"],
            "resolution": {"unit": "working_days", "amount": 2},
        },
    }
    catalog_services.request_type_update(request_type=tech, actor=admin, sla_targets=targets)
    timer = resolution(req)
    assert timer.due_at == local(5, 18) and timer.policy_version == 2
