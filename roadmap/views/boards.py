"""Pages of the review board: the list, one board (agenda, decisions,
minutes), its printable minutes, and the admin's schedule settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from roadmap import forms, permissions, selectors
from roadmap.models import BoardItem, BoardSettings, Requirement, ReviewBoard
from roadmap.presentation import agenda_cards
from roadmap.services import boards
from roadmap.views.common import attempt


@membership_required()
def board_list(request):
    boards.boards_schedule(organization_id=request.organization.pk)
    now = timezone.now()
    return render(
        request,
        "roadmap/board_list.html",
        {
            "upcoming": ReviewBoard.objects.filter(
                held_at__isnull=True, starts_at__gte=now - timezone.timedelta(days=1)
            ).order_by("starts_at")[:6],
            "past": ReviewBoard.objects.filter(held_at__isnull=False).order_by("-starts_at")[:12],
            "can_configure": request.membership.can("manage_organization"),
        },
    )


def _board_context(request, board, failed=None, **extra):
    """The board page: the agenda (scored, one card an item, with a decision
    form for those who decide), its participants, the minutes."""
    items = boards.agenda_refresh(board)
    can_decide = permissions.can_decide(request.membership)
    return {
        "board": board,
        "cards": agenda_cards(request, board, items, can_decide=can_decide, failed=failed),
        "participants": selectors.board_participants(
            board.organization_id, [i.requirement_id for i in items]
        ),
        "can_decide": can_decide,
        "minutes_form": extra.pop("minutes_form", None)
        or forms.MinutesForm(initial={"minutes": board.minutes}),
        **extra,
    }


@membership_required()
def board_detail(request, pk):
    board = get_object_or_404(ReviewBoard, pk=pk)
    return render(request, "roadmap/board_detail.html", _board_context(request, board))


@membership_required()
def board_minutes_print(request, pk):
    """The board's printable minutes, like the review meetings': in the reader's
    language (the page offers the other one), every item with its decision,
    priority, release or revisit date, note and who recorded it."""
    board = get_object_or_404(ReviewBoard, pk=pk)
    items = list(
        BoardItem.objects.filter(board=board)
        .select_related("requirement__release", "decided_by")
        .order_by("-score", "id")
    )
    return render(
        request,
        "roadmap/board_print.html",
        {
            "board": board,
            "items": items,
            "decided": sum(1 for i in items if i.decision),
            "participants": selectors.board_participants(
                board.organization_id, [i.requirement_id for i in items]
            ),
        },
    )


@require_POST
@membership_required()
def board_decide(request, pk):
    board = get_object_or_404(ReviewBoard, pk=pk)
    if not permissions.can_decide(request.membership):
        raise PermissionDenied
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        requirement = Requirement.objects.filter(pk=data.pop("requirement")).first()
        if requirement is None:
            form.add_error(None, _("该需求不在本次评审会的议程上。"))
        elif attempt(
            request,
            form,
            lambda: boards.board_decide(
                actor=request.membership, board=board, requirement=requirement, **data
            ),
        ):
            messages.success(request, _("决定已记录，并已通知所有支持方。"))
            return redirect("roadmap:board", pk=pk)
    context = _board_context(request, board, failed=form)
    return render(request, "roadmap/board_detail.html", context, status=400)


@require_POST
@membership_required()
def board_minutes(request, pk):
    board = get_object_or_404(ReviewBoard, pk=pk)
    form = forms.MinutesForm(request.POST)
    if form.is_valid() and attempt(
        request,
        form,
        lambda: boards.board_minutes_save(
            actor=request.membership, board=board, minutes=form.cleaned_data["minutes"]
        ),
    ):
        messages.success(request, _("会议纪要已保存。"))
        return redirect("roadmap:board", pk=pk)
    return render(
        request,
        "roadmap/board_detail.html",
        _board_context(request, board, minutes_form=form),
        status=400,
    )


@membership_required("manage_organization")
def board_settings(request):
    current = BoardSettings.objects.first()
    initial = (
        {
            "weekday": current.weekday,
            "time": current.time,
            "anchor_date": current.anchor_date,
            "active": current.active,
        }
        if current
        else {"weekday": 2, "time": "15:00", "anchor_date": timezone.localdate(), "active": True}
    )
    form = forms.BoardSettingsForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            request,
            form,
            lambda: boards.board_settings_update(actor=request.membership, **form.cleaned_data),
        )
    ):
        messages.success(request, _("评审会设置已保存。"))
        return redirect("roadmap:boards")
    return render(request, "roadmap/form.html", {"form": form, "title": _("评审会设置")})
