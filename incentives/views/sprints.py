"""The sprint pages: the list, the sprint (progress polled by htmx, awards,
budget, payout runs, the manager's forms), the progress fragment, the export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError
from collab.exports import Sheet, sheets_response
from finance.models import BudgetLine, LineKind
from incentives import forms, permissions
from incentives.payouts.selectors import paid_out, projected_commission, runs_of
from incentives.plans.selectors import bundle_names, part_name, plan_choices
from incentives.sprints import selectors, services
from incentives.sprints.models import Measure, Target
from incentives.views.board import board
from incentives.views.common import form_errors, manager, viewer, visible_sprint
from pricing.bundles.models import Bundle


@viewer
def sprints(request):
    rows = selectors.sprints_visible_to(request.membership).distinct().order_by("-start", "-id")
    can_manage = permissions.can_manage(request.membership)
    form = forms.SprintForm(
        plans=plan_choices() if can_manage else (), bundles=_bundles() if can_manage else ()
    )
    return render(
        request,
        "incentives/sprints.html",
        {"sprints": list(rows), "can_manage": can_manage, "form": form},
    )


@require_POST
@manager
def sprint_create(request):
    form = forms.SprintForm(request.POST, plans=plan_choices(), bundles=_bundles())
    if not form.is_valid():
        form_errors(request, form)
        return redirect("incentives:sprints")
    try:
        sprint = services.sprint_create(actor=request.membership, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("incentives:sprints")
    messages.success(request, _("冲刺已创建，接下来添加团队和销售。"))
    return redirect("incentives:sprint", pk=sprint.pk)


def _bundles():
    """The organization's bundles a product mix may name (the newest first)."""
    return Bundle.objects.order_by("-starts_on", "code")


def _progress_context(request, sprint):
    progress = selectors.sprint_progress(sprint)
    standings = [selectors.award_standings(a, progress) for a in sprint.awards.all()]
    mine = next((r for r in progress.reps if r.key == request.membership.user_id), None)
    return {
        "sprint": sprint,
        "progress": progress,
        "board": board(
            progress, mine, page=request.GET.get("page", 1), query=request.GET.get("q", "")
        ),
        "standings": standings,
        "mine": mine,
        "sees_all": permissions.sees_all_figures(request.membership),
    }


def _user_choices(users):
    """(id, full name or username) of each user, read as values (a sprint's
    organization lists thousands of reps: no model instance each)."""
    rows = users.values_list("id", "first_name", "last_name", "username")
    return [(pk, f"{first} {last}".strip() or username) for pk, first, last, username in rows]


def _manager_forms(sprint, progress):
    users = _user_choices(
        get_user_model()
        .objects.filter(
            memberships__organization_id=sprint.organization_id,
            memberships__is_active=True,
            memberships__role="sales_rep",
        )
        .order_by("username")
    )
    teams = list(sprint.teams.all())
    who = [(f"u{r.key}", r.name) for r in progress.reps] + [(f"t{t.pk}", t.name) for t in teams]
    lines = BudgetLine.objects.filter(kind=LineKind.RESERVATION).order_by("-created_at")[:50]
    return {
        "member_form": forms.MemberForm(users=users),
        "target_form": forms.TargetForm(who=who),
        "split_form": forms.SplitForm(teams=teams),
        "award_form": forms.AwardForm(),
        "reservation_form": forms.ReservationLinkForm(
            lines=lines, initial={"line_id": sprint.reservation_id}
        ),
        "mix_form": forms.MixForm(
            bundles=_bundles(),
            initial={"category": sprint.mix_category, "bundle_id": sprint.mix_bundle_id},
        ),
    }


@viewer
def sprint(request, pk):
    sprint = visible_sprint(request, pk)
    context = _progress_context(request, sprint)
    context["runs"] = list(runs_of(sprint))
    context["can_manage"] = permissions.can_manage(request.membership)
    context["reservation"] = sprint.reservation
    context["paid_out"] = paid_out(sprint)
    if sprint.reservation is not None:
        context["remaining"] = sprint.reservation.amount - context["paid_out"]
    if context["mine"] is not None and sprint.plan_id:
        basis_target = Target.objects.filter(
            sprint=sprint, member__user_id=request.membership.user_id, measure=sprint.plan.basis
        ).first()
        context["projection"] = projection = projected_commission(
            sprint, request.membership.user_id, basis_target.amount if basis_target else None
        )
        if projection is not None:
            bundles = bundle_names(p.bundle_id for p in projection.portions)
            context["projection_parts"] = [
                (p, part_name(p.category, p.bundle_id, bundles)) for p in projection.portions
            ]
    if context["can_manage"]:
        context.update(_manager_forms(sprint, context["progress"]))
        context["history"] = selectors.target_history(sprint)
    return render(request, "incentives/sprint.html", context)


