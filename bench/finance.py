"""Finance at scale: 100 organizations, 200,000 won deals, 600,000 invoices,
about 1,000,000 payments (issue 14).

Runs against its own database, ``collab_bench_finance`` (created, migrated,
seeded with set-based SQL — ``INSERT … SELECT generate_series`` — and dropped
here). Prints:

* ``aging_report_p50_ms`` / ``aging_report_p95_ms``: the aging buckets of one
  organization; ``collections_figures_*``: every figure the collections page
  computes (aging, DSO, collected vs planned, rates per rep and customer);
  ``collections_page_*``: the whole page through the test client;
* ``risk_rules_full_s``: the first evaluation of every rule in every
  organization, and ``risk_rules_incremental_s``: the next run after 1% of the
  accounts changed (their invoices touched, some paid), with the warnings each
  raised and the queries per organization;
* ``bank_import_rows_per_s``: a 50,000-row bank CSV (GB18030) parsed, matched
  and written in one organization, and its query count.

    env -u DATABASE_URL BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/finance.py          # BENCH_ORGS=10 for a smaller run
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.benchdb import BenchDatabase  # noqa: E402

ORGS = int(os.environ.get("BENCH_ORGS", 100))
DEALS_PER_ORG = 2_000
ACCOUNTS_PER_ORG = 200
REPS_PER_ORG = 10
BANK_ROWS = 50_000
RUNS = int(os.environ.get("BENCH_RUNS", 20))

DB = BenchDatabase("collab_bench_finance", script="bench/finance.py")
REUSE = DB.prepare(reusable=False)
os.environ["DJANGO_SETTINGS_MODULE"] = "collab.settings.test"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from collab import tenancy  # noqa: E402
from collab.tenancy import organization_scope  # noqa: E402
from departments.models import Department, Membership, Organization  # noqa: E402
from departments.services import organization_create  # noqa: E402


def sql(statement: str, params=None) -> int:
    with tenancy.dangerously_unscoped("bench seeding"), connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.rowcount


def seed() -> list[Organization]:
    started = time.perf_counter()
    orgs = [organization_create(name=f"Bench {i}", slug=f"bench-{i}") for i in range(ORGS)]
    print(f"organizations_s={time.perf_counter() - started:.1f} ({ORGS} provisioned)")
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"b{o.id}-{kind}{k}")
        for o in orgs
        for kind, k in [("rep", k) for k in range(REPS_PER_ORG)] + [("fin", 0)]
    )
    by_name = {u.username: u for u in users}
    with tenancy.dangerously_unscoped("bench seeding"):
        finance = dict(
            Department.unscoped.filter(code="finance").values_list("organization_id", "id")
        )
        business = dict(
            Department.unscoped.filter(code="business").values_list("organization_id", "id")
        )
        Membership.unscoped.bulk_create(
            [
                Membership(
                    organization=o,
                    user=by_name[f"b{o.id}-rep{k}"],
                    role="sales_rep",
                    department_id=business[o.id],
                )
                for o in orgs
                for k in range(REPS_PER_ORG)
            ]
            + [
                Membership(
                    organization=o,
                    user=by_name[f"b{o.id}-fin0"],
                    role="dept_head",
                    department_id=finance[o.id],
                )
                for o in orgs
            ]
        )
    started = time.perf_counter()
    _seed_sql()
    print(f"seed_sql_s={time.perf_counter() - started:.1f}")
    return orgs


def _seed_sql() -> None:
    sql(
        """
        CREATE TEMP TABLE bench_reps AS
        SELECT m.organization_id AS org, row_number() OVER (PARTITION BY m.organization_id ORDER BY m.id) - 1 AS k,
               m.user_id FROM departments_membership m WHERE m.role = 'sales_rep';
        INSERT INTO pipeline_account (organization_id, name, industry, size, is_key_account, owner_id, created_at, updated_at)
        SELECT r.org, 'Account ' || r.org || '-' || g, 'manufacturing', 'medium', false, r.user_id, now(), now()
        FROM generate_series(0, %(accounts)s - 1) g JOIN bench_reps r ON r.k = g %% %(reps)s;
        CREATE TEMP TABLE bench_accounts AS
        SELECT a.organization_id AS org, row_number() OVER (PARTITION BY a.organization_id ORDER BY a.id) - 1 AS k,
               a.id, a.owner_id FROM pipeline_account a;
        INSERT INTO pipeline_opportunity (organization_id, account_id, name, owner_id, amount, currency,
            expected_close_date, stage_id, probability, next_step, lost_reason, lost_note,
            stage_entered_at, reached_level, created_at, updated_at)
        SELECT a.org, a.id, 'Deal ' || g, a.owner_id, 30000 + (g %% 97) * 1000, 'CNY',
               current_date - (g %% 700)::int, s.id, 100, '', '', '', now() - ((g %% 700) || ' days')::interval,
               s."order", now() - ((g %% 700 + 30) || ' days')::interval, now()
        FROM generate_series(0, %(deals)s - 1) g
        JOIN bench_accounts a ON a.k = g %% %(accounts)s
        JOIN pipeline_stage s ON s.organization_id = a.org AND s.is_won;
        INSERT INTO finance_milestone (organization_id, opportunity_id, kind, amount, currency, due_on)
        SELECT o.organization_id, o.id, 'acceptance', o.amount, 'CNY', o.expected_close_date + 60
        FROM pipeline_opportunity o;
        INSERT INTO finance_invoice (organization_id, number, opportunity_id, account_id, owner_id, amount,
            currency, paid, issued_on, due_on, updated_at)
        SELECT o.organization_id, 'INV-' || o.id || '-' || k, o.id, o.account_id, o.owner_id,
               round(o.amount / 3, 2), 'CNY', 0, o.expected_close_date + (k - 1) * 90,
               o.expected_close_date + (k - 1) * 90 + 30, now() - interval '2 days'
        FROM pipeline_opportunity o, generate_series(1, 3) k;
        INSERT INTO finance_payment (organization_id, invoice_id, account_id, amount, currency, received_on,
            payer, reference, source, is_overpayment, created_at)
        SELECT i.organization_id, i.id, i.account_id,
               CASE WHEN i.id %% 10 = 8 THEN round(i.amount * 0.4, 2)
                    WHEN p = 1 THEN round(i.amount / 2, 2) ELSE i.amount - round(i.amount / 2, 2) END,
               'CNY', least(i.due_on + (i.id %% 40 - 20)::int, current_date), '', i.number, 'bank', false,
               now() - interval '2 days'
        FROM finance_invoice i, generate_series(1, 2) p
        WHERE i.id %% 10 < 8 OR (i.id %% 10 = 8 AND p = 1);
        UPDATE finance_invoice i SET paid = s.paid,
               paid_on = CASE WHEN s.paid >= i.amount THEN s.last END
        FROM (SELECT invoice_id, sum(amount) AS paid, max(received_on) AS last
              FROM finance_payment GROUP BY invoice_id) s
        WHERE s.invoice_id = i.id;
        """,
        {"accounts": ACCOUNTS_PER_ORG, "reps": REPS_PER_ORG, "deals": DEALS_PER_ORG},
    )
    for table in ("pipeline_opportunity", "finance_invoice", "finance_payment"):
        with tenancy.dangerously_unscoped("bench count"), connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            print(f"{table}_rows={cur.fetchone()[0]}")
    vacuum()


def vacuum(table: str = "") -> None:
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {table}")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def timed(label: str, fn) -> None:
    fn()
    samples = []
    with CaptureQueriesContext(connection) as queries:
        fn()
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"{label}_p50_ms={statistics.median(samples):.1f} {label}_p95_ms={percentile(samples, 0.95):.1f} "
        f"{label}_queries={len(queries.captured_queries)}"
    )


def aging(org: Organization) -> None:
    from django.conf import settings
    from django.core import signals
    from django.db import close_old_connections
    from django.test import Client

    from finance.receivables import selectors
    from finance.views.collections import collections_figures

    with organization_scope(org.id):
        fin = Membership.objects.select_related("department", "organization").get(
            role="dept_head", user__username__endswith="-fin0"
        )
        today = timezone.localdate()
        # The aging report itself (buckets and total, one query) …
        timed("aging_report", lambda: selectors.aging(selectors.invoices_visible_to(fin), today))
        # … and every figure of the collections page (aging, DSO, months, rates).
        timed("collections_figures", lambda: collections_figures(fin, today))
    settings.ALLOWED_HOSTS = ["*"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(fin.user)

    def page():
        assert client.get("/finance/collections/?bucket=d31_60").status_code == 200

    timed("collections_page", page)


def risk(orgs: list[Organization]) -> None:
    from finance.risk.services import risk_evaluate

    started = time.perf_counter()
    raised = sum(risk_evaluate(organization_id=o.id, full=True).raised for o in orgs)
    print(f"risk_rules_full_s={time.perf_counter() - started:.1f} warnings_raised={raised}")
    # 1% of the accounts change: their invoices are touched and the open ones
    # of every second such account paid (late).
    changed = sql(
        """
        UPDATE finance_invoice SET updated_at = now(),
               paid = CASE WHEN account_id %% 2 = 0 THEN amount ELSE paid END,
               paid_on = CASE WHEN account_id %% 2 = 0 THEN current_date ELSE paid_on END
        WHERE account_id IN (SELECT id FROM pipeline_account WHERE id %% 100 = 7)
        """,
        {},
    )
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        raised = sum(risk_evaluate(organization_id=o.id).raised for o in orgs)
    print(
        f"risk_rules_incremental_s={time.perf_counter() - started:.2f} invoices_changed={changed} "
        f"warnings_raised={raised} risk_queries_per_org={len(queries.captured_queries) / len(orgs):.0f}"
    )


def bank(org: Organization) -> None:
    from finance.receivables.bank_import import bank_import

    with organization_scope(org.id):
        fin = Membership.objects.select_related("department", "organization").get(
            role="dept_head", user__username__endswith="-fin0"
        )
        from finance.receivables.models import Invoice

        open_numbers = list(Invoice.objects.filter(paid=0).values_list("number", flat=True)[:1000])
    lines = ["日期,金额,付款方,摘要"]
    for n in range(BANK_ROWS):
        if n % 10 == 9:
            lines.append(f"2026-11-{1 + n % 28:02d},123.45,陌生付款人{n},不明款项")
        else:
            lines.append(
                f"2026-11-{1 + n % 28:02d},1.00,客户,回款 {open_numbers[n % len(open_numbers)]}"
            )
    data = ("\n".join(lines) + "\n").encode("gb18030")
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
    with CaptureQueriesContext(connection) as queries:
        result = bank_import(actor=fin, filename="bench.csv", data=data)
    if os.environ.get("BENCH_PROFILE"):
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    seconds = time.perf_counter() - started
    print(
        f"bank_import_rows_per_s={BANK_ROWS / seconds:.0f} bank_import_s={seconds:.2f} "
        f"matched={result.matched} unmatched={len(result.unmatched)} bank_import_queries={len(queries.captured_queries)}"
    )


def main() -> None:
    try:
        call_command("migrate", verbosity=0)
        print(
            f"scale: {ORGS} organizations, {ORGS * DEALS_PER_ORG} won deals, {ORGS * DEALS_PER_ORG * 3} invoices"
        )
        orgs = seed()
        if not os.environ.get("BENCH_ONLY_BANK"):
            aging(orgs[0])
            risk(orgs)
        vacuum("finance_invoice")
        bank(orgs[1])
    finally:
        connection.close()
        DB.finish(REUSE)


if __name__ == "__main__":
    main()
