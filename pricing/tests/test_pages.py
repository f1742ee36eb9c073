"""The pricing pages: the tenancy trio, query counts, forms that keep the
input, actions, the PDF (text in both languages), the comparison sheet."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from collab.tenancy import organization_scope
from pricing.quotes import services
from pricing.quotes.models import Quote, QuoteState
from pricing.tests.helpers import line, make_bundle
from pricing.tests.pdftext import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def chinese(client):
    """Read the pages in Chinese (the test organization writes English)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.fixture
def quote(rep, deal, catalog):
    p = catalog["products"]
    return services.quote_create(
        actor=rep,
        opportunity_id=deal.pk,
        lines=[line(p["erp-std"], "1", "12345.60"), line(p["impl-day"], "0.5")],
        order_discount_pct="0",
        terms="付款：签约后 30 天内",
    )


def test_quote_detail_trio(client_for, rep, rep2, outsider, quote):
    url = reverse("pricing:quote_detail", args=[quote.pk])
    assert client_for(rep.user).get(url).status_code == 200
    assert client_for(rep2.user).get(url).status_code == 404  # another rep's deal
    assert client_for(outsider).get(url).status_code == 404


def test_quote_list_shows_only_visible_quotes_in_constant_queries(
    client_for, rep, rep2, quote, deal, catalog, django_assert_num_queries
):
    for _n in range(3):
        services.quote_create(
            actor=rep, opportunity_id=deal.pk, lines=[line(catalog["products"]["train"])]
        )
    client = client_for(rep.user)
    client.get(reverse("pricing:quotes"))
    with django_assert_num_queries(5):
        page = client.get(reverse("pricing:quotes"))
    assert page.content.decode().count('class="row-link"') == 4
    other = client_for(rep2.user).get(reverse("pricing:quotes")).content.decode()
    assert quote.reference not in other


def _post_quote(client, deal, product, quantity="2", **extra):
    data = {
        "opportunity": deal.pk,
        "language": "zh-hans",
        "order_discount_pct": "0",
        "line_product": [product.pk, ""],
        "line_quantity": [quantity, ""],
        "line_unit_price": ["", ""],
        "line_discount_pct": ["", ""],
        **extra,
    }
    return client.post(reverse("pricing:quote_new"), data)


def test_new_quote_page_saves_and_redirects(client_for, rep, deal, catalog, org):
    response = _post_quote(client_for(rep.user), deal, catalog["products"]["erp-std"])
    with organization_scope(org.id):
        quote = Quote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pricing:quote_detail", args=[quote.pk])
    assert quote.net_total == D("20000.00")


def test_bad_quantity_shows_the_error_keeps_the_input_and_writes_nothing(
    client_for, rep, deal, catalog, org
):
    client = chinese(client_for(rep.user))
    response = _post_quote(client, deal, catalog["products"]["erp-std"], "-3")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="lines-error"' in text and "第 1 行" in text
    assert 'value="-3"' in text
    with organization_scope(org.id):
        assert not Quote.objects.exists()


def test_a_stale_edit_is_refused_with_a_clear_message(client_for, rep, quote, catalog, org):
    services.quote_update(
        actor=rep,
        quote_id=quote.pk,
        lock_version=quote.lock_version,
        lines=[line(catalog["products"]["train"])],
    )
    data = {
        "language": "zh-hans",
        "order_discount_pct": "0",
        "lock_version": quote.lock_version,  # the version the editor opened
        "line_product": [catalog["products"]["erp-std"].pk],
        "line_quantity": ["9"],
        "line_unit_price": [""],
        "line_discount_pct": [""],
    }
    client = chinese(client_for(rep.user))
    response = client.post(reverse("pricing:quote_edit", args=[quote.pk]), data)
    assert "已被他人修改" in response.content.decode()
    with organization_scope(org.id):
        assert (
            Quote.objects.get(pk=quote.pk).lines.get().product_id == catalog["products"]["train"].pk
        )


def test_send_then_accept_from_the_page(client_for, rep, quote, org, deal):
    client = client_for(rep.user)
    client.post(reverse("pricing:quote_action", args=[quote.pk, "send"]))
    client.post(reverse("pricing:quote_action", args=[quote.pk, "accept"]))
    with organization_scope(org.id):
        assert Quote.objects.get(pk=quote.pk).state == QuoteState.ACCEPTED
        deal.refresh_from_db()
    assert deal.amount == quote.total


def test_an_outsider_cannot_act_on_a_quote(client_for, outsider, quote, org):
    response = client_for(outsider).post(reverse("pricing:quote_action", args=[quote.pk, "send"]))
    assert response.status_code == 404
    with organization_scope(org.id):
        assert Quote.objects.get(pk=quote.pk).state == QuoteState.DRAFT


