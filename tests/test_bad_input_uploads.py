"""Uploads (issue 10): the content is checked against the extension by its
magic bytes (``collab.uploads``, through ``filetype``); an executable renamed
``payload.pdf`` is refused with an error naming the detected type."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from collab import tenancy, uploads
from departments.tests.factories import api_client

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 60

MISMATCHES = [
    ("payload.pdf", EXE, "application/pdf", "application/x-msdownload"),
    ("payload.pdf", ELF, "application/pdf", "application/x-executable"),
    ("photo.png", PDF, "image/png", "application/pdf"),
    ("notes.txt", EXE, "text/plain", "application/x-msdownload"),
    ("report.docx", PNG, "application/octet-stream", "image/png"),
    ("data.csv", b"a,b\x00\x00\x01", "text/csv", "application/octet-stream"),
    ("scan.pdf", b"just text, no PDF header", "application/pdf", "纯文本"),
]

MATCHES = [
    ("spec.pdf", PDF, "application/pdf"),
    ("photo.png", PNG, "image/png"),
    ("archive.zip", ZIP, "application/zip"),
    ("report.docx", ZIP, "application/octet-stream"),
    ("notes.txt", "说明：纯文本".encode(), "text/plain"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "application/msword"),
]


@pytest.mark.parametrize("name, content, declared, detected", MISMATCHES)
def test_content_that_is_not_what_the_extension_says_is_refused_naming_it(
    name, content, declared, detected
):
    file = SimpleUploadedFile(name, content, content_type=declared)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        uploads.check_content(file, name.rsplit(".", 1)[1])
    assert detected in info.value.messages[0]
    assert file.tell() == 0  # the file is left where it was, for storage


@pytest.mark.parametrize("name, content, declared", MATCHES)
def test_content_that_matches_its_extension_passes(name, content, declared):
    uploads.check_content(SimpleUploadedFile(name, content, declared), name.rsplit(".", 1)[1])


@pytest.fixture
def filed(org, owner):
    from requests_sla.catalog.models import RequestType

    with tenancy.organization_scope(org.id):
        rtype = RequestType.objects.get(code="rnd_tech_support")
    response = api_client(owner).post(
        "/api/requests/",
        {
            "request_type": rtype.pk,
            "title": "附件",
            "extra": {"customer_name": "华东电力", "product_version": "v3.2"},
        },
        format="json",
    )
    assert response.status_code == 201
    return response.json()["id"]


@pytest.mark.django_db
def test_an_executable_renamed_payload_pdf_is_a_400_naming_the_detected_type(org, owner, filed):
    from requests_sla.requests.models import Attachment

    client = api_client(owner)
    payload = SimpleUploadedFile("payload.pdf", EXE, content_type="application/pdf")
    response = client.post(
        f"/api/requests/{filed}/attachments/", {"file": payload}, format="multipart"
    )
    assert response.status_code == 400
    assert "application/x-msdownload" in str(response.json()["file"])
    assert not Attachment.unscoped.exists()
    real = SimpleUploadedFile("spec.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/api/requests/{filed}/attachments/", {"file": real}, format="multipart"
    )
    assert response.status_code == 201
    with tenancy.organization_scope(org.id):
        stored = Attachment.objects.get()
        assert stored.file.read() == PDF  # the check left the whole file to storage
