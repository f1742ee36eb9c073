"""The speed half of bench/library.py: seed BENCH_ASSETS assets with
set-based SQL and time the search, the asset page and its effectiveness
figures. Imported by bench/library.py after Django is set up."""

from __future__ import annotations

import random
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from collab.tenancy import organization_scope
from departments.models import Department
from departments.roles import Role
from departments.services import membership_set, organization_create
from enablement.library import search, selectors
from enablement.usage import report
from enablement.usage import selectors as usage_selectors

QUERIES = [
    "数据安全",
    "data security",
    "话术工具包",
    "talk track",
    "多级权限",
    "促销 套餐",
    "价格",
    "pricing",
    "医疗",
    "hospital",
    "培训手册",
    "竞品",
    "质量追溯",
    "私有化部署",
    "金融 数据安全",
    "银行 案例",
    "报表平台",
    "compliance",
    "制造业 解决方案",
    "webinar",
]
_CJK = "数据安全合规私有部署报表平台权限审计客户价值成本效率质量追溯医疗金融制造零售教育物流能源政务银行保险证券门店会员分析移动审批"


def _vocabulary(rng: random.Random) -> list[tuple[str, str]]:
    """(word, its lexemes): the queries' words, then made-up two-character
    Chinese words and English words, ~4,000 in all."""
    words = {w for q in QUERIES for w in q.split()}
    words |= {"解决方案", "案例", "话术", "工具包", "培训", "手册", "对比表", "研讨会"}
    while len(words) < 3000:
        words.add(rng.choice(_CJK) + rng.choice(_CJK))
    letters = "abcdefghijklmnoprstuvw"
    while len(words) < 4000:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 9))))
    return [(w, search.lexemes(w)) for w in sorted(words)]


def _seed_vocabulary(rng: random.Random) -> int:
    vocab = _vocabulary(rng)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_vocab")
        cur.execute("CREATE UNLOGGED TABLE bench_vocab (id int PRIMARY KEY, word text, lex text)")
        cur.executemany(
            "INSERT INTO bench_vocab VALUES (%s, %s, %s)",
            [(i + 1, w, lex) for i, (w, lex) in enumerate(vocab)],
        )
    return len(vocab)


SEED_SQL = """
CREATE UNLOGGED TABLE bench_stage AS
SELECT nextval(pg_get_serial_sequence('enablement_asset', 'id')) AS id, g,
       t.title, t.title_lex, b.body, b.body_lex,
       (ARRAY['数据安全','价格','多级权限','竞品','质量追溯','合规','培训','促销','部署',
               '效率','报表','审计'])[1 + g %% 12] AS tag
FROM generate_series(1, %(n)s) g
CROSS JOIN LATERAL (
  SELECT string_agg(v.word, '') AS title, string_agg(v.lex, ' ') AS title_lex
  FROM generate_series(1, 3) k JOIN bench_vocab v ON v.id = 1 + ((g * 7919 + k * 104729) %% %(v)s)
) t
CROSS JOIN LATERAL (
  SELECT string_agg(v.word, ' ') AS body, string_agg(v.lex, ' ') AS body_lex
  FROM generate_series(1, 300) k
  JOIN bench_vocab v ON v.id = 1 + ((g * 31 + k * k * 131 + k * 7) %% %(v)s)
) b
"""

INSERT_SQL = """
INSERT INTO enablement_asset (id, organization_id, kind, owner_department_id, title_zh, title_en,
  summary_zh, summary_en, status, industry, stages, pain_points, products, customer_size, version,
  search, search_head, search_title, created_by_id, created_at, updated_at, published_at)
SELECT s.id, %(org)s, (ARRAY['industry_report','talk_track','case_study','solution_page',
  'webinar','handbook'])[1 + s.g %% 6], %(dept)s, s.title, 'Asset ' || s.g, '', '', 'published',
  '', ARRAY[]::varchar[], ARRAY[s.tag]::varchar[], ARRAY[]::varchar[], '', 1,
  setweight(to_tsvector('english', s.title_lex || ' asset ' || s.g), 'A')
  || setweight(to_tsvector('english', s.tag), 'B')
  || setweight(to_tsvector('english', s.body_lex), 'D'),
  setweight(to_tsvector('english', s.title_lex || ' asset ' || s.g), 'A')
  || setweight(to_tsvector('english', s.tag), 'B'),
  setweight(to_tsvector('english', s.title_lex || ' asset ' || s.g), 'A'),
  %(user)s, now() - make_interval(mins => s.g), now() - make_interval(mins => s.g), now()
FROM bench_stage s;
INSERT INTO enablement_assetversion (organization_id, asset_id, number, body, sections, change_note,
  created_by_id, created_at)
SELECT %(org)s, s.id, 1, s.body, '{}'::jsonb, '', %(user)s, now() FROM bench_stage s;
DROP TABLE bench_stage;
"""


def _seed_org(org, user, n: int, v: int) -> None:
    with organization_scope(org.id):
        dept = Department.objects.get(code="marketing").pk
        with connection.cursor() as cur:
            cur.execute(SEED_SQL, {"n": n, "v": v})
            cur.execute(INSERT_SQL, {"org": org.id, "dept": dept, "user": user.pk})


