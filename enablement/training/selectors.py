"""Reads of training: courses (every member reads them), one course with
its sessions and enrolments, a rep's courses, the HR view (completion by
team — a member's department — and overdue enrolments), and the recently
published bundles and price lists a course could be made for."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from departments.models import Membership
from enablement.training.models import Course, Enrolment
from pricing.models import Bundle, BundleState, PriceList, PriceListState

RECENT = 10


def courses_visible_to(membership) -> QuerySet[Course]:
    return Course.objects.select_related("owner_department").annotate(
        n_enrolled=Count("enrolments"),
        n_completed=Count("enrolments", filter=Q(enrolments__completed_at__isnull=False)),
    )


def course_get(membership, pk: int) -> Course:
    course = Course.objects.select_related("owner_department").filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


def enrolments_of_course(course: Course) -> QuerySet[Enrolment]:
    return course.enrolments.select_related("user", "attended_session").order_by("user__username")


def my_enrolments(membership) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(user_id=membership.user_id)
        .select_related("course", "attended_session")
        .annotate(n_questions=Count("course__questions"))
        .order_by("completed_at", "due_on", "-enrolled_at")
    )


def enrolment_get(membership, pk: int) -> Enrolment:
    """The member's own enrolment (another's, or another organization's, is a 404)."""
    enrolment = (
        Enrolment.objects.select_related("course").filter(pk=pk, user_id=membership.user_id).first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


@dataclass
class TeamRow:
    team: str
    enrolled: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def rate(self) -> int | None:
        return round(self.completed * 100 / self.enrolled) if self.enrolled else None


def completion_by_team() -> list[TeamRow]:
    """Enrolments, completions and overdue ones per department (two queries)."""
    teams = {
        m.user_id: (m.department.name if m.department else "—")
        for m in Membership.objects.select_related("department")
    }
    today = timezone.localdate()
    rows: dict[str, TeamRow] = {}
    for r in Enrolment.objects.values("user_id").annotate(
        n=Count("id"),
        done=Count("id", filter=Q(completed_at__isnull=False)),
        late=Count("id", filter=Q(completed_at__isnull=True, due_on__lt=today)),
    ):
        team = teams.get(r["user_id"], "—")
        row = rows.setdefault(team, TeamRow(team))
        row.enrolled += r["n"]
        row.completed += r["done"]
        row.overdue += r["late"]
    return sorted(rows.values(), key=lambda r: r.team)


def overdue_enrolments() -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(completed_at__isnull=True, due_on__lt=timezone.localdate())
        .select_related("user", "course")
        .order_by("due_on", "id")
    )


def recent_releases() -> dict[str, list]:
    """Recently published bundles and price lists, each with its course if any."""
    bundles = list(
        Bundle.objects.filter(state=BundleState.PUBLISHED).order_by("-starts_on")[:RECENT]
    )
    lists = list(
        PriceList.objects.filter(state=PriceListState.PUBLISHED).order_by("-published_at", "-id")[
            :RECENT
        ]
    )
    courses = list(
        Course.objects.filter(
            Q(bundle__in=[b.pk for b in bundles]) | Q(price_list__in=[p.pk for p in lists])
        ).only("id", "bundle_id", "price_list_id", "title_zh", "title_en")
    )
    by_bundle = {c.bundle_id: c for c in courses if c.bundle_id}
    by_list = {c.price_list_id: c for c in courses if c.price_list_id}
    return {
        "bundles": [(b, by_bundle.get(b.pk)) for b in bundles],
        "price_lists": [(p, by_list.get(p.pk)) for p in lists],
    }
