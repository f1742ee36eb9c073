"""Invitations need the invited person's consent (issue #10, item 1).

The reproduction: Other Co's admin invites Demo Co's rep by email. Before,
``member_invite`` silently gave rep an Other Co membership; now a pending
invitation waits until rep, signed in, accepts it."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from collab import tenancy
from departments.models import Department, Invitation, InvitationState, Membership
from departments.roles import Role
from departments.tests.factories import OrganizationFactory, UserFactory, api_client, member


def invite(client, email, role="sales_rep", **extra):
    return client.post(
        reverse("departments:settings"), {"form": "invite", "email": email, "role": role, **extra}
    )


def invited_by(client, admin, invitee):
    """``admin`` (signed in on ``client``) invites ``invitee`` with the
    defaults; the invitation."""
    client.force_login(admin)
    invite(client, invitee.email)
    return Invitation.unscoped.get(invitee=invitee)


def memberships(user):
    return sorted(Membership.unscoped.filter(user=user).values_list("organization__slug", "role"))


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the emails) of what the block does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.django_db
def test_an_other_organizations_admin_inviting_our_rep_moves_nobody(
    client, org, other_org, teammate, outsider, sent
):
    client.force_login(outsider)
    with sent():
        response = invite(client, teammate.email, role="sales_rep")
    assert response.status_code == 302
    # Nothing changed for the rep: still only a member of their own organization.
    assert memberships(teammate) == [("acme", "sales_rep")]
    invitation = Invitation.unscoped.get(invitee=teammate)
    assert (invitation.organization_id, invitation.state, invitation.role) == (
        other_org.id,
        InvitationState.PENDING,
        "sales_rep",
    )
    assert invitation.invited_by == outsider
    # They are told, by email, with a link that opens the invitation.
    assert [m.to for m in mail.outbox] == [[teammate.email]]
    assert "Other" in mail.outbox[0].subject
    link = re.search(r"https?://\S+/departments/invitations/open/(\S+)/", mail.outbox[0].body)
    assert link


@pytest.mark.django_db
def test_the_invited_rep_sees_the_invitation_signed_in_and_accepting_creates_the_membership(
    client, org, other_org, teammate, outsider, sent
):
    client.force_login(outsider)
    with sent():
        invite(
            client,
            teammate.email,
            role="dept_head",
            department=Department.unscoped.get(organization=other_org, code="rnd").pk,
        )
    token = re.search(r"/invitations/open/([^/\s]+)/", mail.outbox[0].body).group(1)

    client.force_login(teammate)
    page = client.get(reverse("departments:directory")).content.decode()
    assert 'class="msg msg-warning invite-notice"' in page  # the in-app notice, on every page
    opened = client.get(reverse("departments:invitation_open", args=[token]))
    invitation = Invitation.unscoped.get(invitee=teammate)
    assert opened["Location"] == f"{reverse('departments:invitations')}#invitation-{invitation.pk}"
    listing = client.get(reverse("departments:invitations")).content.decode()
    assert f'id="invitation-{invitation.pk}"' in listing and "Other" in listing

    response = client.post(reverse("departments:invitation_accept", args=[invitation.pk]))
    assert response.status_code == 302
    assert memberships(teammate) == [("acme", "sales_rep"), ("other-co", "dept_head")]
    joined = Membership.unscoped.select_related("department").get(
        user=teammate, organization=other_org
    )
    assert joined.department.code == "rnd"
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ACCEPTED and invitation.decided_at
    # Accepting does not move the rep: the session still works in their own organization.
    assert client.get(reverse("departments:directory")).context["current_organization"] == org


@pytest.mark.django_db
def test_declining_changes_nothing_and_the_invitation_cannot_be_accepted_after(
    client, other_org, teammate, outsider
):
    invitation = invited_by(client, outsider, teammate)
    client.force_login(teammate)
    client.post(reverse("departments:invitation_decline", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.DECLINED
    client.post(reverse("departments:invitation_accept", args=[invitation.pk]))
    assert memberships(teammate) == [("acme", "sales_rep")]
    assert "invite-notice" not in client.get(reverse("departments:directory")).content.decode()


@pytest.mark.django_db
def test_an_expired_invitation_cannot_be_accepted_and_no_longer_shows(
    client, other_org, teammate, outsider
):
    invitation = invited_by(client, outsider, teammate)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8)):
        client.force_login(teammate)
        assert (
            f"invitation-{invitation.pk}"
            not in client.get(reverse("departments:invitations")).content.decode()
        )
        response = client.post(
            reverse("departments:invitation_accept", args=[invitation.pk]), follow=True
        )
        assert "expired" in response.content.decode()  # the factory's organizations speak English
    assert memberships(teammate) == [("acme", "sales_rep")]
    # The inviting admin sees it as expired, and may invite again.
    client.force_login(outsider)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8)):
        page = client.get(reverse("departments:settings")).content.decode()
        assert "Expired" in page  # the factory's organizations speak English
        invite(client, teammate.email)
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING and not invitation.is_expired


@pytest.mark.django_db
def test_the_inviting_admin_lists_and_revokes_pending_invitations(
    client, other_org, teammate, outsider
):
    invitation = invited_by(client, outsider, teammate)
    page = client.get(reverse("departments:settings")).content.decode()
    assert f'id="invitation-{invitation.pk}"' in page and teammate.email in page
    client.post(reverse("departments:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.REVOKED
    client.force_login(teammate)
    client.post(reverse("departments:invitation_accept", args=[invitation.pk]))
    assert memberships(teammate) == [("acme", "sales_rep")]


@pytest.mark.django_db
def test_inviting_again_refreshes_the_open_invitation_and_the_old_link_stops_working(
    client, other_org, teammate, outsider, sent
):
    client.force_login(outsider)
    with sent():
        invite(client, teammate.email, role="sales_rep")
    with sent():
        invite(client, teammate.email, role="dept_member")
    assert Invitation.unscoped.filter(invitee=teammate).count() == 1
    assert Invitation.unscoped.get(invitee=teammate).role == "dept_member"
    old, new = (re.search(r"/invitations/open/([^/\s]+)/", m.body).group(1) for m in mail.outbox)
    client.force_login(teammate)
    assert client.get(reverse("departments:invitation_open", args=[old])).status_code == 404
    assert client.get(reverse("departments:invitation_open", args=[new])).status_code == 302


@pytest.mark.django_db
def test_re_inviting_ones_own_email_cannot_change_ones_own_role(client_for, owner, org):
    response = invite(client_for(owner), owner.email, role="sales_rep")
    assert response.status_code == 200
    assert (
        "已是本企业成员" in response.content.decode()
        or "already a member" in response.content.decode()
    )
    assert memberships(owner) == [("acme", "org_admin")]
    assert not Invitation.unscoped.exists()


@pytest.mark.django_db
def test_inviting_a_current_member_points_to_the_member_list_instead(client_for, owner, teammate):
    response = invite(client_for(owner), teammate.email, role="org_admin")
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert memberships(teammate) == [("acme", "sales_rep")]


@pytest.mark.django_db
def test_an_email_with_a_300_character_local_part_is_a_form_error(client_for, owner):
    email = "a" * 300 + "@example.com"
    response = invite(client_for(owner), email)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Membership.unscoped.filter(user__email=email).exists()


@pytest.mark.django_db
def test_a_long_but_valid_address_gets_an_account_whose_username_fits(client_for, owner, org):
    # The longest local part RFC 5321 allows (64) and a long domain: 251 characters.
    email = "b" * 64 + "@" + ".".join(["d" * 60] * 3) + ".com"
    assert invite(client_for(owner), email).status_code == 302
    membership = Membership.unscoped.select_related("user").get(user__email=email)
    assert membership.organization_id == org.id and len(membership.user.username) <= 150


@pytest.mark.django_db
def test_an_email_shared_by_two_accounts_is_refused_rather_than_guessed(client_for, owner):
    UserFactory(username="twin1", email="twin@example.com")
    UserFactory(username="twin2", email="Twin@example.com")
    response = invite(client_for(owner), "twin@example.com")
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not Invitation.unscoped.exists()


# --- the tenancy trio on the new pages ------------------------------------------


@pytest.fixture
def pending(org, owner, other_org):
    """An invitation of ``org`` to a user of a third organization."""
    guest = member(
        OrganizationFactory(name="Third", slug="third"), role=Role.SALES_REP, username="guest"
    )
    from departments.services import member_invite

    with tenancy.organization_scope(org.id):
        outcome = member_invite(
            organization=org, email=guest.email, role="sales_rep", department=None, actor=owner
        )
    return outcome.invitation


@pytest.mark.django_db
def test_revoking_owner_may_teammate_may_not_outsider_gets_404(
    client, pending, owner, teammate, outsider
):
    url = reverse("departments:invitation_revoke", args=[pending.pk])
    client.force_login(outsider)  # admin of another organization
    assert client.post(url).status_code == 404
    client.force_login(teammate)  # our sales rep
    assert client.post(url).status_code == 403
    pending.refresh_from_db()
    assert pending.state == InvitationState.PENDING
    client.force_login(owner)
    assert client.post(url).status_code == 302
    pending.refresh_from_db()
    assert pending.state == InvitationState.REVOKED


@pytest.mark.django_db
def test_only_the_invited_person_may_accept_or_decline_anyone_else_gets_404(
    client, pending, owner, teammate, outsider
):
    for someone in (owner, teammate, outsider):
        client.force_login(someone)
        assert (
            client.post(reverse("departments:invitation_accept", args=[pending.pk])).status_code
            == 404
        )
        assert (
            client.post(reverse("departments:invitation_decline", args=[pending.pk])).status_code
            == 404
        )
        assert (
            f"invitation-{pending.pk}"
            not in client.get(reverse("departments:invitations")).content.decode()
        )
    pending.refresh_from_db()
    assert pending.state == InvitationState.PENDING
    assert client.post(reverse("departments:invitation_accept", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_the_settings_page_lists_only_this_organizations_invitations(client_for, pending, outsider):
    page = client_for(outsider).get(reverse("departments:settings")).content.decode()
    assert f'id="invitation-{pending.pk}"' not in page and "guest@" not in page


@pytest.mark.django_db
def test_the_invitations_page_needs_a_sign_in(client):
    response = client.get(reverse("departments:invitations"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_a_token_client_of_the_rep_keeps_filing_into_its_own_organization_until_accepting(
    client, org, other_org, teammate, outsider
):
    """The second half of the reproduction: rep's token client without a
    header must not start acting in Other Co because of an invitation."""
    invited_by(client, outsider, teammate)
    body = api_client(teammate).get("/api/me/").json()
    assert body["organization"] == "acme"
    assert [m["organization"] for m in body["memberships"]] == ["acme"]


@pytest.mark.django_db
def test_the_header_badge_costs_no_query(
    client_for, teammate, outsider, client, django_assert_num_queries
):
    invited_by(client, outsider, teammate)
    signed_in = client_for(teammate)
    signed_in.get(reverse("departments:directory"))
    # user, memberships (with the open-invitation count), unread notifications,
    # departments, prefetched people: as before invitations existed.
    with django_assert_num_queries(5):
        page = signed_in.get(reverse("departments:directory")).content.decode()
    assert "invite-notice" in page


@pytest.mark.django_db
def test_a_token_client_reads_its_memberships_without_the_invitation_count(
    client, teammate, outsider
):
    # The count is the header's; a token client renders none (the subquery
    # was half the membership read of every API call).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    invited_by(client, outsider, teammate)
    with CaptureQueriesContext(connection) as captured:
        assert api_client(teammate).get("/api/me/").status_code == 200
    read = [q["sql"] for q in captured if 'FROM "departments_membership"' in q["sql"]][0]
    assert "departments_invitation" not in read


def _no_chinese(html: str) -> list[str]:
    html = html.replace("简体中文", "").replace(">中文<", "><")
    html = re.sub(r"<option[^>]*>[^<]*</option>", "", html)
    return re.findall(r"[\u3400-\u9fff]+", html)


@pytest.mark.django_db
def test_the_invitation_pages_and_email_read_entirely_in_english(
    client, other_org, teammate, outsider, sent
):
    client.force_login(outsider)
    with sent():
        invite(client, teammate.email)
    assert not _no_chinese(mail.outbox[0].subject + mail.outbox[0].body)
    assert not _no_chinese(client.get(reverse("departments:settings")).content.decode())
    client.force_login(teammate)
    for url in (reverse("departments:invitations"), reverse("departments:directory")):
        assert not _no_chinese(client.get(url).content.decode()), url
    created = client.post(reverse("departments:account"), {"name": "sync", "days": "90"})
    assert not _no_chinese(created.content.decode())
    invitation = Invitation.unscoped.get(invitee=teammate)
    accepted = client.post(
        reverse("departments:invitation_accept", args=[invitation.pk]), follow=True
    )
    assert "You have joined Other" in accepted.content.decode()


@pytest.mark.django_db
def test_the_email_is_in_the_invited_persons_stored_language(
    client, other_org, teammate, outsider, sent
):
    from departments.models import UserProfile

    UserProfile.objects.create(user=teammate, language="zh-hans")
    client.force_login(outsider)
    with sent():
        invite(client, teammate.email)
    assert "邀请你" in mail.outbox[0].subject


@pytest.mark.django_db
def test_answering_and_emailing_an_invitation_stay_in_the_inviting_organizations_scope(
    client, other_org, teammate, outsider, sent, caplog
):
    """Only finding one's own invitation crosses organizations; the email and
    the locked answer read the row in the inviting organization's scope."""
    import logging

    from departments import services

    caplog.set_level(logging.INFO, logger="collab.tenancy.unscoped")
    client.force_login(outsider)
    with sent():
        invite(client, teammate.email)
    assert [m.to for m in mail.outbox] == [[teammate.email]]
    invitation = Invitation.unscoped.get(invitee=teammate)
    membership = services.invitation_accept(invitation=invitation, user=teammate)
    assert membership.organization_id == other_org.id
    unscoped = [r.getMessage() for r in caplog.records if r.name == "collab.tenancy.unscoped"]
    assert not [m for m in unscoped if "departments/services.py" in m], unscoped
