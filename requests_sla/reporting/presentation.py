"""Dashboard markup built in Python, not templates, for render cost: a template
loop over chart marks and table cells was about half of the page's time.

* SVG charts (bars and lines with labelled axes): pure functions from
  numbers and (already translated) labels to markup, so a chart reads the
  same in both languages, in print and in a screenshot, and needs no
  JavaScript or CDN. Each bar and point can link to the requests behind it;
  every mark has a <title> with its exact value.
* The bodies of the two repeated tables, the department matrix and the live
  list: per row and per cell, a template loop resolved a dozen variables,
  filters and translation tags (about half of the page's rendering time at
  ~60 cells and 30 rows); here each row is a few string joins. The markup is
  the one the template wrote, byte for byte; numbers are localized as
  ``{{ n }}`` does (``formats.localize``). Strings use the template's msgids.

Every interpolated value goes through ``collab.html.escape`` (the one escape
of markup built in Python); each fragment is marked safe once, whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from collab.html import escape

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 40, 58
COLOURS = ("#2563eb", "#d97706", "#059669", "#7c3aed")
DASHES = ("", "6 4", "2 3", "8 3 2 3")  # colour is never the only signal


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    hrefs: Sequence[str | None] | None = None


def nice_ceiling(value: float) -> float:
    """The smallest 1/2/5×10^n at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def ticks(maximum: float, count: int = 4) -> list[float]:
    return [maximum * i / count for i in range(count + 1)]


def count_axis(maximum: float, count: int = 4) -> tuple[int, list[int]]:
    """A count axis: its top and its ticks, whole numbers a 1/2/5×10^n step
    apart (at most ``count`` + 1 of them), so no label repeats ("0 0 0 1 1")."""
    step = int(nice_ceiling(max(maximum, 1) / count))
    top = step * max(1, math.ceil(maximum / step))
    return top, list(range(0, top + 1, step))


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def integer(value: float) -> str:
    return f"{value:,.0f}"


def _frame(
    title: str,
    x_label: str,
    y_label: str,
    y_max: float,
    fmt: Callable[[float], str],
    categories,
    every,
    tick_values: Sequence[float] | None = None,
):
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="group" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="inherit" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="16" font-size="14" font-weight="600" fill="#111827">{escape(title)}</text>',
    ]
    for value in tick_values if tick_values is not None else ticks(y_max):
        y = TOP + plot_h - plot_h * value / y_max
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4b5563">{escape(fmt(value))}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#6b7280"/>'
    )
    step = plot_w / max(len(categories), 1)
    for i, label in enumerate(categories):
        if i % every == 0 or i == len(categories) - 1:
            x = LEFT + step * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" fill="#4b5563">{escape(label)}</text>'
            )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" fill="#374151">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text transform="translate(14 {TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'fill="#374151">{escape(y_label)}</text>'
    )
    return parts, plot_w, plot_h, step


def _every(n: int) -> int:
    return max(1, math.ceil(n / 12))


def bar_chart(
    *,
    title: str,
    x_label: str,
    y_label: str,
    categories: Sequence[str],
    values: Sequence[int],
    hrefs: Sequence[str | None] | None = None,
) -> SafeString:
    y_max, tick_values = count_axis(max(values, default=0))
    parts, plot_w, plot_h, step = _frame(
        title, x_label, y_label, y_max, integer, categories, _every(len(categories)), tick_values
    )
    bar_w = max(2.0, step * 0.7)
    for i, value in enumerate(values):
        h = plot_h * value / y_max
        x = LEFT + step * i + (step - bar_w) / 2
        y = TOP + plot_h - h
        bar = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{COLOURS[0]}">'
            f"<title>{escape(categories[i])}: {escape(integer(value))}</title></rect>"
        )
        if len(values) <= 16 and value:
            bar += (
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" '
                f'fill="#111827">{escape(integer(value))}</text>'
            )
        href = hrefs[i] if hrefs else None
        parts.append(f'<a href="{escape(href)}">{bar}</a>' if href else bar)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped above)


def line_chart(
    *,
    title: str,
    x_label: str,
    y_label: str,
    categories: Sequence[str],
    series: Sequence[Series],
    y_max: float = 1.0,
    fmt: Callable[[float], str] = percent,
) -> SafeString:
    parts, plot_w, plot_h, step = _frame(
        title, x_label, y_label, y_max, fmt, categories, _every(len(categories))
    )
    legend_x = LEFT + plot_w
    for index, line in enumerate(series):
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        points = []
        segments: list[list[str]] = [[]]
        for i, value in enumerate(line.values):
            if value is None:
                segments.append([])  # a week with nothing decided: a gap, not a zero
                continue
            x = LEFT + step * (i + 0.5)
            y = TOP + plot_h - plot_h * min(value, y_max) / y_max
            segments[-1].append(f"{x:.1f},{y:.1f}")
            point = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(line.label)} · {escape(categories[i])}: {escape(fmt(value))}</title></circle>"
            )
            if len(line.values) <= 16:
                # A data label: above the point when this line is the higher
                # one that week (or level with an earlier one), else below it.
                others = [
                    other.values[i]
                    for o, other in enumerate(series)
                    if o != index and i < len(other.values) and other.values[i] is not None
                ]
                higher = all(value > v or (value == v and index < o) for o, v in enumerate(others))
                dy = -8 if higher else 16
                point += (
                    f'<text x="{x:.1f}" y="{y + dy:.1f}" text-anchor="middle" font-size="11" '
                    f'fill="{colour}">{escape(fmt(value))}</text>'
                )
            href = line.hrefs[i] if line.hrefs else None
            points.append(f'<a href="{escape(href)}">{point}</a>' if href else point)
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"'
                    + (f' stroke-dasharray="{dash}"' if dash else "")
                    + "/>"
                )
        parts.extend(points)
        # Legend, top right: a sample of the line (with its dash) and its label.
        # One row, right to left, clear of the data labels under it.
        y, x0 = 16, legend_x - 150 - 150 * (len(series) - 1 - index)
        parts.append(
            f'<line x1="{x0}" x2="{x0 + 24}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="2"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
        )
        parts.append(f'<text x="{x0 + 30}" y="{y}" fill="#111827">{escape(line.label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped above)


def matrix_body(rows: list[dict]) -> SafeString:
    """``<tbody>`` of the matrix from ``reporting.views._matrix_rows``."""
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
    """``<tbody>`` of the live list from ``reporting.views._live_rows``."""
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
            f'      <td data-label="{labels["ref"]}"><span class="ref">{escape(r.reference)}</span></td>\n'
            f'      <th scope="row" data-label="{labels["title"]}">'
            f'<a class="row-link" href="{url}">{escape(r.title)}</a></th>\n'
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
