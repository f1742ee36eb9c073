import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from collab import tenancy
from pipeline.accounts import services as accounts_services
from pipeline.leads import services as leads_services
from pipeline.leads.models import Lead
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import Opportunity
from pipeline.tests.factories import at
from requests_sla.models import Notification


@pytest.fixture
def mine(org, teammate, make_account, make_opportunity):
    account = make_account(teammate, name="我的客户")
    return make_opportunity(account, name="我的商机", when=at(4, 1))


@pytest.fixture
def theirs(org, rep2, make_account, make_opportunity):
    account = make_account(rep2, name="别人的客户")
    return make_opportunity(account, name="别人的商机", when=at(4, 1))


@pytest.fixture
def foreign(other_org, outsider):
    with tenancy.organization_scope(other_org.id):
        account = accounts_services.account_create(
            actor=outsider, name="Foreign Account", industry="retail", size="small", owner=outsider
        )
        opp = opportunities_services.opportunity_create(
            actor=outsider,
            account=account,
            name="Foreign Deal",
            owner=outsider,
            amount=1,
            expected_close_date=at(6, 1).date(),
        )
        lead = leads_services.lead_create(
            actor=outsider,
            account=account,
            source="other",
            kind="repeat",
            estimated_amount=1,
            description="foreign",
        )
    return {"account": account, "opportunity": opp, "lead": lead}


DETAIL_PAGES = [
    ("pipeline:account_detail", "account"),
    ("pipeline:account_edit", "account"),
    ("pipeline:opportunity_detail", "opportunity"),
    ("pipeline:opportunity_edit", "opportunity"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "key"), DETAIL_PAGES)
def test_an_outsider_gets_404_for_our_ids_and_we_get_404_for_theirs(
    client_for, owner, mine, foreign, name, key
):
    response = client_for(owner).get(reverse(name, args=[foreign[key].pk]))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["accept", "reject", "convert"])
def test_deciding_a_foreign_lead_is_404(client_for, owner, foreign, action):
    response = client_for(owner).post(
        reverse("pipeline:lead_decide", args=[foreign["lead"].pk, action]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert Lead.unscoped.get(pk=foreign["lead"].pk).status == "new"


@pytest.mark.django_db
def test_moving_a_foreign_deal_is_404(client_for, owner, foreign, stages):
    response = client_for(owner).post(
        reverse("pipeline:opportunity_move", args=[foreign["opportunity"].pk]),
        {"stage": stages["won"].pk},
    )
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "pipeline:accounts",
        "pipeline:opportunities",
        "pipeline:leads",
        "pipeline:funnel",
        "pipeline:lead_report",
        "pipeline:feedback",
    ],
)
def test_lists_never_show_foreign_rows(client_for, owner, mine, foreign, name):
    body = client_for(owner).get(reverse(name) + "?mine=0&open=0").content.decode()
    assert "Foreign" not in body


@pytest.mark.django_db
def test_a_rep_sees_only_their_own_pipeline(client_for, teammate, mine, theirs):
    client = client_for(teammate)
    body = client.get(reverse("pipeline:opportunities") + "?mine=0").content.decode()
    assert "我的商机" in body and "别人的商机" not in body
    assert client.get(reverse("pipeline:opportunity_detail", args=[theirs.pk])).status_code == 404
    assert (
        client.get(reverse("pipeline:account_detail", args=[theirs.account_id])).status_code == 404
    )
    assert "别人的客户" not in client.get(reverse("pipeline:accounts")).content.decode()


@pytest.mark.django_db
def test_a_manager_and_sales_ops_see_everyones_pipeline(client_for, owner, sales_ops, mine, theirs):
    for user in (owner, sales_ops):
        body = client_for(user).get(reverse("pipeline:opportunities") + "?mine=0").content.decode()
        assert "我的商机" in body and "别人的商机" in body


@pytest.mark.django_db
def test_people_outside_sales_have_no_pipeline(client_for, head_rnd):
    client = client_for(head_rnd)
    assert client.get(reverse("pipeline:opportunities")).status_code == 403
    assert client.get(reverse("pipeline:funnel")).status_code == 403
    assert (
        reverse("pipeline:funnel")
        not in client.get(reverse("departments:directory")).content.decode()
    )


@pytest.mark.django_db
def test_navigation_shows_the_pipeline_to_those_who_may_use_it(client_for, teammate, sales_ops, cs):
    rep_nav = client_for(teammate).get(reverse("departments:directory")).content.decode()
    assert reverse("pipeline:opportunities") in rep_nav and reverse("pipeline:funnel") in rep_nav
    cs_nav = client_for(cs).get(reverse("departments:directory")).content.decode()
    assert reverse("pipeline:leads") in cs_nav


