"""Size limits (docs/ARCHITECTURE.md): no module over 500 lines, no function
over 80, outside migrations and tests, in every app of the project.

The apps are read from ``INSTALLED_APPS`` (those that live in this repository)
plus the project package, so a new app is held to the limits the day it is
installed. ruff holds the branches, statements and complexity of each
function (``[tool.ruff.lint]`` in pyproject.toml).
"""

import ast
import importlib.util
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def project_packages() -> list[Path]:
    """The folders of the installed apps that live in this repository, and collab."""
    folders = {ROOT / "collab"}
    for name in settings.INSTALLED_APPS:
        spec = importlib.util.find_spec(name.split(".apps.")[0])
        if spec is None or spec.origin is None:
            continue
        folder = Path(spec.origin).resolve().parent
        if folder.is_relative_to(ROOT) and ".venv" not in folder.parts:
            folders.add(folder)
    return sorted(folders)


def project_modules() -> list[Path]:
    return [
        path
        for folder in project_packages()
        for path in sorted(folder.rglob("*.py"))
        if not {"migrations", "tests"} & set(path.relative_to(ROOT).parts)
        and path.name != "conftest.py"
    ]


def test_the_walk_sees_every_app():
    names = {folder.name for folder in project_packages()}
    assert {"collab", "departments", "requests_sla", "pipeline"} <= names
    assert len(project_modules()) > 100


def test_no_module_outside_migrations_and_tests_is_over_500_lines():
    """A room that grows past a few hundred lines becomes a package."""
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in project_modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"split these modules: {too_long}"


def test_no_function_outside_migrations_and_tests_is_over_80_lines():
    """From ``def`` to the last line, docstring included: what a reader has to
    hold at once (a decorator's schema description is not counted)."""
    too_long = {}
    for path in project_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    too_long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert not too_long, f"split these functions: {too_long}"