def test_the_pdf_in_chinese_has_the_lines_totals_and_capitals(client_for, rep, quote):
    response = client_for(rep.user).get(reverse("pricing:quote_pdf", args=[quote.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    # 12345.60 + 0.5 × 2000 = 13345.60; VAT 13% = 1734.928 → 1734.93; total 15080.53
    assert "报价单 Q00001-V1" in text
    assert "ERP 标准版" in text and "¥15,080.53" in text
    assert "壹万伍仟零捌拾元伍角叁分" in text
    assert "付款：签约后 30 天内" in text


def test_the_pdf_in_english_when_the_customer_reads_english(client_for, rep, quote, org):
    with organization_scope(org.id):
        Quote.objects.filter(pk=quote.pk).update(language="en")
    text = pdf_text(client_for(rep.user).get(reverse("pricing:quote_pdf", args=[quote.pk])).content)
    assert "Quotation Q00001-V1" in text
    assert "ERP Standard" in text and "CNY 15,080.53" in text
    assert "Total incl. VAT" in text


def test_the_printable_quote_shows_the_amount_in_capitals(client_for, rep, quote):
    text = (
        client_for(rep.user).get(reverse("pricing:quote_print", args=[quote.pk])).content.decode()
    )
    assert "壹万伍仟零捌拾元伍角叁分" in text


def test_comparison_sheet_page_xlsx_and_print(client_for, rep, head_pm, catalog):
    make_bundle(
        head_pm, catalog["products"], starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31)
    )
    client = chinese(client_for(rep.user))
    page = client.get(reverse("pricing:comparison")).content.decode()
    assert "Q4 冲刺套餐" in page and "¥20,000.00" in page
    xlsx = client.get(reverse("pricing:comparison") + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("促销方案", "包含产品", "目录价合计", "方案价")
    assert rows[1][0] == "Q4 冲刺套餐" and rows[1][2] == 20000 and rows[1][3] == 20000
    assert client.get(reverse("pricing:comparison") + "?print=1").status_code == 200


def test_only_product_management_publishes_a_price_list(client_for, rep, head_pm, catalog, org):
    from pricing.catalog import services as catalog_services

    with organization_scope(org.id):
        draft = catalog_services.price_list_create(
            actor=head_pm, name="2027", effective_from=dt.date(2027, 1, 1)
        )
    url = reverse("pricing:price_list_publish", args=[draft.pk])
    assert client_for(rep.user).post(url).status_code == 403
    client_for(head_pm.user).post(url)
    draft.refresh_from_db()
    assert draft.state == "published"


def test_price_list_pages_trio(client_for, rep, outsider, catalog):
    url = reverse("pricing:price_list_detail", args=[catalog["price_list"].pk])
    assert client_for(rep.user).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404


def test_every_list_page_renders(client_for, head_pm, catalog):
    client = client_for(head_pm.user)
    for name in ("products", "price_lists", "bundles", "quotes", "quote_report"):
        assert client.get(reverse(f"pricing:{name}")).status_code == 200, name


def test_the_deal_page_lists_its_quotes(client_for, rep, quote, deal):
    page = client_for(rep.user).get(reverse("pipeline:opportunity_detail", args=[deal.pk]))
    text = page.content.decode()
    assert quote.reference in text
    assert reverse("pricing:quote_new") + f"?opportunity={deal.pk}" in text


def test_the_quote_page_shows_the_approval_chain_with_a_skipped_step(
    client_for, rep, head_fin, admin, deal, catalog
):
    from pricing.quotes import lifecycle

    p = catalog["products"]
    quote = services.quote_create(
        actor=rep, opportunity_id=deal.pk, lines=[line(p["erp-std"], "1", discount="25")]
    )
    lifecycle.quote_request_approval(actor=rep, quote_id=quote.pk)
    page = chinese(client_for(rep.user)).get(reverse("pricing:quote_detail", args=[quote.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "财务负责人" in text and "待审批" in text


def test_the_pdf_reads_a_constant_number_of_queries_whatever_the_lines(rep, deal, catalog, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pricing.quotes import selectors
    from pricing.quotes.document import quote_pdf

    p = catalog["products"]
    small = services.quote_create(actor=rep, opportunity_id=deal.pk, lines=[line(p["train"])])
    large = services.quote_create(
        actor=rep,
        opportunity_id=deal.pk,
        lines=[line(p[c], str(n + 1)) for n in range(8) for c in ("train", "impl-day", "erp-std")],
    )
    counts = []
    with organization_scope(org.id):
        for quote in (small, large):
            with CaptureQueriesContext(connection) as ctx:
                quote_pdf(selectors.quote_with_rows(selectors.quotes_visible_to(rep), quote.pk))
            counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_the_quote_page_in_english_names_the_quotation(client_for, rep, quote):
    page = client_for(rep.user).get(reverse("pricing:quote_detail", args=[quote.pk]))
    assert f"Quotation {quote.reference}" in page.content.decode()
