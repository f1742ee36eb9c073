"""The dashboard's SVG charts are pure functions of numbers and labels."""

from requests_sla.reporting import presentation
from requests_sla.reporting import presentation as charts


def test_nice_ceiling_rounds_up_to_one_two_five():
    assert [charts.nice_ceiling(v) for v in (0, 1, 7, 12, 180, 501)] == [1, 1, 10, 20, 200, 1000]


def test_bar_chart_labels_axes_links_bars_and_escapes_text():
    svg = charts.bar_chart(
        title="Requests <filed>",
        x_label="周",
        y_label="请求数",
        categories=["03-03", "03-10"],
        values=[4, 0],
        hrefs=["/d?week=1&x=2", None],
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "Requests &lt;filed&gt;" in svg and "<filed>" not in svg
    assert ">周<" in svg and ">请求数<" in svg
    assert 'href="/d?week=1&amp;x=2"' in svg and svg.count("<a ") == 1
    assert "03-03: 4" in svg


def test_count_axes_have_whole_distinct_ticks():
    import re

    assert charts.count_axis(0) == (1, [0, 1])
    assert charts.count_axis(1) == (1, [0, 1])
    assert charts.count_axis(2) == (2, [0, 1, 2])
    assert charts.count_axis(5) == (6, [0, 2, 4, 6])
    assert charts.count_axis(180) == (200, [0, 50, 100, 150, 200])
    for values in ([0, 1], [1, 1, 0], [2, 0], [3], [7, 1]):
        svg = charts.bar_chart(
            title="t", x_label="x", y_label="y", categories=["a"] * len(values), values=values
        )
        labels = re.findall(r'text-anchor="end" fill="#4b5563">([^<]*)<', svg)
        assert len(labels) == len(set(labels)) >= 2, labels
        assert all(label.isdigit() for label in labels)


def test_line_chart_leaves_a_gap_for_weeks_with_no_data_and_shows_percentages():
    svg = charts.line_chart(
        title="t",
        x_label="x",
        y_label="y",
        categories=["a", "b", "c", "d"],
        series=[charts.Series("Response", [0.5, None, 0.75, 1.0])],
    )
    assert svg.count("<polyline") == 1  # a–gap–c–d: only c–d is a line
    assert svg.count("<circle") == 3
    assert "Response · c: 75%" in svg and ">100%<" in svg


def test_matrix_and_live_table_bodies_escape_text_and_label_what_is_missing():
    from types import SimpleNamespace as Obj

    from django.utils import translation

    cell = {
        "class": "bad",
        "attainment": "50.0%",
        "href": "/d?a=1&b=2",
        "href_breached": "/d?a=1&breached=1",
        "breached": 1,
        "decided": 2,
        "late": None,
    }
    request = Obj(
        reference="REQ-000001",
        title="<script>",
        requesting_department=None,
        serving_department=Obj(name="R&D"),
    )
    row = {"r": request, "url": "/r/1/", "state": "breached", "due": "—", "assignee": None}
    with translation.override("en"):
        matrix = presentation.matrix_body([{"department": None, "cells": [cell, None]}])
        live = presentation.live_body([row])
    assert matrix.startswith("<tbody><tr>") and matrix.endswith("</tr></tbody>")
    assert ">(not set)</th>" in matrix and 'href="/d?a=1&amp;b=2"' in matrix
    assert ">1 / 2 breached</a>" in matrix and '<span class="muted">—</span>' in matrix
    assert "&lt;script&gt;" in live and "<script>" not in live and ">R&amp;D<" in live
    assert 'data-label="SLA state"><span class="chip state-breached">' in live
    assert (
        '<span class="muted">Unassigned</span>' in live
        and 'data-label="Requesting department">—<' in live
    )
