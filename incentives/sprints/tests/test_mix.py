"""The product-mix measure: won revenue in the sprint's focus category or
bundle (split by each deal's accepted quote), on the sprint page, the rep's
own figures, the API and the export; bad input and tenancy."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from incentives.sprints import selectors, services
from incentives.sprints.models import Sprint, Target
from incentives.tests.helpers import api, won
from incentives.tests.quotes import accepted_quote, bundle

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def mix_sprint(org, hr, sprint, rep, rep2):
    """Licence is the focus; rep has a 50,000 product-mix target and sold
    30,000 of licences in a 40,000 deal (quote 3 : 1), rep2 a deal with no
    quote (it counts for no category)."""
    services.sprint_set_mix(actor=hr, sprint=sprint, category="licence")
    services.target_set(
        actor=hr, sprint=sprint, measure="product_mix", amount=D(50_000), user_id=rep.user_id
    )
    deal = won(org, rep, "40000", days_ago=3, name="华信")
    accepted_quote(deal, [("licence", "3"), ("service", "1")])
    old = won(org, rep, "99999", days_ago=60, name="旧单")  # before the sprint
    accepted_quote(old, [("licence", "1")])
    won(org, rep2, "70000", days_ago=2, name="无报价")
    return sprint


def test_product_mix_counts_the_focus_categorys_share_of_won_deals(org, mix_sprint, rep, rep2):
    with organization_scope(org.id):
        progress = selectors.sprint_progress(Sprint.objects.get(pk=mix_sprint.pk))
    figures = {r.key: r.figures["product_mix"] for r in progress.reps}
    assert figures[rep.user_id].actual == D("30000.00")
    assert figures[rep.user_id].attainment == D("60.0")
    assert figures[rep2.user_id].actual == D("0.00")
    assert "product_mix" in progress.measures


def test_a_bundle_focus_counts_the_bundle_blocks(org, hr, sprint, rep):
    pack = bundle(org)
    services.sprint_set_mix(actor=hr, sprint=sprint, bundle_id=pack.pk)
    deal = won(org, rep, "10000", days_ago=1)
    accepted_quote(deal, [("licence", "1000")], [(pack, "4000")])
    with organization_scope(org.id):
        progress = selectors.sprint_progress(Sprint.objects.get(pk=sprint.pk))
    assert {r.key: r.figures["product_mix"].actual for r in progress.reps}[rep.user_id] == D(
        "8000.00"
    )


def test_the_sprint_page_the_reps_own_figures_and_the_export_show_the_mix(
    client_for, hr, rep, mix_sprint
):
    page = client_for(rep.user).get(reverse("incentives:sprint", args=[mix_sprint.pk]))
    html = page.content.decode()
    assert 'id="my-mix"' in html and "60.0%" in html
    assert "measure-product_mix" in html
    export = client_for(hr.user).get(reverse("incentives:export", args=[mix_sprint.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    headers = [c.value for c in sheet[1]]
    # The category named beside the measure, in the reader's language.
    assert any("软件许可" in str(h) or "Software licence" in str(h) for h in headers)
    assert sheet[3][4].value == 30000


def test_the_api_serves_the_mix_figure_and_sets_the_focus(hr, rep, mix_sprint, org):
    body = api(rep.user).get(f"/api/incentives/sprints/{mix_sprint.pk}/progress/").json()
    mine = next(r for r in body["reps"] if r["id"] == rep.user_id)
    assert mine["product_mix"]["actual"] == "30000.00"
    pack = bundle(org)
    response = api(hr.user).post(
        f"/api/incentives/sprints/{mix_sprint.pk}/mix/", {"bundle_id": pack.pk}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["mix_category"], response.json()["mix_bundle"]) == ("", pack.pk)


def test_a_mix_target_without_a_focus_is_a_field_error_and_nothing_is_written(hr, sprint, rep, org):
    with pytest.raises(ServiceError) as raised:
        services.target_set(
            actor=hr, sprint=sprint, measure="product_mix", amount=D(1), user_id=rep.user_id
        )
    assert raised.value.field == "measure"
    response = api(hr.user).post(
        f"/api/incentives/sprints/{sprint.pk}/targets/",
        {"measure": "product_mix", "amount": "100.00", "user": rep.user_id},
        format="json",
    )
    assert response.status_code == 400 and "measure" in response.json()
    with organization_scope(org.id):
        assert not Target.objects.filter(measure="product_mix").exists()


def test_clearing_a_focus_in_use_is_refused(hr, mix_sprint, org):
    response = api(hr.user).post(
        f"/api/incentives/sprints/{mix_sprint.pk}/mix/", {"category": ""}, format="json"
    )
    assert response.status_code == 400 and "mix_category" in response.json()
    with organization_scope(org.id):
        assert Sprint.objects.get(pk=mix_sprint.pk).mix_category == "licence"


def test_bad_focus_input_is_a_400_with_the_field(hr, sprint, other_org, org):
    foreign = bundle(other_org, code="theirs")
    client = api(hr.user)
    url = f"/api/incentives/sprints/{sprint.pk}/mix/"
    for body, field in (
        ({"bundle_id": foreign.pk}, "mix_bundle"),  # another organization's bundle
        ({"bundle_id": 10**9}, "mix_bundle"),
        ({"category": "hardware"}, "category"),
        ({"category": "licence", "bundle_id": bundle(org).pk}, "mix_bundle"),
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    created = client.post(
        "/api/incentives/sprints/",
        {
            "name": "Q2",
            "start": dt.date(2026, 4, 1).isoformat(),
            "end": dt.date(2026, 6, 30).isoformat(),
            "mix_bundle_id": foreign.pk,
        },
        format="json",
    )
    assert created.status_code == 400 and "mix_bundle" in created.json()
    with organization_scope(org.id):
        assert not Sprint.objects.filter(name="Q2").exists()
        assert Sprint.objects.get(pk=sprint.pk).mix_bundle_id is None


def test_the_mix_trio_owner_teammate_outsider(client_for, hr, rep, outsider, mix_sprint):
    url = reverse("incentives:mix_set", args=[mix_sprint.pk])
    assert client_for(rep.user).post(url, {"category": "service"}).status_code == 403
    assert client_for(outsider).post(url, {"category": "service"}).status_code == 404
    assert (
        api(outsider)
        .post(
            f"/api/incentives/sprints/{mix_sprint.pk}/mix/", {"category": "service"}, format="json"
        )
        .status_code
        == 404
    )
    assert client_for(hr.user).post(url, {"category": "service"}).status_code == 302
    with organization_scope(mix_sprint.organization_id):
        assert Sprint.objects.get(pk=mix_sprint.pk).mix_category == "service"
