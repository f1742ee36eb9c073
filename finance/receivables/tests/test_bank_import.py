"""The bank CSV import: UTF-8 with and without BOM and GB18030; matching by
invoice number, then by payer + amount; unmatched rows listed; a bad file
imports nothing and names its bad lines."""

import datetime as dt
from decimal import Decimal

import pytest

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from finance.receivables import services
from finance.receivables.bank_import import bank_import
from finance.receivables.models import BankImport, Invoice, Payment

pytestmark = pytest.mark.django_db

HEADER = "日期,金额,付款方,摘要\n"


@pytest.fixture
def invoices(fin, deal):
    def issue(number, amount, due):
        return services.invoice_issue(
            actor=fin,
            opportunity_id=deal.pk,
            number=number,
            amount=Decimal(amount),
            issued_on=dt.date(2026, 1, 1),
            due_on=due,
        )

    return [
        issue("FP-001", "50000.00", dt.date(2026, 2, 1)),
        issue("FP-002", "30000.00", dt.date(2026, 3, 1)),
        issue("FP-003", "30000.00", dt.date(2026, 4, 1)),
    ]


def _csv(*rows):
    return HEADER + "".join(",".join(r) + "\n" for r in rows)


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: "\ufeff".encode() + t.encode("utf-8"),
        lambda t: t.encode("gb18030"),
    ],
    ids=["utf8", "utf8-bom", "gb18030"],
)
def test_every_encoding_imports_and_matches(fin, invoices, encode):
    text = _csv(
        ("2026-02-03", "50000.00", "某某公司", "货款 FP-001"),
        ("2026/03/02", "30000.00", "华东电力", "第二期"),
        ("2026-03-05", "123.45", "陌生付款人", "不明款项"),
    )
    result = bank_import(actor=fin, filename="流水.csv", data=encode(text))
    assert result.matched == 2
    assert [(p.line_number, p.payer) for p in result.unmatched] == [(4, "陌生付款人")]
    with organization_scope(fin.organization_id):
        paid = dict(Invoice.objects.values_list("number", "paid"))
        assert paid == {
            "FP-001": Decimal("50000.00"),
            # payer + amount: the earliest due of the equal open amounts
            "FP-002": Decimal("30000.00"),
            "FP-003": Decimal("0.00"),
        }
        assert Invoice.objects.get(number="FP-002").paid_on == dt.date(2026, 3, 2)


def test_a_row_above_the_open_amount_stays_unmatched(fin, invoices):
    text = _csv(("2026-02-03", "50000.01", "华东电力", "FP-001"))
    result = bank_import(actor=fin, filename="b.csv", data=text.encode())
    assert result.matched == 0 and len(result.unmatched) == 1
    services.payment_match(
        actor=fin, payment_id=result.unmatched[0].pk, invoice_id=invoices[0].pk, overpayment=True
    )
    with organization_scope(fin.organization_id):
        assert Invoice.objects.get(pk=invoices[0].pk).paid == Decimal("50000.01")


def test_a_bad_file_imports_nothing_and_names_the_lines(fin, invoices):
    text = _csv(
        ("2026-02-03", "100.00", "华东电力", "FP-001"),
        ("昨天", "100.00", "华东电力", "x"),
        ("2026-02-05", "-3", "华东电力", "x"),
        ("2026-02-05", "1e9", "华东电力", "x"),
    )
    with pytest.raises(ServiceError) as caught:
        bank_import(actor=fin, filename="b.csv", data=text.encode("gb18030"))
    message = str(caught.value)
    assert "第 3 行" in message and "第 4 行" in message and "第 5 行" in message
    assert "第 2 行" not in message
    with organization_scope(fin.organization_id):
        assert not Payment.objects.exists() and not BankImport.objects.exists()
        assert Invoice.objects.get(number="FP-001").paid == Decimal("0.00")


def test_wrong_columns_are_named(fin):
    with pytest.raises(ServiceError, match="缺少列：金额"):
        bank_import(actor=fin, filename="b.csv", data="日期,付款方,摘要\n2026-01-01,a,b\n".encode())


def test_only_finance_imports(rep):
    with pytest.raises(ServiceError, match="只有财务"):
        bank_import(actor=rep, filename="b.csv", data=_csv().encode())
