"""The review board's agenda as markup, one card an item.

The agenda holds every requirement ready for review, a hundred and more on a
busy board, and the page is read in the meeting. Drawn through the template
language a card cost half a millisecond (a dozen lookups, localized numbers,
a URL reversed, the decision form with its CSRF token and option lists), most
of the page's time; here the words are translated once, a card is one
``format_html`` and the decision form is drawn once through its template and
stamped with each item's ids. Only a refused decision is drawn again through
the template, with its errors and input.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from roadmap import forms
from roadmap.models import Decision, Feasibility

# Stand-ins for one item's ids while the shared pieces are drawn once.
_ITEM, _REQUIREMENT = "__item__", "__requirement__"
_URL_ID = 2_147_483_647  # a requirement id no row has, replaced per item

_CARD = (
    '<section class="card agenda-item" id="item-{}">\n'
    '  <h3><a href="{}">{} {}</a> <span class="chip">{} {}</span></h3>\n'
    '  <p class="muted">{} · {}{}</p>\n  {}\n</section>\n'
)


def _stamp(template: str, item) -> SafeString:
    return mark_safe(  # noqa: S308 - our own markup, stamped with integer ids
        template.replace(_ITEM, str(item.pk)).replace(_REQUIREMENT, str(item.requirement_id))
    )


def _decision_form_template(request, board, releases) -> str:
    return render_to_string(
        "roadmap/_decision_form.html",
        {
            "board": board,
            "item": SimpleNamespace(pk=_ITEM, requirement_id=_REQUIREMENT),
            "decision_options": render_to_string(
                "roadmap/_options.html", {"choices": Decision.choices}
            ),
            "release_options": render_to_string("roadmap/_options.html", {"choices": releases}),
        },
        request=request,
    )


def _outcome(item, words) -> SafeString:
    priority = format_html(" · {} {}", words["priority"], item.priority) if item.priority else ""
    note = format_html(" — {}", item.note) if item.note else ""
    return format_html(
        "<p><strong>{}:</strong> {}{}{}</p>",
        words["decision"],
        item.get_decision_display(),
        priority,
        note,
    )


def agenda_cards(request, board, items, *, can_decide: bool, failed=None) -> list[SafeString]:
    """One card per agenda item, in the agenda's order."""
    words = {
        "score": _("评分"),
        "prototype": " · " + _("需要原型验证"),
        "decision": _("决定"),
        "priority": _("优先级"),
    }
    pending = format_html('<p class="muted">{}</p>', _("待评审会决定"))
    feasibility = {value: str(label) for value, label in Feasibility.choices}
    url = reverse("roadmap:requirement", args=[_URL_ID])
    releases = forms.release_choices()[1:] if can_decide else []
    form = _decision_form_template(request, board, releases) if can_decide else ""
    failed_id = str(failed.data.get("requirement")) if failed is not None else None
    cards = []
    for item in items:
        requirement = item.requirement
        if item.decision:
            body = _outcome(item, words)
        elif not can_decide:
            body = pending
        elif str(item.requirement_id) == failed_id:
            body = render_to_string(
                "roadmap/_decision_form.html",
                {
                    "board": board,
                    "item": item,
                    "f": failed,
                    "decisions": Decision.choices,
                    "releases": releases,
                },
                request=request,
            )
        else:
            body = _stamp(form, item)
        cards.append(
            format_html(
                _CARD,
                item.requirement_id,
                url.replace(str(_URL_ID), str(item.requirement_id)),
                requirement.reference,
                requirement.title,
                words["score"],
                localize(item.score),
                feasibility.get(requirement.feasibility, "—"),
                requirement.cost_range,
                words["prototype"] if requirement.needs_prototype else "",
                body,
            )
        )
    return cards
