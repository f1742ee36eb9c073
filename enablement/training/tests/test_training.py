"""Training: courses, sessions, enrolment, attendance, the check, the HR
view, and the one-step course for a published bundle or price list."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from enablement.models import Course, Enrolment
from enablement.training import selectors, services
from pricing.models import PriceList
from pricing.tests.helpers import make_bundle, make_catalog
from pricing.tests.people import head_pm  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
QUESTIONS = [
    services.Question("一加一？", ["一", "二"], 1),
    services.Question("Two plus two?", ["4", "5", "6"], 0),
]


def course(actor, **kw):
    kw.setdefault("questions", QUESTIONS)
    with organization_scope(actor.organization_id):
        return services.course_create(
            actor=actor, fields=services.CourseFields(title_zh="新品培训", pass_mark=100, **kw)
        )


def test_bundle_published_makes_a_course_with_business_enrolled(org, head_pm, rep, rep2, mkt):  # noqa: F811
    products = make_catalog(head_pm, effective_from=dt.date(2026, 1, 1))["products"]
    bundle = make_bundle(
        head_pm, products, starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31)
    )
    with organization_scope(org.id):
        made = services.course_for_release(actor=head_pm, bundle=bundle)
        again = services.course_for_release(actor=head_pm, bundle=bundle)
        enrolled = set(Enrolment.objects.filter(course=made).values_list("user_id", flat=True))
        price_list = PriceList.objects.filter(state="published").first()
        for_list = services.course_for_release(actor=head_pm, price_list=price_list)
    assert again.pk == made.pk and made.bundle_id == bundle.pk
    assert {rep.user_id, rep2.user_id} <= enrolled and mkt.user_id not in enrolled
    assert for_list.price_list_id == price_list.pk
    assert made.due_on == timezone.localdate() + dt.timedelta(days=14)
    with organization_scope(org.id), pytest.raises(PermissionDenied):
        services.course_for_release(actor=rep, bundle=bundle)


def test_check_pass_mark_completion_and_overdue(org, hr, rep, rep2):
    c = course(hr, due_on=timezone.localdate() - dt.timedelta(days=1))
    with organization_scope(org.id):
        assert services.enrol(actor=hr, course=c, user_ids=[rep.user_id, rep2.user_id]) == 2
        assert services.enrol(actor=hr, course=c, user_ids=[rep.user_id]) == 0
        mine = Enrolment.objects.get(user_id=rep.user_id)
        failed = services.check_submit(actor=rep, enrolment=mine, answers=[1, 1])
        assert failed.score == 50 and failed.completed_at is None
        passed = services.check_submit(actor=rep, enrolment=mine, answers=[1, 0])
        assert passed.score == 100 and passed.completed_at and passed.attempts == 2
        with pytest.raises(PermissionDenied):
            services.check_submit(actor=rep2, enrolment=mine, answers=[1, 0])
        with pytest.raises(ServiceError):
            services.check_submit(actor=rep, enrolment=mine, answers=[1])
        [team] = selectors.completion_by_team()
        overdue = list(selectors.overdue_enrolments())
    assert (team.enrolled, team.completed, team.overdue, team.rate) == (2, 1, 1, 50)
    assert [e.user_id for e in overdue] == [rep2.user_id]


def test_attending_completes_a_course_without_questions(org, hr, rep):
    c = course(hr, questions=[])
    with organization_scope(org.id):
        # The next working day at 10:00, whatever today is (never a weekend).
        day = services.next_working_day(hr, timezone.localdate() + dt.timedelta(days=1))
        now, _end = services.working_slot(hr, day, dt.time(10))
        session = services.session_add(
            actor=hr, course=c, starts_at=now, ends_at=now + dt.timedelta(hours=1), place="A"
        )
        services.enrol(actor=hr, course=c, user_ids=[rep.user_id])
        enrolment = Enrolment.objects.get()
        done = services.attendance_mark(actor=hr, enrolment=enrolment, session=session)
        assert done.completed_at is not None
        with pytest.raises(ServiceError):
            services.session_add(actor=hr, course=c, starts_at=now, ends_at=now, place="A")
        with pytest.raises(ServiceError):
            services.session_add(
                actor=hr, course=c, starts_at=now, ends_at=now + dt.timedelta(hours=1)
            )


def test_only_hr_and_pm_manage_courses(org, rep, mkt):
    for who in (rep, mkt):
        with pytest.raises(PermissionDenied):
            course(who)


def test_training_pages(client, org, hr, rep, django_assert_num_queries):
    c = course(hr)
    with organization_scope(org.id):
        services.enrol(actor=hr, course=c, user_ids=[rep.user_id])
        enrolment = Enrolment.objects.get()
    client.force_login(rep.user)
    with django_assert_num_queries(4):
        page = client.get(reverse("enablement:my_courses"))
    assert "新品培训" in page.content.decode()
    assert client.get(reverse("enablement:training_overview")).status_code == 403
    assert client.get(reverse("enablement:releases")).status_code == 403
    assert client.get(c.get_absolute_url()).status_code == 200
    check = reverse("enablement:course_check", args=[enrolment.pk])
    assert client.get(check).status_code == 200
    assert client.post(check, {}).status_code == 400
    with organization_scope(org.id):
        questions = list(c.questions.order_by("position"))
    answers = {f"q{questions[0].pk}": "1", f"q{questions[1].pk}": "0"}
    assert client.post(check, answers).status_code == 302
    with organization_scope(org.id):
        assert Enrolment.objects.get().completed_at is not None
    client.force_login(hr.user)
    for name in ("enablement:training_overview", "enablement:releases", "enablement:courses"):
        assert client.get(reverse(name)).status_code == 200
    page = client.post(
        reverse("enablement:session_new", args=[c.pk]),
        {"s-starts_at": "2026-12-01T10:00", "s-ends_at": "2026-12-01T09:00", "s-place": "A"},
    )
    assert page.status_code == 400
    assert Course.unscoped.count() == 1
