"""The quotation system at scale: 5,000 products on a published price list,
20 active bundles, 50,000 quotes of 20 lines each (1,000,000 lines).

Runs against its own database, ``collab_bench_pricing`` (created, migrated,
seeded with set-based SQL and dropped here). Prints key=value lines:

* ``quote_save_p95_ms`` — ``quote_create`` of a 50-line quote with a bundle
  (the service: checks, prices, totals, bulk inserts), target ≤ 60 ms;
* ``quote_pdf_p95_ms`` — reading a 20-line quote with its rows and rendering
  its PDF, target ≤ 400 ms;
* ``comparison_sheet_ms`` — the comparison rows of 20 bundles and the .xlsx
  built from them (median), target ≤ 200 ms;
* ``quote_save_queries_5_lines`` / ``_50_lines`` and ``quote_pdf_queries``:
  the query counts, which do not grow with the number of lines.

    .venv/bin/python bench/quotes.py     # BENCH_QUOTES, BENCH_RUNS; BENCH_KEEP=1 keeps the DB
"""

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.benchdb import BenchDatabase  # noqa: E402

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", 5_000))
QUOTES = int(os.environ.get("BENCH_QUOTES", 50_000))
LINES = 20
RUNS = int(os.environ.get("BENCH_RUNS", 40))

DB = BenchDatabase("collab_bench_pricing", script="bench/quotes.py")
REUSE = DB.prepare(reusable=False)
os.environ["DJANGO_SETTINGS_MODULE"] = "collab.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from collab.tenancy import organization_scope  # noqa: E402
from departments.models import Department, Membership  # noqa: E402
from departments.services import organization_create  # noqa: E402
from pipeline.accounts.services import account_create  # noqa: E402
from pipeline.opportunities.services import opportunity_create  # noqa: E402
from pricing.bundles.selectors import comparison_rows  # noqa: E402
from pricing.catalog.models import PriceList  # noqa: E402
from pricing.quotes import selectors as quote_selectors  # noqa: E402
from pricing.quotes import services as quote_services  # noqa: E402
from pricing.quotes.document import quote_pdf  # noqa: E402
from pricing.web.documents import comparison_sheet  # noqa: E402

TODAY = timezone.localdate()


def people(org):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    with organization_scope(org.id):
        departments = {d.code: d for d in Department.objects.all()}
        rep = Membership.objects.create(
            organization=org,
            user=User.objects.create(username="bench-rep"),
            role="sales_rep",
            department=departments["business"],
        )
        pm = Membership.objects.create(
            organization=org,
            user=User.objects.create(username="bench-pm"),
            role="dept_head",
            department=departments["product"],
        )
    return rep, pm


SEED = [
    # 5,000 products; every 10th is an option of the product before it.
    """INSERT INTO pricing_product (organization_id, code, name_zh, name_en, description_zh,
         description_en, unit, category, base_product_id, is_active)
       SELECT %(org)s, 'p' || g, '产品 ' || g, 'Product ' || g, '', '',
         (ARRAY['set','year','seat','time','day'])[1 + g %% 5],
         (ARRAY['licence','service','training','support'])[1 + g %% 4], NULL, true
       FROM generate_series(1, %(products)s) g""",
    """INSERT INTO pricing_pricelist (organization_id, name, tier, currency, version,
         effective_from, effective_to, state, created_at, published_at, published_by_id)
       VALUES (%(org)s, 'Bench', 'standard', 'CNY', 1, %(start)s, NULL, 'published', now(), now(),
         %(pm)s)""",
    """INSERT INTO pricing_pricelistitem (organization_id, price_list_id, product_id, list_price,
         floor_price)
       SELECT %(org)s, pl.id, p.id, 100 + (p.id %% 5000), round((100 + (p.id %% 5000)) * 0.8, 2)
       FROM pricing_product p, pricing_pricelist pl
       WHERE p.organization_id = %(org)s AND pl.organization_id = %(org)s""",
    """INSERT INTO pricing_bundle (organization_id, code, name_zh, name_en, period_label, starts_on,
         ends_on, currency, bundle_price, industries, sizes, customer_kind, stackable, state,
         library_url)
       SELECT %(org)s, 'b' || g, '方案 ' || g, 'Bundle ' || g, 'Q', %(start)s, %(end)s, 'CNY',
         500 + g, '{}', '{}', 'any', g %% 2 = 0, 'published', ''
       FROM generate_series(1, 20) g""",
    """INSERT INTO pricing_bundleitem (organization_id, bundle_id, product_id, quantity)
       SELECT %(org)s, b.id, p.id, 1 + k
       FROM pricing_bundle b, generate_series(0, 2) k
       JOIN LATERAL (SELECT id FROM pricing_product WHERE organization_id = %(org)s
                     ORDER BY id OFFSET k LIMIT 1) p ON true
       WHERE b.organization_id = %(org)s""",
    """INSERT INTO pricing_quote (organization_id, opportunity_id, number, revision, state,
         quote_date, valid_until, currency, price_list_id, language, order_discount_pct, vat_rate,
         terms, list_total, subtotal, order_discount, net_total, tax, total, discount_depth,
         rep_discount_pct, below_floor, needs_approval, approval_note, lock_version, created_by_id,
         created_at, updated_at, requote_offered_at)
       SELECT %(org)s, %(opp)s, g, 1,
         (ARRAY['draft','sent','accepted','declined','expired'])[1 + g %% 5],
         %(start)s, %(end)s, 'CNY', pl.id, 'zh-hans', 0, 13, '', 20000, 19000, 0, 19000, 2470,
         21470, 5, 5, false, false, '', 1, %(rep)s, now(), now(), NULL
       FROM generate_series(1, %(quotes)s) g,
         (SELECT id FROM pricing_pricelist WHERE organization_id = %(org)s) pl""",
    """INSERT INTO pricing_quoteline (organization_id, quote_id, position, product_id, name_zh,
         name_en, unit, quantity, list_price, floor_price, unit_price, discount_pct, amount)
       SELECT %(org)s, q.id, k, (SELECT min(id) FROM pricing_product) + (q.id * 7 + k) %% %(products)s,
         '产品', 'Product', 'set', 1, 1000, 800, 1000, 5, 950
       FROM pricing_quote q, generate_series(0, %(lines)s - 1) k
       WHERE q.organization_id = %(org)s""",
]


