"""The bank CSV import: read, check every line, match, write — or nothing.

The file is UTF-8 (with or without a BOM), UTF-16 with a BOM or GB18030
(what Chinese banks' exports and Excel on Chinese Windows write), read by
``collab.parsing.decode_text`` as the campaign responses' import reads it. Columns are found by their
header, Chinese or English: date 日期, amount 金额, payer 付款方, reference
摘要 (currency 币种 optional, CNY when absent). Any bad line (a date or
amount that does not read, a missing column) refuses the whole file and
the message names the lines. Each good row is matched to an open invoice:
first by an invoice number found in its reference, else by payer = the
customer's name and amount = an invoice's open amount (the earliest due);
rows that match nothing, or would pay more than the invoice's open amount,
are stored unmatched and listed for Finance to match by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import Currency, parse_amount
from collab.parsing import csv_columns, decode_text
from collab.tenancy import organization_scope
from departments.models import Membership
from finance.permissions import is_finance
from finance.receivables.models import BankImport, Invoice, Payment, PaymentSource
from finance.receivables.services import apply_to_invoice
from pipeline.accounts.models import Account

MAX_BYTES = 20 * 1024 * 1024
MAX_LISTED_ERRORS = 20
COLUMNS = {
    "date": ("日期", "交易日期", "到账日期", "date"),
    "amount": ("金额", "收入金额", "贷方金额", "amount"),
    "payer": ("付款方", "对方户名", "付款人", "payer"),
    "reference": ("摘要", "用途", "附言", "备注", "reference"),
    "currency": ("币种", "currency"),
}
REQUIRED = ("date", "amount", "payer", "reference")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-/]*")


@dataclass
class BankRow:
    line: int
    received_on: dt.date
    amount: Decimal
    currency: str
    payer: str
    reference: str
    tokens: tuple[str, ...] = ()  # the reference's words that could be invoice numbers


@dataclass
class ImportResult:
    bank_import: BankImport
    matched: int
    unmatched: list[Payment]


def _file_error(exc: ValidationError) -> ServiceError:
    return ServiceError(exc.messages[0], field="file")


def _parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip().replace("/", "-").replace(".", "-"))


def _row(line: int, cells: list[str], cols: dict[str, int]) -> BankRow:
    if len(cells) <= max(cols.values()):
        raise ValueError(_("列数不足"))
    try:
        received_on = _parse_date(cells[cols["date"]])
    except ValueError:
        raise ValueError(_("日期无法识别")) from None
    try:
        amount = parse_amount(cells[cols["amount"]], allow_zero=False)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    currency = cells[cols["currency"]].strip().upper() if "currency" in cols else "CNY"
    if currency not in Currency.values:
        raise ValueError(_("币种不支持"))
    reference = cells[cols["reference"]].strip()[:200]
    return BankRow(
        line,
        received_on,
        amount,
        currency,
        cells[cols["payer"]].strip()[:200],
        reference,
        tuple(_TOKEN.findall(reference)),
    )


def parse(data: bytes) -> tuple[list[BankRow], str]:
    """Every row of the file, or ``ServiceError`` naming the bad lines."""
    if len(data) > MAX_BYTES:
        raise ServiceError(_("文件过大。"), field="file")
    try:
        text, encoding = decode_text(data)
    except ValidationError as exc:
        raise _file_error(exc) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise ServiceError(_("文件是空的。"), field="file")
    try:
        cols = csv_columns(header, COLUMNS, REQUIRED)
    except ValidationError as exc:
        raise _file_error(exc) from None
    rows, errors = [], []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        try:
            rows.append(_row(line, cells, cols))
        except ValueError as exc:
            errors.append((line, str(exc)))
    if errors:
        listed = "；".join(
            _("第 %(line)s 行：%(why)s") % {"line": n, "why": why}
            for n, why in errors[:MAX_LISTED_ERRORS]
        )
        more = len(errors) - MAX_LISTED_ERRORS
        suffix = _("（另有 %(n)s 行）") % {"n": more} if more > 0 else ""
        raise ServiceError(_("文件有误，未导入任何数据。") + listed + suffix, field="file")
    if not rows:
        raise ServiceError(_("文件没有数据行。"), field="file")
    return rows, encoding


class _Matcher:
    """Open invoices the rows may pay, read (and locked) in two queries."""

    def __init__(self, rows: list[BankRow], at: dt.datetime) -> None:
        self.at = at
        tokens = {t for r in rows for t in r.tokens}
        payers = {r.payer for r in rows if r.payer}
        accounts = dict(Account.objects.filter(name__in=payers).values_list("name", "pk"))
        self.by_number: dict[str, Invoice] = {}
        self.by_account: dict[int, list[Invoice]] = defaultdict(list)
        self.accounts = accounts
        query = Invoice.objects.filter(number__in=tokens) | Invoice.objects.filter(
            account_id__in=accounts.values(), paid__lt=F("amount")
        )
        for invoice in query.select_for_update().order_by("pk"):
            self.by_number[invoice.number] = invoice
            if invoice.paid < invoice.amount:
                self.by_account[invoice.account_id].append(invoice)
        for invoices in self.by_account.values():
            invoices.sort(key=lambda i: (i.due_on, i.pk))
        self.touched: dict[int, Invoice] = {}

    def match(self, row: BankRow) -> Invoice | None:
        for token in row.tokens:
            invoice = self.by_number.get(token)
            if invoice is not None:
                return self._take(invoice, row)
        account_id = self.accounts.get(row.payer)
        for invoice in self.by_account.get(account_id or 0, ()):
            if invoice.open_amount == row.amount and invoice.currency == row.currency:
                return self._take(invoice, row)
        return None

    def _take(self, invoice: Invoice, row: BankRow) -> Invoice | None:
        if invoice.currency != row.currency or row.amount > invoice.open_amount:
            return None
        apply_to_invoice(invoice, row.amount, row.received_on)
        invoice.updated_at = self.at  # bulk_update does not apply auto_now
        self.touched[invoice.pk] = invoice
        return invoice


_INSERT = """
INSERT INTO finance_payment (organization_id, invoice_id, account_id, amount, currency,
    received_on, payer, reference, source, is_overpayment, bank_import_id, line_number, created_at)
