"""``make run``: the database, the schema and the demo, then the web server,
a Celery worker and Celery beat (``Procfile.dev``, run by honcho) until Ctrl-C.

Without ``DATABASE_URL`` it starts the embedded PostgreSQL server
(``collab/devdb.py``) first and stops it last; with one, it starts nothing.

A stop is quiet and complete, whatever asks for it (Ctrl-C, SIGTERM, a
closed terminal, ``make`` killed): each process gets one SIGTERM, is given
time for a warm shutdown (a Celery worker on the filesystem transport needs
a few seconds, more than honcho's default of five before SIGKILL), the
database stops last, and the exit status is 0, so make reports no error.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import honcho.manager
from honcho.environ import expand_processes, parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

from collab import devdb

LOGINS = [
    "  Demo logins (password collab-demo): rep, head-rnd, head-mkt, head-cs, ops, admin",
    "  Other Co (isolation): other-rep, other-head, other-fin, other-pm, other-ops, other-admin",
]
STOP_WAIT = 20  # seconds each process has to stop before SIGKILL


# What honcho and the servers say on every start and stop, which a new user
# need not read: the processes starting, the Ctrl-C handshake, runserver's
# banner and the worker's "warm shutdown". Anything else (requests, warnings,
# errors, tracebacks, an unclean stop) is printed as it comes.
ROUTINE = re.compile(
    r"^\s*$"
    r"|^system\s+\| (\S+ started \(pid=\d+\)|SIG(INT|TERM) received|sending SIGTERM to .*"
    r"|\S+ stopped \(rc=(0|-15|143)\))$"
    r"|^web\.\d+\s+\| (Watching for file changes with \w+|\w+ \d{2}, \d{4} - \d{2}:\d{2}:\d{2}"
    r"|Django version .*|Starting development server at .*|Quit the server with CONTROL-C\.|)$"
    r"|^(worker|beat)\.\d+\s+\| (worker: Warm shutdown \(MainProcess\)|)$"
)


class QuietPrinter(Printer):
    """honcho's printer without the routine lines (``ROUTINE``); the time
    prefix goes too, as runserver's request log carries its own."""

    def __init__(self, output) -> None:
        super().__init__(output, prefix=False)

    def write(self, message) -> None:
        data = message.data
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        name = (message.name or "").ljust(self.width)
        kept = [line for line in text.splitlines() if not ROUTINE.match(f"{name} | {line}")]
        if kept:
            super().write(message._replace(data="\n".join(f"{name} | {line}" for line in kept)))


class Stopped(Exception):
    """Asked to stop before the processes started."""


class Setup:
    """The steps before serving, each a child in its own process group, so the
    terminal's Ctrl-C reaches only make and us; we end the child with SIGTERM
    (no KeyboardInterrupt traceback) and stop."""

    def __init__(self) -> None:
        self.child: subprocess.Popen | None = None
        self.stopping = False

    def on_signal(self, _signum=None, _frame=None) -> None:
        self.stopping = True
        if self.child is not None and self.child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.child.pid, signal.SIGTERM)

    def manage(self, *args: str) -> str:
        if self.stopping:
            raise Stopped
        self.child = subprocess.Popen(
            [sys.executable, "manage.py", *args], process_group=0, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        output, _ = self.child.communicate()
        returncode, self.child = self.child.returncode, None
        if self.stopping:
            raise Stopped
        if returncode != 0:
            sys.stdout.write(output)
            raise SystemExit(returncode)
        return output


def _watch_parent(parent: int) -> None:
    """make killed (kill -9) leaves us orphaned: stop as if told to."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)


def serve(port: str) -> int:
    """Procfile.dev under honcho's manager, in this process."""
    honcho.manager.KILL_WAIT = STOP_WAIT
    procfile = parse_procfile(Path("Procfile.dev").read_text())
    manager = Manager(QuietPrinter(sys.stdout))
    for process in expand_processes(procfile.processes, port=int(port)):
        manager.add_process(process.name, process.cmd, env={**os.environ, **process.env})
    manager.loop()  # returns once every process has stopped (honcho handles SIGINT/SIGTERM)
    return manager.returncode or 0


def main() -> int:
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings.local")
    setup = Setup()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, setup.on_signal)
    # A closed terminal stops like SIGTERM (honcho itself handles only SIGINT/SIGTERM).
    signal.signal(signal.SIGHUP, lambda *_: os.kill(os.getpid(), signal.SIGTERM))
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    # The processes find var/ through COLLAB_VAR_DIR (beat's schedule file is
    # there), wherever make run was started from.
    os.environ["COLLAB_VAR_DIR"] = str(devdb.var_dir())
    # The worker, started by make run in a container or a VM where the
    # developer is root, would warn about it at every start (collab/celery.py).
    os.environ["COLLAB_DEVRUN"] = "1"
    for folder in ("celery/out", "celery/processed", "media"):  # the filesystem broker's
        (devdb.var_dir() / folder).mkdir(parents=True, exist_ok=True)
    # One `make run` per checkout: a second would stop the first one's database.
    lock = open(devdb.var_dir() / ".make-run.lock", "a")  # noqa: SIM115 (held until exit)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"make run is already running with {devdb.var_dir()}.", file=sys.stderr)
        return 1
    embedded = "DATABASE_URL" not in os.environ
    data = devdb.server().root
    data = data.relative_to(Path.cwd()) if data.is_relative_to(Path.cwd()) else data
    returncode = 0
    try:
        if embedded:
            print(f"  PostgreSQL (embedded, data in {data}) is starting...", flush=True)
            devdb.start()
            devdb.ensure_database()
        setup.manage("migrate", "--noinput", "-v0")
        if "demo organization ready" in setup.manage("load_demo", "--if-empty"):
            print("  Demo data loaded (Demo Co and Other Co).")
        print(f"\n  Collab is starting on http://127.0.0.1:{port}/", *LOGINS, sep="\n")
        print("  Ctrl-C stops it.\n", flush=True)
        if setup.stopping:
            raise Stopped
        returncode = serve(port)
        if returncode in (130, 143):  # honcho stopped on our SIGINT/SIGTERM: a clean stop
            setup.stopping, returncode = True, 0
    except Stopped:
        pass
    except devdb.DevDbError as error:
        print(f"\n{error}", file=sys.stderr)
        returncode = 1
    finally:
        if embedded and devdb.stop():
            print(f"\n  Collab stopped; PostgreSQL stopped (data kept in {data}).", flush=True)
        elif setup.stopping:
            print("\n  Collab stopped.", flush=True)
    return returncode


if __name__ == "__main__":
    sys.exit(main())
