"""`make run` shows a new user the URL, the logins and a clean stop: the
routine lines of honcho, runserver and the worker are left out, anything
else (requests, warnings, errors) is printed (collab/devrun.py)."""

import datetime as dt
import io
import os
import subprocess
import sys

from honcho.printer import Message

from collab.devrun import QuietPrinter


def printed(*lines: tuple[str, str]) -> str:
    out = io.StringIO()
    printer = QuietPrinter(out)
    printer.width = len("worker.1")
    for name, data in lines:
        printer.write(Message("line", data, dt.datetime.now(), name, None))
    return out.getvalue()


def test_the_start_and_the_ctrl_c_handshake_print_nothing():
    assert (
        printed(
            ("system", "web.1 started (pid=25429)"),
            ("system", "worker.1 started (pid=25432)"),
            ("web.1", "Watching for file changes with StatReloader\n"),
            (
                "web.1",
                "December 06, 2026 - 04:56:04\nDjango version 5.2.19, using settings "
                "'collab.settings.local'\nStarting development server at http://127.0.0.1:8000/\n"
                "Quit the server with CONTROL-C.\n\n",
            ),
            ("system", "SIGINT received"),
            ("system", "sending SIGTERM to web.1 (pid 25429)"),
            ("worker.1", "\nworker: Warm shutdown (MainProcess)\n"),
            ("system", "web.1 stopped (rc=0)"),
            ("system", "worker.1 stopped (rc=-15)"),
        )  # fmt: skip
        == ""
    )


def test_requests_errors_and_an_unclean_stop_are_printed():
    out = printed(
        ("web.1", '[06/Dec/2026 04:57:15] "GET /healthz HTTP/1.1" 200 12\n'),
        ("worker.1", "[2026-12-06 04:58:00: ERROR/MainProcess] Task failed\nTraceback (most recent)"),
        ("system", "worker.1 stopped (rc=1)"),
    )  # fmt: skip
    assert out.splitlines() == [
        'web.1    | [06/Dec/2026 04:57:15] "GET /healthz HTTP/1.1" 200 12',
        "worker.1 | [2026-12-06 04:58:00: ERROR/MainProcess] Task failed",
        "worker.1 | Traceback (most recent)",
        "system   | worker.1 stopped (rc=1)",
    ]


def test_the_root_warning_of_the_worker_is_silenced_only_under_make_run():
    code = (
        "import warnings, collab.celery\n"
        "from celery.platforms import SecurityWarning\n"
        'warnings.warn(SecurityWarning("You\'re running the worker with superuser privileges"))\n'
    )

    def stderr(devrun: bool) -> str:
        env = {k: v for k, v in os.environ.items() if k != "COLLAB_DEVRUN"}
        if devrun:
            env["COLLAB_DEVRUN"] = "1"
        return subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stderr

    assert stderr(devrun=True) == ""
    assert "superuser" in stderr(devrun=False)
