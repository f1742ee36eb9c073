"""The quote as a PDF (reportlab, its built-in CJK font STSong-Light, so no
font file is needed) in the customer's language chosen on the quote: the
organization's name, the lines and bundle blocks, totals in figures and, for
CNY, in Chinese capital numerals (大写金额), validity and terms."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from collab.money import format_money
from departments.models import Organization
from pricing.quotes.capitals import amount_in_capitals
from pricing.quotes.models import Quote

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=16, leading=22)


def _name(zh: str, en: str, language: str) -> str:
    return en if language == "en" and en else zh


def _rows(quote: Quote, language: str) -> list[list[str]]:
    money = lambda v: format_money(v, quote.currency, language)  # noqa: E731
    rows = [[_("产品"), _("数量"), _("单价"), _("折扣"), _("金额")]]
    for li in quote.lines.all():
        rows.append(
            [
                _name(li.name_zh, li.name_en, language),
                f"{li.quantity.normalize():f}",
                money(li.unit_price),
                f"{li.discount_pct.normalize():f}%",
                money(li.amount),
            ]
        )
    for block in quote.bundles.all():
        rows.append(
            [
                _("促销方案：%(name)s") % {"name": _name(block.name_zh, block.name_en, language)},
                str(block.quantity),
                money(block.bundle_price),
                "",
                money(block.amount),
            ]
        )
    return rows


def _totals(quote: Quote, language: str) -> list[list[str]]:
    money = lambda v: format_money(v, quote.currency, language)  # noqa: E731
    rows = [[_("小计"), money(quote.subtotal)]]
    if quote.order_discount:
        rows.append(
            [
                _("整单折扣（%(pct)s%%）") % {"pct": f"{quote.order_discount_pct.normalize():f}"},
                money(-quote.order_discount),
            ]
        )
    rows += [
        [_("不含税合计"), money(quote.net_total)],
        [_("增值税（%(rate)s%%）") % {"rate": f"{quote.vat_rate.normalize():f}"}, money(quote.tax)],
        [_("含税合计"), money(quote.total)],
    ]
    if quote.currency == "CNY":
        rows.append([_("大写金额"), amount_in_capitals(Decimal(quote.total))])
    return rows


def _table(rows: list[list[str]], widths: list[float], header: bool) -> Table:
    table = Table(rows, colWidths=widths)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")))
    table.setStyle(TableStyle(style))
    return table


def quote_pdf(quote: Quote) -> bytes:
    """The PDF of ``quote`` in its language (a constant number of queries)."""
    language = quote.language
    organization = Organization.objects.get(pk=quote.organization_id)
    buffer = io.BytesIO()
    with translation.override(language):
        doc = SimpleDocTemplate(buffer, pagesize=A4, title=quote.reference, leftMargin=18 * mm)
        story = [
            Paragraph(organization.name, BODY),
            Paragraph(_("报价单 %(ref)s") % {"ref": quote.reference}, TITLE),
            Paragraph(
                _("客户：%(account)s　报价日期：%(date)s　有效期至：%(until)s")
                % {
                    "account": quote.opportunity.account.name,
                    "date": quote.quote_date.isoformat(),
                    "until": quote.valid_until.isoformat(),
                },
                BODY,
            ),
            Spacer(1, 6 * mm),
            _table(_rows(quote, language), [70 * mm, 20 * mm, 30 * mm, 20 * mm, 32 * mm], True),
            Spacer(1, 4 * mm),
            _table(_totals(quote, language), [80 * mm, 92 * mm], False),
            Spacer(1, 6 * mm),
            Paragraph(_("条款"), BODY),
            Paragraph((quote.terms or "—").replace("\n", "<br/>"), BODY),
        ]
        doc.build(story)
    return buffer.getvalue()