SELECT %s, u.invoice, u.account, u.amount, u.currency, u.day, u.payer, u.ref, %s, false, %s,
    u.line, %s
FROM unnest(%s::bigint[], %s::bigint[], %s::numeric[], %s::text[], %s::date[], %s::text[],
    %s::text[], %s::int[]) AS u(invoice, account, amount, currency, day, payer, ref, line)
"""


def _write_payments(
    rows: Iterable[BankRow], matcher: _Matcher, bank_import: BankImport, at: dt.datetime
) -> int:
    """One INSERT for every row (the ORM's bulk_create spent most of an
    import's time building model instances); returns how many matched."""
    columns: tuple[list, ...] = ([], [], [], [], [], [], [], [])
    matched = 0
    for row in rows:
        invoice = matcher.match(row)
        matched += invoice is not None
        values = (
            invoice.pk if invoice else None,
            invoice.account_id if invoice else matcher.accounts.get(row.payer),
            row.amount,
            row.currency,
            row.received_on,
            row.payer,
            row.reference,
            row.line,
        )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [bank_import.organization_id, PaymentSource.BANK, bank_import.pk, at, *columns],
        )
    return matched


def bank_import(
    *, actor: Membership, filename: str, data: bytes, at: dt.datetime | None = None
) -> ImportResult:
    """Import a bank CSV: all of it, matched where possible, or nothing."""
    if not is_finance(actor):
        raise ServiceError(_("只有财务可以导入银行流水。"))
    rows, encoding = parse(data)
    at = at or timezone.now()
    with organization_scope(actor.organization_id), transaction.atomic():
        record = BankImport.objects.create(
            organization_id=actor.organization_id,
            filename=(filename or "bank.csv")[:200],
            encoding=encoding,
            rows=len(rows),
            created_by_id=actor.user_id,
            created_at=at,
        )
        matcher = _Matcher(rows, at)
        matched = _write_payments(rows, matcher, record, at)
        Invoice.objects.bulk_update(
            list(matcher.touched.values()), ["paid", "paid_on", "updated_at"], batch_size=1000
        )
        record.matched = matched
        record.save(update_fields=["matched"])
        unmatched = Payment.objects.filter(bank_import=record, invoice__isnull=True).order_by(
            "line_number"
        )
        return ImportResult(record, matched, list(unmatched))
