"""A notification's words, rendered when it is read, in the reader's language.

A notification stores its ``kind`` and ``params`` (the facts: a reference, a
title, a reason…); the text is built from them in the active language each
time it is shown (inbox, API, email). ``text`` keeps the words written at
creation, the fallback for kinds without a renderer and rows from before the
params existed. Apps above this one (pipeline's leads) register their kinds'
renderers with ``notification_text_register`` from their ``ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

Renderer = Callable[[Mapping], str]
_RENDERERS: dict[str, Renderer] = {}


def notification_text_register(kind: str, renderer: Renderer) -> None:
    """``renderer(params) -> str`` builds the text of ``kind`` in the active language."""
    _RENDERERS[kind] = renderer


def notification_text(kind: str, params: Mapping | None, fallback: str = "") -> str:
    renderer = _RENDERERS.get(kind)
    if renderer is None or not params:
        return fallback
    try:
        return renderer(params)[:300]
    except (KeyError, TypeError, ValueError):
        return fallback


def request_params(request, **extra) -> dict:
    """The facts every request notification names."""
    return {"ref": request.reference, "title": request.title, **extra}


def _quoted(params: Mapping, key: str) -> str:
    value = (params.get(key) or "").strip()
    return f"{_('：')}{value[:200]}" if value else ""


# kind → (sentence, the param quoted after it); translated when rendered.
REQUEST_KINDS = {
    "assigned": (gettext_noop("%(ref)s %(title)s"), None),
    "mention": (gettext_noop("%(ref)s %(title)s"), "body"),
    "question": (gettext_noop("%(actor)s 需要你补充信息：%(ref)s %(title)s"), "reason"),
    "resolved": (gettext_noop("%(ref)s %(title)s 已解决"), "reason"),
    "rejected": (gettext_noop("%(ref)s %(title)s 已被拒绝"), "reason"),
    "replied": (gettext_noop("%(actor)s 已回复：%(ref)s %(title)s"), "body"),
    "new_request": (gettext_noop("新请求进入队列：%(ref)s %(title)s"), None),
}


def _request_renderer(sentence: str, quoted: str | None) -> Renderer:
    def render(p: Mapping) -> str:
        text = _(sentence) % {"ref": p["ref"], "title": p["title"], "actor": p.get("actor", "")}
        return text + (_quoted(p, quoted) if quoted else "")

    return render


for _kind, (_sentence, _quoted_key) in REQUEST_KINDS.items():
    notification_text_register(_kind, _request_renderer(_sentence, _quoted_key))
