"""The leaderboard's rows, written in Python: Django's template engine (a
dozen nodes, filters and translated labels per row) costs far more than one
string format per row. The markup is the template's, cell for cell
(``_progress.html`` includes these rows where it looped over them); every
text from the data (names) goes through ``html.escape``, as autoescaping
did; labels are translated and escaped once per render.

The page shows one page of the ranking (``PAGE_SIZE`` reps, the top ones
first; a search by rep or team name narrows it) and the viewer's own row
wherever they stand: a ranking of 2,000 reps is read from the top and for
oneself, and writing all of it into the page (and into every 30-second
poll) cost most of the request. Every rep is still ranked (the ranks and
award standings are over the whole sprint), a page at a time, and the
``.xlsx`` export holds them all."""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from collab.money import format_money
from collab.templatetags import num
from incentives.sprints.selectors import Progress, Row

DASH = "—"
PAGE_SIZE = 50
QUERY_MAX = 100  # characters of a search

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
    page: Page  # of the reps matching the search (all without one), best first
    query: str  # the search, as typed

    def link(self, number: int) -> str:
        """The query string of another page of the same search."""
        return urlencode({"q": self.query, "page": number} if self.query else {"page": number})

    @property
    def previous(self) -> str:
        return self.link(self.page.number - 1)

    @property
    def next(self) -> str:
        return self.link(self.page.number + 1)

    @property
    def here(self) -> str:
        """The query string of this page (what the poll asks for again)."""
        return self.link(self.page.number) if self.page.number > 1 or self.query else ""


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


_GAP = '<tr class="gap"><td colspan="%s">…</td></tr>\n'


def _rep_rows(reps: list[Row | None], cells: _Cells, me: int | None) -> str:
    labels = _labels("排名", "销售", "团队", "目标", "实际", "达成率", "差距", "预测（含加权商机）")
    rows = []
    for r in reps:
        if r is None:
            rows.append(_GAP % 8)
            continue
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


def _measure_rows(reps: list[Row | None], cells: _Cells, measure: str) -> str:
    labels = _labels("销售", "目标", "实际", "达成率")
    show = (
        cells.money
        if measure in ("collected", "product_mix")
        else (lambda v: DASH if v is None else num(v))
    )
    rows = []
    for r in reps:
        if r is None:
            rows.append(_GAP % 4)
            continue
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


def board(progress: Progress, mine: Row | None, *, page: object = 1, query: str = "") -> Board:
    """The rows of one page of the ranking (``page``, 1 when not a page
    number, the last past the end) among the reps whose name or team name
    contains ``query`` (any case), then the viewer's own row (``mine``) if
    it is not among them, after a gap row."""
    query = query.strip()[:QUERY_MAX]
    needle = query.casefold()
    matching = (
        [
            r
            for r in progress.reps
            if needle in r.name.casefold() or needle in r.team_name.casefold()
        ]
        if needle
        else progress.reps
    )
    shown = Paginator(matching, PAGE_SIZE).get_page(page)
    reps: list[Row | None] = list(shown.object_list)
    if mine is not None and all(r is not mine for r in reps):
        reps += [None, mine]
    cells = _Cells(progress.sprint.currency)
    measures = [
        (m, mark_safe(_measure_rows(reps, cells, m)))  # noqa: S308 (escaped above)
        for m in progress.measures
        if m != "won"
    ]
    return Board(
        mark_safe(_rep_rows(reps, cells, mine.key if mine else None)),  # noqa: S308
        measures,
        mark_safe(_team_rows(progress, cells)),  # noqa: S308 (escaped above)
        shown,
        query,
    )
