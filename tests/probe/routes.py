"""Every URL pattern and every OpenAPI operation, as concrete addresses.

The URL conf is walked recursively (``get_resolver``), so a new route is in
the probe the day it is added. A path parameter is filled from the owner's
objects by its name or by the path segment in front of it, matched against
the tenant models' names; the short maps below cover what does not match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

# Parameter name -> model name, where the name says which object it is.
PARAM_MODELS = {
    "type_id": "requesttype",
    "item_pk": "agendaitem",
    "action_pk": "actionitem",
    "finding_pk": "postmortemfinding",
    "postmortem_pk": "postmortem",
    "exception_id": "calendarexception",
    "attachment_id": "attachment",
}
# The path segment in front of a ``pk`` / ``object_id`` -> model name, where
# singular-and-suffix matching against the model names does not decide.
SEGMENT_MODELS = {
    "catalog": "requesttype",
    "items": "agendaitem",
    "agenda-items": "agendaitem",
    "actions": "actionitem",
    "action-items": "actionitem",
    "inbox": "notification",
    "tokens": "apitoken",
    "members": "membership",
    "findings": "postmortemfinding",
    "exceptions": "calendarexception",
    "new": "requesttype",
    "approvals": "approvalstep",
    "resubmit": "request",
    "files": "attachment",
    "reservations": "budgetline",
    "runs": "payoutrun",
    "payout-runs": "payoutrun",
    "plans": "commissionplan",
}
FALLBACK = "1"
# Parameters that are not object ids: a value the view accepts.
PLAIN_VALUES = {
    "format": "json",
    "format_suffix": ".json",
    "action": "accept",
    "table": "requests",
    "fmt": "csv",
    "uidb64": "MQ",
    "token": "probe-token",
    "app_label": "departments",
    "url": "probe/",
}


@dataclass
class Route:
    template: str  # the pattern as written, prefixes joined
    name: str
    callback: object
    params: list[str] = field(default_factory=list)

    @property
    def is_api(self) -> bool:
        return self.template.startswith("api/")


def _pattern_text(pattern) -> str:
    text = str(pattern.pattern)
    if isinstance(pattern.pattern, RegexPattern):
        return text.removeprefix("^").removesuffix("$")
    return text


def walk(resolver=None, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += walk(entry, prefix + _pattern_text(entry), ns)
        elif isinstance(entry, URLPattern):
            template = prefix + _pattern_text(entry)
            params = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", template)
            routes.append(
                Route(
                    template,
                    f"{namespace}{entry.name or ''}",
                    entry.callback,
                    [a or b for a, b in params],
                )
            )
    return routes


def _singular(word: str) -> str:
    word = word.replace("-", "").replace("_", "")
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


def _tokens(template: str) -> list[tuple[str, str]]:
    """("lit", text) and ("param", name) pieces of a route or regex template
    (a regex group's own pattern, with its nested parentheses, is skipped)."""
    pieces, i, literal = [], 0, ""
    while i < len(template):
        route = re.match(r"<(?:(\w+):)?(\w+)>", template[i:])
        if route or template.startswith("(?P<", i):
            pieces.append(("lit", literal))
            literal = ""
            if route:
                suffix = route.group(1) == "drf_format_suffix"
                pieces.append(("param", "format_suffix" if suffix else route.group(2)))
                i += route.end()
                continue
            name = template[i + 4 : template.index(">", i)]
            depth, j = 0, i
            while True:
                depth += {"(": 1, ")": -1}.get(template[j], 0) if template[j - 1] != "\\" else 0
                j += 1
                if depth == 0:
                    break
            pieces.append(("param", name))
            i = j
            continue
        literal += template[i]
        i += 1
    pieces.append(("lit", literal))
    return pieces


def _literal(text: str) -> str:
    return text.replace("/?", "/").replace("\\.", ".").replace("\\", "")


def param_model(route: Route, param: str, model_names) -> str | None:
    """Which owner object a parameter names, or None for a plain value."""
    if param in PARAM_MODELS:
        return PARAM_MODELS[param]
    if param not in {"pk", "object_id", "id"}:
        return None
    text = ""
    for kind, value in _tokens(route.template):
        if kind == "param" and value == param:
            break
        text += value if kind == "lit" else "/"
    segments = [s for s in text.split("/") if s]
    noun = segments[-1] if segments else ""
    if noun in SEGMENT_MODELS:
        return SEGMENT_MODELS[noun]
    singular = _singular(noun)
    model_names = [m for m in model_names if not m.startswith("historical")]
    exact = [m for m in model_names if m == singular]
    found = exact or [m for m in model_names if m.endswith(singular)]
    return found[0] if len(found) == 1 else None


def fill(route: Route, ids: dict[str, int]) -> tuple[str, list[str]]:
    """The route's address with the owner's ids, and which models it names.

    A parameter naming no object of the owner (admin's pages of people and
    sign-in logs, history pages' unnamed groups) gets ``FALLBACK``: the route
    is still walked, as one that names nothing of the owner's.
    """
    url, named = "/", []
    for kind, value in _tokens(route.template):
        if kind == "lit":
            url += _literal(re.sub(r"\([^)]*\)", FALLBACK, value))
            continue
        model = param_model(route, value, ids.keys())
        if model is not None and model in ids:
            url += str(ids[model])
            named.append(model)
        else:
            url += PLAIN_VALUES.get(value, FALLBACK)
    return url, named
