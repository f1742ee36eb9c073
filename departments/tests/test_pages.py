import re

import pytest
from django.core import mail
from django.urls import reverse

from collab import tenancy
from departments.models import Department, Membership
from departments.roles import Role
from departments.tests.factories import member


@pytest.mark.django_db
def test_sign_in_page_renders_for_anonymous_users(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


@pytest.mark.django_db
def test_pages_need_a_sign_in(client):
    response = client.get(reverse("departments:directory"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_rep_signs_in_with_a_password_and_lands_on_their_requests(client, teammate):
    response = client.post(
        reverse("login"), {"username": "teammate", "password": "pw-collab-test"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("requests_sla:mine")
    assert response.status_code == 200
    # The directory is one click away and still lists the departments.
    assert reverse("departments:directory") in response.content.decode()
    assert "R&amp;D" in client.get(reverse("departments:directory")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "department", "landing"),
    [
        (Role.SALES_REP, "business", "requests_sla:mine"),
        (Role.DEPT_MEMBER, "rnd", "requests_sla:queue"),
        (Role.DEPT_HEAD, "customer_success", "requests_sla:queue"),
        (Role.OPS_MANAGER, "ops_mgmt", "dashboard:index"),
        (Role.ORG_ADMIN, None, "dashboard:index"),
    ],
)
def test_home_sends_each_role_to_its_first_page(client_for, org, role, department, landing):
    user = member(org, role=role, department_code=department, username=f"u-{role}")
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse(landing)


@pytest.mark.django_db
def test_home_falls_back_to_the_directory_when_the_dashboard_is_not_installed(
    client_for, owner, monkeypatch
):
    from departments import views

    monkeypatch.setitem(views.HOME_BY_ROLE, Role.ORG_ADMIN, ("no-such-app:index",))
    response = client_for(owner).get(reverse("home"))
    assert response["Location"] == reverse("departments:directory")


@pytest.mark.django_db
def test_directory_lists_own_departments_with_heads_and_no_foreign_people(
    client_for, org, other_org, teammate, outsider
):
    head = member(
        org, role=Role.DEPT_HEAD, department_code="rnd", username="rndhead", first_name="Rita"
    )
    member(
        other_org,
        role=Role.DEPT_HEAD,
        department_code="rnd",
        username="foreignhead",
        first_name="Fiona",
    )
    body = client_for(teammate).get(reverse("departments:directory")).content.decode()
    assert "Rita" in body and head.username
    assert "Fiona" not in body
    assert body.count('id="dept-') == 9


@pytest.mark.django_db
def test_directory_query_count_does_not_grow_with_members(
    client_for, org, teammate, django_assert_num_queries
):
    client = client_for(teammate)
    client.get(reverse("departments:directory"))  # warm the session
    for i in range(10):
        member(org, role=Role.DEPT_MEMBER, department_code="rnd", username=f"dev{i}")
    # user, memberships (session cached), unread-notification count (header),
    # departments, prefetched people
    with django_assert_num_queries(5):
        assert client.get(reverse("departments:directory")).status_code == 200


@pytest.mark.django_db
def test_navigation_fits_the_role(client_for, owner, teammate):
    settings_link = reverse("departments:settings")
    assert settings_link in client_for(owner).get(reverse("departments:directory")).content.decode()
    assert (
        settings_link
        not in client_for(teammate).get(reverse("departments:directory")).content.decode()
    )


@pytest.mark.django_db
def test_a_sales_rep_cannot_open_organization_settings(client_for, teammate):
    assert client_for(teammate).get(reverse("departments:settings")).status_code == 403


@pytest.mark.django_db
def test_admin_edits_timezone_and_language(client_for, owner, org):
    response = client_for(owner).post(
        reverse("departments:settings"),
        {
            "form": "settings",
            "name": "Acme Ltd",
            "timezone": "Europe/Berlin",
            "default_language": "zh-hans",
            "country": "DE",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.timezone, org.default_language, org.country) == (
        "Acme Ltd",
        "Europe/Berlin",
        "zh-hans",
        "DE",
    )


@pytest.mark.django_db
def test_bad_settings_keep_the_input_and_say_what_is_wrong(client_for, owner, org):
    response = client_for(owner).post(
        reverse("departments:settings"),
        {
            "form": "settings",
            "name": "Acme typed",
            "timezone": "Mars/Base",
            "default_language": "en",
            "country": "XX",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme typed" in body and 'class="error"' in body
    org.refresh_from_db()
    assert org.timezone == "Asia/Shanghai"


@pytest.mark.django_db
def test_invite_creates_the_account_the_membership_and_a_set_password_email(
    client_for, owner, org, django_capture_on_commit_callbacks
):
    with tenancy.organization_scope(org.id):
        rnd = Department.objects.get(code="rnd")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(
            reverse("departments:settings"),
            {
                "form": "invite",
                "email": "New.Person@Example.com",
                "role": "dept_head",
                "department": rnd.pk,
            },
        )
    assert response.status_code == 302
    membership = Membership.unscoped.get(user__email="new.person@example.com")
    assert (membership.organization_id, membership.role, membership.department_id) == (
        org.id,
        "dept_head",
        rnd.pk,
    )
    assert len(mail.outbox) == 1
    assert re.search(r"/accounts/reset/[^/]+/[^/]+/", mail.outbox[0].body)


@pytest.mark.django_db
def test_invite_with_a_foreign_department_writes_nothing(client_for, owner, other_org):
    foreign = Department.unscoped.get(organization=other_org, code="rnd")
    response = client_for(owner).post(
        reverse("departments:settings"),
        {"form": "invite", "email": "x@example.com", "role": "dept_head", "department": foreign.pk},
    )
    assert response.status_code == 200
    assert not Membership.unscoped.filter(user__email="x@example.com").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_admin_changes_a_role_in_place_with_htmx(client_for, owner, teammate, org):
    membership = Membership.unscoped.get(user=teammate)
    with tenancy.organization_scope(org.id):
        cs = Department.objects.get(code="customer_success")
    response = client_for(owner).post(
        reverse("departments:membership_update", args=[membership.pk]),
        {f"m{membership.pk}-role": "dept_head", f"m{membership.pk}-department": cs.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="member-{membership.pk}"' in response.content.decode()
    membership.refresh_from_db()
    assert (membership.role, membership.department_id) == ("dept_head", cs.pk)


@pytest.mark.django_db
def test_an_outsider_gets_404_for_our_membership_ids(client_for, outsider, teammate):
    membership = Membership.unscoped.get(user=teammate)
    response = client_for(outsider).post(
        reverse("departments:membership_update", args=[membership.pk]),
        {f"m{membership.pk}-role": "org_admin"},
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.role == "sales_rep"


@pytest.mark.django_db
def test_a_user_in_two_organizations_switches_between_them(client_for, org, other_org, teammate):
    Membership.unscoped.create(organization=other_org, user=teammate, role="dept_head")
    client = client_for(teammate)
    page = client.get(reverse("departments:directory")).content.decode()
    assert "Acme" in page and 'id="org-switch"' in page
    client.post(
        reverse("departments:switch"), {"organization_id": other_org.id, "next": "/departments/"}
    )
    page = client.get(reverse("departments:directory")).content.decode()
    assert re.search(rf'<option value="{other_org.id}"\s+selected', page)


@pytest.mark.django_db
def test_switching_to_a_foreign_organization_is_refused(client_for, other_org, teammate):
    client = client_for(teammate)
    client.post(reverse("departments:switch"), {"organization_id": other_org.id})
    assert client.session.get("organization_id") is None


@pytest.mark.django_db
def test_a_user_with_no_membership_sees_an_explanation(client_for, db):
    from departments.tests.factories import UserFactory

    response = client_for(UserFactory(username="loner")).get(reverse("departments:directory"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_password_reset_sends_a_link(client, teammate):
    response = client.post(reverse("password_reset"), {"email": teammate.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_password_change(client_for, teammate):
    client = client_for(teammate)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-collab-test",
            "new_password1": "a-much-better-pass-42",
            "new_password2": "a-much-better-pass-42",
        },
    )
    assert response.status_code == 302
    teammate.refresh_from_db()
    assert teammate.check_password("a-much-better-pass-42")


@pytest.mark.django_db
def test_superuser_admin_sees_every_tenant(admin_client, org, other_org):
    response = admin_client.get("/admin/departments/department/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 18
