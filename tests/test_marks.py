"""The guards of tests/marks.py: a test that starts Chromium, workers or a
database server without its mark fails, and directories mark their tests."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.marks import process_kind


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["/usr/bin/chromium", "--headless"], "browser"),
        (["/venv/lib/playwright/driver/node", "cli.js", "run-driver"], "browser"),
        ([".venv/bin/celery", "-A", "collab", "worker"], "integration"),
        ([sys.executable, "-m", "celery", "-A", "collab", "beat"], "integration"),
        ([sys.executable, "-m", "collab.devrun"], "integration"),
        ([sys.executable, "manage.py", "runserver"], "integration"),
        (["make", "run"], "integration"),
        (["/srv/bin/pg_ctl", "start", "-w"], "slow"),
        ("/srv/bin/initdb -D data", "slow"),
        ([sys.executable, "manage.py", "check"], None),
        (["msgfmt", "-o", "x.mo", "x.po"], None),
        (["redis-cli", "ping"], None),
    ],
)
def test_the_mark_a_command_needs(argv, kind):
    assert process_kind(argv) == kind


def test_an_unmarked_test_that_starts_a_worker_fails_before_it_starts():
    with pytest.raises(pytest.fail.Exception, match=r"mark it @pytest\.mark\.integration"):
        subprocess.Popen([sys.executable, "-m", "celery", "--version"])


def test_an_unmarked_test_may_start_other_programs():
    result = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True)
    assert result.stdout.strip() == "42"


@pytest.mark.integration
def test_a_marked_test_may_start_what_its_mark_allows():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("celery")), "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip()


def test_tests_under_browser_and_integration_carry_their_mark_by_directory(request):
    root = Path(__file__).resolve().parent
    checked = 0
    for item in request.session.items:
        path = Path(str(item.path))
        for folder, mark in (("browser", "browser"), ("integration", "integration")):
            if path.is_relative_to(root / folder):
                assert item.get_closest_marker(mark) is not None, item.nodeid
                checked += 1
    if not checked:
        pytest.skip("no browser or integration test collected in this run")
