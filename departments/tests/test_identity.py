"""Where a person acts and in which language (stored, never an accident),
and the API tokens they hold."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from departments.models import ApiToken, Department, Membership, UserProfile
from departments.roles import Role
from departments.tests.factories import OrganizationFactory, api_client, member, token_for


@pytest.fixture
def two_orgs(org, other_org, teammate):
    """teammate also belongs to other_org (joined second)."""
    Membership.unscoped.create(organization=other_org, user=teammate, role=Role.DEPT_HEAD)
    return teammate


def sign_in(client, username, password="pw-collab-test"):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


# --- X-Organization for token clients ----------------------------------------


@pytest.mark.django_db
def test_a_token_client_of_several_organizations_without_the_header_gets_a_400_saying_so(two_orgs):
    response = api_client(two_orgs).get("/api/departments/")
    assert response.status_code == 400
    body = response.json()
    assert "X-Organization" in body["detail"]
    assert body["organizations"] == ["acme", "other-co"]


@pytest.mark.django_db
def test_a_token_client_with_the_header_acts_in_that_organization(two_orgs, other_org):
    rows = api_client(two_orgs, other_org).get("/api/departments/").json()["results"]
    ids = {r["id"] for r in rows}
    assert ids == set(
        Department.unscoped.filter(organization=other_org).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_token_client_with_one_membership_needs_no_header(teammate, org):
    response = api_client(teammate).get("/api/departments/")
    assert response.status_code == 200 and response.json()["count"] == 9


@pytest.mark.django_db
def test_a_token_client_never_borrows_the_organization_of_a_session_riding_along(
    client, org, other_org, owner, outsider
):
    """Session of ``owner`` (Acme) plus the token of ``outsider`` (Other):
    the call acts as the token's user, in the token user's organization."""
    client.force_login(owner)
    client.get(reverse("departments:directory"))
    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token_for(outsider)}")
    assert response.json()["username"] == "outsider"
    assert response.json()["organization"] == "other-co"
    rows = client.get(
        "/api/departments/", HTTP_AUTHORIZATION=f"Token {token_for(outsider)}"
    ).json()["results"]
    assert {Department.unscoped.get(pk=r["id"]).organization_id for r in rows} == {other_org.id}


@pytest.mark.django_db
def test_me_answers_a_token_client_of_several_organizations_with_no_organization(two_orgs):
    body = api_client(two_orgs).get("/api/me/").json()
    assert body["organization"] is None
    assert [m["organization"] for m in body["memberships"]] == ["acme", "other-co"]


@pytest.mark.django_db
def test_me_department_is_null_for_a_member_without_one_and_the_schema_says_it_may_be(
    owner, client_for
):
    body = api_client(owner).get("/api/me/").json()
    assert body["memberships"][0]["department"] is None
    schema = client_for(owner).get("/api/schema/?format=json").json()
    department = schema["components"]["schemas"]["MembershipOutput"]["properties"]["department"]
    assert department.get("nullable") is True
    assert schema["components"]["schemas"]["MeOutput"]["properties"]["organization"]["nullable"]


# --- the default organization: stored, used at sign-in ------------------------


@pytest.mark.django_db
def test_without_a_stored_choice_the_first_organization_joined_wins_not_the_first_by_name(db):
    zeta = OrganizationFactory(name="Zeta", slug="zeta")
    alpha = OrganizationFactory(name="Alpha", slug="alpha")
    person = member(zeta, role=Role.SALES_REP, department_code="business", username="p")
    Membership.unscoped.create(organization=alpha, user=person, role=Role.SALES_REP)
    client = sign_in(Client(), "p")
    assert client.get(reverse("departments:directory")).context["current_organization"] == zeta


@pytest.mark.django_db
def test_the_switchers_choice_is_stored_and_signing_in_elsewhere_lands_there(
    two_orgs, org, other_org
):
    first = sign_in(Client(), "teammate")
    assert first.get(reverse("departments:directory")).context["current_organization"] == org
    first.post(reverse("departments:switch"), {"organization_id": other_org.id})
    assert UserProfile.objects.get(user=two_orgs).default_organization == other_org

    fresh = sign_in(Client(), "teammate")  # another device: no session, no cookie
    response = fresh.get(reverse("home"), follow=True)
    assert response.context["current_organization"] == other_org
    # … and their role there decides the landing page (a head: the queue).
    assert response.redirect_chain[0][0] == reverse("requests_sla:queue")


@pytest.mark.django_db
def test_a_stored_organization_the_user_has_left_falls_back_to_the_first_joined(
    two_orgs, org, other_org
):
    UserProfile.objects.create(user=two_orgs, default_organization=other_org)
    Membership.unscoped.filter(user=two_orgs, organization=other_org).update(is_active=False)
    client = sign_in(Client(), "teammate")
    assert client.get(reverse("departments:directory")).context["current_organization"] == org


# --- the language: stored on the user -------------------------------------------


@pytest.mark.django_db
def test_the_language_chosen_is_stored_and_applied_at_the_next_sign_in_on_a_fresh_client(
    teammate, org
):
    org.default_language = "zh-hans"
    org.save()
    first = sign_in(Client(), "teammate")
    first.post(reverse("set_language"), {"language": "en", "next": "/departments/"})
    assert UserProfile.objects.get(user=teammate).language == "en"

    fresh = sign_in(Client(), "teammate")  # no language cookie: the stored choice wins
    page = fresh.get(reverse("departments:directory"))
    assert page["Content-Language"] == "en"
    assert "Department directory" in page.content.decode()
    # The cookie follows the stored choice, so signed-out pages stay in English.
    assert fresh.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_the_stored_language_wins_over_a_cookie_and_the_organizations_default(teammate, org):
    UserProfile.objects.create(user=teammate, language="zh-hans")  # org (factory) speaks English
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(client, "teammate")
    assert client.get(reverse("departments:directory"))["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_without_a_stored_language_the_organizations_default_applies(teammate, org):
    client = sign_in(Client(), "teammate")
    assert client.get(reverse("departments:directory"))["Content-Language"] == "en"
    org.default_language = "zh-hans"
    org.save()
    assert client.get(reverse("departments:directory"))["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_a_language_picked_while_signed_out_becomes_the_stored_choice_at_sign_in(teammate):
    client = Client()
    client.post(reverse("set_language"), {"language": "zh-hans"})
    sign_in(client, "teammate")
    assert UserProfile.objects.get(user=teammate).language == "zh-hans"


@pytest.mark.django_db
def test_an_unsupported_language_is_not_stored(client_for, teammate):
    client_for(teammate).post(reverse("set_language"), {"language": "xx"})
    assert not UserProfile.objects.filter(user=teammate).exclude(language="").exists()


# --- API tokens ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_token_made_on_the_account_page_is_shown_once_and_only_its_hash_is_stored(
    client_for, teammate
):
    client = client_for(teammate)
    response = client.post(reverse("departments:account"), {"name": "CRM sync", "days": "30"})
    assert response.status_code == 200
    key = response.context["created"]["key"]
    assert key in response.content.decode()
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    token = ApiToken.objects.get(user=teammate)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.name, token.prefix, token.key_hash}
    assert dt.timedelta(days=29) < token.expires_at - token.created_at <= dt.timedelta(days=30)
    # Never again: the list shows the name and the prefix only.
    page = client.get(reverse("departments:account")).content.decode()
    assert "CRM sync" in page and token.prefix in page and key not in page
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/me/").json()["username"] == "teammate"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_a_revoked_token_is_refused_with_a_401_that_says_so(client_for, teammate):
    key = token_for(teammate)
    token = ApiToken.objects.get(user=teammate)
    client_for(teammate).post(reverse("departments:token_revoke", args=[token.pk]))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/departments/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "撤销" in response.json()["detail"] or "revoked" in response.json()["detail"]


@pytest.mark.django_db
def test_an_expired_token_is_refused_with_a_401_that_says_so(teammate):
    api = api_client(teammate)
    assert api.get("/api/departments/").status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=366)):
        response = api.get("/api/departments/")
    assert response.status_code == 401
    assert "过期" in response.json()["detail"] or "expired" in response.json()["detail"]


@pytest.mark.django_db
def test_an_unknown_or_malformed_token_is_a_401(teammate):
    for header in ("Token nope", "Token a b", "Token \u00e9"):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=header)
        assert api.get("/api/departments/").status_code == 401, header


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute(teammate, django_assert_num_queries):
    api = api_client(teammate)
    api.get("/api/me/")
    # token (with its user), memberships: no write on the second call
    with django_assert_num_queries(2):
        api.get("/api/me/")


@pytest.mark.django_db
def test_the_token_endpoint_issues_an_expiring_named_token(client, teammate):
    response = client.post(
        "/api/auth/token/", {"username": "teammate", "password": "pw-collab-test", "name": "cli"}
    )
    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(user=teammate)
    assert (
        token.name == "cli" and token.key_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    )
    assert body["expires_at"]
    bad = client.post("/api/auth/token/", {"username": "teammate", "password": "wrong"})
    assert bad.status_code == 400 and "non_field_errors" in bad.json()
    too_long = client.post(
        "/api/auth/token/", {"username": "teammate", "password": "pw-collab-test", "days": 9999}
    )
    assert too_long.status_code == 400 and "days" in too_long.json()


@pytest.mark.django_db
def test_tokens_trio_own_revoke_works_someone_elses_is_404_anonymous_is_sent_to_sign_in(
    client, teammate, owner, outsider
):
    token_for(teammate)
    token = ApiToken.objects.get(user=teammate)
    url = reverse("departments:token_revoke", args=[token.pk])
    for stranger in (owner, outsider):  # a teammate of the same organization, another organization
        client.force_login(stranger)
        assert client.post(url).status_code == 404
        assert "tests" not in client.get(reverse("departments:account")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    client.logout()
    assert client.get(reverse("departments:account"))["Location"].startswith("/accounts/login/")
    client.force_login(teammate)
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_a_token_form_without_a_name_says_so(client_for, teammate):
    response = client_for(teammate).post(reverse("departments:account"), {"name": "", "days": "30"})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_adopts_drf_authtoken_keys_and_drops_their_clear_text_table(
    teammate, as_owner
):
    # A migration's function: it runs as the owner role, as `migrate` does.
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("departments.migrations.0002_identity")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamptz NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, now(), %s)", ["a" * 40, teammate.pk]
        )
    with connection.schema_editor() as editor:
        migration.adopt_authtoken_keys(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {'a' * 40}")
    assert api.get("/api/me/").json()["username"] == "teammate"
    token = ApiToken.objects.get(user=teammate)
    assert token.expires_at > token.created_at + dt.timedelta(days=89)