@viewer
def sprint_progress(request, pk):
    sprint = visible_sprint(request, pk)
    return render(request, "incentives/_progress.html", _progress_context(request, sprint))


@viewer
def sprint_export(request, pk):
    sprint = visible_sprint(request, pk)
    progress = selectors.sprint_progress(sprint)
    headers = [_("排名"), _("销售"), _("团队")]
    for m in progress.measures:
        label = Measure(m).label
        if m == Measure.PRODUCT_MIX:
            label = f"{label}（{sprint.mix_label}）"
        target, actual, pct = _("目标"), _("实际"), _("达成率（%）")
        headers += [f"{label} {target}", f"{label} {actual}", f"{label} {pct}"]
    headers.append(_("加权预测"))
    rows = []
    for r in progress.reps:
        row = [r.rank, r.name, r.team_name]
        for m in progress.measures:
            fig = r.figure(m)
            row += [fig.target, fig.actual, fig.attainment]
        rows.append([*row, r.forecast])
    sheet = Sheet(title=sprint.name, headers=headers, rows=rows)
    return sheets_response("xlsx", f"sprint-{sprint.pk}-{timezone.localdate()}", [sheet])


def _post(request, pk, form_class, call, ok, **form_kwargs):
    """Validate, call the one service, report; back to the sprint page."""
    sprint = visible_sprint(request, pk)
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        form_errors(request, form)
    else:
        try:
            call(sprint, form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, ok)
    return redirect("incentives:sprint", pk=sprint.pk)


@require_POST
@manager
def member_add(request, pk):
    def call(sprint, data):
        team = services.team_add(actor=request.membership, sprint=sprint, name=data["team"])
        services.member_add(
            actor=request.membership,
            sprint=sprint,
            team=team,
            user_id=data["user_id"],
            weight=data["weight"],
        )

    users = _user_choices(
        get_user_model().objects.filter(
            memberships__organization_id=request.membership.organization_id,
            memberships__is_active=True,
        )
    )
    return _post(request, pk, forms.MemberForm, call, _("销售已加入冲刺。"), users=users)


@require_POST
@manager
def target_set(request, pk):
    def call(sprint, data):
        who = data["who"]
        services.target_set(
            actor=request.membership,
            sprint=sprint,
            measure=data["measure"],
            amount=data["amount"],
            user_id=int(who[1:]) if who.startswith("u") else None,
            team_id=int(who[1:]) if who.startswith("t") else None,
            reason=data["reason"],
        )

    who = request.POST.get("who", "")
    valid = [(who, who)] if len(who) > 1 and who[0] in "ut" and who[1:].isdigit() else []
    return _post(request, pk, forms.TargetForm, call, _("目标已保存。"), who=valid)


@require_POST
@manager
def target_split(request, pk):
    def call(sprint, data):
        team = sprint.teams.get(pk=data["team_id"])
        services.target_split(
            actor=request.membership,
            sprint=sprint,
            team=team,
            measure=data["measure"],
            total=data["total"],
            by_weight=data["by_weight"],
        )

    teams = visible_sprint(request, pk).teams.all()
    return _post(request, pk, forms.SplitForm, call, _("团队目标已拆分到销售。"), teams=teams)


@require_POST
@manager
def award_add(request, pk):
    def call(sprint, data):
        data = {**data, "prize_amount": data["prize_amount"] or 0}
        services.award_set(actor=request.membership, sprint=sprint, **data)

    return _post(request, pk, forms.AwardForm, call, _("奖项已添加。"))


@require_POST
@manager
def reservation_link(request, pk):
    def call(sprint, data):
        services.sprint_link_reservation(
            actor=request.membership, sprint=sprint, line_id=data["line_id"]
        )

    lines = BudgetLine.objects.filter(kind=LineKind.RESERVATION)
    return _post(request, pk, forms.ReservationLinkForm, call, _("预算预留已关联。"), lines=lines)


@require_POST
@manager
def mix_set(request, pk):
    def call(sprint, data):
        services.sprint_set_mix(
            actor=request.membership,
            sprint=sprint,
            category=data["category"],
            bundle_id=data["bundle_id"],
        )

    return _post(request, pk, forms.MixForm, call, _("产品组合已保存。"), bundles=_bundles())
