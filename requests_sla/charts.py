"""Server-rendered SVG charts: simple bars and lines with labelled axes.

Pure functions from numbers and (already translated) labels to SVG markup,
so a chart reads the same in both languages, in print and in a screenshot,
and needs no JavaScript or CDN. Each bar and point can link to the requests
behind it; every mark has a <title> with its exact value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape as _escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 40, 58
COLOURS = ("#2563eb", "#d97706", "#059669", "#7c3aed")
DASHES = ("", "6 4", "2 3", "8 3 2 3")  # colour is never the only signal


def escape(text) -> str:
    """``django.utils.html.escape`` as a plain str (the same characters
    escaped the same way, without its lazy-text wrapper per call): a chart
    has a few hundred texts and is marked safe once, whole."""
    return _escape(str(text))


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
):
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="inherit" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="16" font-size="14" font-weight="600" fill="#111827">{escape(title)}</text>',
    ]
    for value in ticks(y_max):
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
    y_max = nice_ceiling(max(values, default=0))
    parts, plot_w, plot_h, step = _frame(
        title, x_label, y_label, y_max, integer, categories, _every(len(categories))
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
        y = 14 + 16 * index
        parts.append(
            f'<line x1="{legend_x - 150}" x2="{legend_x - 126}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="2"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
        )
        parts.append(
            f'<text x="{legend_x - 120}" y="{y}" fill="#111827">{escape(line.label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped above)