@pytest.mark.django_db
def test_account_form_keeps_input_and_says_what_is_wrong(client_for, teammate, mine):
    response = client_for(teammate).post(
        reverse("pipeline:account_create"),
        {"name": "我的客户", "industry": "retail", "size": "nope"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'class="error"' in body and 'value="我的客户"' in body


@pytest.mark.django_db
def test_duplicate_account_name_is_a_field_error(client_for, teammate, mine):
    response = client_for(teammate).post(
        reverse("pipeline:account_create"),
        {"name": "我的客户", "industry": "retail", "size": "small"},
    )
    assert (
        response.status_code == 200
        and "An account with this name already exists." in response.content.decode()
    )


@pytest.mark.django_db
def test_rep_creates_an_opportunity_owned_by_themselves(client_for, org, teammate, mine):
    response = client_for(teammate).post(
        reverse("pipeline:opportunity_create"),
        {
            "account": mine.account_id,
            "name": "新商机",
            "amount": "50000",
            "currency": "CNY",
            "expected_close_date": "2026-12-31",
        },
    )
    assert response.status_code == 302
    with tenancy.organization_scope(org.id):  # and its related rows (RLS)
        opp = Opportunity.objects.select_related("stage").get(name="新商机")
    assert (opp.owner, opp.stage.code, opp.probability) == (teammate, "lead", 10)


@pytest.mark.django_db
def test_stage_stepper_moves_in_place_with_htmx(client_for, org, teammate, mine, stages):
    response = client_for(teammate).post(
        reverse("pipeline:opportunity_move", args=[mine.pk]),
        {"stage": stages["proposal"].pk},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="stepper"' in body and "<html" not in body
    assert Opportunity.unscoped.get(pk=mine.pk).stage_id == stages["proposal"].pk
    # The facts (probability) and the post-mortem slot follow the stage, out of band.
    facts = body.split('id="deal-facts" hx-swap-oob="true"')[1].split("</section>")[0]
    probability = Opportunity.unscoped.get(pk=mine.pk).probability
    assert (
        f"<dd>{probability}%</dd>" in facts
        and probability == stages["proposal"].default_probability
    )
    assert 'id="postmortem-slot" hx-swap-oob="true"' in body


@pytest.mark.django_db
def test_losing_without_a_reason_shows_the_error_inline(client_for, teammate, mine, stages):
    response = client_for(teammate).post(
        reverse("pipeline:opportunity_move", args=[mine.pk]),
        {"stage": stages["lost"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert Opportunity.unscoped.get(pk=mine.pk).stage_id == stages["lead"].pk


@pytest.mark.django_db
def test_a_rep_cannot_move_someone_elses_deal(client_for, teammate, theirs, stages):
    response = client_for(teammate).post(
        reverse("pipeline:opportunity_move", args=[theirs.pk]), {"stage": stages["won"].pk}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_customer_success_creates_a_lead_and_the_owner_sees_it_as_new_for_them(
    client_for, org, cs, teammate, mine
):
    response = client_for(cs).post(
        reverse("pipeline:lead_create"),
        {
            "account": mine.account_id,
            "source": "service_record",
            "kind": "repeat",
            "estimated_amount": "80000",
            "description": "明年续购",
        },
    )
    assert response.status_code == 302
    body = client_for(teammate).get(reverse("pipeline:leads")).content.decode()
    assert "给你的新线索" in body or "New leads for you" in body
    assert "明年续购" in body
    # …and hears of it in the inbox, a link to the leads page; the CS lead does not.
    # (written once, in the organization's language)
    page = client_for(teammate).get(reverse("escalation:notifications")).content.decode()
    inbox = page.split("<main", 1)[1]  # not the navigation's link
    assert f'href="{reverse("pipeline:leads")}#lead-' in inbox
    assert "新线索" in inbox or "New lead" in inbox
    cs_inbox = client_for(cs).get(reverse("escalation:notifications")).content.decode()
    assert f'href="{reverse("pipeline:leads")}#lead-' not in cs_inbox


@pytest.mark.django_db
def test_a_rep_converts_a_lead_into_a_deal(client_for, org, cs, teammate, mine):
    with tenancy.organization_scope(org.id):
        lead = leads_services.lead_create(
            actor=cs,
            account=mine.account,
            source="other",
            kind="upsell",
            estimated_amount=5,
            description="x",
        )
    unread = lambda: Notification.unscoped.filter(  # noqa: E731
        recipient=teammate, kind="lead", read_at__isnull=True
    ).count()
    assert unread() == 1
    response = client_for(teammate).post(reverse("pipeline:lead_decide", args=[lead.pk, "convert"]))
    lead.refresh_from_db()
    assert lead.status == "converted"
    assert response["Location"] == reverse(
        "pipeline:opportunity_detail", args=[lead.opportunity_id]
    )
    assert unread() == 0  # decided: its notice is no longer news


@pytest.mark.django_db
def test_a_rep_cannot_create_leads(client_for, teammate):
    assert client_for(teammate).get(reverse("pipeline:lead_create")).status_code == 403


@pytest.mark.django_db
def test_follow_up_form_rejects_bad_csat_and_keeps_input(client_for, cs, mine):
    response = client_for(cs).post(
        reverse("pipeline:follow_up_create"),
        {
            "account": mine.account_id,
            "kind": "call",
            "scheduled_for": "2026-11-01T10:00",
            "csat": "9",
            "comment": "很好",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'class="error"' in body and "很好" in body


@pytest.mark.django_db
def test_funnel_page_with_filters_in_the_url_and_a_bad_date_never_500s(client_for, owner, mine):
    client = client_for(owner)
    page = client.get(reverse("pipeline:funnel") + "?start=2025-03-01&end=2025-04-30")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    bad = client.get(reverse("pipeline:funnel") + "?start=notadate&owner=999999&team=abc")
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()


@pytest.mark.django_db
def test_funnel_exports_open_in_excel_and_match_the_page(client_for, owner, mine, move):
    move(mine, "qualified", at(4, 3))
    client = client_for(owner)
    url = reverse("pipeline:funnel") + "?start=2025-04-01&end=2025-04-30"
    page = client.get(url)
    headers, rows = page.context["table"]
    xlsx = client.get(url + "&export=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == headers
    assert [[c.value or "" for c in sheet[i + 2]] for i in range(len(rows))] == rows
    sentence = page.context["sentences"][0][1]  # in the page's language, first
    assert sentence in [c.value for row in sheet.iter_rows() for c in row]
    forecast_headers, _forecast_rows = page.context["forecast"]
    assert [c.value for c in book.worksheets[1][1]] == forecast_headers
    csv = client.get(url + "&export=csv")
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeff") and ",".join(headers) in text
    assert rows[0][0] in text and ",".join(forecast_headers) in text


@pytest.mark.django_db
def test_english_export_has_english_headers(client_for, owner, mine):
    client = client_for(owner)
    client.cookies["django_language"] = "en"
    book = load_workbook(
        io.BytesIO(client.get(reverse("pipeline:funnel") + "?export=xlsx").content)
    )
    assert book.worksheets[0]["A1"].value == "Stage"


@pytest.mark.django_db
def test_funnel_page_query_count_does_not_grow_with_data(
    client_for, owner, mine, make_opportunity, django_assert_num_queries
):
    client = client_for(owner)
    url = reverse("pipeline:funnel") + "?start=2025-04-01&end=2025-04-30"
    client.get(url)
    with django_assert_num_queries(10) as first:
        client.get(url)
    for i in range(5):
        make_opportunity(mine.account, name=f"more {i}", when=at(4, 2 + i))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


@pytest.mark.django_db
def test_reports_render_for_customer_success(client_for, cs, mine):
    client = client_for(cs)
    assert client.get(reverse("pipeline:lead_report")).status_code == 200
    assert client.get(reverse("pipeline:feedback") + "?start=bad").status_code == 200


@pytest.mark.django_db
def test_english_funnel_page_shows_the_bottleneck_card_in_english_only(
    client_for, owner, mine, move
):
    move(mine, "qualified", at(4, 3))
    client = client_for(owner)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("pipeline:funnel") + "?start=2025-04-01&end=2025-04-30")
    body = page.content.decode()
    start = body.index('class="card bottleneck"')
    card = body[start : body.index("</section>", start)]
    assert "瓶颈" not in card
    assert "bottleneck" in card.lower() and '<p lang="en"' in card
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("pipeline:funnel") + "?start=2025-04-01&end=2025-04-30")
    body = body.content.decode()
    start = body.index('class="card bottleneck"')
    card = body[start : body.index("</section>", start)]
    assert "瓶颈" in card and "bottleneck" not in card.lower().replace(
        'class="card bottleneck"', ""
    )
