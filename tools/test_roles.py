"""`make test`'s first step: the three database roles the suite runs with
(collab_owner creates and migrates the test database, the tests run as
collab_app, collab_service is the audited unscoped path), created if missing
on the local server, with the same idempotent SQL as `make run`'s embedded
server (collab.devdb.role_statements).

Runs only when DATABASE_URL is not set (the suite's default is the local
server's roles); with DATABASE_URL the roles are the caller's business. A
server that refuses the superuser connection gets a hint, not a failure: the
tests then say what is missing.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collab.devdb import role_statements  # noqa: E402

ADMIN_URL = os.environ.get("COLLAB_TEST_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def main() -> int:
    if os.environ.get("DATABASE_URL"):
        return 0
    import psycopg2

    try:
        connection = psycopg2.connect(ADMIN_URL, connect_timeout=5)
    except psycopg2.Error as exc:
        print(
            f"test roles: cannot connect as {ADMIN_URL} ({exc}); create collab_owner, "
            "collab_app and collab_service as README 'Database roles' says",
            file=sys.stderr,
        )
        return 0
    connection.autocommit = True
    with connection, connection.cursor() as cursor:
        for statement in role_statements():
            cursor.execute(statement)
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
