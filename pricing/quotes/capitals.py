"""An amount in Chinese capital numerals (大写金额), as written on invoices and
quotes: 12345.60 → 壹万贰仟叁佰肆拾伍元陆角整.

Rules: groups of four digits (万, 亿, 万亿); one 零 for any run of zeros inside
the number (also across an empty group); 元 after a non-zero integer part; 整
when there is no 分; 零 between 元 and 分 when there is no 角."""

from __future__ import annotations

from decimal import Decimal

from collab.money import round_money

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("仟", "佰", "拾", "")
BIG_UNITS = ("", "万", "亿", "万亿")


def _group(n: int) -> str:
    """0 < n < 10000, written without leading zeros, inner zeros as one 零."""
    out, zero = [], False
    for digit, unit in zip(f"{n:04d}", SMALL_UNITS, strict=True):
        if digit == "0":
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[int(digit)] + unit)
    return "".join(out)


def _integer(n: int) -> str:
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out: list[str] = []
    zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero = bool(out)
            continue
        if out and (zero or group < 1000):
            out.append("零")
        zero = False
        out.append(_group(group) + BIG_UNITS[index])
    return "".join(out)


def amount_in_capitals(amount: Decimal) -> str:
    amount = round_money(amount)
    sign = "负" if amount < 0 else ""
    fen_total = int(abs(amount) * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    text = _integer(yuan) + ("元" if yuan else "")
    if jiao:
        text += DIGITS[jiao] + "角"
    elif fen and yuan:
        text += "零"
    text += DIGITS[fen] + "分" if fen else "整"
    return sign + text
