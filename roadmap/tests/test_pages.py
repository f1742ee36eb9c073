import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from collab.tenancy import organization_scope
from roadmap.models import BoardItem, Release, Requirement, ReviewBoard, State
from roadmap.services.assessments import assessment_record

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PARTS = {
    "title": "集团客户报表多级权限",
    "background": "集团客户，下属 30 家子公司",
    "pain_point": "报表无法按子公司分级授权",
    "expected_outcome": "子公司只看自己的数据",
    "impact": "2",
}


def test_rep_files_a_requirement_from_the_form(client_for, rep, deal, org):
    response = client_for(rep.user).post(
        reverse("roadmap:requirement_new"), {**PARTS, "opportunity_ids": [deal.pk]}
    )
    with organization_scope(org.id):
        requirement = Requirement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:requirement", args=[requirement.pk])


def test_form_without_a_part_keeps_the_input_and_writes_nothing(client_for, rep, deal, org):
    response = client_for(rep.user).post(
        reverse("roadmap:requirement_new"),
        {**PARTS, "pain_point": "", "opportunity_ids": [deal.pk]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["pain_point"]
    assert "集团客户报表多级权限" in response.content.decode()
    with organization_scope(org.id):
        assert not Requirement.objects.exists()


def test_form_without_a_backer_is_a_field_error(client_for, rep, org):
    response = client_for(rep.user).post(reverse("roadmap:requirement_new"), PARTS)
    assert response.context["form"].errors["account_ids"]


def test_similar_suggestions_while_filing(client_for, submit, account, rep):
    existing = submit(account_ids=[account.pk])
    response = client_for(rep.user).get(
        reverse("roadmap:similar"), {"title": "报表需要支持多级权限"}, HTTP_HX_REQUEST="true"
    )
    assert existing.title in response.content.decode()


def test_tenancy_trio_on_the_requirement_page(
    client_for, submit, account, owner, teammate, outsider
):
    requirement = submit(account_ids=[account.pk])
    url = reverse("roadmap:requirement", args=[requirement.pk])
    assert client_for(owner).get(url).status_code == 200
    assert client_for(teammate).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404


def test_list_is_scoped_and_its_queries_do_not_grow(
    client_for,
    submit,
    account,
    make_account,
    make_deal,
    outsider_membership,
    rep,
    django_assert_num_queries,
):
    mine = submit(account_ids=[account.pk])
    client = client_for(rep.user)
    url = reverse("roadmap:requirements") + "?queue=all"
    client.get(url)  # warm the session and the organization's caches
    with django_assert_num_queries(7):
        response = client.get(url)
    for i in range(3):
        submit(title=f"需求 {i}", account_ids=[account.pk])
    with django_assert_num_queries(7):
        client.get(url)
    assert mine.title in response.content.decode()
    foreign_account = make_account(outsider_membership, name="外企")
    with organization_scope(outsider_membership.organization_id):
        from roadmap.services.requirements import requirement_submit

        requirement_submit(
            actor=outsider_membership,
            title="外部需求",
            background="x",
            pain_point="y",
            expected_outcome="z",
            account_ids=[foreign_account.pk],
        )
    assert "外部需求" not in client.get(url).content.decode()


def test_assessment_form_error_keeps_the_page(client_for, submit, account, head_rnd):
    requirement = submit(account_ids=[account.pk])
    response = client_for(head_rnd.user).post(
        reverse("roadmap:assess", args=[requirement.pk]),
        {"feasibility": "feasible", "cost_low_days": "9", "cost_high_days": "3"},
    )
    assert response.status_code == 400
    assert response.context["assess_form"].errors["cost_high_days"]


@pytest.fixture
def board_with_item(submit, deal, head_rnd, org):
    requirement = submit(opportunity_ids=[deal.pk])
    with organization_scope(org.id):
        assessment_record(
            actor=head_rnd,
            requirement=requirement,
            feasibility="feasible",
            cost_low_days="2",
            cost_high_days="4",
        )
        board = ReviewBoard.objects.create(
            organization=org,
            slot=dt.date(2026, 3, 4),
            starts_at=dt.datetime(2026, 3, 4, 15, tzinfo=SHANGHAI),
        )
    return board, requirement


def test_board_page_decides_and_prints(client_for, board_with_item, ops, head_rnd, outsider, org):
    board, requirement = board_with_item
    page = client_for(ops.user).get(reverse("roadmap:board", args=[board.pk]))
    assert page.status_code == 200
    assert "RICE" in page.content.decode()
    decide = reverse("roadmap:board_decide", args=[board.pk])
    refused = client_for(head_rnd.user).post(
        decide, {"requirement": requirement.pk, "decision": "accept"}
    )
    assert refused.status_code == 403
    no_reason = client_for(ops.user).post(
        decide, {"requirement": requirement.pk, "decision": "decline"}
    )
    assert no_reason.status_code == 400
    done = client_for(ops.user).post(
        decide, {"requirement": requirement.pk, "decision": "accept", "priority": "1"}
    )
    assert done.status_code == 302
    with organization_scope(org.id):
        assert BoardItem.objects.get(board=board).decision == "accept"
        assert Requirement.objects.get(pk=requirement.pk).state == State.ACCEPTED
    printed = client_for(ops.user).get(reverse("roadmap:board_print", args=[board.pk]))
    assert requirement.title in printed.content.decode()
    assert client_for(outsider).get(reverse("roadmap:board", args=[board.pk])).status_code == 404


def test_decision_on_a_requirement_not_on_the_board_is_a_400(
    client_for, board_with_item, submit, account, ops
):
    board, _requirement = board_with_item
    other = submit(title="别的需求", account_ids=[account.pk])
    response = client_for(ops.user).post(
        reverse("roadmap:board_decide", args=[board.pk]),
        {"requirement": other.pk, "decision": "accept"},
    )
    assert response.status_code == 400


def test_roadmap_page_creates_and_ships_a_release(client_for, head_rnd, rep, outsider, org):
    client = client_for(head_rnd.user)
    assert client.get(reverse("roadmap:roadmap")).status_code == 200
    response = client.post(
        reverse("roadmap:release_create"), {"version": "v3.2", "planned_on": "2026-04-01"}
    )
    assert response.status_code == 302
    with organization_scope(org.id):
        release = Release.objects.get()
    assert client.post(reverse("roadmap:release_ship", args=[release.pk])).status_code == 302
    with organization_scope(org.id):
        assert Release.objects.get().shipped_at is not None
    assert client_for(rep.user).get(reverse("roadmap:roadmap")).status_code == 200
    assert (
        client_for(outsider).post(reverse("roadmap:release_ship", args=[release.pk])).status_code
        == 404
    )


def test_board_list_and_settings(client_for, owner, rep):
    assert client_for(rep.user).get(reverse("roadmap:boards")).status_code == 200
    assert client_for(rep.user).get(reverse("roadmap:board_settings")).status_code == 403
    response = client_for(owner).post(
        reverse("roadmap:board_settings"),
        {"weekday": "4", "time": "10:00", "anchor_date": "2026-01-02", "active": "on"},
    )
    assert response.status_code == 302


def test_shipped_requirement_shows_on_the_deal_page(
    client_for, submit, deal, head_rnd, ops, rep, org
):
    from roadmap.services.boards import agenda_refresh, board_decide
    from roadmap.services.releases import release_create, release_ship

    requirement = submit(opportunity_ids=[deal.pk])
    with organization_scope(org.id):
        assessment_record(
            actor=head_rnd,
            requirement=requirement,
            feasibility="feasible",
            cost_low_days="1",
            cost_high_days="2",
        )
        board = ReviewBoard.objects.create(
            organization=org,
            slot=dt.date(2026, 3, 4),
            starts_at=dt.datetime(2026, 3, 4, 15, tzinfo=SHANGHAI),
        )
        agenda_refresh(board)
        release = release_create(actor=head_rnd, version="v3.2", planned_on=dt.date(2026, 4, 1))
        board_decide(
            actor=ops, board=board, requirement=requirement, decision="accept", release=release
        )
        release_ship(actor=head_rnd, release=release)
    page = (
        client_for(rep.user)
        .get(reverse("pipeline:opportunity_detail", args=[deal.pk]))
        .content.decode()
    )
    notes = page.split('id="roadmap-notes"')[1]
    assert f"{requirement.reference} {requirement.title}" in notes and "v3.2" in notes


def test_board_page_queries_do_not_grow_with_the_agenda(
    client_for, board_with_item, submit, account, head_rnd, ops, org, django_assert_num_queries
):
    board, _requirement = board_with_item
    client = client_for(ops.user)
    url = reverse("roadmap:board", args=[board.pk])
    client.get(url)
    with django_assert_num_queries(9):
        client.get(url)
    for i in range(3):
        requirement = submit(title=f"需求 {i}", account_ids=[account.pk])
        with organization_scope(org.id):
            assessment_record(
                actor=head_rnd,
                requirement=requirement,
                feasibility="feasible",
                cost_low_days="1",
                cost_high_days="2",
            )
    client.get(url)  # the new items are put on the agenda
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count('name="decision"') == 4


def test_each_agenda_item_has_its_own_form_and_a_refusal_keeps_its_input(
    client_for, board_with_item, submit, assess, account, ops, org
):
    board, first = board_with_item
    second = submit(title="第二个需求", account_ids=[account.pk])
    assess(
        second,
        feasibility="conditional",
        feasibility_reason="需要先升级报表引擎",
        cost_low_days="1",
        cost_high_days="3",
    )
    client = client_for(ops.user)
    url = reverse("roadmap:board", args=[board.pk])
    page = client.get(url).content.decode()
    with organization_scope(org.id):
        items = {i.requirement_id: i.pk for i in BoardItem.objects.filter(board=board)}
    for requirement in (first, second):
        card = page.split(f'id="item-{requirement.pk}"')[1].split("</section>")[0]
        assert f'name="requirement" value="{requirement.pk}"' in card
        assert f'id="decision-{items[requirement.pk]}"' in card
        assert reverse("roadmap:requirement", args=[requirement.pk]) in card
    card = page.split(f'id="item-{second.pk}"')[1].split("</section>")[0]
    assert "Feasible with conditions · 1.0–3.0 person-days" in card
    assert "__item__" not in page and "__requirement__" not in page
    refused = client.post(
        reverse("roadmap:board_decide", args=[board.pk]),
        {"requirement": second.pk, "decision": "decline", "priority": "7"},
    ).content.decode()
    card = refused.split(f'id="item-{second.pk}"')[1].split("</section>")[0]
    assert 'role="alert"' in card and 'value="7"' in card
    assert 'role="alert"' not in refused.split(f'id="item-{first.pk}"')[1].split("</section>")[0]


def test_agenda_cards_escape_what_people_wrote(
    client_for, board_with_item, submit, assess, account, ops, org
):
    """The cards are built in Python (roadmap/presentation.py): a title or a
    decision note is text there, never markup."""
    board, _first = board_with_item
    evil = submit(title='<script>alert("x")</script> & 报表', account_ids=[account.pk])
    assess(evil)
    client = client_for(ops.user)
    url = reverse("roadmap:board", args=[board.pk])
    client.get(url)  # puts it on the agenda

    def card():
        page = client.get(url).content.decode()
        return page.split(f'id="item-{evil.pk}"')[1].split("</section>")[0]

    shown = card()
    assert "<script>" not in shown
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 报表" in shown
    with organization_scope(org.id):
        BoardItem.objects.filter(board=board, requirement=evil).update(
            decision="decline", note="<img src=x onerror=alert(1)>", priority=3
        )
    shown = card()
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown


def test_roadmap_page_queries_do_not_grow(
    client_for, rep, head_rnd, submit, account, org, django_assert_num_queries
):
    from roadmap.services.releases import release_create

    def add(n):
        for i in range(n):
            requirement = submit(title=f"需求 {n}-{i}", account_ids=[account.pk])
            with organization_scope(org.id):
                release = release_create(
                    actor=head_rnd, version=f"v{n}.{i}", planned_on=dt.date(2026, 4, 1 + i)
                )
                Requirement.objects.filter(pk=requirement.pk).update(
                    state=State.ACCEPTED, release=release
                )

    add(1)
    client = client_for(rep.user)
    url = reverse("roadmap:roadmap")
    client.get(url)  # warm the session and the loop figures' cache
    with django_assert_num_queries(7):
        client.get(url)
    add(3)
    with django_assert_num_queries(7):
        page = client.get(url).content.decode()
    assert "需求 3-2" in page and "v3.2" in page


def test_board_minutes_print_in_both_languages(client_for, board_with_item, ops, settings):
    import re

    from django.utils import formats, timezone, translation

    board, requirement = board_with_item
    revisit = timezone.localdate() + dt.timedelta(days=60)
    client = client_for(ops.user)
    client.get(reverse("roadmap:board", args=[board.pk]))  # the agenda is drawn up
    decided = client.post(
        reverse("roadmap:board_decide", args=[board.pk]),
        {"requirement": requirement.pk, "decision": "defer", "revisit_on": revisit.isoformat()},
    )
    assert decided.status_code == 302
    client.post(reverse("roadmap:board_minutes", args=[board.pk]), {"minutes": "下季度再议"})
    url = reverse("roadmap:board_print", args=[board.pk])
    printed = {}
    for code in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        printed[code] = client.get(url).content.decode()
    zh, en = printed["zh-hans"], printed["en"]
    assert "议程与决定" in zh and "<td>延后</td>" in zh and "记录人" in zh
    assert "Agenda and decisions" in en and "<td>Defer</td>" in en and "Recorded by" in en
    for code, page in printed.items():  # the revisit date, in each language's format
        with translation.override(code):
            assert formats.date_format(revisit, "DATE_FORMAT") in page
    assert "<td>Ops<br>" in en and "下季度再议" in en  # who recorded it; the minutes as typed
    # In English nothing is Chinese but what people typed (and the switcher's "中文").
    for typed in (requirement.reference + " " + requirement.title, "下季度再议", "中文"):
        en = en.replace(typed, "")
    assert not re.search(r"[\u3400-\u9fff]", en)
