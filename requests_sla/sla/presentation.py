"""How SLA time reads to people, and the SLA badge's markup, built in Python
for render cost (a queue page shows fifty badges; through an included
template they were most of a row's cost). "还剩 2小时15分" / "2h 15m left",
"明天 10:00" / "tomorrow 10:00", "3个工作日" / "3 working days"; every
interpolated value goes through ``collab.html.escape``.

Everything is computed at render time from the timer's due time and *now*,
so a page (or a polled table body) is always current, even between two runs
of the SLA sweep that refreshes the cached state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from collab.html import escape

if TYPE_CHECKING:
    from requests_sla.sla.models import SlaTimer

WEEKDAYS = (
    pgettext_lazy("short weekday", "周一"),
    pgettext_lazy("short weekday", "周二"),
    pgettext_lazy("short weekday", "周三"),
    pgettext_lazy("short weekday", "周四"),
    pgettext_lazy("short weekday", "周五"),
    pgettext_lazy("short weekday", "周六"),
    pgettext_lazy("short weekday", "周日"),
)

# State → (css band, icon). The icon and the text carry the meaning too,
# so the band colour is never the only signal.
BANDS = {
    "on_track": "◷",
    "at_risk": "⚠",
    "breached": "‼",
    "paused": "‖",
    "met": "✓",
    "none": "–",
}


def _english() -> bool:
    return (get_language() or "").lower().startswith("en")


NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)  # sorts after every due time


# ---------------------------------------------------------------- durations


# A working day of the standard calendar (09:00–12:00, 13:00–18:00): how a
# working-days budget's remaining working minutes read as days and hours.
WORKING_DAY_MINUTES = 8 * 60


def duration_text(minutes: float, unit: str = "calendar_hours") -> str:
    """THE way a duration reads, everywhere (two parts at most).

    * real time (``calendar_hours``, and any wall-clock span): 3天4小时 /
      3d 4h; 2小时15分 / 2h 15m; 40分钟 / 40m;
    * ``working_hours`` (working minutes): 12个工作小时 30分 / 12 working h 30m;
    * ``working_days`` (working minutes): 2个工作日 4小时 / 2 working days 4h;
      under a day it reads as working hours. Never "days" that are really
      blocks of eight working hours.
    """
    minutes = max(0, int(minutes))
    english = _english()
    join = " " if english else ""
    if unit == "working_days" and minutes >= WORKING_DAY_MINUTES:
        days, rest = divmod(minutes, WORKING_DAY_MINUTES)
        parts = [ngettext("%(n)s个工作日", "%(n)s个工作日", days) % {"n": days}]
        if rest >= 60:
            parts.append(_("%(h)s小时") % {"h": rest // 60})
        return " ".join(parts)
    if unit in ("working_hours", "working_days"):
        hours, mins = divmod(minutes, 60)
        if not hours:
            return _("%(m)s个工作分钟") % {"m": mins}
        parts = [ngettext("%(n)s个工作小时", "%(n)s个工作小时", hours) % {"n": hours}]
        if mins:
            parts.append(_("%(m)s分") % {"m": mins})
        return " ".join(parts)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if not days and not hours:
        return _("%(m)s分钟") % {"m": mins}
    parts = []
    if days:
        parts.append(_("%(d)s天") % {"d": days})
    if hours:
        parts.append(_("%(h)s小时") % {"h": hours})
    if mins and not days:
        parts.append(_("%(m)s分") % {"m": mins})
    return join.join(parts[:2])


def span_text(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """The real time between two instants, in ``duration_text``'s words."""
    if start is None or end is None:
        return ""
    return duration_text((end - start).total_seconds() // 60)


def _amount(value: object) -> str:
    value = Decimal(str(value))
    return (
        str(value.quantize(Decimal(1)))
        if value == value.to_integral_value()
        else f"{value.normalize()}"
    )


def target_text(unit: str, amount: object) -> str:
    """24小时 / 24 h; 3个工作日 / 3 working days; 8个工作小时 / 8 working hours."""
    n = _amount(amount)
    count = 1 if n == "1" else 2
    if unit == "working_days":
        return ngettext("%(n)s个工作日", "%(n)s个工作日", count) % {"n": n}
    if unit == "working_hours":
        return ngettext("%(n)s个工作小时", "%(n)s个工作小时", count) % {"n": n}
    return ngettext("%(n)s小时", "%(n)s小时", count) % {"n": n}


# ---------------------------------------------------------------- instants


def zone_label(value: dt.datetime | None = None) -> str:
    """The current zone as an unambiguous offset: UTC+8 (not "CST")."""
    local = timezone.localtime(value or timezone.now())
    offset = local.utcoffset() or dt.timedelta(0)
    total = int(offset.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    hours, mins = divmod(abs(total), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def date_text(day: dt.date, today: dt.date | None = None) -> str:
    """11月30日 周五 / Fri 30 Nov (the year only when it is not this year)."""
    today = today or timezone.localdate()
    weekday = str(WEEKDAYS[day.weekday()])
    month = dateformat.format(day, "M")
    # The English translations name the month (%(mon)s) instead of numbering
    # it, which gettext's format check would call an error.
    if day.year == today.year:
        # xgettext:no-python-format
        return _("%(m)s月%(d)s日 %(weekday)s") % {
            "m": day.month,
            "d": day.day,
            "mon": month,
            "weekday": weekday,
        }
    # xgettext:no-python-format
    return _("%(y)s年%(m)s月%(d)s日 %(weekday)s") % {
        "y": day.year,
        "m": day.month,
        "d": day.day,
        "mon": month,
        "weekday": weekday,
    }


def when_text(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """A time in the rep's words, in the organization's zone: 今天 16:00 /
    明天 10:00 / 11月30日 周五 18:00."""
    if value is None:
        return ""
    now = now or timezone.now()
    local = timezone.localtime(value)
    today = timezone.localtime(now).date()
    clock = local.strftime("%H:%M")
    delta = (local.date() - today).days
    if delta == 0:
        return _("今天 %(time)s") % {"time": clock}
    if delta == 1:
        return _("明天 %(time)s") % {"time": clock}
    if delta == -1:
        return _("昨天 %(time)s") % {"time": clock}
    return f"{date_text(local.date(), today)} {clock}"


# ---------------------------------------------------------------- timers


@dataclass(frozen=True)
class Badge:
    state: str
    icon: str
    text: str
    due_at: dt.datetime | None = None
    provisional: bool = False

    @property
    def label(self) -> str:
        from requests_sla.sla.models import SlaState

        return str(SlaState(self.state).label) if self.state in SlaState.values else ""


def timer_badge(timer: SlaTimer, now: dt.datetime | None = None) -> Badge:
    """The live state of one timer and how it reads. A working-time timer's
    budget is stated in its unit (paused, met, late when it stopped) or as
    its due moment while it runs ("周三 18:00 前"): the wall-clock time to a
    working-time due moment is not the working time left."""
    now = now or timezone.now()
    due = timer.due_at
    provisional = bool(timer.provisional)
    unit = timer.unit or "calendar_hours"
    working = unit != "calendar_hours"
    if timer.stopped_at is not None or timer.superseded_at is not None:
        spare = timer.remaining_minutes
        if timer.met:
            text = (
                _("提前 %(t)s 达成") % {"t": duration_text(spare, unit)}
                if spare > 0
                else _("按时达成")
            )
            return Badge("met", BANDS["met"], text, due, provisional)
        late = (
            duration_text(-spare, unit)
            if spare < 0 or not due
            else span_text(due, timer.stopped_at or timer.superseded_at)
        )
        return Badge(
            "breached", BANDS["breached"], _("超时 %(t)s 完成") % {"t": late}, due, provisional
        )
    if timer.paused:
        if timer.remaining_minutes > 0:
            text = _("已暂停 · 还剩 %(t)s") % {"t": duration_text(timer.remaining_minutes, unit)}
        else:
            text = _("已暂停")
        return Badge("paused", BANDS["paused"], text, None, provisional)
    if due is None:
        return Badge("none", BANDS["none"], "", None, provisional)
    if due <= now and (timer.state == "breached" or not working):
        # Late: the real time since the due moment (a span of the calendar, not of work).
        text = _("超时 %(t)s") % {"t": span_text(due, now)}
        return Badge("breached", BANDS["breached"], text, due, provisional)
    if due <= now:
        # Working units breach at the next working minute: until then the
        # budget is used up but not yet late.
        return Badge("at_risk", BANDS["at_risk"], _("已到期"), due, provisional)
    at_risk = timer.state == "at_risk" or (timer.at_risk_at is not None and now >= timer.at_risk_at)
    state = "at_risk" if at_risk else "on_track"
    if working:
        text = _("%(when)s 前") % {"when": when_text(due, now)}
    else:
        text = _("还剩 %(t)s") % {"t": duration_text((due - now).total_seconds() // 60)}
    return Badge(state, BANDS[state], text, due, provisional)


def headline_timer(request_obj: Any) -> SlaTimer | None:
    """The timer a list row shows: the running one due first, else a paused
    one, else the resolution timer's final result."""
    timers: list[SlaTimer] | None = getattr(request_obj, "current_timers", None)
    if timers is None:
        timers = list(request_obj.timers.filter(superseded_at__isnull=True))
    running = [t for t in timers if t.stopped_at is None and not t.paused and t.due_at is not None]
    if running:
        return min(running, key=lambda t: t.due_at or NEVER)
    paused = [t for t in timers if t.stopped_at is None and t.paused]
    if paused:
        return paused[0]
    finished = [t for t in timers if t.kind == "resolution"] or list(timers)
    return finished[-1] if finished else None


# ---------------------------------------------------------------- template API


def request_badge(obj: Any, now: dt.datetime | None = None) -> Badge:
    """The badge of a timer, or of a request's headline timer."""
    timer = obj if hasattr(obj, "due_at") else headline_timer(obj)
    return timer_badge(timer, now) if timer is not None else Badge("none", BANDS["none"], "")


def badge_html(badge: Badge) -> SafeString:
    """The band, icon and words of a badge as one ``<span class="sla">``.

    Built in Python rather than an included template: a list renders one
    per row (the department queue 50 a page), and this is most of a row's
    cost through the template engine."""
    due = f' data-due="{timezone.localtime(badge.due_at).isoformat()}"' if badge.due_at else ""
    label = (
        f'<span class="visually-hidden">{escape(badge.label)}: </span>'
        if badge.state != "none"
        else ""
    )
    provisional = (
        f' <small class="provisional">{escape(_("（暂定）"))}</small>' if badge.provisional else ""
    )
    return mark_safe(  # noqa: S308 (every interpolated text is escaped here)
        f'<span class="sla sla-{escape(badge.state)}"{due}>'
        f'<span class="sla-icon" aria-hidden="true">{escape(badge.icon)}</span>'
        f"{label}{escape(badge.text or '—')}{provisional}</span>"
    )
