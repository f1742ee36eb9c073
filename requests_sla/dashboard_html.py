"""The bodies of the dashboard's two repeated tables, the department matrix
and the live list, built in Python like the ``charts``.

Per row and per cell, a template loop resolved a dozen variables, filters
and translation tags (about half of the page's rendering time at ~60 cells
and 30 rows); here each row is a few string joins. The markup is the one
the template wrote, byte for byte; every interpolated value is escaped as
the template's autoescape did (``escape`` below), and numbers are localized as
``{{ n }}`` does (``formats.localize``). Strings use the template's msgids.
"""

from __future__ import annotations

from html import escape as _escape

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def escape(text) -> str:
    """What ``django.utils.html.escape`` (the template's autoescape) gives,
    as a plain str: this module marks whole bodies safe at once."""
    return _escape(str(text))


def matrix_body(rows: list[dict]) -> SafeString:
    """``<tbody>`` of the matrix from ``views_dashboard._matrix_rows``."""
    not_set = escape(_("（未填写）"))
    texts = (_("超时 %(b)s / %(n)s"), _("平均超时 %(h)s"))
    html = []
    for row in rows:
        department = row["department"]
        name = escape(department.name) if department else not_set
        cells = "".join(_matrix_cell(cell, *texts) for cell in row["cells"])
        html.append(f'<tr>\n      <th scope="row">{name}</th>\n      {cells}\n    </tr>')
    return mark_safe(f"<tbody>{''.join(html)}</tbody>")  # noqa: S308 (escaped above)


def _matrix_cell(cell: dict | None, breached_text: str, late_text: str) -> str:
    if cell is None:
        return '<td class="">\n        <span class="muted">—</span>\n      </td>'
    breached = breached_text % {
        "b": escape(formats.localize(cell["breached"])),
        "n": escape(formats.localize(cell["decided"])),
    }
    late = ""
    if cell["late"] is not None:
        late = '<br><span class="small muted">{}</span>'.format(
            late_text % {"h": escape(cell["late"])}
        )
    return (
        f'<td class="{escape(cell["class"])}">\n'
        f'        <a href="{escape(cell["href"])}">{escape(cell["attainment"])}</a>\n'
        f'        <br><a class="small" href="{escape(cell["href_breached"])}">{breached}</a>\n'
        f"        {late}\n"
        "        \n"
        "      </td>"
    )


def live_body(rows: list[dict]) -> SafeString:
    """``<tbody>`` of the live list from ``views_dashboard._live_rows``."""
    labels = {
        "ref": escape(_("编号")),
        "title": escape(_("标题")),
        "state": escape(_("SLA 状态")),
        "due": escape(_("最近到期")),
        "from": escape(_("提出部门")),
        "to": escape(_("服务部门")),
        "who": escape(_("处理人")),
    }
    chips = {
        "breached": '<span class="chip state-breached"><span class="icon icon-breached" '
        f'aria-hidden="true"></span> {escape(_("超时"))}</span>',
        "at_risk": '<span class="chip state-at-risk"><span class="icon icon-at-risk" '
        f'aria-hidden="true"></span> {escape(_("预警"))}</span>',
    }
    nobody = f'<span class="muted">{escape(_("未指派"))}</span>'
    html = []
    for row in rows:
        r, url = row["r"], escape(row["url"])
        state = chips.get(row["state"]) or f'<span class="chip">{escape(row["state"])}</span>'
        requesting = r.requesting_department.name if r.requesting_department else ""
        html.append(
            "<tr>\n"
            f'      <td data-label="{labels["ref"]}"><a href="{url}">{escape(r.reference)}</a></td>\n'
            f'      <th scope="row" data-label="{labels["title"]}"><a href="{url}">{escape(r.title)}</a></th>\n'
            f'      <td data-label="{labels["state"]}">{state}</td>\n'
            f'      <td data-label="{labels["due"]}">{escape(row["due"])}</td>\n'
            f'      <td data-label="{labels["from"]}">{escape(requesting or "—")}</td>\n'
            f'      <td data-label="{labels["to"]}">{escape(r.serving_department.name)}</td>\n'
            f'      <td data-label="{labels["who"]}">'
            f"{escape(row['assignee']) if row['assignee'] else nobody}</td>\n"
            "    </tr>"
        )
    return mark_safe(f"<tbody>{''.join(html)}</tbody>")  # noqa: S308 (escaped above)


def options(choices, selected) -> SafeString:
    """``<option>`` elements of a filter ``<select>``: (value, label) pairs,
    the one equal to ``selected`` marked, as the template's loops wrote them."""
    return mark_safe(  # noqa: S308 (escaped here)
        "".join(
            f'<option value="{escape(value)}" {"selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )


def export_links(links: dict[str, str]) -> SafeString:
    """A table's export links (the section headings' "Export: CSV · Excel")."""
    return mark_safe(  # noqa: S308 (escaped here)
        f'<span class="exports">{escape(_("导出"))}: <a href="{escape(links["csv"])}">'
        f'{escape(_("CSV"))}</a> · <a href="{escape(links["xlsx"])}">{escape(_("Excel"))}</a></span>'
    )
