"""The department queue's rows as HTML, written in Python for render cost.

A queue page shows 50 rows, each with up to three small forms (acknowledge,
resolve, pause), an assignee menu and an SLA badge. Through the template
engine that was about a hundred nodes a row and most of the page's time
(issue #3). Here whatever is the same on every row (labels, URL shapes,
the hidden form fields, each department's assignee options) is made once
per page, and a row is a few string joins.

Every value that comes from data goes through ``collab.html.escape``; the markup is
the one the row template had, so the htmx targets, the keyboard shortcuts
(``static/js/requests.js``) and the no-JavaScript forms work as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from collab.html import escape
from departments.models import Membership
from requests_sla.catalog.models import Priority
from requests_sla.requests import permissions
from requests_sla.requests.models import Request, Status
from requests_sla.sla.presentation import badge_html, request_badge

# Reversed once with this id in place of a request's, then split around it.
_PLACEHOLDER_PK = 987654321


def _url_shape(name: str, *args) -> tuple[str, str]:
    head, tail = reverse(name, args=[_PLACEHOLDER_PK, *args]).split(str(_PLACEHOLDER_PK), 1)
    return escape(head), escape(tail)


def _person(user) -> str:
    return user.get_full_name() or user.username


class QueueRows:
    """Renders queue rows for one page (one user, one language, one ``now``).

    ``assignable`` maps a department id to who its requests may be assigned
    to (``selectors.assignable_by_department``); ``next_url`` is where
    the row forms return to when JavaScript is off.
    """

    def __init__(
        self,
        request,
        assignable: Mapping[int, Iterable[Membership]],
        next_url: str,
        now: dt.datetime | None = None,
    ) -> None:
        self.membership = request.membership
        self.now = now or timezone.now()
        self.detail_url = _url_shape("requests_sla:detail")
        self.action_urls = {
            action: _url_shape("requests_sla:action", action)
            for action in ("assign", "acknowledge", "resolve", "pause")
        }
        self.hidden_fields = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
            '<input type="hidden" name="return" value="row">'
            f'<input type="hidden" name="next" value="{escape(next_url)}">'
        )
        self.select_label = _("选择 %(ref)s")
        self.priorities = {value: escape(label) for value, label in Priority.choices}
        self.statuses = {value: escape(label) for value, label in Status.choices}
        self.labels = {
            key: escape(text)
            for key, text in {
                "select": _("选择"),
                "number": _("编号"),
                "title": _("标题"),
                "from": _("提出部门"),
                "type": _("类型"),
                "priority": _("优先级"),
                "status": _("状态"),
                "assignee": _("处理人"),
                "time_left": _("剩余时间"),
                "actions": _("操作"),
                "assign_to": _("指派给"),
                "assign": _("指派"),
                "nobody": _("（未指派）"),
                "unassigned": _("未指派"),
                "acknowledge": _("响应"),
                "resolve": _("解决"),
                "pause": _("暂停"),
                "pause_reason": _("需要提交人补充什么？"),
            }.items()
        }
        # One list of <option>s per department, made once and shared by
        # every row of that department (only the selected one differs).
        self.assignee_options = {
            department_id: [
                (m.user_id, f'<option value="{m.user_id}"', f">{escape(_person(m.user))}</option>")
                for m in members
            ]
            for department_id, members in assignable.items()
        }
        self._names: dict[tuple[str, int], str] = {}

    # ------------------------------------------------------------ a row

    def row(self, r: Request, error: str = "", done: str = "") -> SafeString:
        """One ``<tr>``; ``error``/``done`` is the outcome of an in-place action."""
        pk = r.pk
        url = f"{self.detail_url[0]}{pk}{self.detail_url[1]}"
        actions = set(permissions.available_actions(self.membership, r))
        reference = escape(r.reference)
        select_label = escape(self.select_label % {"ref": r.reference})
        t = self.labels
        return mark_safe(  # noqa: S308 (every interpolated text is escaped)
            f'<tr id="row-{pk}" class="qrow" data-href="{url}" tabindex="-1">\n'
            f'  <td data-label="{t["select"]}"><input type="checkbox" name="ids" value="{pk}" '
            f'form="bulk-form" aria-label="{select_label}"></td>\n'
            f'  <td data-label="{t["number"]}"><span class="ref">{reference}</span></td>\n'
            f'  <th scope="row" data-label="{t["title"]}"><a href="{url}" class="row-link">'
            f"{escape(r.title)}</a></th>\n"
            f'  <td data-label="{t["from"]}">{self._department_name(r)}</td>\n'
            f'  <td data-label="{t["type"]}">{self._type_name(r)}</td>\n'
            f'  <td data-label="{t["priority"]}"><span class="chip prio-{escape(r.priority)}">'
            f"{self.priorities.get(r.priority, escape(r.priority))}</span></td>\n"
            f'  <td data-label="{t["status"]}"><span class="chip status-{escape(r.status)}">'
            f"{self.statuses.get(r.status, escape(r.status))}</span></td>\n"
            f'  <td data-label="{t["assignee"]}">{self._assignee_cell(r, actions)}</td>\n'
            f'  <td data-label="{t["time_left"]}">'
            f"{badge_html(request_badge(r, self.now))}</td>\n"
            f'  <td data-label="{t["actions"]}"><div class="row-actions">'
            f"{self._action_forms(pk, actions)}{self._outcome(error, done)}</div></td>\n"
            "</tr>\n"
        )

    # ------------------------------------------------------------ cells

    def _department_name(self, r: Request) -> str:
        if r.requesting_department_id is None:
            return "—"
        key = ("department", r.requesting_department_id)
        if key not in self._names:
            self._names[key] = escape(r.requesting_department.name or "—")
        return self._names[key]

    def _type_name(self, r: Request) -> str:
        key = ("type", r.request_type_id)
        if key not in self._names:
            self._names[key] = escape(r.request_type.name)
        return self._names[key]

    def _assignee_cell(self, r: Request, actions: set[str]) -> str:
        t = self.labels
        if "assign" not in actions:
            if r.assignee_id is None:
                return f'<span class="muted">{t["unassigned"]}</span>'
            return escape(_person(r.assignee))
        pk = r.pk
        url = self._action_url("assign", pk)
        options = "".join(
            f"{start} selected{end}" if user_id == r.assignee_id else f"{start}{end}"
            for user_id, start, end in self.assignee_options.get(r.serving_department_id, ())
        )
        return (
            f'\n    <form method="post" action="{url}" class="inline-form" hx-post="{url}" '
            f'hx-trigger="change" hx-target="#row-{pk}" hx-swap="outerHTML">\n'
            f"      {self.hidden_fields}\n"
            f'      <label class="visually-hidden" for="assign-{pk}">{t["assign_to"]}</label>\n'
            f'      <select id="assign-{pk}" name="assignee" class="assign-select">\n'
            f'        <option value="">{t["nobody"]}</option>{options}\n'
            "      </select>\n"
            f'      <noscript><button type="submit">{t["assign"]}</button></noscript>\n'
            "    </form>\n  "
        )

    def _action_forms(self, pk: int, actions: set[str]) -> str:
        t = self.labels
        forms = []
        for action in ("acknowledge", "resolve"):
            if action in actions:
                forms.append(
                    f"\n    {self._form_open(action, pk)}\n"
                    f"      {self.hidden_fields}\n"
                    f'      <button type="submit" class="small" data-action="{action}">'
                    f"{t[action]}</button>\n"
                    "    </form>"
                )
        if "pause" in actions:
            forms.append(
                f'\n    <details class="row-pause"><summary>{t["pause"]}</summary>\n'
                f"      {self._form_open('pause', pk)}\n"
                f"        {self.hidden_fields}\n"
                f'        <label class="visually-hidden" for="pause-{pk}">'
                f"{t['pause_reason']}</label>\n"
                f'        <input type="text" id="pause-{pk}" name="reason" required '
                f'placeholder="{t["pause_reason"]}">\n'
                f'        <button type="submit" class="small">{t["pause"]}</button>\n'
                "      </form>\n"
                "    </details>"
            )
        return "".join(forms) + ("\n    " if forms else "")

    def _form_open(self, action: str, pk: int) -> str:
        url = self._action_url(action, pk)
        return (
            f'<form method="post" action="{url}" hx-post="{url}" '
            f'hx-target="#row-{pk}" hx-swap="outerHTML">'
        )

    def _action_url(self, action: str, pk: int) -> str:
        head, tail = self.action_urls[action]
        return f"{head}{pk}{tail}"

    @staticmethod
    def _outcome(error: str, done: str) -> str:
        if error:
            return f'<small class="error" role="alert">{escape(error)}</small>'
        if done:
            return f'<small class="ok" role="status">✓ {escape(done)}</small>'
        return ""
