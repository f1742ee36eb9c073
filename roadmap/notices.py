"""Who hears about a requirement, and the words they read (in their language,
rendered from the facts stored with the notification)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from roadmap.models import Decision

ROADMAP_KEY = "roadmap"
DECISION_SENTENCES: dict[str, str] = {
    Decision.ACCEPT: gettext_noop("评审会决定：%(ref)s %(title)s 纳入版本"),
    Decision.DECLINE: gettext_noop("评审会决定：%(ref)s %(title)s 不予采纳，原因：%(note)s"),
    Decision.DEFER: gettext_noop("评审会决定：%(ref)s %(title)s 延后，%(note)s 重新评审"),
    Decision.PROTOTYPE: gettext_noop("评审会决定：%(ref)s %(title)s 先做原型验证"),
}


def decision_text(params: Mapping) -> str:
    """The renderer of review-board decisions (kind "meeting" with the roadmap key);
    any other meeting notification falls back to its stored text."""
    if ROADMAP_KEY not in params:
        raise KeyError(ROADMAP_KEY)
    sentence = DECISION_SENTENCES[params["decision"]]
    return _(sentence) % {
        "ref": params["ref"],
        "title": params["title"],
        "note": params.get("note", ""),
    }
