"""The shared input parsers and the one money rule (collab.money, collab.parsing)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from collab import money, parsing
from collab.money import Money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("-0.005", "-0.01"), ("2.675", "2.68"), ("10", "10.00")],
)
def test_round_money_is_half_up_to_the_cent(raw, expected):
    assert money.round_money(Decimal(raw)) == Decimal(expected)


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(0.1, "CNY")
    with pytest.raises(money.CurrencyMismatch):
        Money(Decimal("1"), "CNY") + Money(Decimal("1"), "USD")
    assert Money(Decimal("1.10"), "CNY") + Money(Decimal("2.20"), "CNY") == Money(
        Decimal("3.30"), "CNY"
    )


def test_times_rounds_once_by_the_rule():
    assert Money(Decimal("33.33"), "CNY").times(Decimal("0.13")).amount == Decimal("4.33")


def test_totals_are_kept_per_currency():
    totals = money.totals_by_currency(
        [Money(Decimal("1"), "CNY"), Money(Decimal("2"), "USD"), Money(Decimal("3"), "CNY")]
    )
    assert totals == {"CNY": Money(Decimal("4"), "CNY"), "USD": Money(Decimal("2"), "USD")}


def test_one_money_format_per_locale():
    assert money.format_money(Decimal("2020000"), "CNY", "zh-hans") == "¥2,020,000.00"
    assert money.format_money(Decimal("2020000"), "CNY", "en") == "CNY 2,020,000.00"
    assert money.format_money(Decimal("-5.5"), "USD", "en") == "-USD 5.50"
    with translation.override("en"):
        assert str(Money(Decimal("1234.5"), "EUR")) == "EUR 1,234.50"


@pytest.mark.parametrize(
    "raw", ["1e400", "NaN", "Infinity", "1" + "0" * 30, "12.345", "abc", "", "1.2.3"]
)
def test_bad_amounts_are_a_validation_error(raw):
    with pytest.raises(ValidationError):
        money.parse_amount(raw)


def test_amounts_parse_exactly():
    assert money.parse_amount("1,234.50") == Decimal("1234.50")
    assert money.parse_amount("12.500") == Decimal("12.50")
    assert money.parse_amount(7) == Decimal("7.00")
    with pytest.raises(ValidationError):
        money.parse_amount("-1")
    assert money.parse_amount("-1", allow_negative=True) == Decimal("-1.00")
    with pytest.raises(ValidationError):
        money.parse_amount("0", allow_zero=False)
    with pytest.raises(ValidationError):
        money.parse_amount(1.5)


def test_amount_form_field_reports_errors_on_the_field():
    field = money.AmountFormField()
    assert field.clean("99.90") == Decimal("99.90")
    with pytest.raises(ValidationError):
        field.clean("1e400")


@pytest.mark.parametrize("raw", ["²", "٣", "-1", "0", "1.0", " ", "9" * 20, "12a", None])
def test_ids_are_ascii_digits_in_bigint_range(raw):
    with pytest.raises(ValidationError):
        parsing.parse_id(raw)
    assert parsing.optional_id(raw) is None


def test_good_ids_parse():
    assert parsing.parse_id(" 42 ") == 42
    assert parsing.parse_id(str(2**63 - 1)) == 2**63 - 1


@pytest.mark.parametrize(
    "raw", ["0001-01-01", "9999-12-27", "1999-12-31", "2101-01-01", "2026-02-30", "x"]
)
def test_dates_outside_the_sane_range_or_malformed_are_refused(raw):
    with pytest.raises(ValidationError):
        parsing.parse_date(raw)


def test_months_parse_to_their_first_day():
    assert parsing.parse_month("2026-12") == dt.date(2026, 12, 1)
    for raw in ["9999-12", "0001-01", "2026-13", "2026-00", "26-01"]:
        assert parsing.optional_month(raw) is None


def test_bounded_datetime_form_field_refuses_year_one():
    field = parsing.BoundedDateTimeField()
    with pytest.raises(ValidationError) as info:
        field.clean("0001-01-01T00:00")
    assert "2000-01-01" in " ".join(info.value.messages)
    assert field.clean("2026-12-05T10:00").year == 2026


def test_control_characters_are_stripped_but_line_breaks_kept():
    assert parsing.clean_text("a\x00b\x1bc\td\ne") == "abc\td\ne"
    assert parsing.has_control_characters("x\x1b")