def seed():
    org = organization_create(name="Bench Co", slug="bench")
    rep, pm = people(org)
    with organization_scope(org.id):
        account = account_create(
            actor=rep.user, name="Bench customer", industry="retail", size="large", owner=rep.user
        )
        deal = opportunity_create(
            actor=rep.user,
            account=account,
            name="Bench deal",
            owner=rep.user,
            amount=1000,
            expected_close_date=TODAY + dt.timedelta(days=30),
        )
    params = {
        "org": org.id,
        "pm": pm.user_id,
        "rep": rep.user_id,
        "opp": deal.pk,
        "products": PRODUCTS,
        "quotes": QUOTES,
        "lines": LINES,
        "start": TODAY - dt.timedelta(days=30),
        "end": TODAY + dt.timedelta(days=60),
    }
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        for sql in SEED:
            cur.execute(sql, params)
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('pricing_quote', 'id'), max(id)) FROM pricing_quote"
        )
    with connection.cursor() as cur:
        for table in (
            "pricing_quote",
            "pricing_quoteline",
            "pricing_product",
            "pricing_pricelistitem",
        ):
            cur.execute(f"ANALYZE {table}")
    print(f"seed_seconds={time.perf_counter() - started:.1f}")
    return org, rep, deal


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def bench_save(org, rep, deal):
    with organization_scope(org.id):
        products = list(
            PriceList.objects.get()
            .items.order_by("product_id")
            .values_list("product_id", flat=True)[:60]
        )
        bundle_id = comparison_rows(TODAY)[0].bundle.pk

    def lines(n):
        return [
            {"product": pid, "quantity": "3", "discount_pct": "5"} for pid in products[10 : 10 + n]
        ]

    counts = {}
    for n in (5, 50):
        with CaptureQueriesContext(connection) as ctx:
            quote_services.quote_create(
                actor=rep, opportunity_id=deal.pk, lines=lines(n), bundles=[{"bundle": bundle_id}]
            )
        counts[n] = len(ctx)
    times = []
    for _run in range(RUNS):
        started = time.perf_counter()
        quote_services.quote_create(
            actor=rep, opportunity_id=deal.pk, lines=lines(50), bundles=[{"bundle": bundle_id}]
        )
        times.append((time.perf_counter() - started) * 1000)
    print(f"quote_save_p95_ms={p95(times):.1f}")
    print(f"quote_save_p50_ms={statistics.median(times):.1f}")
    print(f"quote_save_queries_5_lines={counts[5]}")
    print(f"quote_save_queries_50_lines={counts[50]}")


def bench_pdf(org, rep):
    times, queries = [], 0
    with organization_scope(org.id):
        visible = quote_selectors.quotes_visible_to(rep)
        ids = list(visible.filter(number__lte=RUNS).values_list("pk", flat=True))
        for pk in ids:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                quote = quote_selectors.quote_with_rows(quote_selectors.quotes_visible_to(rep), pk)
                data = quote_pdf(quote)
            times.append((time.perf_counter() - started) * 1000)
            queries = len(ctx)
            assert data.startswith(b"%PDF-")
    print(f"quote_pdf_p95_ms={p95(times):.1f}")
    print(f"quote_pdf_queries={queries}")


def bench_comparison(org):
    from collab.exports import sheets_xlsx

    times = []
    with organization_scope(org.id):
        for _run in range(10):
            started = time.perf_counter()
            rows = comparison_rows(TODAY)
            sheets_xlsx([comparison_sheet(rows, TODAY)])
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            comparison_rows(TODAY)
    print(f"comparison_bundles={len(rows)}")
    print(f"comparison_sheet_ms={statistics.median(times):.1f}")
    print(f"comparison_queries={len(ctx)}")


def main():
    try:
        call_command("migrate", verbosity=0, interactive=False)
        org, rep, deal = seed()
        print(f"products={PRODUCTS} quotes={QUOTES} lines_per_quote={LINES}")
        bench_save(org, rep, deal)
        bench_pdf(org, rep)
        bench_comparison(org)
    finally:
        connection.close()
        DB.finish(REUSE)


if __name__ == "__main__":
    main()
