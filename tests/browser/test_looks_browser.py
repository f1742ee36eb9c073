"""The look and feel (issue 12, "Looks and feel"): the sidebar navigation,
tables, unread notices, the dashboard's phone layout, and screenshots of each
role's main pages saved under var/screenshots/ for a person to look at."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One demo user per role.
ROLES = ["rep", "dev-rnd", "head-rnd", "ops", "admin"]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def test_the_navigation_does_not_wrap_at_1280_px_for_any_role(browser, live_server, demo):
    for username in ROLES:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 800}
        )
        page = context.new_page()
        sign_in(page, username)
        page.goto("/departments/")
        layout = page.evaluate(
            """() => {
              const bar = document.querySelector('.topbar');
              const nav = document.querySelector('nav.sidebar');
              const links = [...nav.querySelectorAll('a')];
              const line = parseFloat(getComputedStyle(links[0]).lineHeight);
              return {
                bar: bar.getBoundingClientRect().height,
                navOverflow: nav.scrollWidth - nav.clientWidth,
                tallest: Math.max(...links.map(a => a.getBoundingClientRect().height)),
                line,
                truncated: links.filter(a => a.scrollWidth > a.clientWidth).map(a => a.textContent),
                page: document.documentElement.scrollWidth,
                sections: [...nav.querySelectorAll('.nav-heading')].map(h => h.firstChild.textContent.trim()),
              };
            }"""
        )
        assert layout["bar"] < 60, (username, layout)  # one row
        assert layout["navOverflow"] <= 0, (username, layout)
        assert layout["tallest"] < 2 * layout["line"], (username, layout)  # no link on two lines
        assert layout["truncated"] == [], (username, layout)
        assert layout["page"] <= 1280, (username, layout)
        assert layout["sections"][0] == "工作", (username, layout)
        context.close()
