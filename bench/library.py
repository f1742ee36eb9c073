"""The library's search: which answers better, and how fast at scale.

1. Relevance, on the demo library (departments, requests, customers and the
   enablement demo loaded for the "demo" organization): a labelled set of
   queries in Chinese and English, each with the assets a rep would want.
   Three ways are scored: jieba lexemes in the tsvector with every term
   required (``jieba_all``), the same falling back to any term when nothing
   holds them all (``jieba_page``, what the library page does), and pg_trgm
   word similarity over the same text (``trigram``). Printed per method:
   precision@5, recall@10 and the mean reciprocal rank of the first hit.
2. Speed, at BENCH_ASSETS assets (default 100,000, mixed Chinese and English,
   ~2 KB bodies) in one organization among BENCH_ORGS (default 100), made with
   set-based SQL from a vocabulary whose lexemes jieba computed once: p50/p95
   and query counts of the search (20 queries, the page's count + first page),
   the asset page and its effectiveness figures.

BENCH_KEEP=1 keeps the database; BENCH_REUSE=1 then measures it again
without the relevance part or the seeding (minutes at 100,000 assets).

    env -u DATABASE_URL BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/library.py
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.benchdb import BenchDatabase  # noqa: E402

ASSETS = int(os.environ.get("BENCH_ASSETS", 100_000))
ORGS = int(os.environ.get("BENCH_ORGS", 100))
OTHER_ASSETS = int(os.environ.get("BENCH_OTHER_ASSETS", 200))  # in each other organization
RUNS = 30
DB = BenchDatabase("collab_bench_enablement", script="bench/library.py")
REUSED = DB.prepare()
os.environ["DJANGO_SETTINGS_MODULE"] = "collab.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from collab.tenancy import organization_scope  # noqa: E402
from departments.models import Membership  # noqa: E402
from departments.registry import demo_steps  # noqa: E402
from departments.services import organization_create  # noqa: E402
from enablement.library import selectors  # noqa: E402
from enablement.library.models import Asset  # noqa: E402

DATA_SECURITY = [
    "数据安全话术工具包",
    "金融行业数据安全解决方案",
    "线上研讨会：医院数据安全与合规",
    "案例：招远城市商业银行数据中台",
    "案例：仁和医疗集团院内部署",
    "政务数据共享与安全解决方案",
    "竞品 Y 私有化部署能力分析",
    "金融行业洞察报告 2026",
    "医疗健康行业洞察报告 2026",
]
TALK_TRACKS = [
    "数据安全话术工具包",
    "首次拜访开场话术",
    "多级权限需求的话术",
    "应对竞品低价策略的话术",
]
PRICE = [
    "竞品 X 定价与功能对比",
    "应对竞品低价策略的话术",
    "季度促销套餐 A 对比表",
    "中小企业入门套餐对比表",
    "2026 年价格政策说明",
    "教育行业专项价格说明",
]
HEALTHCARE = [
    "线上研讨会：医院数据安全与合规",
    "案例：仁和医疗集团院内部署",
    "医疗健康行业洞察报告 2026",
]
# query → the assets a rep looking for it wants (the demo's titles).
LABELLED = {
    "数据安全": DATA_SECURITY,
    "data security": DATA_SECURITY,
    "话术工具包": TALK_TRACKS,
    "talk track": TALK_TRACKS,
    "多级权限": ["案例：顺达物流多级权限报表", "多级权限需求的话术", "政务数据共享与安全解决方案"],
    "促销套餐对比": ["季度促销套餐 A 对比表", "中小企业入门套餐对比表"],
    "价格": PRICE,
    "pricing": PRICE,
    "医疗": HEALTHCARE,
    "hospital": HEALTHCARE,
    "培训手册": [
        "报表平台 5.0 培训手册",
        "数据中台销售培训手册",
        "新销售入职培训手册",
        "销售之星评选与激励说明",
    ],
    "竞品": ["竞品 X 定价与功能对比", "应对竞品低价策略的话术", "竞品 Y 私有化部署能力分析"],
    "质量追溯": ["制造业数字化工厂解决方案", "案例：华信精密制造质量追溯"],
    "私有化部署": ["数据安全话术工具包", "竞品 Y 私有化部署能力分析"],
    "金融 数据安全": [
        "金融行业数据安全解决方案",
        "案例：招远城市商业银行数据中台",
        "金融行业洞察报告 2026",
    ],
    "银行 案例": ["案例：招远城市商业银行数据中台"],
}

TRIGRAM_SQL = """
WITH docs AS (
  SELECT a.id, a.title_zh,
         concat_ws(' ', a.title_zh, a.title_en) AS title,
         concat_ws(' ', array_to_string(a.pain_points, ' '), array_to_string(a.products, ' ')) AS tags,
         concat_ws(' ', a.title_zh, a.title_en, array_to_string(a.pain_points, ' '),
                   array_to_string(a.products, ' '), a.summary_zh, a.summary_en, v.body,
                   v.sections::text) AS doc
  FROM enablement_asset a
  JOIN enablement_assetversion v ON v.asset_id = a.id AND v.number = a.version
  WHERE a.organization_id = %(org)s AND a.status = 'published'
)
SELECT title_zh FROM docs
WHERE word_similarity(%(q)s, doc) >= 0.6
ORDER BY 2 * greatest(word_similarity(%(q)s, title), word_similarity(%(q)s, tags))
         + word_similarity(%(q)s, doc) DESC, id
