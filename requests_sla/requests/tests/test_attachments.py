"""Attachments: one rule for page, API and download; the download view's
headers in both modes; signed, expiring email links; nothing under /media/."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from collab import tenancy
from requests_sla.requests import permissions, selectors, signed_links
from requests_sla.requests import services as request_services
from requests_sla.requests.models import Attachment
from requests_sla.tests.factories import file_tech_support

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


def pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def files(frozen, rep, head_rnd):
    """Request filed by ``rep``; ``head_rnd`` (serving side) adds an internal
    note with ``secret-plan.pdf`` and a public comment with ``answer.pdf``."""
    req = file_tech_support(rep)
    request_services.comment_add(
        request=req,
        actor=head_rnd,
        body="内部评估",
        is_internal=True,
        files=[pdf("secret-plan.pdf")],
    )
    request_services.comment_add(
        request=req, actor=head_rnd, body="答复", files=[pdf("answer.pdf")]
    )
    internal = Attachment.unscoped.get(original_name="secret-plan.pdf")
    public = Attachment.unscoped.get(original_name="answer.pdf")
    return req, internal, public


def download(attachment):
    return reverse("requests_sla:attachment", args=[attachment.pk])


@pytest.mark.django_db
def test_the_requester_sees_no_internal_note_attachment_in_the_api(files, rep, head_rnd, api):
    req, internal, public = files
    detail = api(rep).get(f"/api/requests/{req.pk}/").json()
    assert [a["original_name"] for a in detail["attachments"]] == ["answer.pdf"]
    assert download(internal) not in str(detail)
    listed = api(rep).get(f"/api/requests/{req.pk}/attachments/").json()
    assert [a["original_name"] for a in listed] == ["answer.pdf"]
    assert listed[0]["url"] == download(public)
    head_detail = api(head_rnd).get(f"/api/requests/{req.pk}/").json()
    assert {a["original_name"] for a in head_detail["attachments"]} == {
        "secret-plan.pdf",
        "answer.pdf",
    }
    head_list = api(head_rnd).get(f"/api/requests/{req.pk}/attachments/").json()
    assert len(head_list) == 2


@pytest.mark.django_db
def test_the_requester_sees_no_internal_note_attachment_on_the_page(files, rep, head_rnd, client):
    req, internal, public = files
    page = reverse("requests_sla:detail", args=[req.pk])
    client.force_login(rep.user)
    body = client.get(page).content.decode()
    assert "answer.pdf" in body and download(public) in body
    assert "secret-plan.pdf" not in body and download(internal) not in body
    assert "/media/" not in body
    client.force_login(head_rnd.user)
    body = client.get(page).content.decode()
    assert "secret-plan.pdf" in body and download(internal) in body


@pytest.mark.django_db
def test_download_applies_the_same_rule(files, rep, head_rnd, ops, client):
    req, internal, public = files
    client.force_login(rep.user)
    assert client.get(download(internal)).status_code == 404
    assert client.get(download(public)).status_code == 200
    for who in (head_rnd, ops):
        client.force_login(who.user)
        response = client.get(download(internal))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_download_is_a_streamed_attachment_with_nosniff(files, rep, client):
    _req, _internal, public = files
    client.force_login(rep.user)
    response = client.get(download(public))
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="answer.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    assert "X-Accel-Redirect" not in response
    assert response["Content-Length"] == str(len(PDF))


@pytest.mark.django_db
@override_settings(SENDFILE_X_ACCEL_PREFIX="/_protected/")
def test_behind_nginx_the_view_answers_with_x_accel_redirect(files, rep, client):
    _req, internal, public = files
    client.force_login(rep.user)
    response = client.get(download(public))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected/{public.file.name}"
    assert response["Content-Disposition"] == 'attachment; filename="answer.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(download(internal)).status_code == 404  # the rule first, always


@pytest.mark.django_db
def test_outsiders_get_404_and_strangers_the_sign_in_page(files, outsider, client):
    _req, _internal, public = files
    response = client.get(download(public))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(download(public)).status_code == 404
    assert client.get("/requests/files/99999999999999999999999/").status_code == 404


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_nothing_is_served_from_media_url(files, rep, client):
    _req, _internal, public = files
    client.force_login(rep.user)
    assert client.get(f"/media/{public.file.name}").status_code == 404


@pytest.mark.django_db
def test_the_rule_as_a_filter_and_for_one_attachment_agree(
    files, rep, rep2, head_rnd, dev_rnd, head_mkt, ops, admin
):
    req, internal, public = files
    expected = {
        "rep": {public.pk},
        "rep2": set(),  # cannot see the request at all
        "head_rnd": {public.pk, internal.pk},
        "dev_rnd": {public.pk, internal.pk},
        "head_mkt": set(),
        "ops": {public.pk, internal.pk},
        "admin": {public.pk, internal.pk},
    }
    people = dict(
        rep=rep,
        rep2=rep2,
        head_rnd=head_rnd,
        dev_rnd=dev_rnd,
        head_mkt=head_mkt,
        ops=ops,
        admin=admin,
    )
    with tenancy.organization_scope(req.organization_id):
        for name, who in people.items():
            seen = set(selectors.attachments_visible_to(who).values_list("pk", flat=True))
            assert seen == expected[name], name
            if permissions.can_view(who, req):
                one = {
                    a.pk
                    for a in Attachment.objects.filter(request=req).select_related("comment")
                    if permissions.can_see_attachment(who, a, req)
                }
                assert one == seen, name


# ---------------------------------------------------------------- signed links


@pytest.mark.django_db
def test_a_signed_link_opens_for_its_recipient_only(files, rep, rep2, client):
    _req, internal, public = files
    url = signed_links.attachment_signed_path(public, rep.user.pk)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(rep.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="answer.pdf"'
    client.force_login(rep2.user)  # forwarded to someone else
    assert client.get(url).status_code == 404
    # A link minted for rep to the internal note's file still obeys the rule.
    client.force_login(rep.user)
    assert client.get(signed_links.attachment_signed_path(internal, rep.user.pk)).status_code == 404


@pytest.mark.django_db
def test_an_expired_or_tampered_link_says_so(files, rep, client):
    _req, _internal, public = files
    url = signed_links.attachment_signed_path(public, rep.user.pk)
    client.force_login(rep.user)
    with time_machine.travel(dt.timedelta(days=8)):
        response = client.get(url)
    assert response.status_code == 403
    assert any(w in response.content.decode() for w in ("过期", "has expired"))
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = reverse("requests_sla:attachment_signed", args=[token[:-2] + "xx"])
    response = client.get(forged)
    assert response.status_code == 404
    assert any(w in response.content.decode() for w in ("无效", "is invalid"))


@pytest.mark.django_db
def test_an_outsider_with_a_link_gets_404(files, outsider, client):
    _req, _internal, public = files
    client.force_login(outsider)
    url = signed_links.attachment_signed_path(public, outsider.pk)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_mention_email_carries_signed_links_the_recipient_may_open(
    frozen, rep, head_rnd, dev_rnd, client, mailoutbox
):
    from requests_sla.notifications import outbox

    req = file_tech_support(rep)
    request_services.comment_add(
        request=req, actor=head_rnd, body="@teammate 请看附件", files=[pdf("quote.pdf")]
    )
    request_services.comment_add(
        request=req,
        actor=head_rnd,
        body="@dev-rnd 内部",
        is_internal=True,
        files=[pdf("cost.pdf")],
    )
    mailoutbox.clear()
    outbox.deliveries_flush(organization_id=req.organization_id)
    by_recipient = {m.to[0]: m.body for m in mailoutbox}
    rep_mail, dev_mail = by_recipient[rep.user.email], by_recipient[dev_rnd.user.email]
    assert "quote.pdf" in rep_mail and "cost.pdf" not in rep_mail
    assert "cost.pdf" in dev_mail and "quote.pdf" not in dev_mail
    url = next(w for w in rep_mail.split() if "/requests/files/signed/" in w)
    client.force_login(rep.user)
    response = client.get(url.split("127.0.0.1:8000", 1)[-1])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(dev_rnd.user)  # the rep's link, forwarded
    assert client.get(url.split("127.0.0.1:8000", 1)[-1]).status_code == 404


@pytest.mark.django_db
def test_token_clients_download_through_the_api_under_the_same_rule(
    files, rep, head_rnd, outsider_membership, api
):
    req, internal, public = files
    listed = api(rep).get(f"/api/requests/{req.pk}/attachments/").json()
    response = api(rep).get(listed[0]["api_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="answer.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    internal_url = f"/api/requests/{req.pk}/attachments/{internal.pk}/"
    assert api(rep).get(internal_url).status_code == 404
    assert api(head_rnd).get(internal_url).status_code == 200
    assert api(outsider_membership).get(internal_url).status_code == 404
    other = file_tech_support(rep, title="另一个")
    assert api(rep).get(f"/api/requests/{other.pk}/attachments/{public.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_attachment_list_costs_the_same_for_more_files(files, rep, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    req, _internal, _public = files
    client = api(rep)
    url = f"/api/requests/{req.pk}/attachments/"
    client.get(url)  # the token's first use of the day is written once
    with CaptureQueriesContext(connection) as before:
        assert len(client.get(url).json()) == 1
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        request_services.attachment_add(request=req, actor=rep, file=pdf(name))
    with CaptureQueriesContext(connection) as after:
        assert len(client.get(url).json()) == 4
    assert len(after) == len(before)
