"""The one totals function and its rounding rule (to the fen, half up), and
amounts in Chinese capital numerals."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction
from math import floor

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing.quotes.capitals import amount_in_capitals
from pricing.quotes.totals import BlockInput, LineInput, quote_totals


def test_hand_computed_quote_with_bundle_line_and_order_discount_and_tax():
    lines = [
        LineInput(D("3"), D("10000.00"), D("5"), D("10000.00"), D("8000.00")),
        LineInput(D("7"), D("1999.99"), D("2.5"), D("2000.00"), D("1500.00")),
    ]
    blocks = [BlockInput(1, D("20000.00"), D("22000.00"), stackable=False)]
    t = quote_totals(lines, blocks, order_discount_pct=D("3"), vat_rate=D("13"))
    # 3 × 10000 × 95% = 28500.00; 7 × 1999.99 × 97.5% = 13649.93175 → 13649.93
    assert t.line_amounts == (D("28500.00"), D("13649.93"))
    assert t.block_amounts == (D("20000.00"),)
    assert t.subtotal == D("62149.93")
    # The bundle does not stack: 3% of 42149.93 = 1264.4979 → 1264.50
    assert t.order_discount == D("1264.50")
    assert t.net_total == D("60885.43")
    # 13% of 60885.43 = 7915.1059 → 7915.11
    assert t.tax == D("7915.11")
    assert t.total == D("68800.54")
    assert t.list_total == D("66000.00")
    assert t.discount_depth == D("7.75")  # 5114.57 / 66000
    assert t.rep_discount_pct == D("4.87")  # 3114.57 / 64000 (bundle at its own price)
    assert t.below_floor == (False, False)


def test_a_stackable_bundle_takes_the_order_discount_too():
    blocks = [BlockInput(2, D("10000.00"), D("12000.00"), stackable=True)]
    t = quote_totals([], blocks, order_discount_pct=D("10"), vat_rate=D("0"))
    assert t.order_discount == D("2000.00")
    assert t.total == D("18000.00")


def test_half_a_fen_rounds_up():
    lines = [LineInput(D("1"), D("0.05"), D("50"), D("0.05"), D("0"))]  # 0.025 → 0.03
    t = quote_totals(lines, [], order_discount_pct=D("0"), vat_rate=D("10"))  # 0.003 → 0.00
    assert t.line_amounts == (D("0.03"),)
    assert t.tax == D("0.00")
    assert t.total == D("0.03")


def test_a_line_under_its_floor_after_the_order_discount_is_flagged():
    lines = [LineInput(D("1"), D("9000.00"), D("0"), D("10000.00"), D("8000.00"))]
    assert quote_totals(lines, [], order_discount_pct=D("10"), vat_rate=D("13")).below_floor == (
        False,
    )
    assert quote_totals(lines, [], order_discount_pct=D("12"), vat_rate=D("13")).below_floor == (
        True,
    )


def _half_up(value: Fraction) -> D:
    """An independent oracle: fen by integer arithmetic (non-negative values)."""
    fen = floor(value * 100 + Fraction(1, 2))
    return D(fen) / 100


money = st.integers(min_value=0, max_value=100_000_000).map(lambda fen: D(fen) / 100)
pct = st.integers(min_value=0, max_value=10_000).map(lambda c: D(c) / 100)
qty = st.integers(min_value=1, max_value=10_000).map(D)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=200)
@given(
    st.lists(st.tuples(qty, money, pct), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(1, 20), money, st.booleans()), max_size=3),
    pct,
    st.sampled_from([D("0"), D("6"), D("9"), D("13")]),
)
def test_totals_follow_the_rounding_rule_exactly(line_specs, block_specs, order_pct, vat):
    lines = [LineInput(q, p, d, p, D("0")) for q, p, d in line_specs]
    blocks = [BlockInput(n, p, p, s) for n, p, s in block_specs]
    t = quote_totals(lines, blocks, order_discount_pct=order_pct, vat_rate=vat)
    expected_lines = [
        _half_up(Fraction(q) * Fraction(p) * (100 - Fraction(d)) / 100) for q, p, d in line_specs
    ]
    assert list(t.line_amounts) == expected_lines
    stackable = sum(expected_lines) + sum(_half_up(Fraction(p) * n) for n, p, s in block_specs if s)
    assert t.order_discount == _half_up(Fraction(stackable) * Fraction(order_pct) / 100)
    assert t.net_total == t.subtotal - t.order_discount
    assert t.tax == _half_up(Fraction(t.net_total) * Fraction(vat) / 100)
    assert t.total == t.net_total + t.tax
    for amount in (t.subtotal, t.order_discount, t.net_total, t.tax, t.total):
        assert amount == amount.quantize(D("0.01"))


def test_capitals_of_the_issue_figures():
    assert amount_in_capitals(D("0.01")) == "壹分"
    assert amount_in_capitals(D("10")) == "壹拾元整"
    assert amount_in_capitals(D("100000.50")) == "壹拾万元伍角整"
    assert amount_in_capitals(D("1000000000")) == "壹拾亿元整"
    assert amount_in_capitals(D("12345.60")) == "壹万贰仟叁佰肆拾伍元陆角整"


def test_capitals_write_one_zero_for_each_run_of_zeros():
    assert amount_in_capitals(D("1005")) == "壹仟零伍元整"
    assert amount_in_capitals(D("1.05")) == "壹元零伍分"
    assert amount_in_capitals(D("100010001.01")) == "壹亿零壹万零壹元零壹分"
    assert amount_in_capitals(D("20000000")) == "贰仟万元整"
    assert amount_in_capitals(D("0")) == "零元整"
