"""The probe's world, built once per module, and its figures after the run."""

from __future__ import annotations

import collections
import time

import pytest
from django.db import transaction

from departments.tests.factories import token_for

from . import world as probe_world

_COUNTS: collections.Counter = collections.Counter()


def world_counts() -> collections.Counter:
    """Routes, operations and requests, counted by the tests as they go."""
    return _COUNTS


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The owner's and the outsider's organizations, made once for a module
    inside a transaction that is rolled back after it (each test then runs
    in a savepoint of its own)."""
    started = time.monotonic()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = probe_world.build_world()
            built["ids"] = {
                **probe_world.owner_ids(built["owner_org"]),
                **built["made_ids"],
            }
            built["outsider_token"] = token_for(built["outsider"])
            built["outsider_ids"] = probe_world.owner_ids(built["outsider_org"])
            _COUNTS["world_failures"] = len(built["failed_kinds"])
            _FAILED_KINDS[:] = built["failed_kinds"]
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
    _COUNTS["seconds"] += time.monotonic() - started


_FAILED_KINDS: list[str] = []


def pytest_terminal_summary(terminalreporter):
    counts = _COUNTS
    if counts["routes"]:
        terminalreporter.write_line(
            f"probe matrix: {counts['routes']} routes walked ({counts['id_routes']} naming an "
            f"object of the owner's), {counts['operations']} OpenAPI operations, "
            f"{counts['requests']} requests"
        )
    if counts["nested_requests"]:
        terminalreporter.write_line(
            f"probe nested ids: {counts['nested_requests']} bodies with an owner's id, "
            f"{counts['nested_rejected']} refused with a 400 naming the field"
        )
    if counts["fuzz_cases"]:
        terminalreporter.write_line(
            f"probe fuzz: {counts['fuzz_cases']} generated cases, {counts['fuzz_requests']} "
            f"requests (two roles): {counts['fuzz_2xx']} 2xx, {counts['fuzz_4xx']} 4xx, "
            f"{counts['fuzz_5xx']} 5xx"
        )
    if counts["seconds"]:
        terminalreporter.write_line(f"probe: {counts['seconds']:.0f}s in the probe modules")
    for failed in _FAILED_KINDS:
        terminalreporter.write_line(f"probe: owner object not made: {failed}")
