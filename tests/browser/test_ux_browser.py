"""Issue 12's "broken or misleading" items, each as a person meets them in
Chromium: the API docs render under the CSP, no link without text, bulk
assign without a choice, an unclassified agenda item, the deal header after a
stepper move, notices for the everyday flow, time left in working time."""

import pytest
from django.core.management import call_command

from departments.registry import demo_steps
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


@pytest.fixture
def people(transactional_db):
    with demo_steps.only("departments.demo.load"):
        call_command("load_demo")


@pytest.fixture
def requests_demo(transactional_db):
    with demo_steps.only("departments.demo.load", "requests_sla.demo.requests.load"):
        call_command("load_demo")


def csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return found


def test_api_docs_render_under_the_csp(page, people):
    violations = csp_violations(page)
    sign_in(page, "rep")
    page.goto("/api/docs/")
    page.locator("#swagger-ui .opblock").first.wait_for()
    assert page.locator("#swagger-ui .title").inner_text().startswith("Collab API")
    assert not violations, violations
    screenshot(page, "api-docs")
