"""One way a duration reads, everywhere; a working-time target's time left is
in its unit or a due moment, never 8-hour "days"."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from requests_sla.sla.presentation import duration_text, span_text, timer_badge

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # a Monday


@pytest.mark.parametrize(
    ("minutes", "unit", "zh", "en"),
    [
        (40, "calendar_hours", "40分钟", "40m"),
        (135, "calendar_hours", "2小时15分", "2h 15m"),
        (109 * 1440 + 300, "calendar_hours", "109天5小时", "109d 5h"),
        (157308, "calendar_hours", "109天5小时", "109d 5h"),  # not "2621 小时 48 分钟"
        (750, "working_hours", "12个工作小时 30分", "12 working hours 30m"),
        (45, "working_hours", "45个工作分钟", "45 working min"),
        (2 * 480 + 240, "working_days", "2个工作日 4小时", "2 working days 4h"),
        (480, "working_days", "1个工作日", "1 working day"),
        (300, "working_days", "5个工作小时", "5 working hours"),
    ],
)
def test_duration_text_in_both_languages(minutes, unit, zh, en):
    with translation.override("zh-hans"):
        assert duration_text(minutes, unit) == zh
    with translation.override("en"):
        assert duration_text(minutes, unit) == en


def timer(**kw):
    base = dict(
        unit="working_days",
        due_at=None,
        provisional=False,
        stopped_at=None,
        superseded_at=None,
        remaining_minutes=0,
        met=None,
        state="on_track",
        paused=False,
        at_risk_at=None,
    )
    return SimpleNamespace(**{**base, **kw})


def test_a_working_days_target_reads_as_a_due_moment_then_working_days_when_paused():
    with timezone.override(SH), translation.override("zh-hans"):
        due = dt.datetime(2026, 11, 25, 18, 0, tzinfo=SH)  # Wednesday's close
        running = timer_badge(timer(due_at=due), NOW)
        assert running.text == "11月25日 周三 18:00 前" and "天" not in running.text
        paused = timer_badge(timer(paused=True, remaining_minutes=2 * 480 + 240), NOW)
        assert paused.text == "已暂停 · 还剩 2个工作日 4小时"
        met = timer_badge(timer(stopped_at=NOW, met=True, remaining_minutes=480), NOW)
        assert met.text == "提前 1个工作日 达成"
    with timezone.override(SH), translation.override("en"):
        assert timer_badge(timer(due_at=due), NOW).text == "by Wed 25 Nov 18:00"
        paused = timer_badge(timer(paused=True, remaining_minutes=2 * 480 + 240), NOW)
        assert paused.text == "Paused · 2 working days 4h left"


def test_a_calendar_hours_target_counts_down_real_time_and_late_is_real_time():
    with timezone.override(SH), translation.override("zh-hans"):
        due = NOW + dt.timedelta(hours=2, minutes=15)
        assert timer_badge(timer(unit="calendar_hours", due_at=due), NOW).text == "还剩 2小时15分"
        late = timer_badge(timer(unit="calendar_hours", due_at=NOW - dt.timedelta(days=3)), NOW)
        assert late.text == "超时 3天"
    assert span_text(NOW, NOW + dt.timedelta(days=9, hours=2)) == duration_text(9 * 1440 + 120)
