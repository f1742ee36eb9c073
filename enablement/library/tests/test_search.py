"""Search relevance on hand-picked cases, in Chinese and English."""

import pytest

from collab.tenancy import organization_scope
from enablement.library import selectors

pytestmark = pytest.mark.django_db


def _titles(membership, **filters):
    with organization_scope(membership.organization_id):
        found = selectors.library_search(membership, selectors.LibraryFilters(**filters))
        return [a.title_zh for a in found]


@pytest.fixture
def library(mkt, pm, make_asset):
    make_asset(
        mkt,
        "医疗行业话术工具包",
        title_en="Healthcare talk track",
        pain_points=["数据安全"],
        industry="healthcare",
        stages=["solution"],
    )
    make_asset(
        mkt,
        "制造业数字化转型报告",
        kind="industry_report",
        industry="manufacturing",
        body="报告附录提到了数据安全合规的要求。",
    )
    make_asset(
        mkt,
        "数据安全解决方案",
        kind="solution_page",
        title_en="Data security solution",
        summary_en="Private deployment and audit logs for banks.",
    )
    make_asset(pm, "季度促销套餐 A 对比表", kind="bundle_sheet", products=["套餐A"])
    make_asset(mkt, "未发布的数据安全草稿", publish=False)


def test_chinese_query_finds_title_tag_and_body_matches_title_and_tags_first(library, rep):
    titles = _titles(rep, q="数据安全")
    assert set(titles[:2]) == {"医疗行业话术工具包", "数据安全解决方案"}
    assert titles[2:] == ["制造业数字化转型报告"]


def test_english_query_matches_english_title_and_summary(library, rep):
    assert _titles(rep, q="data security") == ["数据安全解决方案"]
    assert _titles(rep, q="Banks") == ["数据安全解决方案"]


def test_kind_label_and_product_tags_are_searchable(library, rep):
    assert _titles(rep, q="促销方案对比表") == ["季度促销套餐 A 对比表"]
    assert _titles(rep, q="talk-track toolkit") == ["医疗行业话术工具包"]


def test_filters_by_kind_industry_stage_and_department(library, rep, pm):
    assert _titles(rep, q="数据安全", kind="industry_report") == ["制造业数字化转型报告"]
    assert set(_titles(rep, q="数据安全", industry="healthcare")) == {
        "医疗行业话术工具包",
        "数据安全解决方案",  # no industry: for any
    }
    assert "医疗行业话术工具包" in _titles(rep, stage="solution")
    assert _titles(rep, department=pm.department_id) == ["季度促销套餐 A 对比表"]


def test_every_term_must_match_unless_any_is_asked(library, rep):
    assert _titles(rep, q="数据安全 对比表") == []
    with organization_scope(rep.organization_id):
        found = selectors.library_search(
            rep, selectors.LibraryFilters(q="数据安全 对比表"), match_any=True
        )
        assert "季度促销套餐 A 对比表" in [a.title_zh for a in found]


def test_drafts_are_not_in_search_even_for_their_owners(library, mkt):
    assert "未发布的数据安全草稿" not in _titles(mkt, q="数据安全")
    assert _titles(mkt, q="数据安全", status="draft") == ["未发布的数据安全草稿"]


def test_query_never_matches_another_organizations_assets(library, outsider_membership):
    assert _titles(outsider_membership, q="数据安全") == []


def test_nonsense_query_finds_nothing_and_punctuation_is_harmless(library, rep):
    assert _titles(rep, q="区块链") == []
    assert _titles(rep, q="' & | ! :*") != []  # no terms: the newest assets


@pytest.fixture
def english_library(mkt, make_asset):
    make_asset(mkt, "行业报告 2026", kind="industry_report", title_en="Industry report 2026")
    make_asset(
        mkt,
        "价格说明",
        kind="price_note",
        title_en="Price explanation",
        summary_en="How list prices and discounts are set.",
    )
    make_asset(
        mkt,
        "医院案例",
        kind="case_study",
        body="The hospital kept patient records on premises.",
    )


def test_english_words_find_their_inflections(english_library, rep):
    assert _titles(rep, q="reports") == ["行业报告 2026"]
    assert _titles(rep, q="pricing") == ["价格说明"]
    assert _titles(rep, q="discount") == ["价格说明"]
    assert _titles(rep, q="hospitals") == ["医院案例"]
    assert _titles(rep, q="Reporting") == ["行业报告 2026"]


def test_chinese_and_stemmed_english_meet_in_one_query(english_library, rep):
    assert _titles(rep, q="医院 records") == ["医院案例"]
    assert _titles(rep, q="医院 invoices") == []


def test_title_matches_come_before_tag_matches_before_text_matches_newest_first(
    mkt, rep, make_asset
):
    make_asset(mkt, "旧的标题里有合规", kind="industry_report")
    make_asset(mkt, "标签资料", kind="industry_report", pain_points=["合规"])
    make_asset(mkt, "正文提到", kind="industry_report", body="合规 是正文里的词")
    make_asset(mkt, "新的标题里有合规", kind="industry_report")
    assert _titles(rep, q="合规") == [
        "新的标题里有合规",
        "旧的标题里有合规",
        "标签资料",
        "正文提到",
    ]


def test_results_are_capped_and_slices_past_the_cap_are_empty(mkt, rep, make_asset, monkeypatch):
    for i in range(4):
        make_asset(mkt, f"合规资料{i}", body="合规")
    monkeypatch.setattr(selectors, "MAX_RESULTS", 3)
    with organization_scope(rep.organization_id):
        found = selectors.library_search(rep, selectors.LibraryFilters(q="合规"))
        assert found.count() == 3
        assert len(found[0:10]) == 3
        assert found[3:6] == []
        assert selectors.library_search(rep, selectors.LibraryFilters()).count() == 3


def test_a_page_of_results_is_three_queries_whatever_the_tiers(
    library, rep, django_assert_num_queries
):
    with organization_scope(rep.organization_id):
        for q, match_any in (("数据安全", False), ("数据安全 对比表", True), ("", False)):
            found = selectors.library_search(
                rep, selectors.LibraryFilters(q=q), match_any=match_any
            )
            with django_assert_num_queries(3):
                assert found.count() > 0
                assert found[0:30]


def test_the_search_migration_rebuilds_every_vector(library, rep):
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    migration = import_module("enablement.migrations.0002_search")
    with organization_scope(rep.organization_id), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE enablement_asset SET search = NULL, search_head = NULL, search_title = NULL"
        )
    assert _titles(rep, q="数据安全") == []
    migration.rebuild_vectors(apps, None)
    assert set(_titles(rep, q="数据安全")[:2]) == {"医疗行业话术工具包", "数据安全解决方案"}
    assert _titles(rep, q="solutions") == ["数据安全解决方案"]