LIMIT 10
"""


def scores(ranked: list[str], relevant: list[str]) -> tuple[float, float, float]:
    top5, top10 = ranked[:5], ranked[:10]
    precision = sum(t in relevant for t in top5) / max(len(top5), 1) if top5 else 0.0
    recall = sum(t in relevant for t in top10) / len(relevant)
    first = next((i + 1 for i, t in enumerate(ranked) if t in relevant), None)
    return precision, recall, 1 / first if first else 0.0


def relevance() -> None:
    org = organization_create(name="Bench Demo", slug="bench-demo")
    with demo_steps.only(
        "departments.demo.load",
        "requests_sla.demo.requests.load",
        "pipeline.demo.customers.load",
        "enablement.demo.library.load",
    ):
        for step in demo_steps:
            step.run(organization=org, key="demo")
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with organization_scope(org.id):
        rep = Membership.objects.select_related("department").get(user__username="rep")
        print(f"library_demo_assets={Asset.objects.filter(status='published').count()}")

        def jieba(q, fallback):
            f = selectors.LibraryFilters(q=q)
            found = [a.title_zh for a in selectors.library_search(rep, f)[:10]]
            if not found and fallback:
                found = [a.title_zh for a in selectors.library_search(rep, f, match_any=True)[:10]]
            return found

        def trigram(q):
            with connection.cursor() as cursor:
                cursor.execute(TRIGRAM_SQL, {"org": org.id, "q": q})
                return [row[0] for row in cursor.fetchall()]

        methods = {
            "jieba_all": lambda q: jieba(q, False),
            "jieba_page": lambda q: jieba(q, True),
            "trigram": trigram,
        }
        for name, method in methods.items():
            rows = [scores(method(q), relevant) for q, relevant in LABELLED.items()]
            misses = [q for (q, _r), s in zip(LABELLED.items(), rows, strict=True) if s[2] == 0]
            print(f"{name}_precision_at_5={statistics.mean(r[0] for r in rows):.2f}")
            print(f"{name}_recall_at_10={statistics.mean(r[1] for r in rows):.2f}")
            print(f"{name}_mrr={statistics.mean(r[2] for r in rows):.2f}")
            print(f"{name}_queries_without_a_hit={'|'.join(misses) or '-'}")


def main() -> None:
    try:
        call_command("migrate", verbosity=0)
        from bench.enablement_scale import measure, seed

        if not REUSED:
            relevance()
            if ASSETS:
                seed(ASSETS, ORGS, OTHER_ASSETS)
        if ASSETS:
            measure(RUNS)
    finally:
        connection.close()
        DB.finish(REUSED)


if __name__ == "__main__":
    main()
