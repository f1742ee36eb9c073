"""Markup built in Python because render cost forced it: the review board's
agenda, one card an item; every value goes through ``collab.html.escape``.

The agenda holds every requirement ready for review, a hundred and more on a
busy board, and the page is read in the meeting. Drawn through the template
language a card cost half a millisecond (a dozen lookups, localized numbers,
a URL reversed, the decision form with its CSRF token and option lists), most
of the page's time; here the words are translated once, a card is one
string with its values escaped (``collab.html.escape``, what the templates'
autoescape does) and the decision form is drawn once through its template and
stamped with each item's ids. Only a refused decision is drawn again through
the template, with its errors and input.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from collab.html import escape
from roadmap import forms
from roadmap.models import Decision, Feasibility

# Stand-ins for one item's ids while the shared pieces are drawn once.
_ITEM, _REQUIREMENT = "__item__", "__requirement__"
_URL_ID = 2_147_483_647  # a requirement id no row has, replaced per item

_CARD = (
    '<section class="card agenda-item" id="item-{id}">\n'
    '  <h3><a href="{url}">{reference} {title}</a> <span class="chip">{score} {value}</span></h3>\n'
    '  <p class="muted">{feasibility} · {cost}{prototype}</p>\n  {body}\n</section>\n'
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


def _outcome(item, words) -> str:
    priority = f" · {escape(words['priority'])} {escape(item.priority)}" if item.priority else ""
    note = f" — {escape(item.note)}" if item.note else ""
    return (
        f"<p><strong>{escape(words['decision'])}:</strong> "
        f"{escape(item.get_decision_display())}{priority}{note}</p>"
    )


def agenda_cards(request, board, items, *, can_decide: bool, failed=None) -> list[SafeString]:
    """One card per agenda item, in the agenda's order."""
    words = {
        "score": _("评分"),
        "prototype": " · " + _("需要原型验证"),
        "decision": _("决定"),
        "priority": _("优先级"),
    }
    pending = f'<p class="muted">{escape(_("待评审会决定"))}</p>'
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
            mark_safe(  # noqa: S308 - every value escaped above; body is our markup
                _CARD.format(
                    id=item.requirement_id,
                    url=escape(url.replace(str(_URL_ID), str(item.requirement_id))),
                    reference=escape(requirement.reference),
                    title=escape(requirement.title),
                    score=escape(words["score"]),
                    value=escape(localize(item.score)),
                    feasibility=escape(feasibility.get(requirement.feasibility, "—")),
                    cost=escape(requirement.cost_range),
                    prototype=escape(words["prototype"]) if requirement.needs_prototype else "",
                    body=body,
                )
            )
        )
    return cards
