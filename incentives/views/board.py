"""The leaderboard's rows, written in Python: a sprint of 2,000 reps has
2,000 rows per table, and Django's template engine (a dozen nodes, filters
and translated labels per row) took seconds where one string format per row
takes milliseconds. The markup is the template's, cell for cell
(``_progress.html`` includes these rows where it looped over them); every
text from the data (names) goes through ``html.escape``, as autoescaping
did; labels are translated and escaped once per render."""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from collab.money import format_money
from collab.templatetags import num
from incentives.sprints.selectors import Progress, Row

DASH = "—"

_REP = (
    '<tr id="rep-%s"%s>'
    '<td class="num" data-label="%s">%s</td>'
    '<th scope="row" data-label="%s">%s</th>'
    '<td data-label="%s">%s</td>'
    '<td class="num" data-label="%s">%s</td>'
    '<td class="num" data-label="%s">%s</td>'
    '<td class="num attainment" data-label="%s">%s</td>'
    '<td class="num" data-label="%s">%s</td>'
    '<td class="num" data-label="%s">%s%s</td>'
    "</tr>\n"
)
_MEASURE = (
    '<tr><th scope="row" data-label="%s">%s</th>'
    '<td class="num" data-label="%s">%s</td>'
    '<td class="num" data-label="%s">%s</td>'
    '<td class="num" data-label="%s">%s</td></tr>\n'
)
_TEAM = (
    '<tr><td class="num" data-label="%s">%s</td><th scope="row" data-label="%s">%s</th>'
    '<td class="num" data-label="%s">%s</td>'
    '<td class="num" data-label="%s">%s</td>'
    '<td class="num" data-label="%s">%s</td></tr>\n'
)


def _html(value: object) -> str:
    return html.escape(str(value))


@dataclass
class Board:
    reps: SafeString
    measures: list[tuple[str, SafeString]]  # the other measures with targets, in order
    teams: SafeString


class _Cells:
    """The formatting of one render: the language and currency looked up
    once, not per cell."""

    def __init__(self, currency: str) -> None:
        self.currency, self.language = currency, get_language()
        self.point = get_format("DECIMAL_SEPARATOR")

    def money(self, value: Decimal | None) -> str:
        return DASH if value is None else format_money(value, self.currency, self.language)

    def number(self, value: Decimal) -> str:  # ``localize``, as the template printed it
        return f"{value:f}".replace(".", self.point)

    def pct(self, value: Decimal | None) -> str:
        return DASH if value is None else f"{self.number(value)}%"


def _labels(*msgids: str) -> list[str]:
    return [_html(_(m)) for m in msgids]


def _rep_rows(progress: Progress, cells: _Cells, me: int | None) -> str:
    labels = _labels("排名", "销售", "团队", "目标", "实际", "达成率", "差距", "预测（含加权商机）")
    rows = []
    for r in progress.reps:
        fig = r.figures["won"]
        projected = r.projected
        also = projected.attainment
        rows.append(
            _REP
            % (
                r.key,
                ' class="me"' if r.key == me else "",
                *_pair(labels, 0, r.rank),
                *_pair(labels, 1, _html(r.name)),
                *_pair(labels, 2, _html(r.team_name)),
                *_pair(labels, 3, cells.money(fig.target)),
                *_pair(labels, 4, cells.money(fig.actual)),
                *_pair(labels, 5, cells.pct(fig.attainment)),
                *_pair(labels, 6, cells.money(fig.gap)),
                labels[7],
                cells.money(projected.actual),
                "" if also is None else f" ({cells.pct(also)})",
            )
        )
    return "".join(rows)


def _pair(labels: list[str], n: int, value: object) -> tuple[str, object]:
    return labels[n], value


def _measure_rows(progress: Progress, cells: _Cells, measure: str) -> str:
    labels = _labels("销售", "目标", "实际", "达成率")
    show = (
        cells.money
        if measure in ("collected", "product_mix")
        else (lambda v: DASH if v is None else num(v))
    )
    rows = []
    for r in progress.reps:
        fig = r.figures[measure]
        rows.append(
            _MEASURE
            % (
                labels[0],
                _html(r.name),
                labels[1],
                show(fig.target),
                labels[2],
                show(fig.actual),
                labels[3],
                cells.pct(fig.attainment),
            )
        )
    return "".join(rows)


def _team_rows(progress: Progress, cells: _Cells) -> str:
    labels = _labels("排名", "团队", "目标", "实际", "达成率")
    rows = []
    for t in progress.teams:
        fig = t.figures["won"]
        rows.append(
            _TEAM
            % (
                labels[0],
                t.rank,
                labels[1],
                _html(t.name),
                labels[2],
                cells.money(fig.target),
                labels[3],
                cells.money(fig.actual),
                labels[4],
                cells.pct(fig.attainment),
            )
        )
    return "".join(rows)


def board(progress: Progress, mine: Row | None) -> Board:
    cells = _Cells(progress.sprint.currency)
    measures = [
        (m, mark_safe(_measure_rows(progress, cells, m)))  # noqa: S308 (escaped above)
        for m in progress.measures
        if m != "won"
    ]
    return Board(
        mark_safe(_rep_rows(progress, cells, mine.key if mine else None)),  # noqa: S308
        measures,
        mark_safe(_team_rows(progress, cells)),  # noqa: S308 (escaped above)
    )
