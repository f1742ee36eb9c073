"""The navigation registry: every app registers its pages here, in its
``AppConfig.ready()``, and ``templates/_nav.html`` renders what the signed-in
member may open, section by section::

    from collab.navigation import NavEntry, nav_register

    nav_register(
        NavEntry(BUDGETS, "finance:budgets", section="work", order=60,
                 capability="view_budgets"),
    )

(``BUDGETS`` being the page's lazy-translated name in the finance app.)

collab never imports the apps (it is the lowest layer), so it only knows
entries by what they declare: a label (a lazy msgid of the app's own
catalogue), a URL name, the capability that shows it (a capability name, a
tuple of names of which any one will do, a callable ``(membership) -> bool``
for rules that need more than the role, or None for every member), the
section (``work`` 工作, ``sales`` 销售, ``reports`` 报表, ``admin`` 管理) and an
explicit order within the section (ties break by URL name, never by the
order apps happen to load in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SECTIONS: dict[str, str | Promise] = {
    "work": _("工作"),
    "sales": pgettext_lazy("navigation", "销售"),
    "reports": _("报表"),
    "admin": _("管理"),
}

Capability = str | tuple[str, ...] | Callable[[object], bool] | None


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise  # a lazy msgid of the app's catalogue
    url_name: str
    section: str
    order: int
    capability: Capability = None
    # Other pages under this entry (the page is current on them too).
    also_current: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.section not in SECTIONS:
            raise ValueError(f"nav section must be one of {sorted(SECTIONS)}: {self.section!r}")

    def shown_to(self, membership) -> bool:
        rule = self.capability
        if rule is None:
            return True
        if membership is None or not membership.is_active:
            return False
        if callable(rule):
            return bool(rule(membership))
        names = (rule,) if isinstance(rule, str) else rule
        return any(membership.can(name) for name in names)


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    current: bool


@dataclass
class NavSection:
    key: str
    label: str
    links: list[NavLink] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


_entries: dict[str, NavEntry] = {}


def nav_register(*entries: NavEntry) -> None:
    """Add pages to the navigation (registering a URL name again replaces it)."""
    for entry in entries:
        _entries[entry.url_name] = entry


def nav_entries() -> list[NavEntry]:
    order = list(SECTIONS)
    return sorted(_entries.values(), key=lambda e: (order.index(e.section), e.order, e.url_name))


def nav_sections(membership, current_url_name: str | None) -> list[NavSection]:
    """The sections (in order) with the links ``membership`` may open; empty
    sections are left out."""
    sections: dict[str, NavSection] = {}
    for entry in nav_entries():
        if not entry.shown_to(membership):
            continue
        section = sections.setdefault(
            entry.section, NavSection(entry.section, str(SECTIONS[entry.section]))
        )
        current = current_url_name in (entry.url_name, *entry.also_current)
        section.links.append(NavLink(str(entry.label), reverse(entry.url_name), current))
    return list(sections.values())
