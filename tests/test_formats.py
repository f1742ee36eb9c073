"""One money format, one number format and one date-time format per language
(``{% load collab %}`` and ``collab/formats``)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load collab %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "¥2,020,000.00"), ("en", "CNY 2,020,000.00")],
)
def test_money_is_written_one_way_per_language(language, expected):
    assert render("{{ a|money:'CNY' }}", language, a=Decimal("2020000")) == expected
    assert render("{{ a|money }}", language, a=Decimal("2020000")) == expected  # CNY by default


def test_money_in_other_currencies_and_without_an_amount():
    assert render("{{ a|money:'USD' }}", "zh-hans", a=Decimal("1234.5")) == "US$1,234.50"
    assert render("{{ a|money:'USD' }}", "en", a=Decimal("-1234.5")) == "-USD 1,234.50"
    assert render("{{ a|money }}", "en", a=None) == "—"
    assert render("{{ a|money }}", "en", a="not a number") == "—"


def test_counts_get_thousands_separators():
    assert render("{{ n|num }}", "zh-hans", n=1234567) == "1,234,567"
    assert render("{{ n|num:1 }}", "en", n=Decimal("1234.56")) == "1,234.6"
    assert render("{{ n|num }}", "en", n=None) == "—"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "2026年11月27日 14:30"), ("en", "27 Nov 2026, 14:30")],
)
def test_short_and_long_date_times_are_the_same_text(language, expected, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    at = datetime.datetime(2026, 11, 27, 6, 30, tzinfo=ZoneInfo("UTC"))  # 14:30 in Shanghai
    source = '{{ at|date:"DATETIME_FORMAT" }}|{{ at|date:"SHORT_DATETIME_FORMAT" }}'
    assert render(source, language, at=at) == f"{expected}|{expected}"


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "2026年11月27日"), ("en", "27 Nov 2026")]
)
def test_dates_as_the_language_writes_them(language, expected):
    day = datetime.date(2026, 11, 27)
    source = '{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}'
    assert render(source, language, d=day) == f"{expected}|{expected}"
