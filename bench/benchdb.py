"""What every script in bench/ shares: a PostgreSQL database of its own,
created for the run and dropped after it, never the dev or test database.
The server is the one ``BENCH_DATABASE_URL`` or ``DATABASE_URL`` names;
``BENCH_DB_SUFFIX`` is appended to every database name.

    db = BenchDatabase("collab_bench_funnel", script="bench/funnel.py")
    reused = db.prepare()   # BENCH_REUSE=1: measure what a BENCH_KEEP=1 run left
    ...                     # DATABASE_URL now points at it: set Django up, seed
    db.finish(reused)       # dropped unless BENCH_KEEP=1 (or it was reused)

Scripts import it as ``bench.benchdb`` from the project root: they take
bench/ itself off ``sys.path``, where queue.py would shadow the standard
library's ``queue``.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/collab"


class BenchDatabase:
    def __init__(self, name: str, *, script: str) -> None:
        base = urlsplit(
            os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", DEFAULT_URL)
        )
        if base.scheme not in ("postgres", "postgresql", "pgsql"):
            sys.exit(f"{script} needs PostgreSQL (DATABASE_URL)")
        # BENCH_DB_SUFFIX: two checkouts (or two people) benching side by
        # side on one server must not drop each other's database.
        self.name = name + os.environ.get("BENCH_DB_SUFFIX", "")
        if not self.name.replace("_", "").isalnum():
            sys.exit(f"{script}: bad database name {self.name!r}")
        self.url = urlunsplit(base._replace(path=f"/{self.name}"))
        self.admin_url = urlunsplit(base._replace(path="/postgres"))

    def _admin(self, sql: str, params: list | None = None):
        import psycopg2

        connection = psycopg2.connect(self.admin_url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def exists(self) -> bool:
        return bool(self._admin("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]))

    def drop(self) -> None:
        # A crashed run may leave connections behind; they would block the drop.
        self._admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.name],
        )
        self._admin(f"DROP DATABASE IF EXISTS {self.name}")

    def create(self) -> None:
        self.drop()
        self._admin(f"CREATE DATABASE {self.name}")

    def prepare(self, *, reusable: bool = True) -> bool:
        """Create the database (or, with ``BENCH_REUSE=1``, keep the one an
        earlier ``BENCH_KEEP=1`` run left) and point ``DATABASE_URL`` at it.
        Returns whether it was reused."""
        reused = reusable and bool(os.environ.get("BENCH_REUSE")) and self.exists()
        if not reused:
            self.create()
        os.environ["DATABASE_URL"] = self.url
        return reused

    def finish(self, reused: bool = False) -> None:
        if not os.environ.get("BENCH_KEEP") and not reused:
            self.drop()
