"""Incentives' pages (namespace ``incentives``)."""

from django.urls import path

from incentives.views import hiring, payouts, plans, sprints

app_name = "incentives"

urlpatterns = [
    path("", sprints.sprints, name="sprints"),
    path("new/", sprints.sprint_create, name="sprint_create"),
    path("sprints/<int:pk>/", sprints.sprint, name="sprint"),
    path("sprints/<int:pk>/progress/", sprints.sprint_progress, name="progress"),
    path("sprints/<int:pk>/export.xlsx", sprints.sprint_export, name="export"),
    path("sprints/<int:pk>/members/", sprints.member_add, name="member_add"),
    path("sprints/<int:pk>/targets/", sprints.target_set, name="target_set"),
    path("sprints/<int:pk>/split/", sprints.target_split, name="target_split"),
    path("sprints/<int:pk>/awards/", sprints.award_add, name="award_add"),
    path("sprints/<int:pk>/mix/", sprints.mix_set, name="mix_set"),
    path("sprints/<int:pk>/reservation/", sprints.reservation_link, name="reservation_link"),
    path("sprints/<int:pk>/payouts/", payouts.run_compute, name="run_compute"),
    path("runs/<int:pk>/", payouts.run, name="run"),
    path("runs/<int:pk>/submit/", payouts.run_submit, name="run_submit"),
    path("runs/<int:pk>/approve/", payouts.run_approve, name="run_approve"),
    path("runs/<int:pk>/decide/", payouts.run_decide, name="run_decide"),
    path("hiring/", hiring.hiring, name="hiring"),
    path("hiring/headcount-requests/", hiring.headcount_create, name="headcount_create"),
    path(
        "hiring/headcount-requests/<int:pk>/decide/",
        hiring.headcount_decide,
        name="headcount_decide",
    ),
    path("hiring/headcount-requests/<int:pk>/open/", hiring.headcount_open, name="headcount_open"),
    path("hiring/positions/<int:pk>/move/", hiring.position_move, name="position_move"),
    path("hiring/positions/<int:pk>/fill/", hiring.position_fill, name="position_fill"),
    path("plans/", plans.plans, name="plans"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/versions/", plans.version_add, name="version_add"),
]
