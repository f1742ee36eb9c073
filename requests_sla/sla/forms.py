"""Forms of the working-calendar page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.parsing import BoundedDateField
from requests_sla.sla.models import ExceptionKind
from requests_sla.sla.presentation import WEEKDAYS

if TYPE_CHECKING:
    from django.forms.boundfield import BoundField

    from requests_sla.sla.models import BusinessCalendar


def parse_ranges(text: str) -> list[list[str]]:
    """ "09:00-12:00, 13:00-18:00" → [["09:00", "12:00"], ["13:00", "18:00"]]."""
    ranges = []
    for part in text.replace("，", ",").split(","):
        part = part.strip().replace("–", "-").replace("~", "-")
        if not part:
            continue
        start, sep, end = part.partition("-")
        if not sep:
            raise forms.ValidationError(_("请按“09:00-12:00, 13:00-18:00”的格式填写。"))
        start, end = start.strip(), end.strip()
        for value in (start, end):
            if value != "24:00":
                try:
                    dt.time.fromisoformat(value)
                except ValueError:
                    raise forms.ValidationError(
                        _("时间“%(value)s”无效。") % {"value": value}
                    ) from None
        ranges.append([start, end])
    return ranges


def format_ranges(ranges: Iterable[Iterable[str]] | None) -> str:
    return ", ".join(f"{a}-{b}" for a, b in ranges or [])


class CalendarForm(forms.Form):
    use_official_holidays = forms.BooleanField(
        label=_("使用官方节假日与调休上班日"), required=False
    )

    def __init__(self, *args: Any, calendar: BusinessCalendar | None = None, **kwargs: Any) -> None:
        if calendar is not None and "initial" not in kwargs:
            weekly = calendar.weekly or {}
            kwargs["initial"] = {
                "use_official_holidays": calendar.use_official_holidays,
                **{f"day{d}": format_ranges(weekly.get(str(d))) for d in range(7)},
            }
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"day{day}"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("休息")}),
            )

    def day_fields(self) -> list[BoundField]:
        return [self[f"day{d}"] for d in range(7)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weekly: dict[str, list[list[str]]] = {}
        for day in range(7):
            try:
                ranges = parse_ranges(data.get(f"day{day}") or "")
            except forms.ValidationError as exc:
                self.add_error(f"day{day}", exc)
                continue
            if ranges:
                weekly[str(day)] = ranges
        data["weekly"] = weekly
        return data


class CalendarExceptionForm(forms.Form):
    date = BoundedDateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"), choices=ExceptionKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = _("如：公司年会")
