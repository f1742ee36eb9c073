"""Reporting periods of the customer side's reports (funnel, leads, feedback):
the default period, its bounds, the period form and the date widgets every
pipeline form uses."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collab.parsing import BoundedDateField

DEFAULT_PERIOD_DAYS = 90
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def period_bounds(start: dt.date, end: dt.date, tz=None) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) in the current (organization's) timezone."""
    tz = tz or timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return lo, hi


class PeriodForm(forms.Form):
    """A reporting period in the URL; the default is the last 90 days."""

    start = BoundedDateField(label=_("开始日期"), required=False, widget=DATE)
    end = BoundedDateField(label=_("结束日期"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        if start > end:
            self.add_error("start", _("开始日期不能晚于结束日期。"))
        elif (end - start).days > 3 * 366:
            self.add_error("start", _("统计周期最长三年。"))
        data["start"], data["end"] = start, end
        return data


def period_from_request(request) -> tuple[PeriodForm, dict]:
    """The period in the URL, or the default one when it is missing or wrong
    (the form then shows what was wrong)."""
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data
    fallback = PeriodForm({})
    fallback.is_valid()
    return form, fallback.cleaned_data
