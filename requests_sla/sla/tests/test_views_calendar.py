"""The working-calendar page: weekly ranges, official days, exceptions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from requests_sla.sla.models import BusinessCalendar, CalendarException


@pytest.mark.django_db
def test_calendar_shows_weekly_ranges_official_days_and_provisional_years(
    client_for, owner, client
):
    client.cookies["django_language"] = "zh-hans"
    body = client_for(owner).get(reverse("requests_sla:calendar")).content.decode()
    assert 'value="09:00-12:00, 13:00-18:00"' in body
    this_year = dt.date.today().year
    assert f'id="official-{this_year}"' in body and f'id="official-{this_year + 1}"' in body
    assert "元旦" in body


@pytest.mark.django_db
def test_admin_changes_the_week_and_a_bad_range_is_explained(client_for, owner, org):
    client = client_for(owner)
    week = {f"day{d}": "09:00-12:00, 13:00-18:00" for d in range(5)}
    response = client.post(
        reverse("requests_sla:calendar"),
        {"form": "weekly", **week, "day5": "10:00-14:00", "use_official_holidays": "on"},
    )
    assert response.status_code == 302
    cal = BusinessCalendar.unscoped.get(organization=org, department__isnull=True)
    assert cal.weekly["5"] == [["10:00", "14:00"]] and cal.version == 2
    response = client.post(
        reverse("requests_sla:calendar"), {"form": "weekly", **week, "day6": "nine to five"}
    )
    assert response.status_code == 200 and 'value="nine to five"' in response.content.decode()
    assert BusinessCalendar.unscoped.get(pk=cal.pk).version == 2


@pytest.mark.django_db
def test_admin_adds_and_removes_an_exception(client_for, owner, org):
    client = client_for(owner)
    client.post(
        reverse("requests_sla:calendar"),
        {"form": "exception", "date": "2025-06-06", "kind": "holiday", "name": "年会"},
    )
    exception = CalendarException.unscoped.get(organization=org)
    again = client.post(
        reverse("requests_sla:calendar"),
        {"form": "exception", "date": "2025-06-06", "kind": "workday"},
    )
    assert again.status_code == 200 and 'class="error"' in again.content.decode()
    client.post(reverse("requests_sla:exception_remove", args=[exception.pk]))
    assert not CalendarException.unscoped.filter(organization=org).exists()
