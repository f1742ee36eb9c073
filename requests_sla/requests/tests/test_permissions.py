"""Who sees what and who may do what: one matrix, used by pages, API and services."""

import pytest

from collab.tenancy import organization_scope
from departments.roles import Role
from requests_sla.requests import permissions, selectors
from requests_sla.requests.models import Request
from requests_sla.tests.factories import file_tech_support, person


@pytest.fixture
def cast(org, rep, rep2, dev_rnd, head_rnd, head_mkt, ops, admin):
    return {
        "requester": rep,
        "other_rep": rep2,
        "serving_member": dev_rnd,
        "serving_head": head_rnd,
        "other_head": head_mkt,
        "ops": ops,
        "admin": admin,
        "watcher": person(org, Role.SALES_REP, "business", "watcher"),
    }


SEES = {
    "requester": True,
    "other_rep": False,
    "serving_member": True,
    "serving_head": True,
    "other_head": False,
    "ops": True,
    "admin": True,
    "watcher": True,
}

# action → who may do it (on a new request filed by "requester" with R&D)
MAY = {
    "acknowledge": {"serving_member", "serving_head"},
    "start": {"serving_member", "serving_head"},
    "pause": {"serving_member", "serving_head"},
    "resolve": {"serving_member", "serving_head"},
    "resume": {"serving_member", "serving_head", "requester"},
    "close": {"serving_member", "serving_head", "requester"},
    "cancel": {"requester"},
    "reopen": {"serving_head", "admin", "requester"},
    "assign": {"serving_head", "admin"},
    "transfer": {"serving_head", "admin"},
    "reject": {"serving_head", "admin"},
    "comment_internal": {"serving_member", "serving_head", "ops", "admin"},
}


@pytest.mark.django_db
def test_visibility_matrix_is_the_same_for_lists_and_single_checks(frozen, org, cast):
    req = file_tech_support(cast["requester"])
    with organization_scope(org.id):
        req.watchers.add(cast["watcher"].user, through_defaults={"organization_id": org.id})
        for name, membership in cast.items():
            listed = selectors.requests_visible_to(membership).filter(pk=req.pk).exists()
            assert listed == SEES[name], name
            assert permissions.can_view(membership, req) == SEES[name], name


@pytest.mark.django_db
def test_a_request_with_several_watchers_is_listed_once(frozen, org, cast):
    """The rule asks "is there a watcher row for me" (EXISTS); a join on the
    watchers would list the request once per watcher to its requester and to
    its serving department."""
    req = file_tech_support(cast["requester"])
    with organization_scope(org.id):
        req.watchers.add(
            cast["watcher"].user,
            cast["other_rep"].user,
            cast["ops"].user,
            through_defaults={"organization_id": org.id},
        )
        for name in ("requester", "serving_member", "watcher", "other_rep"):
            rule = permissions.visibility_filter(cast[name])
            rows = list(Request.objects.filter(rule).values_list("pk", flat=True))
            assert rows == [req.pk], name


@pytest.mark.django_db
def test_an_inactive_member_sees_not_even_what_they_filed_or_watch(frozen, org, cast):
    req = file_tech_support(cast["requester"])
    with organization_scope(org.id):
        req.watchers.add(cast["watcher"].user, through_defaults={"organization_id": org.id})
        for name in ("requester", "watcher", "serving_member"):
            membership = cast[name]
            membership.is_active = False
            rule = permissions.visibility_filter(membership)
            assert not Request.objects.filter(rule).exists(), name
            assert not permissions.can_view(membership, req), name


@pytest.mark.django_db
def test_action_matrix(frozen, org, cast):
    req = file_tech_support(cast["requester"])
    for action, allowed in MAY.items():
        for name, membership in cast.items():
            assert permissions.can(membership, action, req) == (name in allowed), (action, name)


@pytest.mark.django_db
def test_an_inactive_membership_can_do_nothing(frozen, org, cast):
    req = file_tech_support(cast["requester"])
    head = cast["serving_head"]
    head.is_active = False
    assert not permissions.can(head, "assign", req) and not permissions.can_view(head, req)
    with organization_scope(org.id):
        assert not selectors.requests_visible_to(head).exists()


@pytest.mark.django_db
def test_available_actions_follow_status_and_role(frozen, cast):
    req = file_tech_support(cast["requester"])
    assert set(permissions.available_actions(cast["requester"], req)) == {"cancel"}
    assert {"acknowledge", "start", "pause", "resolve", "reject", "assign", "transfer"} <= set(
        permissions.available_actions(cast["serving_head"], req)
    )
    assert permissions.available_actions(cast["other_rep"], req) == []
