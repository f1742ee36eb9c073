"""Every browser, integration and slow test carries its mark.

``make check`` runs what none of these marks carries, in parallel, so a test
that drives Chromium, starts worker processes or starts a database server
without its mark would slow it down or break it (two xdist workers sharing
one Redis or one port). Three guards, loaded by the root ``conftest.py``:

* tests under ``tests/browser/`` are marked ``browser`` and tests under
  ``tests/integration/`` ``integration`` by their directory;
* a test that uses the browser fixtures (``browser``, ``new_page``,
  ``page``) without the ``browser`` mark fails;
* a test (or a fixture it uses) that starts Chromium or Playwright's driver,
  a Celery worker or beat, a web server or ``make run``, or a PostgreSQL
  server, without the matching mark, fails when it tries.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BY_DIRECTORY = {
    ROOT / "tests" / "browser": "browser",
    ROOT / "tests" / "integration": "integration",
}
BROWSER_FIXTURES = {"browser", "new_page", "page"}

# What a process is, from its command line → the mark a test starting it needs.
PROGRAMS = {
    "chromium": "browser",
    "chromium-browser": "browser",
    "chrome": "browser",
    "headless_shell": "browser",
    "celery": "integration",
    "gunicorn": "integration",
    "honcho": "integration",
    "pg_ctl": "slow",
    "initdb": "slow",
    "postgres": "slow",
}
ARGUMENTS = {
    "run-driver": "browser",  # Playwright's driver, which starts Chromium
    "collab.devrun": "integration",  # make run
    "runserver": "integration",
    "celery": "integration",  # python -m celery
}

_running: list[pytest.Item] = []


def process_kind(args: Any) -> str | None:
    """The mark a test needs to start this command, or None."""
    if isinstance(args, str | bytes | os.PathLike):
        argv = os.fsdecode(args).split()
    else:
        argv = [os.fsdecode(a) for a in args]
    if not argv:
        return None
    if argv[0].endswith("make") and "run" in argv[1:]:
        return "integration"
    kind = PROGRAMS.get(Path(argv[0]).name)
    return kind or next((ARGUMENTS[a] for a in argv[1:] if a in ARGUMENTS), None)


_popen_init = subprocess.Popen.__init__


def _guarded_popen_init(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
    item = _running[-1] if _running else None
    kind = process_kind(args) if item is not None else None
    if item is not None and kind is not None and item.get_closest_marker(kind) is None:
        pytest.fail(
            f"{item.nodeid} starts {args!r}: mark it @pytest.mark.{kind} (tests/marks.py)",
            pytrace=False,
        )
    _popen_init(self, args, *rest, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    subprocess.Popen.__init__ = _guarded_popen_init  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    subprocess.Popen.__init__ = _popen_init  # type: ignore[method-assign]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.path))
        for directory, mark in BY_DIRECTORY.items():
            if path.is_relative_to(directory) and item.get_closest_marker(mark) is None:
                item.add_marker(getattr(pytest.mark, mark))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


def pytest_runtest_setup(item: pytest.Item) -> None:
    fixtures = set(getattr(item, "fixturenames", ()))
    if fixtures & BROWSER_FIXTURES and item.get_closest_marker("browser") is None:
        pytest.fail(
            f"{item.nodeid} uses {sorted(fixtures & BROWSER_FIXTURES)}: mark it "
            "@pytest.mark.browser (tests/marks.py)",
            pytrace=False,
        )
