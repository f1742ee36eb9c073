"""The registries through which a higher app plugs into a lower one (instead
of dotted paths in settings): provisioning and demo steps (departments), the
membership lookup and the navigation (collab), the request link kinds
(requests_sla). Each app fills them in its AppConfig.ready()."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from collab.navigation import NavEntry, nav_entries, nav_sections
from departments.models import Membership
from departments.registry import Steps, demo_steps, provisioning_steps
from requests_sla.catalog import links


def test_every_app_registers_its_provisioning_and_demo_steps_in_explicit_order():
    assert provisioning_steps.names() == [
        "departments.services.departments_provision",
        "requests_sla.sla.services.calendars.calendar_provision",
        "requests_sla.catalog.services.catalog_provision",
        "requests_sla.requests.services.filing.request_counter_provision",
        "pipeline.opportunities.services.stages_provision",
        "pricing.catalog.services.policy_provision",
        "roadmap.services.boards.board_settings_provision",
        "finance.expenses.defaults.expense_categories_provision",
    ]
    assert demo_steps.names() == [
        "departments.demo.load",
        "requests_sla.demo.requests.load",
        "requests_sla.demo.history.load",
        "requests_sla.demo.escalation.load",
        "requests_sla.approvals.demo.load",
        "pipeline.demo.customers.load",
        "pipeline.demo.links.load",
        "pricing.demo.loader.load",
        "roadmap.demo.load",
        "enablement.demo.library.load",
        "enablement.demo.programs.load",
        "finance.demo.load.load",
        "incentives.demo.load.load",
    ]


def first(**_):
    pass


def second(**_):
    pass


def test_steps_run_by_order_not_by_registration_and_an_order_is_taken_once():
    steps = Steps("test")
    steps.register(second, order=20)
    steps.register(first, order=10)
    steps.register(first, order=10)  # a second ready() replaces, never duplicates
    assert [s.run for s in steps] == [first, second]
    with pytest.raises(ImproperlyConfigured, match="order 10 is taken"):
        steps.register(second, order=10)
    with steps.only(f"{__name__}.second"):
        assert [s.run for s in steps] == [second]
    assert len(list(steps)) == 2


def test_pipeline_registers_the_request_link_kinds_and_their_templates():
    assert links.link_checker("account").__module__ == "pipeline.links.checks"
    assert links.link_checker("opportunity").__module__ == "pipeline.links.checks"
    assert links.link_picker_template() == "pipeline/_link_picker.html"
    assert links.link_display_template() == "pipeline/_request_link.html"
    with pytest.raises(ValueError):
        links.link_kind_register("invoice", check=lambda value, **kw: None)


def test_navigation_is_ordered_by_section_then_explicit_order():
    entries = [(e.section, e.url_name) for e in nav_entries()]
    sections = [section for section, _ in entries]
    assert sections == sorted(sections, key=["work", "sales", "reports", "admin"].index)
    assert entries[:3] == [
        ("work", "requests_sla:new"),
        ("work", "requests_sla:mine"),
        ("work", "requests_sla:queue"),
    ]
    with pytest.raises(ValueError):
        NavEntry("x", "x:y", section="elsewhere", order=1)


@pytest.mark.django_db
def test_a_member_sees_only_the_pages_their_rights_open(owner, teammate, org):
    rep = Membership.unscoped.select_related("department").get(user=teammate, organization=org)
    admin = Membership.unscoped.select_related("department").get(user=owner, organization=org)
    rep_links = {link.href for s in nav_sections(rep, None) for link in s.links}
    assert reverse("requests_sla:new") in rep_links
    assert reverse("pipeline:opportunities") in rep_links  # a pipeline rule, not a role cap
    assert reverse("requests_sla:catalog") not in rep_links
    admin_sections = {s.key: s for s in nav_sections(admin, "requests_sla:type_edit")}
    assert admin_sections["admin"].current  # a page under 请求类型 marks its section
    assert [link.current for link in admin_sections["admin"].links][0]
    assert nav_sections(None, None)[0].links[0].href == reverse("departments:directory")


@pytest.mark.django_db
def test_the_page_navigation_is_drawn_from_the_registry(client_for, owner):
    html = client_for(owner).get(reverse("departments:directory")).content.decode()
    assert f'href="{reverse("requests_sla:catalog")}"' in html
    assert '<section class="nav-section" data-section="admin"' in html
    assert (
        f'href="{reverse("departments:directory")}" data-section="work" aria-current="page"' in html
    )
