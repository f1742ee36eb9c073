"""Walking Collab's own classes, for tests that check a rule holds for every
form or serializer (new ones included without anyone remembering)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def project_apps() -> list:
    """The installed apps that live in this repository (a new app included)."""
    return [
        app
        for app in apps.get_app_configs()
        if ROOT in Path(app.path).resolve().parents and ".venv" not in Path(app.path).parts
    ]


def project_classes(base):
    """Every subclass of ``base`` defined in Collab's own modules."""
    packages = tuple(app.name.split(".")[0] for app in project_apps())
    for app in project_apps():
        for info in pkgutil.walk_packages([app.path], prefix=f"{app.name}."):
            if ".tests" in info.name or ".migrations" in info.name:
                continue
            if info.name.endswith((".demo", ".management")) or ".management." in info.name:
                continue
            importlib.import_module(info.name)
    seen, stack = set(), [base]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return [c for c in seen if c.__module__.split(".")[0] in packages]
