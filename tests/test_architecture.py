"""The house rules that a file layout can break silently (docs/ARCHITECTURE.md).

The import contracts themselves run as `lint-imports` in `make test`; these
tests make sure the contracts and mypy look at every app, and keep what the
contracts cannot see: the one database engine. Module and function sizes are
tests/test_code_size.py's.
"""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
CONFIG = TOOLS["importlinter"]


def local_apps() -> set[str]:
    return {p.parent.name for p in ROOT.glob("*/apps.py") if ".venv" not in p.parts}


def app_code():
    for app in sorted(local_apps() | {"collab"}):
        for path in (ROOT / app).rglob("*.py"):
            parts = set(path.relative_to(ROOT).parts)
            if parts & {"migrations", "tests", "settings"} or path.name == "conftest.py":
                continue
            yield path


def test_every_app_is_seen_by_the_import_contracts():
    """A new app must be a root package (or lint-imports never reads it) and
    sit in the layers of the apps contract."""
    roots = set(CONFIG["root_packages"])
    assert local_apps() | {"collab"} <= roots, "add the app to [tool.importlinter] root_packages"
    apps_contract = CONFIG["contracts"][0]
    layered = {
        name.strip("() ") for layer in apps_contract["layers"] for name in re.split(r"[|:]", layer)
    }
    assert local_apps() <= layered, "add the app to the apps contract's layers"


def test_every_app_is_type_checked():
    """mypy reads the packages in its ``files``: a new app must be one, so
    its services are checked strictly (``*.services`` in the overrides)."""
    assert local_apps() | {"collab"} <= set(TOOLS["mypy"]["files"]), (
        "add the app to [tool.mypy] files"
    )
    strict = next(o for o in TOOLS["mypy"]["overrides"] if o.get("disallow_untyped_defs"))
    assert {"requests_sla.sla.*", "*.services", "*.services.*"} <= set(strict["module"])


def test_app_code_knows_one_database_engine():
    """PostgreSQL everywhere: no vendor branches, no SQLite fallbacks."""
    pattern = re.compile(r"sqlite|connection\.vendor|IS_POSTGRES|as_sqlite", re.I)
    migrations = [p for app in local_apps() for p in (ROOT / app / "migrations").glob("*.py")]
    hits = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in [*app_code(), *migrations]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not hits, f"vendor branches left: {hits}"
