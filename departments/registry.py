"""What higher apps plug into departments: the steps that provision a new
organization and the steps that load a demo organization.

departments sits low in the house (only collab is below it), so it never
imports the apps that add a step; each of them registers its steps in its
own ``AppConfig.ready()``::

    from departments.registry import demo_steps, provisioning_steps

    provisioning_steps.register(stages_provision, order=300)
    demo_steps.register(demo.load, order=300)

A provisioning step is called as ``step(organization=...)``, a demo step as
``step(organization=..., key="demo" | "other")``; both must be idempotent.
Steps run by their explicit ``order`` (never by app-loading accident); two
steps may not share an order number. Order bands: departments 100s,
requests_sla 200s, pipeline 300s, pricing 400s, roadmap 450s, enablement
500s, finance 600s, incentives 700s.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Step:
    order: int
    name: str  # the function's dotted name: how errors and tests name it
    run: Callable[..., object]


class Steps:
    """An ordered set of steps, filled once per process by the apps' ``ready()``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._steps: dict[str, Step] = {}

    def register(self, run: Callable[..., object], *, order: int) -> None:
        """Add ``run`` at ``order``. Registering the same function again (a
        second ``ready()`` in tests) replaces it; another function at a taken
        order is a configuration error."""
        name = f"{run.__module__}.{run.__qualname__}"
        for step in self._steps.values():
            if step.order == order and step.name != name:
                raise ImproperlyConfigured(
                    f"{self.kind} step {name}: order {order} is taken by {step.name}"
                )
        self._steps[name] = Step(order, name, run)

    def __iter__(self) -> Iterator[Step]:
        return iter(sorted(self._steps.values(), key=lambda step: step.order))

    def names(self) -> list[str]:
        return [step.name for step in self]

    @contextlib.contextmanager
    def only(self, *names: str) -> Iterator[None]:
        """Run with only the named steps (tests that need a smaller demo)."""
        saved = dict(self._steps)
        unknown = set(names) - set(saved)
        if unknown:
            raise ValueError(f"unknown {self.kind} steps: {sorted(unknown)}")
        self._steps = {name: step for name, step in saved.items() if name in names}
        try:
            yield
        finally:
            self._steps = saved


provisioning_steps = Steps("provisioning")
demo_steps = Steps("demo")
