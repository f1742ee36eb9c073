"""Money: exact decimals with a currency, one rounding rule, one format per locale.

Every amount in Collab is a ``Decimal`` stored with two decimal places next to
its currency code; nothing is ever a float. The one rounding rule is
``round_money``: to the fen/cent, half up (四舍五入到分). Amounts in different
currencies are never added together: ``Money`` refuses, and ``totals_by_currency``
keeps them apart (there is no rate table).

Models declare money as two columns, ``amount_field()`` and ``currency_field()``;
forms and serializers read amounts with ``parse_amount`` (through
``AmountFormField`` / ``AmountSerializerField``), which turns "1e400", "NaN",
10^30 or "12.345" into a clear error instead of an overflow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MAX_DIGITS = 14  # up to 999,999,999,999.99
DECIMAL_PLACES = 2
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10 ** (MAX_DIGITS - DECIMAL_PLACES)) - CENT


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")


DEFAULT_CURRENCY = Currency.CNY
_SYMBOLS = {"CNY": "¥", "USD": "US$", "EUR": "€"}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


def round_money(value: Decimal | int | str) -> Decimal:
    """The one rounding rule: to 0.01, half up (0.005 → 0.01, -0.005 → -0.01)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money never takes a float; pass a Decimal or a string")
        object.__setattr__(self, "amount", Decimal(self.amount))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} cannot be combined")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def times(self, factor: Decimal | int) -> Money:
        """Multiply (a quantity, a rate) and round once, by the one rule."""
        if isinstance(factor, float):
            raise TypeError("Money never takes a float factor")
        return Money(round_money(self.amount * Decimal(factor)), self.currency)

    def rounded(self) -> Money:
        return Money(round_money(self.amount), self.currency)

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def zero(currency: str = DEFAULT_CURRENCY) -> Money:
    return Money(Decimal("0.00"), currency)


def totals_by_currency(items: Iterable[Money]) -> dict[str, Money]:
    """Sum per currency; never across currencies."""
    totals: dict[str, Money] = {}
    for item in items:
        totals[item.currency] = totals.get(item.currency, zero(item.currency)) + item
    return totals


def _grouped(amount: Decimal) -> str:
    return f"{round_money(amount):,.2f}"


def format_money(
    amount: Decimal | None, currency: str = DEFAULT_CURRENCY, language: str | None = None
) -> str:
    """One format per locale: "¥2,020,000.00" in Chinese, "CNY 2,020,000.00" in English."""
    if amount is None:
        return "—"
    language = language or get_language() or "zh-hans"
    sign = "-" if amount < 0 else ""
    digits = _grouped(abs(amount))
    if language.startswith("zh"):
        return f"{sign}{_SYMBOLS.get(currency, currency + ' ')}{digits}"
    return f"{sign}{currency} {digits}"


def parse_amount(
    value: object,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    max_amount: Decimal = MAX_AMOUNT,
) -> Decimal:
    """Read an amount from user input, or raise ``ValidationError`` saying why.

    Accepts a Decimal, an int or a plain decimal string ("1,234.50" keeps its
    thousands separators out); refuses floats, exponents, NaN/Infinity, more
    than two decimal places and anything beyond ``max_amount``.
    """
    if isinstance(value, (bool, float)):
        raise ValidationError(_("金额格式不正确"), code="invalid")
    text = str(value).strip().replace(",", "")
    if not text or any(ch not in "0123456789.-+" for ch in text):
        raise ValidationError(_("金额格式不正确"), code="invalid")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("金额格式不正确"), code="invalid") from None
    if not amount.is_finite():
        raise ValidationError(_("金额格式不正确"), code="invalid")
    if abs(amount) > max_amount:
        raise ValidationError(
            _("金额不能超过 %(max)s") % {"max": f"{max_amount:,.2f}"}, code="max_value"
        )
    if amount != amount.quantize(CENT):
        raise ValidationError(_("金额最多两位小数"), code="decimal_places")
    if amount < 0 and not allow_negative:
        raise ValidationError(_("金额不能为负数"), code="min_value")
    if amount == 0 and not allow_zero:
        raise ValidationError(_("金额必须大于零"), code="min_value")
    return round_money(amount)


def amount_field(
    verbose_name=None, *, allow_negative: bool = False, **kwargs
) -> models.DecimalField:
    """A money amount column: 14 digits, 2 places, not negative unless asked."""
    validators = list(kwargs.pop("validators", []))
    if not allow_negative:
        validators.append(MinValueValidator(Decimal("0")))
    return models.DecimalField(
        verbose_name or _("金额"),
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        validators=validators,
        **kwargs,
    )


def currency_field(verbose_name=None, **kwargs) -> models.CharField:
    kwargs.setdefault("default", DEFAULT_CURRENCY)
    return models.CharField(
        verbose_name or _("币种"), max_length=3, choices=Currency.choices, **kwargs
    )


class AmountFormField(forms.Field):
    """A form field that cleans to a Decimal through ``parse_amount``."""

    widget = forms.TextInput

    def __init__(self, *, allow_negative: bool = False, allow_zero: bool = True, **kwargs) -> None:
        self.allow_negative = allow_negative
        self.allow_zero = allow_zero
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value):
        return f"{value:.2f}" if isinstance(value, Decimal) else value

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        return parse_amount(value, allow_negative=self.allow_negative, allow_zero=self.allow_zero)


class AmountSerializerField(serializers.DecimalField):
    """A DRF decimal that reports bad amounts as field errors, never a 500.

    Output stays a string ("1234.50") so no client ever reads a float.
    """

    def __init__(self, *, allow_negative: bool = False, allow_zero: bool = True, **kwargs) -> None:
        self.allow_negative = allow_negative
        self.allow_zero = allow_zero
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # A JSON number arrives as a float: read the text it was written as
        # ("12.5"; 1e30 and Infinity stay refused as "1e+30" and "inf").
        if isinstance(data, float):
            data = repr(data)
        try:
            return parse_amount(
                data, allow_negative=self.allow_negative, allow_zero=self.allow_zero
            )
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class MoneyOutput(serializers.Serializer):
    """An amount with its currency as the API writes it: ``{"amount": "12.30",
    "currency": "CNY"}`` (one schema component for every app; sums of many
    amounts get digits to spare)."""

    amount = serializers.DecimalField(max_digits=MAX_DIGITS + 6, decimal_places=DECIMAL_PLACES)
    currency = serializers.CharField()
