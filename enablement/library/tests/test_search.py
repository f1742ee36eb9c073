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
