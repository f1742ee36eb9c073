"""The probe matrix (issue 10): every route and every OpenAPI operation,
tried by a user of another organization and by nobody at all.

For each route that names one of the owner's objects, with every method,
through the page client and the API token client: the answer is 404 (or
403/405, or admin's redirect to its own sign-in), the body holds none of the
owner's marker strings, and no row of the owner's changed (a checksum of the
owner's tenant tables, people and keys). Routes without an id are fetched
(GET) for markers only. Unauthenticated: a redirect to sign-in or 401/403,
never data. A token with ``X-Organization`` naming the owner: 400/403/404.

The world is built once for the module; each test runs in a savepoint.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from . import routes as probe_routes
from . import world as probe_world
from .conftest import world_counts

METHODS = ("get", "post", "put", "patch", "delete")
ROUTES = probe_routes.walk()
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [
    (method.upper(), path)
    for path, item in SCHEMA["paths"].items()
    for method in item
    if method in METHODS
]
# Pages anyone may open signed out (sign-in, password reset, language, the
# health check, the favicon, the invitation link's landing page, the API's own docs).
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "healthz",
    "favicon",
    "departments:invitation_open",
    "api-token",
    "api-schema",
    "api-docs",
    "admin:login",
    "admin:logout",
}
COUNTS = world_counts()


def _route_id(route) -> str:
    return route.template or "/"


def _clients(world) -> dict:
    page = Client(raise_request_exception=False)
    page.force_login(world["outsider"])
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Token {world['outsider_token']}")
    return {"page": page, "token": api}


def _call(client, method: str, url: str, **extra):
    COUNTS["requests"] += 1
    data = {} if method == "get" else {"note": "probe"}
    if method == "get":
        return client.get(url, **extra)
    return getattr(client, method)(url, data, content_type="application/json", **extra)


def _leaks(response, markers) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace") + response.get("Location", "")
    return sorted(m for m in markers if m in text)


def _admin_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def _sign_in(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))
    )


def _filled(route, world):
    return probe_routes.fill(route, world["ids"])


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_an_outsider_gets_nothing_of_the_owner(world, route):
    url, named = _filled(route, world)
    COUNTS["routes"] += 1
    COUNTS["id_routes"] += bool(named)
    before = probe_world.owner_checksum(world["owner_org"]) if named else None
    problems = []
    for kind, client in _clients(world).items():
        for method in METHODS if named else ("get",):
            response = _call(client, method, url)
            leaked = _leaks(response, world["markers"])
            if leaked:
                problems.append(f"{kind} {method.upper()} {url}: body shows {leaked}")
            # A token is no page credential: pages send its bearer to sign in.
            page_sign_in = kind == "token" and not route.is_api and _sign_in(response)
            allowed = (
                response.status_code in {403, 404, 405} or _admin_sign_in(response) or page_sign_in
            )
            if named and not allowed:
                problems.append(f"{kind} {method.upper()} {url}: {response.status_code}")
            if response.status_code >= 500:
                problems.append(f"{kind} {method.upper()} {url}: {response.status_code}")
    if named:
        after = probe_world.owner_checksum(world["owner_org"])
        if after != before:
            problems.append(f"{url}: the owner's rows changed")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_signed_out_gets_sign_in_never_data(world, route):
    url, named = _filled(route, world)
    if route.name in PUBLIC:
        pytest.skip("a public page")
    problems = []
    for method in METHODS if named else ("get",):
        response = _call(Client(raise_request_exception=False), method, url)
        if not (_sign_in(response) or response.status_code in {401, 403, 405}):
            problems.append(f"{method.upper()} {url}: {response.status_code}")
        leaked = _leaks(response, world["markers"])
        if leaked:
            problems.append(f"{method.upper()} {url}: body shows {leaked}")
    assert not problems, "\n".join(problems)


def _operation_url(path: str, world) -> str:
    route = probe_routes.Route(path.lstrip("/").replace("{", "<").replace("}", ">"), "", None)
    return probe_routes.fill(route, world["ids"])[0]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_as_an_outsider_and_with_a_spoofed_organization(world, method, path):
    url = _operation_url(path, world)
    COUNTS["operations"] += 1
    takes_id = "{" in path
    before = probe_world.owner_checksum(world["owner_org"])
    client = _clients(world)["token"]
    problems = []
    owner = world["owner_org"]
    for header in (None, owner.slug, str(owner.pk)):
        extra = {"HTTP_X_ORGANIZATION": header} if header else {}
        response = _call(client, method.lower(), url, **extra)
        leaked = _leaks(response, world["markers"])
        if leaked:
            problems.append(f"X-Organization={header} {method} {url}: body shows {leaked}")
        expected = {400, 403, 404} if header else ({403, 404, 405} if takes_id else None)
        if response.status_code >= 500 or (expected and response.status_code not in expected):
            problems.append(f"X-Organization={header} {method} {url}: {response.status_code}")
    if probe_world.owner_checksum(owner) != before:
        problems.append(f"{method} {url}: the owner's rows changed")
    assert not problems, "\n".join(problems)


def test_the_walk_covers_the_whole_url_conf_and_schema():
    """New routes join the walk by themselves: the walk is the URL conf."""
    names = {r.name for r in ROUTES}
    assert {"request-detail", "meeting-detail"} <= names
    assert any(n.endswith(":meeting") for n in names)
    assert len(OPERATIONS) > 50
    assert ("GET", "/api/requests/{id}/") in OPERATIONS


# Id parameters the owner's world does not fill: admin's pages of tables
# that are no organization's (groups, sign-in logs, a person's profile) and
# admin's view-on-site redirect (a content type and an id, any table).
NO_OWNER_OBJECT = (
    "admin/auth/group/",
    "admin/axes/",
    "admin/departments/userprofile/",
    "admin/r/",
)


def _is_id(param: str) -> bool:
    return (
        param in {"pk", "object_id", "id"}
        or param in probe_routes.PARAM_MODELS
        or param.endswith(("_id", "_pk"))
    )


@pytest.mark.django_db
def test_every_id_parameter_is_filled_with_an_owner_object(world):
    """The matrix walks what it claims: an id parameter the world cannot fill
    gets ``FALLBACK`` and the route is walked as one naming nothing of the
    owner's, silently (after row-level security, the owner's API key and
    people went missing that way: 124 routes naming an owner's object
    became 119)."""
    unfilled, named = [], 0
    for route in ROUTES:
        url, models = _filled(route, world)
        named += bool(models)
        if route.template.startswith(NO_OWNER_OBJECT):
            continue
        for param in filter(_is_id, route.params):
            model = probe_routes.param_model(route, param, world["ids"].keys())
            if model not in world["ids"]:
                unfilled.append(f"{route.template} {param} -> {model}")
    assert unfilled == []
    assert world["failed_kinds"] == []
    assert {"apitoken", "user", "attachment", "request", "reviewmeeting"} <= world["ids"].keys()
    assert named >= 130


@pytest.mark.django_db
def test_the_markers_show_where_the_owner_may_see_them(world):
    """The control: the leak check is not vacuous. The owner's own admin
    sees the marked request on its page and through the API."""
    request_id = world["ids"]["request"]
    page = Client()
    page.force_login(world["owner_admin"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {world['owner_token']}")
    shown_page = _leaks(page.get(f"/requests/{request_id}/"), world["markers"])
    shown_api = _leaks(api.get(f"/api/requests/{request_id}/"), world["markers"])
    assert probe_world.MARK in shown_page
    assert probe_world.MARK in shown_api
    # The owner's people are markers too (names, emails), not just the mark.
    admin = world["owner_admin"]
    assert {admin.username, admin.email} <= world["markers"]
    assert len(world["markers"]) >= 6
