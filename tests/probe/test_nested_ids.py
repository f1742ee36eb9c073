"""The owner's ids nested in an outsider's request bodies (issue 10).

For every API operation with a JSON body, as the outsider acting in their
own organization (on their own objects where the path names one): a body
whose id fields point at the outsider's own objects, then one variant per id
field pointing at the owner's object instead. The variant never succeeds
(no 2xx), never 5xx, shows nothing of the owner's and changes no row of the
owner's; a 400 names the field (counted: rejected where it enters).
"""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from . import routes as probe_routes
from . import world as probe_world
from .conftest import world_counts
from .test_route_matrix import SCHEMA

# A body field -> the model whose id it carries (lists carry several).
FIELD_MODELS = {
    "account": "account",
    "account_id": "account",
    "opportunity_id": "opportunity",
    "request_id": "request",
    "owner": "user",
    "assignee": "user",
    "user": "user",
    "watchers": "user",
    "agenda_item": "agendaitem",
    "serving_department": "department",
    "requesting_department": "department",
    "request_type": "requesttype",
    "requests": "request",
    "stage": "stage",
    "comment": "comment",
    "follow_up": "followup",
    "account_ids": "account",
    "opportunity_ids": "opportunity",
    "requirement_id": "requirement",
    "release_id": "release",
    "plan_id": "commissionplan",
    "target_accounts": "account",
    "assets_used": "asset",
    "assets_produced": "asset",
    "assets": "asset",
    "users": "user",
    "trainer": "user",
    "department_id": "department",
    "mix_bundle_id": "bundle",
    "bundle_id": "bundle",
    "campaign_id": "campaign",  # in an expense's lines (finance → enablement)
}
# Names that carry an id only inside an array's items (an expense line's
# ``category``; elsewhere ``category`` is text): the item's own body needs
# the outsider's one for the line to reach the checks of the other ids.
ITEM_FIELD_MODELS = {**FIELD_MODELS, "category": "expensecategory"}
COUNTS = world_counts()


def _body_operations():
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                yield method.upper(), path, content["application/json"]["schema"]


OPERATIONS = list(_body_operations())


def _component(schema):
    name = schema.get("$ref", "").rsplit("/", 1)[-1]
    return SCHEMA["components"]["schemas"].get(name, schema)


def _plain(prop):
    """A valid-looking value for a field that carries no id."""
    prop = _component(prop.get("allOf", [prop])[0]) if "allOf" in prop else _component(prop)
    if "enum" in prop:
        return next(v for v in prop["enum"] if v not in ("", None))
    kind, fmt = prop.get("type"), prop.get("format")
    if fmt == "date":
        return (dt.date.today() + dt.timedelta(days=7)).isoformat()
    if fmt == "date-time":
        return (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
    if fmt == "decimal" or prop.get("pattern", "").startswith("^-?\\d"):
        return "100.00"
    return {"string": "probe", "integer": 1, "boolean": True, "number": 1}.get(kind, "probe")


def _items(prop):
    """The object schema of an array's items (an expense's lines), else None."""
    if prop.get("type") != "array" or "items" not in prop:
        return None
    item = _component(prop["items"])
    return item if item.get("properties") else None


def _bodies(schema, own_ids, owner_ids):
    """The outsider's own body, then (field, body) with one owner id each;
    one level down too: an id in an array's item (``lines.campaign_id``) is
    varied in a one-item array of the outsider's own item."""
    props = _component(schema).get("properties", {})
    own, variants = {}, []
    items = {}
    for name, prop in props.items():
        if prop.get("readOnly"):
            continue
        model = FIELD_MODELS.get(name)
        item = _items(prop) if model is None else None
        if item is not None:
            item_own, item_variants = _own_and_variants(item, own_ids, owner_ids)
            own[name], items[name] = [item_own], item_variants
        elif model is None:
            own[name] = _plain(prop)
        elif model in own_ids:
            own[name] = [own_ids[model]] if prop.get("type") == "array" else own_ids[model]
    for name in props:
        model = FIELD_MODELS.get(name)
        if model in owner_ids:
            value = owner_ids[model]
            variants.append(
                (name, {**own, name: [value] if props[name].get("type") == "array" else value})
            )
        for field, item_body in items.get(name, []):
            variants.append((f"{name}.{field}", {**own, name: [item_body]}))
    return variants


def _own_and_variants(item, own_ids, owner_ids):
    """An array item's own body and its variants (no deeper); an optional id
    the world does not fill is left out (null), so it refuses nothing."""
    props = {n: p for n, p in item.get("properties", {}).items() if not p.get("readOnly")}
    own = {}
    for name, prop in props.items():
        model = ITEM_FIELD_MODELS.get(name)
        if model in own_ids:
            own[name] = own_ids[model]
        elif prop.get("nullable"):
            own[name] = None
        else:
            own[name] = _plain(prop)
    variants = [
        (name, {**own, name: owner_ids[ITEM_FIELD_MODELS[name]]})
        for name in props
        if ITEM_FIELD_MODELS.get(name) in owner_ids
    ]
    return own, variants


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "schema"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_the_owners_ids_in_an_outsiders_body_are_refused(world, method, path, schema):
    own_ids = {**world["outsider_ids"], "user": world["outsider"].pk}
    route = probe_routes.Route(path.lstrip("/").replace("{", "<").replace("}", ">"), "", None)
    url, _named = probe_routes.fill(route, own_ids)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {world['outsider_token']}")
    variants = _bodies(schema, own_ids, world["ids"])
    if not variants:
        pytest.skip("no id in the body")
    before = probe_world.owner_checksum(world["owner_org"])
    problems = []
    for field, body in variants:
        COUNTS["nested_requests"] += 1
        response = getattr(client, method.lower())(url, body, format="json")
        answer = f"{method} {url} with the owner's {field}: {response.status_code}"
        if response.status_code < 300 or response.status_code >= 500:
            problems.append(f"{answer} {response.content[:300]!r}")
        elif response.status_code == 400 and field.split(".")[0] in response.json():
            COUNTS["nested_rejected"] += 1
        leaked = sorted(m for m in world["markers"] if m in response.content.decode())
        if leaked:
            problems.append(f"{answer}: body shows {leaked}")
    if probe_world.owner_checksum(world["owner_org"]) != before:
        problems.append(f"{method} {url}: the owner's rows changed")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_skips_hide_no_id_field(world):
    """An operation is skipped above when its body carries no id the world
    fills: every id-named body field must be in FIELD_MODELS, every model
    there made in the owner's world, and half the operations carry one."""
    own_ids = {**world["outsider_ids"], "user": world["outsider"].pk}
    names = {n for _m, _p, schema in OPERATIONS for n in _component(schema).get("properties", {})}
    assert sorted(n for n in names if n.endswith(("_id", "_ids")) and n not in FIELD_MODELS) == []
    assert set(FIELD_MODELS.values()) <= world["ids"].keys()
    with_ids = [p for _m, p, schema in OPERATIONS if _bodies(schema, own_ids, world["ids"])]
    assert len(with_ids) >= 16 and len(OPERATIONS) >= 30
