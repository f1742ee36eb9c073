"""The training pages read a constant number of queries, however many
courses and enrolments there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collab.tenancy import organization_scope
from enablement.training import services

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_training_pages_are_constant(client, org, hr, rep, rep2):
    with organization_scope(org.id):
        course = services.course_create(actor=hr, fields=services.CourseFields(title_zh="课"))
        services.enrol(actor=hr, course=course, user_ids=[rep.user_id])
    client.force_login(hr.user)
    urls = [
        reverse("enablement:courses"),
        reverse("enablement:training_overview"),
        course.get_absolute_url(),
    ]
    before = [_count(client, url) for url in urls]
    with organization_scope(org.id):
        services.enrol(actor=hr, course=course, user_ids=[rep2.user_id, hr.user_id])
        services.course_create(actor=hr, fields=services.CourseFields(title_zh="课二"))
    assert [_count(client, url) for url in urls] == before
