"""A warning's reason, worded in the reader's language from its ``facts``
(the figures are stored, the sentence is not: a Chinese organization's
warning reads in English for an English reader)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from collab.money import format_money


def _money(facts: Mapping[str, Any], key: str) -> str:
    from decimal import Decimal

    return format_money(Decimal(str(facts.get(key, "0"))), str(facts.get("currency", "CNY")))


def reason(rule: str, facts: Mapping[str, Any]) -> str:
    try:
        return _REASONS[rule](facts)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return ""


_REASONS = {
    "overdue": lambda f: _(
        "发票 %(number)s 已逾期 %(days)s 天，未回款 %(open)s（规则：逾期超过 %(limit)s 天）。"
    )
    % {"number": f["number"], "days": f["days"], "open": _money(f, "open"), "limit": f["limit"]},
    "partial": lambda f: _("发票 %(number)s 已到期但只回款 %(paid)s / %(amount)s（部分付款）。")
    % {"number": f["number"], "paid": _money(f, "paid"), "amount": _money(f, "amount")},
    "late_payer": lambda f: _("该客户此前有 %(late)s 张发票逾期后才付清（历史逾期付款）。")
    % {"late": f["late"]},
    "concentration": lambda f: _(
        "该客户占全部应收的 %(share)s%%（%(open)s），超过 %(limit)s%% 的集中度上限。"
    )
    % {"share": f["share"], "open": _money(f, "open"), "limit": f["limit"]},
    "no_plan": lambda f: _("商机“%(deal)s”赢单已 %(days)s 个工作日，仍没有回款计划。")
    % {"deal": f["deal"], "days": f["days"]},
}


def notification_text(params: Mapping[str, Any]) -> str:
    """The inbox's text of a ``payment_risk`` notification."""
    return _("风险预警：%(account)s — %(reason)s") % {
        "account": params["account"],
        "reason": reason(params["rule"], params["facts"]),
    }