DEALS_SQL = """
INSERT INTO pipeline_account (organization_id, name, industry, size, is_key_account, owner_id,
  created_at, updated_at)
VALUES (%(org)s, 'Bench account', 'finance', 'large', false, %(user)s, now(), now());
INSERT INTO pipeline_opportunity (organization_id, account_id, name, owner_id, amount, currency,
  expected_close_date, stage_id, probability, next_step, lost_reason, lost_note, stage_entered_at,
  reached_level, created_at, updated_at)
SELECT %(org)s, (SELECT max(id) FROM pipeline_account WHERE organization_id = %(org)s),
  'Deal ' || g, %(user)s, 1000 + g, 'CNY', current_date + 30,
  (SELECT id FROM pipeline_stage WHERE organization_id = %(org)s
     AND code = (ARRAY['won','lost','proposal'])[1 + g %% 3]),
  50, '', CASE WHEN g %% 3 = 1 THEN 'price' ELSE '' END, '', now() - make_interval(days => g %% 200),
  0, now(), now()
FROM generate_series(1, 5000) g;
INSERT INTO enablement_assetuse (organization_id, asset_id, account_id, opportunity_id, version,
  used_by_id, used_at)
SELECT %(org)s, a.id, o.account_id, o.id, 1, %(user)s, o.stage_entered_at - interval '3 days'
FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM enablement_asset
      WHERE organization_id = %(org)s ORDER BY id LIMIT 40) a
JOIN (SELECT id, account_id, stage_entered_at, row_number() OVER (ORDER BY id) AS r
      FROM pipeline_opportunity WHERE organization_id = %(org)s) o
  ON (o.r %% 40) + 1 = a.r;
"""


def _timed(name: str, fn, runs: int) -> None:
    fn()
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            fn()
            n_queries = len(queries)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(f"{name}_p50_ms={statistics.median(timings):.1f}")
    print(f"{name}_p95_ms={timings[int(0.95 * (len(timings) - 1))]:.1f}")
    print(f"{name}_queries={n_queries}")


def _search_timings(rep, client: Client, runs: int) -> None:
    def one(q):
        f = selectors.LibraryFilters(q=q)
        results = selectors.library_search(rep, f)
        return results.count(), list(results[: selectors.PAGE_SIZE])

    all_ms, page_ms, counts = [], [], {}
    for q in QUERIES:
        one(q)
        for _ in range(max(3, runs // 10)):
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                counts[q] = one(q)[0]
            all_ms.append((time.perf_counter() - t0) * 1000)
            n_queries = len(queries)
            t0 = time.perf_counter()
            assert client.get("/enablement/", {"q": q}).status_code == 200
            page_ms.append((time.perf_counter() - t0) * 1000)
    all_ms.sort()
    page_ms.sort()
    print(f"library_search_p50_ms={statistics.median(all_ms):.1f}")
    print(f"library_search_p95_ms={all_ms[int(0.95 * (len(all_ms) - 1))]:.1f}")
    print(f"library_search_queries={n_queries}")
    print(f"library_page_p95_ms={page_ms[int(0.95 * (len(page_ms) - 1))]:.1f}")
    print(f"library_search_matches_median={int(statistics.median(counts.values()))}")


def seed(n: int, orgs: int, others: int) -> None:
    rng = random.Random(7)
    t0 = time.perf_counter()
    v = _seed_vocabulary(rng)
    user = get_user_model().objects.create_user("bench-mkt", "mkt@bench.example", "x")
    big = organization_create(name="Bench Library", slug="bench-library")
    for i in range(orgs - 1):
        other = organization_create(name=f"Bench Other {i}", slug=f"bench-other-{i}")
        _seed_org(other, user, others, v)
    _seed_org(big, user, n, v)
    with organization_scope(big.id):
        membership_set(
            organization=big,
            user=user,
            role=Role.SALES_REP,
            department=Department.objects.get(code="business"),
        )
        with connection.cursor() as cur:
            cur.execute(DEALS_SQL, {"org": big.id, "user": user.pk})
            cur.execute("VACUUM ANALYZE")
    print(f"library_assets={n} library_organizations={orgs} other_assets_each={others}")
    print(f"seed_s={time.perf_counter() - t0:.1f}")


def _cpu(name: str, fn, runs: int) -> None:
    """CPU time of this process only (Python, templates, reading rows): what
    the load of the machine and the database server's work leave out."""
    fn()
    spent = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        spent.append((time.process_time() - t0) * 1000)
    print(f"{name}_cpu_ms={statistics.median(spent):.1f}")


def measure(runs: int) -> None:
    """Time what a seeded (or a kept and reused) database holds."""
    from departments.models import Membership, Organization
    from enablement.library.models import Asset

    user = get_user_model().objects.get(username="bench-mkt")
    big = Organization.objects.get(slug="bench-library")
    settings.ALLOWED_HOSTS = ["*"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(user)
    with organization_scope(big.id):
        rep = Membership.objects.select_related("department").get(user=user)
        _search_timings(rep, client, runs)
        asset = Asset.objects.order_by("id").first()
        print(f"measured_org_assets={Asset.objects.count()}")
        _timed("asset_page", lambda: client.get(asset.get_absolute_url()), runs)
        _cpu("asset_page", lambda: client.get(asset.get_absolute_url()), runs)
        _timed("asset_effectiveness", lambda: usage_selectors.effectiveness(asset), runs)
        _timed("effectiveness_report", report.library_report, runs)
