"""The training pages: courses, one course (sessions, enrolments,
attendance), a new course, the rep's "my courses" and their check, the HR
view, and the recently published bundles and price lists with the one-step
"course for it"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError, apply_service_error
from collab.parsing import optional_id
from departments.models import Membership
from enablement import permissions
from enablement.training import selectors, services
from enablement.training.forms import CourseForm, EnrolForm, SessionForm
from enablement.training.models import Enrolment
from pricing.models import Bundle, PriceList


def _people() -> list[tuple[int, str]]:
    return [
        (m.user_id, m.user.get_full_name() or m.user.username)
        for m in Membership.objects.filter(is_active=True)
        .select_related("user")
        .order_by("user__username")[:500]
    ]


def _manager(request) -> Membership:
    if not permissions.can_manage_courses(request.membership):
        raise PermissionDenied
    return request.membership


@membership_required()
def courses(request):
    membership = request.membership
    return render(
        request,
        "enablement/courses.html",
        {
            "courses": list(selectors.courses_visible_to(membership)[:200]),
            "can_manage": permissions.can_manage_courses(membership),
            "can_overview": permissions.can_see_training_overview(membership),
        },
    )


@membership_required()
def course_new(request):
    membership = _manager(request)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=membership, fields=form.course_fields())
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("课程已创建。"))
            return redirect(course)
    return render(request, "enablement/course_form.html", {"form": form})


def _course_page(request, course, session_form=None, enrol_form=None):
    membership = request.membership
    manage = permissions.can_manage_courses(membership)
    people = _people() if manage else []
    return render(
        request,
        "enablement/course_detail.html",
        {
            "course": course,
            "assets": [link.asset for link in course.asset_links.select_related("asset")],
            "sessions": list(course.sessions.select_related("trainer")),
            "n_questions": course.questions.count(),
            "enrolments": list(selectors.enrolments_of_course(course)) if manage else [],
            "mine": course.enrolments.filter(user_id=membership.user_id).first(),
            "can_manage": manage,
            "session_form": session_form or SessionForm(prefix="s", trainers=people),
            "enrol_form": enrol_form or EnrolForm(prefix="e", people=people),
        },
        status=400 if (session_form or enrol_form) else 200,
    )


@membership_required()
def course_detail(request, pk: int):
    return _course_page(request, selectors.course_get(request.membership, pk))


@require_POST
@membership_required()
def session_new(request, pk: int):
    course = selectors.course_get(request.membership, pk)
    membership = _manager(request)
    form = SessionForm(request.POST, prefix="s", trainers=_people())
    if form.is_valid():
        try:
            services.session_add(
                actor=membership,
                course=course,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                place=form.cleaned_data["place"],
                link=form.cleaned_data["link"],
                trainer_id=form.cleaned_data["trainer"],
                outside_hours=form.cleaned_data["outside_hours"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已添加培训场次。"))
            return redirect(course)
    return _course_page(request, course, session_form=form)


@require_POST
@membership_required()
def enrol(request, pk: int):
    course = selectors.course_get(request.membership, pk)
    membership = _manager(request)
    form = EnrolForm(request.POST, prefix="e", people=_people())
    if form.is_valid():
        try:
            n = services.enrol(
                actor=membership,
                course=course,
                user_ids=form.cleaned_data["users"],
                due_on=form.cleaned_data["due_on"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已报名 %(n)s 人。") % {"n": n})
            return redirect(course)
    return _course_page(request, course, enrol_form=form)


@require_POST
@membership_required()
def attendance(request, pk: int):
    membership = _manager(request)
    enrolment = Enrolment.objects.select_related("course").filter(pk=pk).first()
    if enrolment is None:
        raise Http404
    session = enrolment.course.sessions.filter(pk=optional_id(request.POST.get("session"))).first()
    services.attendance_mark(actor=membership, enrolment=enrolment, session=session)
    messages.success(request, _("已记录出勤。"))
    return redirect(enrolment.course)


@membership_required()
def my_courses(request):
    return render(
        request,
        "enablement/my_courses.html",
        {"enrolments": list(selectors.my_enrolments(request.membership)[:200])},
    )


def _option(value) -> int | None:
    text = str(value or "")
    return int(text) if text in {"0", "1", "2", "3", "4", "5"} else None


@membership_required()
def course_check(request, pk: int):
    """The rep's completion check of their enrolment ``pk``."""
    membership = request.membership
    enrolment = selectors.enrolment_get(membership, pk)
    questions = list(enrolment.course.questions.all())
    error = ""
    if request.method == "POST":
        # An option's index, 0-5; anything else is "not answered".
        answers = [_option(request.POST.get(f"q{q.pk}")) for q in questions]
        try:
            if None in answers:
                raise ServiceError(_("请回答每一道题。"), field="answers")
            enrolment = services.check_submit(
                actor=membership, enrolment=enrolment, answers=[a or 0 for a in answers]
            )
        except ServiceError as exc:
            error = exc.message
        else:
            if enrolment.completed_at:
                messages.success(request, _("考核通过，课程已完成。"))
            else:
                messages.warning(request, _("未达到及格线，可以再试一次。"))
            return redirect("enablement:my_courses")
    return render(
        request,
        "enablement/course_check.html",
        {"enrolment": enrolment, "questions": questions, "error": error},
        status=400 if error else 200,
    )


@membership_required()
def training_overview(request):
    """HR's view: completion by team and overdue enrolments."""
    if not permissions.can_see_training_overview(request.membership):
        raise PermissionDenied
    return render(
        request,
        "enablement/training_overview.html",
        {
            "teams": selectors.completion_by_team(),
            "overdue": list(selectors.overdue_enrolments()[:200]),
        },
    )


@membership_required()
def releases(request):
    """Recently published bundles and price lists; POST makes the course."""
    if request.method == "POST":
        membership = _manager(request)
        bundle = Bundle.objects.filter(pk=optional_id(request.POST.get("bundle"))).first()
        price_list = PriceList.objects.filter(
            pk=optional_id(request.POST.get("price_list"))
        ).first()
        try:
            course = services.course_for_release(
                actor=membership, bundle=bundle, price_list=price_list
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("课程已创建，业务部全员已报名。"))
            return redirect(course)
    _manager(request)
    return render(request, "enablement/releases.html", selectors.recent_releases())
